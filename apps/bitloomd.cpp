// bitloomd: the bitloom node.
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
    args.add_option("printtoconsole", ArgsParser::Kind::flag,
                    "Send trace/debug info to console (default: 1 when no -daemon)");
    apps::add_chain_options(args);

    if (auto parsed = args.parse(argc, argv); !parsed) {
        std::fprintf(stderr, "Error: Error parsing command line arguments: %s\n",
                     parsed.error().message().c_str());
        return 1;
    }
    if (args.get_bool("version", false)) {
        std::printf("%s\n", version_line("bitloomd").c_str());
        return 0;
    }
    if (apps::wants_help(args)) {
        std::printf("%s\n\nUsage:  bitloomd [options]                     Start bitloom node\n\n%s",
                    version_line("bitloomd").c_str(), args.help_text().c_str());
        return 0;
    }
    if (!args.positional().empty()) {
        std::fprintf(stderr,
                     "Error: Command line contains unexpected token '%s', see bitloomd -h for a "
                     "list of options.\n",
                     args.positional().front().c_str());
        return 1;
    }
    std::string error;
    const auto chain = apps::selected_chain(args, error);
    if (!chain) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    const ChainParams& params = chain_params(*chain);
    std::fprintf(stderr,
                 "Error: this version of bitloomd has no node to start yet (chain %s, genesis "
                 "%s). Use `bitloom` for the available tools.\n",
                 std::string(chain_type_name(*chain)).c_str(),
                 params.consensus.genesis_hash.to_string().c_str());
    return 1;
}
