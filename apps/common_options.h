// Options shared by bitloomd and bitloom-cli: help and version, the data directory and
// configuration file, and chain selection (-chain=, -regtest, ...) with Bitcoin Core's names
// and its rule that at most one chain may be given.
#pragma once

#include <optional>
#include <string>

#include "consensus/chainparams.h"
#include "util/args.h"

namespace bitloom::apps {

inline void add_general_options(ArgsParser& args) {
    args.add_option("?", ArgsParser::Kind::flag, "Print this help message and exit");
    args.add_option("h", ArgsParser::Kind::flag, "Print this help message and exit");
    args.add_option("help", ArgsParser::Kind::flag, "Print this help message and exit");
    args.add_option("version", ArgsParser::Kind::flag, "Print version and exit");
    args.add_option("datadir", ArgsParser::Kind::value, "Specify data directory", "<dir>");
    args.add_option("conf", ArgsParser::Kind::value,
                    "Specify path to read-only configuration file. Relative paths will be "
                    "prefixed by datadir location (default: bitloom.conf)",
                    "<file>");
}

inline bool wants_help(const ArgsParser& args) {
    return args.get_bool("help", false) || args.get_bool("h", false) || args.get_bool("?", false);
}

inline void add_chain_options(ArgsParser& args) {
    const char* category = "Chain selection options";
    args.add_option("chain", ArgsParser::Kind::value,
                    "Use the chain <chain> (default: main). Allowed values: main, test, testnet4, "
                    "signet, regtest",
                    "<chain>", category);
    args.add_option("regtest", ArgsParser::Kind::flag,
                    "Enter regression test mode, which uses a special chain in which blocks can be "
                    "solved instantly. Equivalent to -chain=regtest.",
                    {}, category);
    args.add_option("signet", ArgsParser::Kind::flag, "Use the signet chain. Equivalent to -chain=signet.",
                    {}, category);
    args.add_option("testnet", ArgsParser::Kind::flag,
                    "Use the testnet3 chain. Equivalent to -chain=test.", {}, category);
    args.add_option("testnet4", ArgsParser::Kind::flag,
                    "Use the testnet4 chain. Equivalent to -chain=testnet4.", {}, category);
}

// The selected chain, or an error message when the options conflict or name no chain.
inline std::optional<ChainType> selected_chain(const ArgsParser& args, std::string& error) {
    std::optional<ChainType> chosen;
    int count = 0;
    if (auto name = args.get("chain")) {
        chosen = parse_chain_type(*name);
        if (!chosen) {
            error = "Error: Invalid chain name '" + *name +
                    "'. Allowed values: main, test, testnet4, signet, regtest";
            return std::nullopt;
        }
        ++count;
    }
    const std::pair<const char*, ChainType> flags[] = {{"regtest", ChainType::regtest},
                                                       {"signet", ChainType::signet},
                                                       {"testnet", ChainType::testnet},
                                                       {"testnet4", ChainType::testnet4}};
    for (const auto& [name, type] : flags) {
        if (args.get_bool(name, false)) {
            chosen = type;
            ++count;
        }
    }
    if (count > 1) {
        error = "Error: Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. "
                "Can use at most one.";
        return std::nullopt;
    }
    return chosen.value_or(ChainType::main);
}

}  // namespace bitloom::apps
