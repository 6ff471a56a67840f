#include "node/config.h"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

#include "node/datadir.h"

namespace bitloom {
namespace {

constexpr std::string_view WHITESPACE = " \f\n\r\t\v";

std::string_view trim(std::string_view text) {
    const auto begin = text.find_first_not_of(WHITESPACE);
    if (begin == std::string_view::npos) return {};
    const auto end = text.find_last_not_of(WHITESPACE);
    return text.substr(begin, end - begin + 1);
}

// Core's LocaleIndependentAtoi: optional '+' or '-', leading digits, saturating; else 0.
std::int64_t leading_integer(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text[0] == '+') {
        if (text.size() >= 2 && text[1] == '-') return 0;
        text.remove_prefix(1);
    }
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        return !text.empty() && text[0] == '-' ? std::numeric_limits<std::int64_t>::min()
                                               : std::numeric_limits<std::int64_t>::max();
    if (ec != std::errc{}) return 0;
    return value;
}

bool interpret_bool(std::string_view text) { return text.empty() || leading_integer(text) != 0; }

bool is_chain_section(std::string_view name) {
    return name == "main" || name == "test" || name == "testnet4" || name == "signet" ||
           name == "regtest";
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The values after the last negation; `negated` tells whether there was one.
Settings::Values after_last_negation(const Settings::Values& values, bool& negated) {
    std::size_t start = 0;
    negated = false;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!values[i]) {
            start = i + 1;
            negated = true;
        }
    return Settings::Values(values.begin() + static_cast<std::ptrdiff_t>(start), values.end());
}

}  // namespace

std::string_view chain_section(ChainType chain) { return chain_type_name(chain); }

Result<ParsedConfig, ConfigFailure> parse_config(std::string_view text, std::string_view file,
                                                 std::span<const OptionSpec> options) {
    ParsedConfig parsed;
    std::string prefix;
    int line_number = 0;
    auto failure = [&](std::string message) {
        return fail(ConfigFailure{std::string(file), line_number, std::move(message)});
    };
    while (!text.empty()) {
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
        ++line_number;

        const auto hash = line.find('#');
        const bool used_hash = hash != std::string_view::npos;
        if (used_hash) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;

        if (line.front() == '[' && line.back() == ']') {
            const std::string section(line.substr(1, line.size() - 2));
            parsed.sections.push_back({section, line_number});
            prefix = section + '.';
            continue;
        }
        if (line.front() == '-')
            return failure("parse error on line " + std::to_string(line_number) + ": " +
                           std::string(line) +
                           ", options in configuration file must be specified without leading "
                           "hyphen");
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) {
            std::string message =
                "parse error on line " + std::to_string(line_number) + ": " + std::string(line);
            if (line.starts_with("no"))
                message += ", if you intended to specify a negated option, use " +
                           std::string(line) + "=1 instead";
            return failure(std::move(message));
        }
        const std::string key = prefix + std::string(trim(line.substr(0, equals)));
        const std::string value(trim(line.substr(equals + 1)));
        if (used_hash && key.find("rpcpassword") != std::string::npos)
            return failure("parse error on line " + std::to_string(line_number) +
                           ", using # in rpcpassword can be ambiguous and should be avoided");

        ConfigEntry entry;
        entry.line = line_number;
        std::string_view name = key;
        if (const auto dot = name.find('.'); dot != std::string_view::npos) {
            entry.section = std::string(name.substr(0, dot));
            name.remove_prefix(dot + 1);
            // A "section.key" written out in full names a section too (Core warns on unknown ones).
            if (prefix.empty()) parsed.sections.push_back({entry.section, line_number});
        }
        bool negated = false;
        const OptionSpec* option = find_option(options, name);
        if (option == nullptr && name.starts_with("no")) {
            option = find_option(options, name.substr(2));
            negated = option != nullptr;
        }
        if (option == nullptr) return failure("Invalid configuration value " + key);
        entry.name = std::string(option->name);
        if (entry.name == "conf")
            return failure("conf cannot be set in the configuration file; use includeconf= if you "
                           "want to include additional config files");
        if (negated) {
            if (interpret_bool(value)) {
                entry.value = std::nullopt;
            } else {
                parsed.warnings.push_back("parsed potentially confusing double-negative -" +
                                          entry.name + "=" + value);
                entry.value = "1";
            }
        } else {
            entry.value = value;
        }
        if (entry.name == "reindex" && entry.value && interpret_bool(*entry.value))
            parsed.warnings.push_back(
                "reindex=1 is set in the configuration file, which will significantly "
                "slow down startup. Consider removing or commenting out this option for better "
                "performance, unless there is currently a condition which makes rebuilding the "
                "indexes necessary");
        parsed.entries.push_back(std::move(entry));
    }
    return parsed;
}

Settings::Settings(std::map<std::string, Values, std::less<>> command_line,
                   std::vector<ConfigEntry> config, ChainType chain,
                   std::span<const OptionSpec> options)
    : command_line_(std::move(command_line)),
      config_(std::move(config)),
      chain_(chain),
      options_(options) {}

const Settings::Values* Settings::find_command_line(std::string_view name) const {
    auto it = command_line_.find(name);
    return it == command_line_.end() || it->second.empty() ? nullptr : &it->second;
}

Settings::Values Settings::config_values(std::string_view section, std::string_view name) const {
    Values values;
    for (const auto& entry : config_)
        if (entry.section == section && entry.name == name) values.push_back(entry.value);
    return values;
}

bool Settings::top_level_ignored(std::string_view name) const {
    if (chain_ == ChainType::main) return false;
    const OptionSpec* option = find_option(options_, name);
    return option != nullptr && option->network_only;
}

std::optional<std::optional<std::string>> Settings::decide(std::string_view name) const {
    // Within one source only the values after its last negation count; a source ending in a
    // negation decides "negated". The command line takes its last value, the files their first.
    auto pick = [](const Values& values, bool first) -> std::optional<std::string> {
        if (!values.back()) return std::nullopt;
        bool negated = false;
        const Values rest = after_last_negation(values, negated);
        return first ? rest.front() : rest.back();
    };
    if (const Values* values = find_command_line(name)) return pick(*values, false);
    if (auto values = config_values(chain_section(chain_), name); !values.empty())
        return pick(values, true);
    auto values = config_values("", name);
    if (values.empty()) return std::nullopt;
    // A top-level negation is honoured even where a top-level value would be ignored.
    if (top_level_ignored(name) && values.back()) return std::nullopt;
    return pick(values, true);
}

std::optional<std::string> Settings::get(std::string_view name) const {
    auto decided = decide(name);
    if (!decided) return std::nullopt;
    return *decided ? **decided : std::string("0");
}

std::string Settings::get_or(std::string_view name, std::string fallback) const {
    auto value = get(name);
    return value ? *value : std::move(fallback);
}

std::vector<std::string> Settings::get_all(std::string_view name) const {
    std::vector<std::string> result;
    Values sources[3];
    if (const Values* values = find_command_line(name)) sources[0] = *values;
    sources[1] = config_values(chain_section(chain_), name);
    if (!top_level_ignored(name)) sources[2] = config_values("", name);
    for (const auto& source : sources) {
        bool negated = false;
        for (const auto& value : after_last_negation(source, negated)) result.push_back(*value);
        if (negated) break;
    }
    return result;
}

bool Settings::get_bool(std::string_view name, bool fallback) const {
    auto value = get(name);
    return value ? interpret_bool(*value) : fallback;
}

std::int64_t Settings::get_int(std::string_view name, std::int64_t fallback) const {
    auto value = get(name);
    return value ? leading_integer(*value) : fallback;
}

Result<std::int64_t, std::string> Settings::get_int_strict(std::string_view name,
                                                           std::int64_t fallback) const {
    auto value = get(name);
    if (!value) return fallback;
    std::int64_t number = 0;
    const char* end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, number);
    if (value->empty() || ec != std::errc{} || ptr != end)
        return fail("Invalid value for -" + std::string(name) + ": '" + *value + "'");
    return number;
}

bool Settings::is_set(std::string_view name) const { return get(name).has_value(); }

bool Settings::is_negated(std::string_view name) const {
    auto decided = decide(name);
    return decided && !*decided;
}

std::vector<std::string> Settings::ignored_top_level_options() const {
    std::vector<std::string> names;
    if (chain_ == ChainType::main) return names;
    for (const auto& option : options_) {
        if (!option.network_only) continue;
        if (find_command_line(option.name) != nullptr) continue;
        if (!config_values(chain_section(chain_), option.name).empty()) continue;
        if (config_values("", option.name).empty()) continue;
        names.push_back("-" + std::string(option.name));
    }
    return names;
}

std::vector<std::string> options_not_yet_used(const Settings& settings) {
    std::vector<std::string> names;
    for (const auto& option : node_options())
        if (option.not_used && settings.is_set(option.name))
            names.push_back("-" + std::string(option.name));
    return names;
}

namespace {

using CommandLine = std::map<std::string, Settings::Values, std::less<>>;

// Mirrors ArgsParser::parse (which has already accepted argv) to keep negations apart from
// values: -nofoo is a negation, -nofoo=0 reads as foo=1.
CommandLine read_command_line(int argc, const char* const* argv,
                              std::span<const OptionSpec> options) {
    CommandLine values;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-') break;
        std::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
        std::optional<std::string_view> value;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            value = body.substr(eq + 1);
            body = body.substr(0, eq);
        }
        const OptionSpec* option = find_option(options, body);
        if (option == nullptr && body.starts_with("no")) {
            option = find_option(options, body.substr(2));
            if (option == nullptr) continue;
            auto& slot = values[std::string(option->name)];
            if (value && *value == "0")
                slot.emplace_back("1");
            else
                slot.emplace_back(std::nullopt);
            continue;
        }
        if (option == nullptr) continue;
        values[std::string(option->name)].emplace_back(value ? std::string(*value) : "1");
    }
    return values;
}

// Chain selection from the command line (last value) and the files' top level (last value).
Result<ChainType, std::string> select_chain(const CommandLine& command_line,
                                            const std::vector<ConfigEntry>& config) {
    auto lookup = [&](std::string_view name) -> std::optional<std::optional<std::string>> {
        if (auto it = command_line.find(name); it != command_line.end() && !it->second.empty())
            return it->second.back();
        std::optional<std::optional<std::string>> found;
        for (const auto& entry : config)
            if (entry.section.empty() && entry.name == name) found = entry.value;
        return found;
    };
    std::optional<ChainType> chosen;
    int count = 0;
    if (auto chain = lookup("chain"); chain && *chain) {
        chosen = parse_chain_type(**chain);
        if (!chosen)
            return fail("Invalid chain name '" + **chain +
                        "'. Allowed values: main, test, testnet4, signet, regtest");
        ++count;
    }
    const std::pair<std::string_view, ChainType> flags[] = {{"regtest", ChainType::regtest},
                                                            {"signet", ChainType::signet},
                                                            {"testnet", ChainType::testnet},
                                                            {"testnet4", ChainType::testnet4}};
    for (const auto& [name, type] : flags) {
        auto value = lookup(name);
        if (value && *value && interpret_bool(**value)) {
            chosen = type;
            ++count;
        }
    }
    if (count > 1)
        return fail(std::string("Invalid combination of -regtest, -signet, -testnet, -testnet4 "
                                "and -chain. Can use at most one."));
    return chosen.value_or(ChainType::main);
}

// includeconf values of one section of the main file, after any negation.
std::vector<std::string> include_names(const std::vector<ConfigEntry>& config,
                                       std::string_view section) {
    Settings::Values values;
    for (const auto& entry : config)
        if (entry.section == section && entry.name == "includeconf") values.push_back(entry.value);
    bool negated = false;
    std::vector<std::string> names;
    for (const auto& value : after_last_negation(values, negated)) names.push_back(*value);
    return names;
}

Result<ParsedConfig, std::string> read_config_file(const std::filesystem::path& path,
                                                   const std::string& label,
                                                   std::span<const OptionSpec> options) {
    auto text = read_file(path);
    if (!text) return fail("Failed to include configuration file " + label);
    auto parsed = parse_config(*text, label, options);
    if (!parsed) return fail("Error reading configuration file: " + parsed.error().message());
    return std::move(*parsed);
}

}  // namespace

Result<Settings, std::string> load_settings(int argc, const char* const* argv) {
    return load_settings(argc, argv, node_options(), default_data_dir());
}

Result<Settings, std::string> load_settings(int argc, const char* const* argv,
                                            std::span<const OptionSpec> options,
                                            const std::filesystem::path& default_dir) {
    ArgsParser parser;
    register_options(parser, options);
    if (auto parsed = parser.parse(argc, argv); !parsed)
        return fail("Error parsing command line arguments: " + parsed.error().message());
    CommandLine command_line = read_command_line(argc, argv, options);
    std::vector<std::string> warnings;

    bool use_includes = true;
    if (auto it = command_line.find("includeconf"); it != command_line.end()) {
        for (const auto& value : it->second)
            if (value)
                return fail("-includeconf cannot be used from commandline; -includeconf=" + *value);
        use_includes = false;
    }

    // The base data directory as the command line gives it.
    std::filesystem::path data_dir = default_dir;
    if (auto it = command_line.find("datadir");
        it != command_line.end() && !it->second.empty() && it->second.back() &&
        !it->second.back()->empty()) {
        const std::string& given = *it->second.back();
        std::error_code ec;
        if (!std::filesystem::is_directory(given, ec))
            return fail("Specified data directory \"" + given + "\" does not exist.");
        data_dir = std::filesystem::absolute(given, ec);
    } else if (auto made = ensure_directory(data_dir); !made) {
        return fail(made.error());
    }

    // The main configuration file.
    std::vector<ConfigEntry> config;
    std::vector<ConfigSection> sections;
    std::optional<std::filesystem::path> conf_file;
    std::vector<std::filesystem::path> included;
    const auto conf_it = command_line.find("conf");
    const bool conf_given = conf_it != command_line.end() && !conf_it->second.empty();
    const bool conf_disabled = conf_given && !conf_it->second.back();
    const std::string conf_name =
        conf_given && !conf_disabled ? *conf_it->second.back() : DEFAULT_CONF_FILE;
    const std::filesystem::path command_line_data_dir = data_dir;
    if (!conf_disabled) {
        const std::filesystem::path path = resolve_path(data_dir, conf_name);
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec))
            return fail("Config file \"" + path.string() + "\" is a directory.");
        if (auto text = read_file(path)) {
            auto parsed = parse_config(*text, path.string(), options);
            if (!parsed)
                return fail("Error reading configuration file: " + parsed.error().message());
            config = std::move(parsed->entries);
            sections = std::move(parsed->sections);
            warnings.insert(warnings.end(), parsed->warnings.begin(), parsed->warnings.end());
            conf_file = path;
        } else if (conf_given) {
            return fail("specified config file \"" + path.string() + "\" could not be opened.");
        }
    }

    auto chain = select_chain(command_line, config);
    if (!chain) return fail(chain.error());

    if (use_includes && conf_file) {
        std::vector<std::string> names = include_names(config, chain_section(*chain));
        for (auto& name : include_names(config, "")) names.push_back(std::move(name));
        for (const auto& name : names) {
            const std::filesystem::path path = resolve_path(data_dir, name);
            std::error_code ec;
            if (std::filesystem::is_directory(path, ec))
                return fail("Included config file \"" + path.string() + "\" is a directory.");
            auto parsed = read_config_file(path, name, options);
            if (!parsed) return fail(parsed.error());
            for (auto& entry : parsed->entries) {
                if (entry.name == "includeconf") {
                    if (entry.value)
                        warnings.push_back("-includeconf cannot be used from included files; "
                                           "ignoring -includeconf=" + *entry.value);
                    continue;
                }
                config.push_back(std::move(entry));
            }
            for (auto& section : parsed->sections) sections.push_back(std::move(section));
            warnings.insert(warnings.end(), parsed->warnings.begin(), parsed->warnings.end());
            included.push_back(path);
        }
        // An included file may select the chain.
        chain = select_chain(command_line, config);
        if (!chain) return fail(chain.error());
    }

    for (const auto& section : sections)
        if (!is_chain_section(section.name))
            warnings.push_back((conf_file ? conf_file->string() : std::string()) + ":" +
                               std::to_string(section.line) + " Section [" + section.name +
                               "] is not recognized.");

    Settings settings(std::move(command_line), std::move(config), *chain, options);

    // A data directory named in the files replaces the command line's (Core reads it too).
    if (auto dir = settings.get("datadir"); dir && !dir->empty() && !settings.is_negated("datadir")) {
        std::error_code ec;
        if (!std::filesystem::is_directory(*dir, ec))
            return fail("Specified data directory \"" + *dir + "\" does not exist.");
        data_dir = std::filesystem::absolute(*dir, ec);
    }

    // A bitloom.conf in the data directory that is not the file read is an error (Core 28+),
    // or a warning with -allowignoredconf.
    if (conf_file) {
        const std::filesystem::path base_conf = data_dir / DEFAULT_CONF_FILE;
        std::error_code ec;
        if (std::filesystem::exists(base_conf, ec) &&
            !std::filesystem::equivalent(*conf_file, base_conf, ec)) {
            const std::string source =
                conf_given ? "command line argument \"-conf=" + conf_name + "\""
                           : "data directory \"" + command_line_data_dir.string() + "\"";
            std::string message = "Data directory \"" + data_dir.string() + "\" contains a \"" +
                                  DEFAULT_CONF_FILE +
                                  "\" file which is ignored, because a different configuration "
                                  "file \"" + conf_file->string() + "\" from " + source +
                                  " is being used instead.";
            if (!settings.get_bool("allowignoredconf", false))
                return fail(message + " Delete or rename that file, or set allowignoredconf=1 to "
                                      "treat this as a warning.");
            warnings.push_back(message);
        }
    }

    const std::string section(chain_section(*chain));
    for (const auto& name : settings.ignored_top_level_options())
        warnings.push_back("Config setting for " + name + " only applied on " + section +
                           " network when in [" + section + "] section.");

    settings.data_dir = std::move(data_dir);
    settings.conf_file = std::move(conf_file);
    settings.included_files = std::move(included);
    settings.positional = parser.positional();
    settings.warnings = std::move(warnings);
    return settings;
}

Result<void, std::string> validate_node_settings(const Settings& settings) {
    if (settings.is_set("prune")) {
        auto prune = settings.get_int_strict("prune", 0);
        if (!prune) return fail(prune.error());
        if (*prune != 0)
            return fail("Pruning (-prune=" + std::to_string(*prune) +
                        ") is not supported by bitloomd; use -prune=0");
    }
    for (std::string_view name :
         {"dbcache", "par", "checkblocks", "checklevel", "maxconnections", "timeout", "rpcport",
          "port", "rpcthreads", "rpcworkqueue", "rpcservertimeout", "blockmaxweight", "mocktime",
          "bytespersigop", "datacarriersize", "maxmempool", "mempoolexpiry"}) {
        if (settings.is_negated(name)) continue;
        if (auto value = settings.get_int_strict(name, 0); !value) return fail(value.error());
    }
    if (settings.get_int("dbcache", DEFAULT_DBCACHE_MIB) < MIN_DBCACHE_MIB && !settings.is_negated("dbcache"))
        return fail("-dbcache must be at least " + std::to_string(MIN_DBCACHE_MIB) + " MiB");
    if (const auto level = settings.get_int("checklevel", DEFAULT_CHECKLEVEL); level < 0 || level > 4)
        return fail("-checklevel must be between 0 and 4");
    if (settings.get_int("mocktime", 0) != 0 && settings.chain() != ChainType::regtest)
        return fail("-mocktime is for regression testing (-regtest mode) only");
    if (settings.get_int("mocktime", 0) < 0) return fail("-mocktime cannot be negative");
    return {};
}

}  // namespace bitloom
