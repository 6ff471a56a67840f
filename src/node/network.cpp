#include "node/network.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "consensus/fixed_seeds.h"
#include "crypto/random.h"
#include "node/options.h"
#include "util/version.h"

namespace bitloom {

namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t DEFAULT_TOR_PROXY_PORT = 9050;
constexpr auto PROCESSING_TICK = 100ms;

Uint256 random_uint256() {
    Uint256 value;
    get_strong_random_bytes(value);
    return value;
}

// True when the values of a list option switch it off (-noconnect, -connect=0).
bool only_zero(const std::vector<std::string>& values) {
    for (const std::string& value : values) {
        if (value != "0") return false;
    }
    return true;
}

std::vector<std::string> real_values(const std::vector<std::string>& values) {
    std::vector<std::string> out;
    for (const std::string& value : values) {
        if (!value.empty() && value != "0") out.push_back(value);
    }
    return out;
}

Result<std::optional<NetService>, std::string> parse_proxy(const Settings& settings,
                                                           std::string_view name) {
    if (!settings.is_set(name) || settings.is_negated(name)) return std::optional<NetService>{};
    const std::string text = settings.get_or(name, "");
    if (text.empty() || text == "0") return std::optional<NetService>{};
    auto service = NetService::parse(text, DEFAULT_TOR_PROXY_PORT);
    if (!service || !service->address.is_valid()) {
        return fail(std::string(name == "onion" ? "Invalid -onion address or hostname: '"
                                                : "Invalid -proxy address or hostname: '") +
                    text + "'");
    }
    return std::optional<NetService>(*service);
}

}  // namespace

Result<std::string, std::string> node_user_agent(const Settings& settings) {
    const std::vector<std::string> comments = settings.get_all("uacomment");
    for (const std::string& comment : comments) {
        const bool safe = std::all_of(comment.begin(), comment.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   std::string_view(" .,;-_/:?@()").find(c) != std::string_view::npos;
        });
        if (!safe) {
            return fail("User Agent comment (" + comment + ") contains unsafe characters.");
        }
    }
    std::string agent = user_agent(comments);
    if (agent.size() > MAX_SUBVERSION_LENGTH) {
        return fail("Total length of network version string (" + std::to_string(agent.size()) +
                    ") exceeds maximum length (" + std::to_string(MAX_SUBVERSION_LENGTH) +
                    "). Reduce the number or size of uacomments.");
    }
    return agent;
}

Result<NetworkServiceOptions, std::string> network_options(const Settings& settings,
                                                           const ChainParams& params,
                                                           const std::filesystem::path& chain_dir) {
    NetworkServiceOptions options;
    ConnectionManagerOptions& manager = options.manager;
    manager.magic = params.message_start;
    auto agent = node_user_agent(settings);
    if (!agent) return fail(agent.error());
    manager.user_agent = *agent;
    manager.blocks_only = settings.get_bool("blocksonly", false);

    std::uint16_t port = params.default_port;
    if (settings.is_set("port")) {
        const std::int64_t value = settings.get_int("port", 0);
        if (value < 1 || value > 65535) {
            return fail("Invalid port specified in -port: '" + settings.get_or("port", "") + "'");
        }
        port = static_cast<std::uint16_t>(value);
    }
    manager.default_port = params.default_port;

    const bool connect_set = settings.is_set("connect");
    const std::vector<std::string> connect = settings.get_all("connect");
    manager.automatic_outbound = !connect_set;
    if (connect_set && !settings.is_negated("connect") && !only_zero(connect)) {
        manager.connect = real_values(connect);
    }
    const std::int64_t max_connections =
        std::max<std::int64_t>(0, settings.get_int("maxconnections", DEFAULT_MAX_CONNECTIONS));
    manager.max_connections = static_cast<int>(std::min<std::int64_t>(max_connections, 4096));
    auto proxy = parse_proxy(settings, "proxy");
    if (!proxy) return fail(proxy.error());
    auto onion = parse_proxy(settings, "onion");
    if (!onion) return fail(onion.error());
    options.proxy = *proxy;
    options.onion_proxy = *onion ? *onion : *proxy;
    if (settings.is_negated("onion")) options.onion_proxy.reset();
    options.proxy_randomize = settings.get_bool("proxyrandomize", true);

    const bool listen_default = !connect_set && !options.proxy && max_connections > 0;
    options.listen = settings.get_bool("listen", listen_default) && max_connections > 0;
    manager.listening = options.listen;
    const bool seeds_default = !connect_set && max_connections > 0;
    if (settings.get_bool("dnsseed", seeds_default)) manager.dns_seeds = params.dns_seeds;
    if (settings.get_bool("fixedseeds", seeds_default)) {
        // The manager dates them when it adds them (one to two weeks back, as Core does).
        for (std::string_view entry : fixed_seeds(params.type)) {
            auto service = NetService::parse(entry, params.default_port);
            if (!service) continue;
            PeerAddress seed;
            seed.service = *service;
            seed.services = services::NODE_NETWORK | services::NODE_WITNESS;
            manager.fixed_seeds.push_back(seed);
        }
    }
    manager.add_nodes = real_values(settings.get_all("addnode"));
    manager.seed_nodes = real_values(settings.get_all("seednode"));
    if (max_connections == 0) manager.automatic_outbound = false;

    for (const std::string& name : settings.get_all("onlynet")) {
        auto network = parse_network_name(name);
        if (!network) return fail("Unknown network specified in -onlynet: '" + name + "'");
        manager.reachable.insert(*network);
    }
    for (const std::string& entry : settings.get_all("whitelist")) {
        auto parsed = parse_whitelist(entry);
        if (!parsed) return fail(parsed.error());
        manager.whitelist.push_back(*parsed);
    }
    for (const std::string& text : settings.get_all("externalip")) {
        auto service = NetService::parse(text, port);
        if (!service) return fail("Cannot resolve -externalip address: '" + text + "'");
        manager.local_addresses.push_back(*service);
    }
    manager.max_receive_queue_bytes = static_cast<std::size_t>(
        std::max<std::int64_t>(1, settings.get_int("maxreceivebuffer", 5000)) * 1000);
    options.max_send_buffer_bytes = static_cast<std::size_t>(
        std::max<std::int64_t>(1, settings.get_int("maxsendbuffer", 1000)) * 1000);
    manager.addrman_key = random_uint256();
    manager.random_seed = random_uint256();

    if (options.listen) {
        const std::vector<std::string> binds = settings.get_all("bind");
        if (binds.empty()) {
            options.bind.push_back(NetService{*NetAddress::parse("0.0.0.0"), port});
            options.bind.push_back(NetService{*NetAddress::parse("::"), port});
        }
        for (std::string text : binds) {
            if (const auto marker = text.find("=onion"); marker != std::string::npos) {
                text.erase(marker);
            }
            auto service = NetService::parse(text, port);
            if (!service) return fail("Cannot resolve -bind address: '" + text + "'");
            options.bind.push_back(*service);
        }
    }
    const std::int64_t timeout = settings.get_int("timeout", DEFAULT_CONNECT_TIMEOUT_MS);
    options.connect_timeout =
        std::chrono::milliseconds(timeout <= 0 ? DEFAULT_CONNECT_TIMEOUT_MS : timeout);
    options.data_dir = chain_dir;
    return options;
}

NodeNetwork::NodeNetwork(ChainState& chain, Logger& logger, NodeContext& context)
    : chain_(chain), logger_(logger), context_(context) {}

NodeNetwork::~NodeNetwork() { stop(); }

PeerTime NodeNetwork::now() const {
    const std::int64_t mock = context_.mock_time.load();
    if (mock != 0) return std::chrono::seconds(mock);
    return std::chrono::duration_cast<PeerTime>(
        std::chrono::system_clock::now().time_since_epoch());
}

Result<std::unique_ptr<NodeNetwork>, std::string> NodeNetwork::start(
    const Settings& settings, const ChainParams& params, ChainState& chain, Logger& logger,
    NodeContext& context, const std::filesystem::path& chain_dir) {
    auto options = network_options(settings, params, chain_dir);
    if (!options) return fail(options.error());
    std::unique_ptr<NodeNetwork> node(new NodeNetwork(chain, logger, context));
    NodeNetwork* self = node.get();
    options->manager.start_height = [&chain] { return chain.height(); };
    options->clock = [self] { return self->now(); };
    Logger* log = &logger;
    options->log = [log](std::string_view category, const std::string& line) {
        if (category.empty()) {
            log->log_info("{}", line);
            return;
        }
        if (auto categories = parse_log_categories(category);
            categories && *categories != ALL_LOG_CATEGORIES) {
            if ((log->categories() & *categories) == 0) return;
            log->write(category, std::source_location::current(), line);
            return;
        }
        log->log_info("{}", line);
    };

    PeerManagerOptions peer_options;
    peer_options.blocks_only = options->manager.blocks_only;
    peer_options.max_send_backlog = options->max_send_buffer_bytes;
    peer_options.send_backlog = [self](PeerId id) {
        return self->service_ ? self->service_->send_backlog(id) : std::size_t{0};
    };
    peer_options.random_seed = random_uint256();
    node->peers_ = std::make_unique<PeerManager>(chain, peer_options);

    const bool active = settings.get_bool("networkactive", true);
    auto service = NetworkService::start(std::move(*options));
    if (!service) return fail(service.error());
    node->service_ = std::move(*service);
    if (!active) {
        node->service_->with_manager([](ConnectionManager& manager) {
            manager.set_network_active(false);
        });
    }
    context.network = node->service_.get();
    context.peers = node->peers_.get();
    node->thread_ = std::thread([self] { self->run(); });
    return node;
}

void NodeNetwork::stop() {
    context_.network = nullptr;
    context_.peers = nullptr;
    stopping_.store(true);
    if (service_) service_->wake();
    if (thread_.joinable()) thread_.join();
    if (service_) service_->stop();
}

void NodeNetwork::perform(std::vector<PeerManagerAction> actions) {
    if (actions.empty()) return;
    std::vector<PeerLog> logs;
    service_->with_manager([&](ConnectionManager& manager) {
        const PeerTime time = now();
        for (PeerManagerAction& action : actions) {
            if (auto* send = std::get_if<SendMessage>(&action)) {
                manager.send(send->peer, send->command, send->payload);
            } else if (auto* gone = std::get_if<DisconnectPeer>(&action)) {
                manager.disconnect(gone->peer, gone->why);
            } else if (auto* bad = std::get_if<PeerMisbehaved>(&action)) {
                manager.misbehaving(bad->peer, bad->why);
            } else if (auto* useful = std::get_if<PeerUseful>(&action)) {
                manager.note_useful(useful->peer, useful->what, time);
            } else if (auto* line = std::get_if<PeerLog>(&action)) {
                logs.push_back(std::move(*line));
            }
        }
    });
    for (const PeerLog& line : logs) {
        if (line.category.empty()) {
            logger_.log_info("{}", line.text);
        } else if (line.category == "net") {
            logger_.log_debug(LogCategory::net, "{}", line.text);
        } else {
            logger_.log_debug(LogCategory::validation, "{}", line.text);
        }
    }
}

void NodeNetwork::run() {
    auto last_tick = std::chrono::steady_clock::now() - PROCESSING_TICK;
    bool pending = false;
    while (!stopping_.load()) {
        auto event = service_->next_event(pending ? 0ms : PROCESSING_TICK);
        if (stopping_.load()) break;
        if (event) {
            const PeerTime time = now();
            if (auto* connected = std::get_if<PeerConnected>(&*event)) {
                peers_->peer_connected(*connected, time);
            } else if (auto* message = std::get_if<PeerMessage>(&*event)) {
                peers_->process_message(message->id, message->command, message->payload, time);
                const PeerId id = message->id;
                const std::size_t size = message->payload.size();
                service_->with_manager([&](ConnectionManager& manager) {
                    manager.message_processed(id, size);
                });
            } else if (auto* gone = std::get_if<PeerDisconnected>(&*event)) {
                peers_->peer_disconnected(gone->id);
            }
            perform(peers_->take_actions());
        }
        if (std::chrono::steady_clock::now() - last_tick >= PROCESSING_TICK) {
            last_tick = std::chrono::steady_clock::now();
            peers_->tick(now());
            perform(peers_->take_actions());
        }
        pending = peers_->process_pending(now());
        perform(peers_->take_actions());
    }
}

}  // namespace bitloom
