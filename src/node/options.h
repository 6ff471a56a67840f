// The options bitloomd accepts, with Bitcoin Core's names, categories and defaults.
//
// One table (`node_options()`) describes every option: its name without the dash, whether it
// takes a value, its help paragraph and category, and two properties the configuration layer
// needs:
//   - network_only: Core's NETWORK_ONLY flag. Outside the main chain, a value given in the top
//     level of the configuration file is ignored (with a warning) unless it is also given on the
//     command line or in the chain's [section]: -addnode, -bind, -connect, -port, -rpcbind,
//     -rpcport, -wallet.
//   - not_used: accepted so that existing bitcoin.conf files and command lines keep working, but
//     without effect yet; the node logs "Option -x is accepted but not used yet" for each one set.
// The same table registers the options with an ArgsParser (command line) and validates the
// names found in configuration files.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/args.h"

namespace bitloom {

struct OptionSpec {
    std::string_view name;  // without the leading '-'
    ArgsParser::Kind kind;
    std::string_view value_hint;  // "<n>", "<dir>", ... empty for flags
    std::string_view help;
    std::string_view category;
    bool network_only = false;
    bool not_used = false;
};

// Defaults the node reads; the help texts quote the same numbers.
inline constexpr std::int64_t DEFAULT_DBCACHE_MIB = 450;
inline constexpr std::int64_t MIN_DBCACHE_MIB = 4;
inline constexpr std::int64_t DEFAULT_MAX_CONNECTIONS = 200;
inline constexpr std::int64_t DEFAULT_CONNECT_TIMEOUT_MS = 5000;
inline constexpr std::int64_t DEFAULT_CHECKBLOCKS = 6;
inline constexpr std::int64_t DEFAULT_CHECKLEVEL = 3;
inline constexpr std::int64_t DEFAULT_RPC_THREADS = 16;
inline constexpr std::int64_t DEFAULT_RPC_WORKQUEUE = 64;
inline constexpr std::int64_t DEFAULT_RPC_SERVERTIMEOUT_S = 30;
inline constexpr std::int64_t DEFAULT_BLOCK_MAX_WEIGHT = 4'000'000;
inline constexpr std::int64_t DEFAULT_BYTES_PER_SIGOP = 20;
inline constexpr std::int64_t DEFAULT_DATACARRIER_SIZE = 100'000;
inline constexpr const char* DEFAULT_CONF_FILE = "bitloom.conf";
inline constexpr const char* DEFAULT_DEBUGLOG_FILE = "debug.log";
inline constexpr const char* DEFAULT_PID_FILE = "bitloomd.pid";
inline constexpr const char* DEFAULT_MIN_RELAY_TX_FEE = "0.000001";
inline constexpr const char* DEFAULT_BLOCK_MIN_TX_FEE = "0.00000001";

// Every option of bitloomd, in help order (categories in Core's order). Names are unique.
std::span<const OptionSpec> node_options();

// The entry named `name` (without dash) in `options`, or nullptr.
const OptionSpec* find_option(std::span<const OptionSpec> options, std::string_view name);

// Registers `options` (default: node_options()) with `args`, so that the command line accepts
// them and `args.help_text()` lists them. Includes -?, -h, -help, -version, -datadir, -conf and
// the chain selection options, so callers must not also register apps' common options.
void register_options(ArgsParser& args, std::span<const OptionSpec> options);
void register_node_options(ArgsParser& args);

// Names (with the dash, e.g. "-onlynet") of the options set on `args` that are accepted but have
// no effect yet, in table order. A negated option (-nolisten) counts as set.
std::vector<std::string> options_not_yet_used(const ArgsParser& args);

}  // namespace bitloom
