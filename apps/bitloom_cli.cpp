// bitloom-cli: command-line client for bitloomd's JSON-RPC interface.
#include <cstdio>
#include <string>

#include "common_options.h"
#include "consensus/chainparams.h"
#include "util/args.h"
#include "util/version.h"

using namespace bitloom;

int main(int argc, char** argv) {
    ArgsParser args;
    apps::add_general_options(args);
    args.add_option("rpcconnect", ArgsParser::Kind::value,
                    "Send commands to node running on <ip> (default: 127.0.0.1)", "<ip>");
    args.add_option("rpcport", ArgsParser::Kind::value,
                    "Connect to JSON-RPC on <port> (default: 8332, testnet: 18332, testnet4: "
                    "48332, signet: 38332, regtest: 18443)",
                    "<port>");
    args.add_option("rpcuser", ArgsParser::Kind::value, "Username for JSON-RPC connections",
                    "<user>");
    args.add_option("rpcpassword", ArgsParser::Kind::value, "Password for JSON-RPC connections",
                    "<pw>");
    apps::add_chain_options(args);

    if (auto parsed = args.parse(argc, argv); !parsed) {
        std::fprintf(stderr, "Error parsing command line arguments: %s\n",
                     parsed.error().message().c_str());
        return 1;
    }
    if (args.get_bool("version", false)) {
        std::printf("%s\n", version_line("bitloom-cli").c_str());
        return 0;
    }
    if (apps::wants_help(args) || args.positional().empty()) {
        std::printf(
            "%s\n\nThe bitloom-cli utility provides a command line interface to interact with a "
            "bitloom node.\n\nUsage:  bitloom-cli [options] <command> [params]\n\n%s",
            version_line("bitloom-cli").c_str(), args.help_text().c_str());
        return apps::wants_help(args) ? 0 : 1;
    }
    std::string error;
    const auto chain = apps::selected_chain(args, error);
    if (!chain) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    const std::string host = args.get_or("rpcconnect", "127.0.0.1");
    const std::string port = args.get_or("rpcport", std::to_string(chain_params(*chain).rpc_port));
    std::fprintf(stderr,
                 "error: this version of bitloom-cli cannot send RPC requests yet (would call "
                 "'%s' on %s:%s)\n",
                 args.positional().front().c_str(), host.c_str(), port.c_str());
    return 1;
}
