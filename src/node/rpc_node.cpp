// The node-control RPCs (Bitcoin Core's rpc/node.cpp): mock time, plus the generic help, stop
// and uptime methods of the rpc module. The network methods are in rpc_net.cpp.
#include <cstdint>
#include <limits>
#include <string>

#include "node/rpc_methods.h"

namespace bitloom {
namespace {

// The largest mock time Core accepts: std::chrono::nanoseconds::max() in seconds.
constexpr std::int64_t MAX_MOCK_TIME = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;

Json setmocktime(NodeContext& node, const RpcCall& call) {
    if (node.params == nullptr || !node.params->is_mockable) {
        throw RpcError(RpcErrorCode::MISC_ERROR,
                       "setmocktime is for regression testing (-regtest mode) only");
    }
    const std::int64_t time = call.get_int(0);
    if (time < 0 || time > MAX_MOCK_TIME) {
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       "Mocktime must be in the range [0, " + std::to_string(MAX_MOCK_TIME) +
                           "], not " + std::to_string(time) + ".");
    }
    node.mock_time.store(time);
    return nullptr;
}

}  // namespace

void register_node_rpcs(RpcDispatcher& dispatcher, NodeContext& node) {
    const auto bind = [&node](Json (*handler)(NodeContext&, const RpcCall&)) {
        return [&node, handler](const RpcCall& call) { return handler(node, call); };
    };

    dispatcher.add(make_help_method(dispatcher));
    dispatcher.add(make_stop_method([&node] {
        if (node.request_shutdown) node.request_shutdown();
    }));
    dispatcher.add(make_uptime_method(node.started));

    dispatcher.add(RpcMethod{
        "setmocktime",
        "hidden",
        {
            {"timestamp", RpcType::number, false, "",
             "Seconds since the epoch to use as the node's clock; 0 returns to the system clock.",
             ""},
        },
        "Sets the node's clock (regtest only).\n"
        "\n"
        "Result:\n"
        "null    (json null)\n",
        bind(setmocktime),
    });
}

}  // namespace bitloom
