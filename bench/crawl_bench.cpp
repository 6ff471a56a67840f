// Crawler benchmark: one pass of the crawler (crawler/crawler.h) over the simulated network
// (crawler/simnet.h), with its SQLite store in a temporary folder, and a table of what it took.
//
//   bitloom_crawl_bench [--nodes=N] [--max-connections=N[,N...]] [--seed=N] [--onion-share=X]
//                       [--retries=N] [--book-max=N] [--tmpdir=DIR]
//
// The network (defaults: 10,000 nodes, seed 1): 20% of the nodes do not answer, as 12%
// refused, 2% silent, 2% wrong magic, 2% garbage and 2% disconnecting mid-handshake; every
// answering node is "slow", i.e. sends each answer 50..200 ms (drawn per node) after the
// request; no onion nodes by default (--onion-share: they are dialled through the simulator's
// SOCKS5 endpoint with the 30 s proxied timeouts, so a few silent onion nodes stretch the pass
// past 40 s). Books hold 50..1,500 entries (--book-max lowers the top; a getaddr
// answer carries up to 1,000 of them) and also name nodes/10 fake 127/8 addresses with no
// listener.
//
// The crawler is configured like `bitloom crawl` with its defaults (timeouts 5/10/15 s for
// connect/handshake/getaddr), except --retries (default 0: the pass ends when every known node
// was tried once; `bitloom crawl` retries once after 30 s).
//
// Processes: the simulator runs in a child process forked before any thread exists, and each
// row's crawl in a child of its own, so that each crawl's peak RSS (VmHWM, read by the crawling
// process from /proc/self/status after the run) is its own and not the simulator's nor an
// earlier row's. The simulator lives for all rows (its nodes answer each new connection afresh)
// and ends when the parent closes its control pipe; both children die with the parent.
// SIGINT or SIGTERM stops the running crawl (its row is marked stopped), skips the other rows,
// and still removes the temporary folder and ends the simulator.
//
// Safety: only 127.0.0.0/8 is used. The simulator binds and answers on 127/8 only; the seeds
// must be 127/8 addresses and the onion proxy 127.0.0.1; an attempt on anything else would be
// counted and fail the benchmark (it cannot happen: the simulated books name only 127/8
// addresses and onion names).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "bench_args.h"
#include "crawler/crawler.h"
#include "crawler/simnet.h"

namespace bitloom::bench {
namespace {

// Set by SIGINT/SIGTERM; the crawl child's stop flag, the parent's cue to stop it.
std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted.store(true); }

void install_interrupt_handler() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: blocking reads return EINTR
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

struct Options {
    std::size_t nodes = 10'000;
    std::vector<std::size_t> max_connections{2000, 500};
    std::uint64_t seed = 1;
    double onion_share = 0.0;
    std::uint32_t retries = 0;
    std::size_t book_max = SimulatedNetworkOptions{}.book_max;
    std::filesystem::path tmpdir = std::filesystem::temp_directory_path();
};

[[noreturn]] void usage(const std::string& message) {
    std::fprintf(stderr,
                 "error: %s\n"
                 "usage: bitloom_crawl_bench [--nodes=N] [--max-connections=N[,N...]] [--seed=N]\n"
                 "                           [--onion-share=X] [--retries=N] [--book-max=N]\n"
                 "                           [--tmpdir=DIR]\n",
                 message.c_str());
    std::exit(2);
}

std::uint64_t parse_number(std::string_view text, const char* option) {
    const auto value = bench::parse_count(text);
    if (!value) usage(option);
    return *value;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value_of = [&](std::string_view name) { return bench::option_value(arg, name); };
        if (auto nodes = value_of("--nodes")) {
            options.nodes = parse_number(*nodes, "bad --nodes");
            if (options.nodes < 10 || options.nodes > 1'000'000) {
                usage("--nodes must be within 10..1000000");
            }
        } else if (auto list = value_of("--max-connections")) {
            options.max_connections.clear();
            std::string_view rest = *list;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                const std::size_t value =
                    parse_number(rest.substr(0, comma), "bad --max-connections");
                if (value < 1 || value > 8000) usage("--max-connections must be within 1..8000");
                options.max_connections.push_back(value);
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
            if (options.max_connections.empty()) usage("bad --max-connections");
        } else if (auto seed = value_of("--seed")) {
            options.seed = parse_number(*seed, "bad --seed");
        } else if (auto share = value_of("--onion-share")) {
            char* end = nullptr;
            const std::string text(*share);
            options.onion_share = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !(options.onion_share >= 0) ||
                options.onion_share > 0.5) {
                usage("--onion-share must be within 0..0.5");
            }
        } else if (auto retries = value_of("--retries")) {
            options.retries = static_cast<std::uint32_t>(parse_number(*retries, "bad --retries"));
        } else if (auto book = value_of("--book-max")) {
            options.book_max = parse_number(*book, "bad --book-max");
            if (options.book_max < SimulatedNetworkOptions{}.book_min) {
                usage("--book-max must be at least " +
                      std::to_string(SimulatedNetworkOptions{}.book_min));
            }
        } else if (auto dir = value_of("--tmpdir")) {
            options.tmpdir = std::string(*dir);
        } else {
            usage("unknown argument " + std::string(arg));
        }
    }
    return options;
}

SimulatedNetworkOptions network_options(const Options& options) {
    SimulatedNetworkOptions network;
    network.nodes = options.nodes;
    network.seed = options.seed;
    network.port = 0;        // a free one
    network.socks_port = 0;  // a free one
    // 20% unreachable in all.
    network.unreachable_share = 0.12;
    network.silent_share = 0.02;
    network.wrong_magic_share = 0.02;
    network.garbage_share = 0.02;
    network.mid_handshake_share = 0.02;
    // Every answering node answers after 50..200 ms.
    network.slow_share = 1.0;
    network.latency_min_ms = 50;
    network.latency_max_ms = 200;
    network.onion_share = options.onion_share;
    network.book_max = options.book_max;
    return network;
}

bool is_loopback_v4(const NetService& service) {
    return service.address.is_ipv4() && service.address.bytes()[0] == 127;
}

// Writes all `size` bytes (to a pipe to the parent); false when the pipe is gone.
bool write_all(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = ::write(fd, bytes, size);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

// Reads until EOF (the writer ended or exited).
std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
}

// Reads up to and excluding the first newline; empty at EOF before one.
std::string read_line(int fd) {
    std::string line;
    char c = 0;
    for (;;) {
        const ssize_t got = ::read(fd, &c, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return {};
        if (c == '\n') return line;
        line.push_back(c);
    }
}

long status_kib(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::size_t length = std::strlen(field);
    while (std::getline(status, line)) {
        if (line.compare(0, length, field) == 0 && line.size() > length && line[length] == ':') {
            return std::atol(line.c_str() + length + 1);
        }
    }
    return -1;
}

double cpu_seconds(int who) {
    rusage usage{};
    getrusage(who, &usage);
    auto to_seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return to_seconds(usage.ru_utime) + to_seconds(usage.ru_stime);
}

void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// What the simulator child tells the parent once it listens.
struct NetworkInfo {
    std::uint16_t port = 0;
    NetService socks_proxy;
    std::vector<NetService> entry_points;
    std::size_t answering = 0;
    std::array<std::size_t, 7> by_behaviour{};
    std::size_t onion = 0;
    std::size_t listeners = 0;
    long model_kib = 0;
    long rss_kib = 0;
};

// The simulator child: builds and starts the network, writes one line to `ready_fd`
//   "ok PORT SOCKS ANSWERING ONION LISTENERS MODEL_KIB RSS_KIB C0..C6 ENTRY..."
// (or "error MESSAGE"), then serves until `control_fd` reaches EOF.
[[noreturn]] void simulator_child(const Options& options, int ready_fd, int control_fd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGPIPE, SIG_IGN);
    // The parent decides when the network ends (EOF on control_fd).
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    SimulatedNetwork network(network_options(options));
    auto started = network.start();
    std::ostringstream line;
    if (!started) {
        line << "error " << started.error() << "\n";
        const std::string text = line.str();
        write_all(ready_fd, text.data(), text.size());
        _exit(1);
    }
    std::size_t answering = 0;
    for (std::size_t index = 0; index < network.size(); ++index) {
        if (answers_getaddr(network.node(index).behaviour)) ++answering;
    }
    line << "ok " << network.port() << " " << network.socks_proxy().to_string() << " "
         << answering << " " << network.onion_count() << " " << network.listener_count() << " "
         << network.model_bytes() / 1024 << " " << status_kib("VmRSS");
    for (std::uint8_t b = 0; b < 7; ++b) {
        line << " " << network.count(static_cast<SimBehaviour>(b));
    }
    for (std::size_t index : network.entry_points()) {
        line << " " << network.node(index).address.to_string();
    }
    line << "\n";
    const std::string text = line.str();
    write_all(ready_fd, text.data(), text.size());
    ::close(ready_fd);
    read_all(control_fd);  // until the parent closes it (or dies)
    network.stop();
    _exit(0);
}

std::optional<NetworkInfo> parse_network_info(const std::string& line, std::string& error) {
    std::istringstream in(line);
    std::string status;
    in >> status;
    if (status != "ok") {
        error = line.empty() ? "the simulator exited before it listened" : line;
        return std::nullopt;
    }
    NetworkInfo info;
    unsigned port = 0;
    std::string socks;
    in >> port >> socks >> info.answering >> info.onion >> info.listeners >> info.model_kib >>
        info.rss_kib;
    for (std::size_t& count : info.by_behaviour) in >> count;
    if (!in || port == 0 || port > 65535) {
        error = "unreadable simulator line: " + line;
        return std::nullopt;
    }
    info.port = static_cast<std::uint16_t>(port);
    auto proxy = NetService::parse(socks, 0);
    if (!proxy) {
        error = "unreadable SOCKS5 address " + socks;
        return std::nullopt;
    }
    info.socks_proxy = *proxy;
    std::string entry;
    while (in >> entry) {
        auto service = NetService::parse(entry, info.port);
        if (!service) {
            error = "unreadable entry point " + entry;
            return std::nullopt;
        }
        info.entry_points.push_back(*service);
    }
    return info;
}

// One row, written by the crawl child as raw bytes (same binary on both ends).
struct RowResult {
    bool ok = false;
    char error[256] = {};
    std::uint64_t max_connections = 0;
    std::uint64_t attempts = 0;
    std::uint64_t successes = 0;
    std::uint64_t known = 0;
    std::uint64_t peak_in_flight = 0;
    std::uint64_t passes_completed = 0;
    std::uint64_t abandoned = 0;
    std::uint64_t outside_loopback = 0;
    std::uint64_t advertisements_dropped = 0;
    std::array<std::uint64_t, 8> errors{};
    bool stopped = false;
    double wall_seconds = 0;
    double last_handshake_seconds = 0;  // when the last successful handshake completed
    double peak_handshakes_per_second = 0;  // best progress interval (1 s)
    double cpu_seconds = 0;
    long vm_hwm_kib = 0;
    std::uint64_t store_bytes = 0;
};
static_assert(std::is_trivially_copyable_v<RowResult>);

std::uint64_t folder_bytes(const std::filesystem::path& folder) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    return total;
}

void fail_row(RowResult& row, const std::string& message) {
    row.ok = false;
    std::snprintf(row.error, sizeof row.error, "%s", message.c_str());
}

// Crawls one pass in the calling (child) process.
RowResult crawl_row(const Options& options, const NetworkInfo& info, std::size_t max_connections,
                    const std::filesystem::path& folder) {
    RowResult row;
    row.max_connections = max_connections;
    for (const NetService& seed : info.entry_points) {
        if (!is_loopback_v4(seed)) {
            fail_row(row, "entry point outside 127/8: " + seed.to_string());
            return row;
        }
    }
    if (!is_loopback_v4(info.socks_proxy)) {
        fail_row(row, "SOCKS5 endpoint outside 127/8: " + info.socks_proxy.to_string());
        return row;
    }
    raise_descriptor_limit();

    CrawlerConfig config;
    config.magic = network_options(options).magic;
    config.seeds = info.entry_points;
    config.scheduler.allow_private = true;
    config.scheduler.max_in_flight = max_connections;
    config.scheduler.max_pass_retries = options.retries;
    config.scheduler.proxies[network_index(Network::onion)] = info.socks_proxy;
    config.passes = 1;
    config.duration = std::chrono::minutes(10);  // a backstop
    config.progress_interval = std::chrono::seconds(1);
    config.stop_flag = &interrupted;

    const auto start = std::chrono::steady_clock::now();
    double last_handshake = 0;
    double peak_rate = 0;
    std::uint64_t outside = 0;
    config.on_attempt = [&](const NetService& service, const AttemptOutcome& outcome) {
        if (!is_loopback_v4(service) && !service.address.is_tor()) ++outside;
        if (outcome.success) {
            last_handshake =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    };
    config.on_progress = [&](const CrawlProgress& progress) {
        peak_rate = std::max(peak_rate, progress.handshakes_per_second);
        std::fprintf(stderr, "  [%zu] %s\n", max_connections, format_progress(progress).c_str());
    };

    const double cpu_start = cpu_seconds(RUSAGE_SELF);
    {
        auto store = CrawlStore::open((folder / "crawl.sqlite3").string());
        if (!store) {
            fail_row(row, "cannot open the store: " + store.error().message);
            return row;
        }
        auto crawler = Crawler::create(config, *store);
        if (!crawler) {
            fail_row(row, crawler.error());
            return row;
        }
        auto summary = (*crawler)->run();
        row.wall_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!summary) {
            fail_row(row, summary.error());
            return row;
        }
        row.attempts = summary->attempts;
        row.successes = summary->successes;
        row.known = summary->store.known;
        row.peak_in_flight = summary->peak_in_flight;
        row.passes_completed = summary->passes_completed;
        row.abandoned = summary->abandoned;
        row.advertisements_dropped = summary->advertisements_dropped;
        row.errors = summary->errors;
        row.stopped = summary->stopped;
    }  // the crawler, then the store, closed
    row.cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu_start;
    row.last_handshake_seconds = last_handshake;
    row.peak_handshakes_per_second = peak_rate;
    row.outside_loopback = outside;
    row.vm_hwm_kib = status_kib("VmHWM");
    row.store_bytes = folder_bytes(folder);
    row.ok = outside == 0;
    if (outside != 0) fail_row(row, "attempts outside 127/8 were made");
    return row;
}

// Forks a child that crawls one row; its result, or a failed row.
RowResult run_row(const Options& options, const NetworkInfo& info, std::size_t max_connections) {
    RowResult row;
    row.max_connections = max_connections;
    std::string pattern = (options.tmpdir / "bitloom-crawl-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        fail_row(row, std::string("mkdtemp: ") + std::strerror(errno));
        return row;
    }
    const std::filesystem::path folder = pattern;
    int result_pipe[2];
    if (pipe(result_pipe) != 0) {
        fail_row(row, std::string("pipe: ") + std::strerror(errno));
        return row;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t child = fork();
    if (child < 0) {
        fail_row(row, std::string("fork: ") + std::strerror(errno));
        return row;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::close(result_pipe[0]);
        RowResult result;
        try {
            result = crawl_row(options, info, max_connections, folder);
        } catch (const std::exception& e) {
            fail_row(result, std::string("exception: ") + e.what());
        }
        write_all(result_pipe[1], &result, sizeof result);
        _exit(0);
    }
    ::close(result_pipe[1]);
    std::string bytes;
    bool forwarded = false;
    for (;;) {
        char buffer[4096];
        const ssize_t got = ::read(result_pipe[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            // Ctrl-C reaches the child too; a signal sent to the parent alone is passed on.
            if (interrupted.load() && !forwarded) kill(child, SIGINT);
            forwarded = forwarded || interrupted.load();
            continue;
        }
        if (got <= 0) break;
        bytes.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(result_pipe[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (bytes.size() == sizeof row) {
        std::memcpy(static_cast<void*>(&row), bytes.data(), sizeof row);
    } else {
        fail_row(row, "the crawl process ended without a result (status " +
                          std::to_string(status) + ")");
    }
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    return row;
}

int run(const Options& options) {
    install_interrupt_handler();
    int ready_pipe[2];
    int control_pipe[2];
    if (pipe(ready_pipe) != 0 || pipe(control_pipe) != 0) {
        std::perror("pipe");
        return 1;
    }
    // The parent stays single-threaded: the simulator and every crawl run in children.
    std::fflush(stdout);
    const pid_t simulator = fork();
    if (simulator < 0) {
        std::perror("fork");
        return 1;
    }
    if (simulator == 0) {
        ::close(ready_pipe[0]);
        ::close(control_pipe[1]);
        simulator_child(options, ready_pipe[1], control_pipe[0]);
    }
    ::close(ready_pipe[1]);
    ::close(control_pipe[0]);
    fcntl(control_pipe[1], F_SETFD, FD_CLOEXEC);

    // Ends the simulator: EOF on its control pipe, then SIGKILL if it lingers.
    rusage simulator_usage{};
    auto stop_simulator = [&] {
        ::close(control_pipe[1]);
        int status = 0;
        for (int waited = 0; waited < 100; ++waited) {
            if (wait4(simulator, &status, WNOHANG, &simulator_usage) == simulator) return;
            usleep(100'000);
        }
        kill(simulator, SIGKILL);
        wait4(simulator, &status, 0, &simulator_usage);
    };

    const auto build_start = std::chrono::steady_clock::now();
    std::string error;
    const std::string line = read_line(ready_pipe[0]);
    ::close(ready_pipe[0]);
    const auto info = parse_network_info(line, error);
    if (!info) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        stop_simulator();
        return 1;
    }
    const double build_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();

    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::printf("simulated network: %zu nodes on port %u, seed %llu (built and listening in "
                "%.1f s; %zu listeners, model %ld KiB, simulator RSS %ld KiB)\n",
                options.nodes, static_cast<unsigned>(info->port),
                static_cast<unsigned long long>(options.seed), build_seconds, info->listeners,
                info->model_kib, info->rss_kib);
    std::printf("  answering (50-200 ms latency) %zu; refused %zu, silent %zu, wrong magic %zu, "
                "garbage %zu, mid-handshake %zu; onion %zu (share %.3f); books of %zu..%zu "
                "entries\n",
                info->answering,
                info->by_behaviour[static_cast<std::size_t>(SimBehaviour::refused)],
                info->by_behaviour[static_cast<std::size_t>(SimBehaviour::silent)],
                info->by_behaviour[static_cast<std::size_t>(SimBehaviour::wrong_magic)],
                info->by_behaviour[static_cast<std::size_t>(SimBehaviour::garbage)],
                info->by_behaviour[static_cast<std::size_t>(SimBehaviour::disconnect_mid_handshake)],
                info->onion, options.onion_share, SimulatedNetworkOptions{}.book_min,
                options.book_max);
    std::printf("crawler: one pass, timeouts 5/10/15 s, %u retries, SQLite store in %s; "
                "%u hardware threads, load %.2f %.2f %.2f\n",
                options.retries, options.tmpdir.string().c_str(),
                std::max(1u, std::thread::hardware_concurrency()), load[0], load[1], load[2]);
    std::fflush(stdout);

    std::vector<RowResult> rows;
    bool all_ok = true;
    for (std::size_t max_connections : options.max_connections) {
        if (interrupted.load()) break;
        std::printf("crawling with at most %zu connections...\n", max_connections);
        std::fflush(stdout);
        rows.push_back(run_row(options, *info, max_connections));
        const RowResult& row = rows.back();
        if (!row.ok) {
            all_ok = false;
            std::fprintf(stderr, "error: %s\n", row.error);
        }
    }
    stop_simulator();

    std::printf("\n%-8s %-7s %-12s %-7s %-8s %-7s %-8s %-7s %-8s %-8s %-9s %-7s %-8s %-6s\n",
                "max-conn", "nodes", "reachable", "known", "attempts", "wall", "last hs",
                "hs/s", "hs/s to", "peak hs/s", "attempt/s", "peak in", "peak RSS", "store");
    std::printf("%-8s %-7s %-12s %-7s %-8s %-7s %-8s %-7s %-8s %-8s %-9s %-7s %-8s %-6s\n", "",
                "", "found", "", "", "s", "at s", "(wall)", "last hs", "(1 s)", "(wall)",
                "flight", "MiB", "MiB");
    for (const RowResult& row : rows) {
        if (!row.ok && row.attempts == 0) {
            std::printf("%-8llu failed: %s\n", static_cast<unsigned long long>(row.max_connections),
                        row.error);
            continue;
        }
        char found[32];
        std::snprintf(found, sizeof found, "%llu/%zu",
                      static_cast<unsigned long long>(row.successes), info->answering);
        const double successes = static_cast<double>(row.successes);
        std::printf("%-8llu %-7zu %-12s %-7llu %-8llu %-7.2f %-8.2f %-7.0f %-8.0f %-9.0f %-9.0f "
                    "%-7llu %-8.1f %-6.1f\n",
                    static_cast<unsigned long long>(row.max_connections), options.nodes, found,
                    static_cast<unsigned long long>(row.known),
                    static_cast<unsigned long long>(row.attempts), row.wall_seconds,
                    row.last_handshake_seconds, successes / row.wall_seconds,
                    row.last_handshake_seconds > 0 ? successes / row.last_handshake_seconds : 0.0,
                    row.peak_handshakes_per_second,
                    static_cast<double>(row.attempts) / row.wall_seconds,
                    static_cast<unsigned long long>(row.peak_in_flight),
                    static_cast<double>(row.vm_hwm_kib) / 1024.0,
                    static_cast<double>(row.store_bytes) / (1 << 20));
    }
    std::printf("\n");
    for (const RowResult& row : rows) {
        if (!row.ok && row.attempts == 0) continue;
        std::printf("max-conn %llu: crawler CPU %.2f s; passes %llu%s; abandoned %llu; "
                    "advertisements dropped %llu; failures:",
                    static_cast<unsigned long long>(row.max_connections), row.cpu_seconds,
                    static_cast<unsigned long long>(row.passes_completed),
                    row.stopped ? " (stopped)" : "",
                    static_cast<unsigned long long>(row.abandoned),
                    static_cast<unsigned long long>(row.advertisements_dropped));
        for (std::size_t e = 1; e < row.errors.size(); ++e) {
            if (row.errors[e] == 0) continue;
            std::printf(" %s %llu", std::string(to_string(static_cast<CrawlError>(e))).c_str(),
                        static_cast<unsigned long long>(row.errors[e]));
        }
        std::printf("\n");
    }
    std::printf("simulator peak RSS %.1f MiB (its own process, not counted above)\n",
                static_cast<double>(simulator_usage.ru_maxrss) / 1024.0);
    std::printf("hs/s (wall) = reachable found / wall; hs/s to last hs = reachable found / time "
                "of the last handshake (the wall after it is silent nodes' 10 s handshake "
                "timeouts); peak hs/s = best 1 s progress interval; attempt/s = attempts / wall; "
                "peak RSS = VmHWM of the crawling process; store = SQLite files after close\n");
    if (interrupted.load()) return 130;
    return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace bitloom::bench

int main(int argc, char** argv) {
    return bitloom::bench::run(bitloom::bench::parse_options(argc, argv));
}
