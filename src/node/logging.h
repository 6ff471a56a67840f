// The node's log: one thread-safe Logger object, owned by the node and passed by reference
// (there is no global logger).
//
// Line format (Bitcoin Core's debug.log):
//   line := [timestamp ' '] ['[' thread ']' ' '] ['[' file ':' line ']' ' ' '[' function ']' ' ']
//           ['[' category ']' ' ' | "[warning] " | "[error] "] message '\n'
//   timestamp := YYYY-MM-DDThh:mm:ssZ (UTC; -logtimestamps, default on)
// Debug lines carry their category ("[net] ") and are written only when the category is
// enabled with -debug=<category> (1, all or an empty value: every category; 0 or none: none;
// -debugexclude removes categories and wins over -debug).
//
// Messages use "{}" placeholders filled in order with the arguments (strings as they are,
// numbers in decimal, anything else through operator<<); "{{" and "}}" stand for braces and
// any text between braces (a format spec) is ignored:
//   logger.log_info("Loaded {} blocks in {} ms", count, elapsed);
//   logger.log_debug(LogCategory::net, "peer={} sent {}", id, command);
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <source_location>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "util/result.h"

namespace bitloom {

class Settings;

// Core's -debug categories, one bit each.
enum class LogCategory : std::uint64_t {
    net = 1ULL << 0,
    tor = 1ULL << 1,
    mempool = 1ULL << 2,
    http = 1ULL << 3,
    bench = 1ULL << 4,
    zmq = 1ULL << 5,
    walletdb = 1ULL << 6,
    rpc = 1ULL << 7,
    estimatefee = 1ULL << 8,
    addrman = 1ULL << 9,
    selectcoins = 1ULL << 10,
    reindex = 1ULL << 11,
    cmpctblock = 1ULL << 12,
    rand = 1ULL << 13,
    prune = 1ULL << 14,
    proxy = 1ULL << 15,
    mempoolrej = 1ULL << 16,
    libevent = 1ULL << 17,
    coindb = 1ULL << 18,
    qt = 1ULL << 19,
    leveldb = 1ULL << 20,
    validation = 1ULL << 21,
    i2p = 1ULL << 22,
    ipc = 1ULL << 23,
    lock = 1ULL << 24,
    blockstorage = 1ULL << 25,
    txreconciliation = 1ULL << 26,
    scan = 1ULL << 27,
    txpackages = 1ULL << 28,
    kernel = 1ULL << 29,
    privatebroadcast = 1ULL << 30,
};

// A set of categories as a bit mask.
using LogCategories = std::uint64_t;
inline constexpr LogCategories NO_LOG_CATEGORIES = 0;
inline constexpr LogCategories ALL_LOG_CATEGORIES = (1ULL << 31) - 1;

constexpr LogCategories bit(LogCategory category) { return static_cast<LogCategories>(category); }

// "net", "rpc", ...
std::string_view to_string(LogCategory category);
// Every category, in bit order.
std::span<const LogCategory> all_log_categories();
// A category name, or "1", "all" or "" for every category; nullopt when unknown.
std::optional<LogCategories> parse_log_categories(std::string_view name);

// Core's rules for -debug and -debugexclude values. Errors: "Unsupported logging category
// -debug=<x>." and "Unsupported logging category -debugexclude=<x>."
Result<LogCategories, std::string> select_log_categories(std::span<const std::string> debug,
                                                         std::span<const std::string> exclude);

struct LoggerConfig {
    std::optional<std::filesystem::path> file;  // appended to; nullopt: no file
    std::FILE* console = nullptr;               // e.g. stdout; nullptr: no console output
    bool timestamps = true;
    bool thread_names = false;
    bool source_locations = false;
    bool log_ips = false;
    LogCategories categories = NO_LOG_CATEGORIES;
    // Receives every finished line (with its '\n'); for tests and in-process capture.
    std::function<void(std::string_view line)> sink;
    // The clock for timestamps; the system clock when empty.
    std::function<std::chrono::system_clock::time_point()> now;
};

// The configuration the options ask for: -debuglogfile (relative to `chain_dir`;
// -nodebuglogfile: none), -printtoconsole (default: on unless -daemon or -daemonwait; stdout),
// -logtimestamps, -logthreadnames, -logsourcelocations, -logips, -debug, -debugexclude.
Result<LoggerConfig, std::string> logger_config(const Settings& settings,
                                                const std::filesystem::path& chain_dir);

// A format string that remembers where it was written, for -logsourcelocations.
struct LogFormat {
    template <typename T>
        requires std::convertible_to<const T&, std::string_view>
    LogFormat(const T& format, std::source_location where = std::source_location::current())
        : text(format), location(where) {}
    std::string_view text;
    std::source_location location;
};

namespace log_detail {

template <typename T>
std::string to_text(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        return value ? "true" : "false";
    } else if constexpr (std::is_same_v<T, char>) {
        return std::string(1, value);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        return std::string(std::string_view(value));
    } else if constexpr (std::is_integral_v<T>) {
        return std::to_string(value);
    } else {
        std::ostringstream out;
        out << value;
        return out.str();
    }
}

// Fills the "{}" placeholders of `format` with `args` in order; a placeholder without an
// argument stays as written.
std::string substitute(std::string_view format, std::span<const std::string> args);

}  // namespace log_detail

// Formats a message the way the log_* functions do.
template <typename... Args>
std::string format_message(std::string_view format, const Args&... args) {
    const std::string parts[sizeof...(Args) + 1] = {log_detail::to_text(args)..., std::string()};
    return log_detail::substitute(format, std::span<const std::string>(parts, sizeof...(Args)));
}

class Logger {
public:
    explicit Logger(LoggerConfig config);
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    // Discards everything; for tests.
    static Logger null() { return Logger(nullptr, true); }
    // Writes to stderr without timestamps; for tests and tools.
    static Logger to_stderr();

    // Opens the log file (creating it, appending), when one is configured. Until then lines
    // go only to the console and the sink. Error: "Could not open debug log file <path>".
    Result<void, std::string> open();

    bool will_log(LogCategory category) const { return (categories() & bit(category)) != 0; }
    LogCategories categories() const;
    // For the `logging` RPC.
    void set_categories(LogCategories categories);
    bool log_ips() const { return config_.log_ips; }

    template <typename... Args>
    void log_info(LogFormat format, const Args&... args) {
        write({}, format.location, format_message(format.text, args...));
    }
    template <typename... Args>
    void log_warning(LogFormat format, const Args&... args) {
        write("warning", format.location, format_message(format.text, args...));
    }
    template <typename... Args>
    void log_error(LogFormat format, const Args&... args) {
        write("error", format.location, format_message(format.text, args...));
    }
    template <typename... Args>
    void log_debug(LogCategory category, LogFormat format, const Args&... args) {
        if (!will_log(category)) return;
        write(to_string(category), format.location, format_message(format.text, args...));
    }

    // Writes one finished message with an optional "[tag] " prefix.
    void write(std::string_view tag, const std::source_location& where, std::string_view message);

private:
    // Console-only (or, with nullptr, silent) logger without a file, sink or categories.
    Logger(std::FILE* console, bool timestamps);

    LoggerConfig config_;
    mutable std::mutex mutex_;  // guards file_, config_.categories and the outputs
    std::FILE* file_ = nullptr;
};

}  // namespace bitloom
