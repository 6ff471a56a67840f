#include "node/logging.h"

#include <array>
#include <ctime>
#include <thread>

#include "node/config.h"
#include "node/datadir.h"

namespace bitloom {
namespace {

struct CategoryName {
    LogCategory category;
    std::string_view name;
};

constexpr std::array CATEGORY_NAMES = std::to_array<CategoryName>({
    {LogCategory::net, "net"},
    {LogCategory::tor, "tor"},
    {LogCategory::mempool, "mempool"},
    {LogCategory::http, "http"},
    {LogCategory::bench, "bench"},
    {LogCategory::zmq, "zmq"},
    {LogCategory::walletdb, "walletdb"},
    {LogCategory::rpc, "rpc"},
    {LogCategory::estimatefee, "estimatefee"},
    {LogCategory::addrman, "addrman"},
    {LogCategory::selectcoins, "selectcoins"},
    {LogCategory::reindex, "reindex"},
    {LogCategory::cmpctblock, "cmpctblock"},
    {LogCategory::rand, "rand"},
    {LogCategory::prune, "prune"},
    {LogCategory::proxy, "proxy"},
    {LogCategory::mempoolrej, "mempoolrej"},
    {LogCategory::libevent, "libevent"},
    {LogCategory::coindb, "coindb"},
    {LogCategory::qt, "qt"},
    {LogCategory::leveldb, "leveldb"},
    {LogCategory::validation, "validation"},
    {LogCategory::i2p, "i2p"},
    {LogCategory::ipc, "ipc"},
    {LogCategory::lock, "lock"},
    {LogCategory::blockstorage, "blockstorage"},
    {LogCategory::txreconciliation, "txreconciliation"},
    {LogCategory::scan, "scan"},
    {LogCategory::txpackages, "txpackages"},
    {LogCategory::kernel, "kernel"},
    {LogCategory::privatebroadcast, "privatebroadcast"},
});

constexpr std::array<LogCategory, CATEGORY_NAMES.size()> category_list() {
    std::array<LogCategory, CATEGORY_NAMES.size()> list{};
    for (std::size_t i = 0; i < CATEGORY_NAMES.size(); ++i) list[i] = CATEGORY_NAMES[i].category;
    return list;
}
constexpr auto CATEGORIES = category_list();

std::string timestamp(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    const std::size_t size = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text, size);
}

}  // namespace

std::string_view to_string(LogCategory category) {
    for (const auto& entry : CATEGORY_NAMES)
        if (entry.category == category) return entry.name;
    return "unknown";
}

std::span<const LogCategory> all_log_categories() { return CATEGORIES; }

std::optional<LogCategories> parse_log_categories(std::string_view name) {
    if (name.empty() || name == "1" || name == "all") return ALL_LOG_CATEGORIES;
    for (const auto& entry : CATEGORY_NAMES)
        if (entry.name == name) return bit(entry.category);
    return std::nullopt;
}

Result<LogCategories, std::string> select_log_categories(std::span<const std::string> debug,
                                                         std::span<const std::string> exclude) {
    LogCategories selected = NO_LOG_CATEGORIES;
    bool none = false;
    for (const auto& name : debug) none = none || name == "0" || name == "none";
    if (!none) {
        for (const auto& name : debug) {
            auto categories = parse_log_categories(name);
            if (!categories) return fail("Unsupported logging category -debug=" + name + ".");
            selected |= *categories;
        }
    }
    for (const auto& name : exclude) {
        auto categories = parse_log_categories(name);
        if (!categories) return fail("Unsupported logging category -debugexclude=" + name + ".");
        selected &= ~*categories;
    }
    return selected;
}

Result<LoggerConfig, std::string> logger_config(const Settings& settings,
                                                const std::filesystem::path& chain_dir) {
    LoggerConfig config;
    if (!settings.is_negated("debuglogfile"))
        config.file = resolve_path(chain_dir, settings.get_or("debuglogfile", DEFAULT_DEBUGLOG_FILE));
    const bool daemon = settings.get_bool("daemon", false) || settings.get_bool("daemonwait", false);
    if (settings.get_bool("printtoconsole", !daemon)) config.console = stdout;
    config.timestamps = settings.get_bool("logtimestamps", true);
    config.thread_names = settings.get_bool("logthreadnames", false);
    config.source_locations = settings.get_bool("logsourcelocations", false);
    config.log_ips = settings.get_bool("logips", false);
    const auto debug = settings.get_all("debug");
    const auto exclude = settings.get_all("debugexclude");
    auto categories = select_log_categories(debug, exclude);
    if (!categories) return fail(categories.error());
    config.categories = *categories;
    return config;
}

namespace log_detail {

std::string substitute(std::string_view format, std::span<const std::string> args) {
    std::string out;
    out.reserve(format.size() + 16 * args.size());
    std::size_t next = 0;
    for (std::size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '{') {
            const auto close = format.find('}', i);
            if (close != std::string_view::npos) {
                if (next < args.size())
                    out += args[next++];
                else
                    out += format.substr(i, close - i + 1);
                i = close;
                continue;
            }
        }
        out += c;
    }
    return out;
}

}  // namespace log_detail

Logger::Logger(LoggerConfig config) : config_(std::move(config)) {}

Logger::~Logger() {
    if (file_ != nullptr) std::fclose(file_);
}

Logger::Logger(std::FILE* console, bool timestamps) {
    config_.console = console;
    config_.timestamps = timestamps;
}

Logger Logger::to_stderr() { return Logger(stderr, false); }

Result<void, std::string> Logger::open() {
    std::lock_guard lock(mutex_);
    if (!config_.file || file_ != nullptr) return {};
    file_ = std::fopen(config_.file->c_str(), "a");
    if (file_ == nullptr) return fail("Could not open debug log file " + config_.file->string());
    return {};
}

LogCategories Logger::categories() const {
    std::lock_guard lock(mutex_);
    return config_.categories;
}

void Logger::set_categories(LogCategories categories) {
    std::lock_guard lock(mutex_);
    config_.categories = categories;
}

void Logger::write(std::string_view tag, const std::source_location& where,
                   std::string_view message) {
    std::string line;
    if (config_.timestamps) {
        line += timestamp(config_.now ? config_.now() : std::chrono::system_clock::now());
        line += ' ';
    }
    if (config_.thread_names) {
        std::ostringstream id;
        id << std::this_thread::get_id();
        line += "[" + id.str() + "] ";
    }
    if (config_.source_locations) {
        std::string_view file = where.file_name();
        if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
        line += "[" + std::string(file) + ":" + std::to_string(where.line()) + "] [" +
                where.function_name() + "] ";
    }
    if (!tag.empty()) line += "[" + std::string(tag) + "] ";
    line += message;
    if (line.empty() || line.back() != '\n') line += '\n';

    std::lock_guard lock(mutex_);
    if (file_ != nullptr) {
        std::fwrite(line.data(), 1, line.size(), file_);
        std::fflush(file_);
    }
    if (config_.console != nullptr) {
        std::fwrite(line.data(), 1, line.size(), config_.console);
        std::fflush(config_.console);
    }
    if (config_.sink) config_.sink(line);
}

}  // namespace bitloom
