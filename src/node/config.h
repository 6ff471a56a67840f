// Configuration: the command line and bitloom.conf combined into one read-only view, with
// Bitcoin Core's rules of precedence.
//
// Configuration file grammar (Core's bitcoin.conf), one statement per line:
//   line     := blank | comment | section | setting
//   comment  := '#' any*                       ('#' also ends any other line: "a=1 # note")
//   section  := '[' name ']'                   (main, test, testnet4, signet, regtest)
//   setting  := key '=' value                  (both trimmed of " \t\r\n\f\v")
//   key      := [section '.'] ['no'] option    ("regtest.rpcport=1", "nolisten=1")
// A line that is not blank, a comment, a section or a setting is a parse error; so is a key
// starting with '-', an unknown option, "conf=" (command line only) and a '#' on a line setting
// rpcpassword. `noname=1` negates `name` (`noname=0` sets it to 1, as Core does).
// `includeconf=<file>` names further files (relative to the data directory); they are read
// after the main file and may not include others (ignored with a warning).
//
// Precedence when reading an option (Core's GetSetting):
//   1. the command line, last value wins;
//   2. the selected chain's section ([regtest] or "regtest." keys), FIRST value wins;
//   3. the top level of the files, FIRST value wins, except that network-only options
//      (OptionSpec::network_only) there are ignored outside the main chain (a negation there
//      still counts).
// Within a source only the values after its last negation count, and a source whose last
// value is a negation decides "negated", which reads as "0" (e.g. -nolisten). Lists (get_all)
// join the values of all three sources in that order; a negation drops the values before it in
// its source and every later source.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/chainparams.h"
#include "node/options.h"
#include "util/args.h"
#include "util/result.h"

namespace bitloom {

// One setting from a configuration file. `value` is nullopt for a negation (`nofoo=1`).
struct ConfigEntry {
    std::string section;  // "" for the top level
    std::string name;     // the option, without "no" or section prefix
    std::optional<std::string> value;
    int line = 0;
};

// A section header or "section." key naming no known chain, for the warning Core gives.
struct ConfigSection {
    std::string name;
    int line = 0;
};

struct ParsedConfig {
    std::vector<ConfigEntry> entries;
    std::vector<ConfigSection> sections;  // every section named, in order
    std::vector<std::string> warnings;    // e.g. confusing double negatives
};

// A failure in one file; `message()` is Core's text, e.g.
// "parse error on line 3: nofoo, if you intended to specify a negated option, use nofoo=1 instead".
struct ConfigFailure {
    std::string file;
    int line = 0;  // 0 when the failure is not about one line
    std::string text;
    const std::string& message() const { return text; }
};

// Parses the text of one configuration file; `file` only labels failures. Options are checked
// against `options`. Never throws.
Result<ParsedConfig, ConfigFailure> parse_config(std::string_view text, std::string_view file,
                                                 std::span<const OptionSpec> options);

// Core's section name for a chain: "main", "test", "testnet4", "signet", "regtest".
std::string_view chain_section(ChainType chain);

class Settings {
public:
    using Values = std::vector<std::optional<std::string>>;  // nullopt: negated

    // Assembles a view from already parsed sources. `command_line` holds, per option, its
    // values in the order given; `config` its entries in file order (main file, then includes).
    Settings(std::map<std::string, Values, std::less<>> command_line,
             std::vector<ConfigEntry> config, ChainType chain,
             std::span<const OptionSpec> options = node_options());

    // The deciding value (see the precedence above); "0" when negated; nullopt when unset.
    std::optional<std::string> get(std::string_view name) const;
    std::string get_or(std::string_view name, std::string fallback) const;
    // Every value from every source (see above), negations left out.
    std::vector<std::string> get_all(std::string_view name) const;
    // Core's reading: empty is true, otherwise the leading integer (so "abc" is false).
    bool get_bool(std::string_view name, bool fallback) const;
    // Core's reading: the leading integer, saturated to int64 ("12abc" is 12, "abc" is 0).
    std::int64_t get_int(std::string_view name, std::int64_t fallback) const;
    // The whole value must be a decimal integer, else "Invalid value for -name: 'x'".
    Result<std::int64_t, std::string> get_int_strict(std::string_view name,
                                                     std::int64_t fallback) const;
    // Set at all, negations included (-nolisten is set).
    bool is_set(std::string_view name) const;
    // The deciding value is a negation (-nodebuglogfile).
    bool is_negated(std::string_view name) const;

    ChainType chain() const { return chain_; }
    // Network-only options given only in the top level of the files while a non-main chain is
    // selected; the values are ignored. Dash-prefixed names, e.g. "-rpcport".
    std::vector<std::string> ignored_top_level_options() const;

    // Filled by load_settings.
    std::filesystem::path data_dir;                  // absolute base data directory
    std::optional<std::filesystem::path> conf_file;  // the main file read, if any
    std::vector<std::filesystem::path> included_files;
    std::vector<std::string> positional;  // arguments after the options
    std::vector<std::string> warnings;    // to log once the logger is up

private:
    const Values* find_command_line(std::string_view name) const;
    // nullopt: unset; a nullopt inside: negated; else the deciding value.
    std::optional<std::optional<std::string>> decide(std::string_view name) const;
    // First-to-last values of `name` in one section of the files.
    Values config_values(std::string_view section, std::string_view name) const;
    bool top_level_ignored(std::string_view name) const;

    std::map<std::string, Values, std::less<>> command_line_;
    std::vector<ConfigEntry> config_;
    ChainType chain_;
    std::span<const OptionSpec> options_;
};

// Names (with dash) of accepted-but-unused options set anywhere (command line or files).
std::vector<std::string> options_not_yet_used(const Settings& settings);

// Reads the command line, selects the chain, finds the data directory, reads bitloom.conf and
// its includes, and returns the combined view. Errors are Core's messages without the "Error: "
// prefix, e.g. "Specified data directory \"/x\" does not exist.",
// "Error reading configuration file: parse error on line 3: foo",
// "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one."
// The default data directory is created when missing; a -datadir given must exist. A missing
// default configuration file is fine; a missing -conf file is an error, and so is a
// bitloom.conf in the data directory that is not the file read (a warning with
// -allowignoredconf), as in Core 28+. Chain selection (-chain, -regtest, -signet, -testnet,
// -testnet4) may come from the command line or the top level of the files. Warnings (unknown sections, ignored top-level options, ignored nested
// includes, reindex in the file) are collected in Settings::warnings.
Result<Settings, std::string> load_settings(int argc, const char* const* argv);
Result<Settings, std::string> load_settings(int argc, const char* const* argv,
                                            std::span<const OptionSpec> options,
                                            const std::filesystem::path& default_data_dir);

// Checks of option values that no other component owns: -prune (only 0), -dbcache, -mocktime
// (regtest only), -checklevel and the integer options. Returns the first problem as a message.
Result<void, std::string> validate_node_settings(const Settings& settings);

}  // namespace bitloom
