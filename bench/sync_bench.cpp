// Block sync benchmark over P2P: an empty bitloomd downloads the import benchmark's generated
// chain (bench/chain_generator.h) from 1, then 4, source nodes on loopback, and the table
// gives the wall time until it reaches the tip and its peak memory.
//
//   bitloom_sync_bench [--blocks=N] [--transactions=N] [--seed=N] [--reference-mix]
//                      [--sources=1,4] [--dbcache=MiB] [--timeout=S] [--cache-dir=DIR]
//                      [--tmpdir=DIR]
//
// The chain file is the import benchmark's (generated into --cache-dir when missing, in a
// child process). A source data directory holding the whole chain is prepared once, by
// submitting every block over RPC to a node, and kept in --cache-dir as
// sync-source-<chain file stem>/ (with a `tip` file once complete); each run copies it into
// one data directory per source. Source nodes run with -mocktime at the last block's time, so
// that they are out of initial block download and answer getheaders as Bitcoin Core does.
//
// The measured node starts empty with one -connect per source (and --dbcache as -dbcache);
// the wall time runs from its start to the moment getblockcount reaches the chain's height
// and getbestblockhash the chain's tip (polled every 20 ms). Peak memory is its VmHWM, CPU
// its user + system time, both from /proc. Every node binds 127.0.0.1 and runs with
// -dnsseed=0 -fixedseeds=0; sources run with -connect=0.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "bench_args.h"
#include "chain_generator.h"
#include "functional_harness.h"
#include "primitives/block.h"
#include "util/hex.h"

#ifndef BITLOOM_BENCH_DATA_DEFAULT
#define BITLOOM_BENCH_DATA_DEFAULT "bench-data"
#endif
#ifndef BITLOOM_BIN_DIR_DEFAULT
#define BITLOOM_BIN_DIR_DEFAULT "bin"
#endif

namespace bitloom::bench {
namespace {

using namespace std::chrono_literals;
using harness::NodeOptions;
using harness::NodeProcess;

struct Options {
    GeneratorOptions chain;
    std::vector<int> sources = {1, 4};
    std::size_t dbcache_mib = 450;  // Core's -dbcache default
    int timeout_seconds = 1800;
    std::filesystem::path cache_dir = BITLOOM_BENCH_DATA_DEFAULT;
    std::filesystem::path tmpdir = std::filesystem::temp_directory_path();
};

[[noreturn]] void usage(const char* message) {
    std::fprintf(stderr,
                 "error: %s\n"
                 "usage: bitloom_sync_bench [--blocks=N] [--transactions=N] [--seed=N] [--reference-mix]\n"
                 "                          [--sources=1,4] [--dbcache=MiB] [--timeout=S] [--cache-dir=DIR]\n"
                 "                          [--tmpdir=DIR]\n",
                 message);
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
        if (arg == "--reference-mix") {
            options.chain.reference_mix = true;
        } else if (auto blocks = value_of("--blocks")) {
            options.chain.target_blocks = static_cast<int>(parse_number(*blocks, "bad --blocks"));
            if (options.chain.target_blocks <= 100) usage("--blocks must be above 100");
        } else if (auto transactions = value_of("--transactions")) {
            options.chain.target_transactions = parse_number(*transactions, "bad --transactions");
        } else if (auto seed = value_of("--seed")) {
            options.chain.seed = parse_number(*seed, "bad --seed");
        } else if (auto sources = value_of("--sources")) {
            options.sources.clear();
            std::string_view list = *sources;
            while (!list.empty()) {
                const auto comma = list.find(',');
                const int count = static_cast<int>(parse_number(list.substr(0, comma), "bad --sources"));
                if (count < 1 || count > 16) usage("--sources counts must be 1..16");
                options.sources.push_back(count);
                list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
            if (options.sources.empty()) usage("bad --sources");
        } else if (auto dbcache = value_of("--dbcache")) {
            options.dbcache_mib = parse_number(*dbcache, "bad --dbcache");
            if (options.dbcache_mib < 4) usage("--dbcache must be at least 4 (MiB)");
        } else if (auto timeout = value_of("--timeout")) {
            options.timeout_seconds = static_cast<int>(parse_number(*timeout, "bad --timeout"));
        } else if (auto cache_dir = value_of("--cache-dir")) {
            options.cache_dir = std::string(*cache_dir);
        } else if (auto tmpdir = value_of("--tmpdir")) {
            options.tmpdir = std::string(*tmpdir);
        } else {
            usage(("unknown argument " + std::string(arg)).c_str());
        }
    }
    return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A temporary directory removed with its contents when the object goes away.
class ScratchDir {
public:
    explicit ScratchDir(const std::filesystem::path& parent) {
        std::string pattern = (parent / "bitloom-sync-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::perror("mkdtemp");
            std::exit(1);
        }
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Generates the chain into `path` in a child process (so that its memory stays out of this
// process). Exits the program on failure.
void generate_into(const std::filesystem::path& path, const GeneratorOptions& chain) {
    std::printf("generating %s ...\n", path.string().c_str());
    std::fflush(stdout);
    std::filesystem::create_directories(path.parent_path());
    const pid_t child = ::fork();
    if (child < 0) {
        std::perror("fork");
        std::exit(1);
    }
    if (child == 0) {
        try {
            const auto blocks = generate_chain(chain, nullptr, [](int height) {
                if (height % 100 == 0) std::fprintf(stderr, "  generated block %d\n", height);
            });
            auto written = write_chain_file(path, blocks);
            if (!written) {
                std::fprintf(stderr, "error: %s\n", written.error().c_str());
                _exit(1);
            }
            _exit(0);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: generation failed: %s\n", e.what());
            _exit(1);
        }
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "error: chain generation failed\n");
        std::exit(1);
    }
}

struct ChainSummary {
    std::uint32_t blocks = 0;
    std::uint64_t transactions = 0;
    std::uint64_t bytes = 0;
    std::string tip;  // display hex
};

std::vector<std::string> mocktime_args(std::uint32_t blocks) {
    return {"-mocktime=" + std::to_string(static_cast<std::int64_t>(last_block_time(blocks)) + 1)};
}

// Submits every block of the chain file to a fresh node in `datadir` over RPC. Exits the
// program on failure.
ChainSummary import_over_rpc(const std::filesystem::path& chain_path, const std::filesystem::path& datadir) {
    auto reader = ChainFileReader::open(chain_path);
    if (!reader) {
        std::fprintf(stderr, "error: %s\n", reader.error().c_str());
        std::exit(1);
    }
    NodeOptions options;
    options.listen = false;
    options.extra_args = mocktime_args(reader->count());
    NodeProcess node(datadir, options);
    if (auto started = node.start(); !started) {
        std::fprintf(stderr, "error: %s\n", started.error().c_str());
        std::exit(1);
    }
    ChainSummary summary;
    for (;;) {
        auto next = reader->next();
        if (!next) {
            std::fprintf(stderr, "error: %s\n", next.error().c_str());
            std::exit(1);
        }
        if (!*next) break;
        const Bytes raw = encode(**next);
        auto reply = node.result_of("submitblock", Json::array({to_hex(raw)}));
        if (!reply || !reply->is_null()) {
            std::fprintf(stderr, "error: block %u not accepted: %s\n", summary.blocks + 1,
                         reply ? write_json(*reply).c_str() : reply.error().c_str());
            std::exit(1);
        }
        ++summary.blocks;
        summary.transactions += (*next)->transactions.size();
        summary.bytes += raw.size();
        summary.tip = (*next)->hash().to_string();
    }
    if (node.stop() != 0) {
        std::fprintf(stderr, "error: the importing node did not stop cleanly\n");
        std::exit(1);
    }
    return summary;
}

// The prepared source directory for the chain, made when missing.
std::pair<std::filesystem::path, ChainSummary> source_datadir(const Options& options,
                                                              const std::filesystem::path& chain_path) {
    const std::filesystem::path dir = options.cache_dir / ("sync-source-" + chain_path.stem().string());
    const std::filesystem::path marker = dir / "tip";
    ChainSummary summary;
    if (std::ifstream in(marker); in && in >> summary.tip >> summary.blocks >> summary.transactions >> summary.bytes) {
        return {dir, summary};
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    std::printf("preparing the source data directory %s (submitblock over RPC)...\n", dir.string().c_str());
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    summary = import_over_rpc(chain_path, dir);
    std::filesystem::remove(dir / "regtest" / "debug.log", ignored);
    std::ofstream(marker) << summary.tip << ' ' << summary.blocks << ' ' << summary.transactions << ' '
                          << summary.bytes << '\n';
    std::printf("prepared in %.1f s\n", seconds_since(start));
    return {dir, summary};
}

struct Row {
    int sources = 0;
    bool reached_tip = false;
    double wall = 0;
    double cpu = 0;
    std::uint64_t peak_kib = 0;
};

Row measure(const Options& options, int source_count, const std::filesystem::path& source_dir,
            const ChainSummary& chain) {
    ScratchDir scratch(options.tmpdir);
    Row row;
    row.sources = source_count;
    std::vector<std::unique_ptr<NodeProcess>> sources;
    NodeOptions syncing_options;
    syncing_options.extra_args = {"-dbcache=" + std::to_string(options.dbcache_mib)};
    for (int i = 0; i < source_count; ++i) {
        const auto datadir = scratch.path() / ("source" + std::to_string(i));
        std::filesystem::create_directories(datadir);
        std::filesystem::copy(source_dir / "regtest", datadir / "regtest", std::filesystem::copy_options::recursive);
        std::filesystem::remove(datadir / "regtest" / ".lock");
        std::filesystem::remove(datadir / "regtest" / ".cookie");
        NodeOptions source_options;
        source_options.extra_args = mocktime_args(chain.blocks);
        sources.push_back(std::make_unique<NodeProcess>(datadir, source_options));
        if (auto started = sources.back()->start(); !started) {
            std::fprintf(stderr, "error: source %d: %s\n", i, started.error().c_str());
            std::exit(1);
        }
        auto count = sources.back()->result_of("getblockcount");
        if (!count || *count != chain.blocks) {
            std::fprintf(stderr, "error: source %d does not have the chain (remove %s to prepare it again)\n", i,
                         source_dir.string().c_str());
            std::exit(1);
        }
        syncing_options.connect.push_back(sources.back()->p2p_address());
    }

    NodeProcess syncing(scratch.path() / "syncing", syncing_options);
    const auto start = std::chrono::steady_clock::now();
    if (auto started = syncing.start(); !started) {
        std::fprintf(stderr, "error: syncing node: %s\n", started.error().c_str());
        std::exit(1);
    }
    const auto deadline = start + std::chrono::seconds(options.timeout_seconds);
    auto last_report = start;
    while (std::chrono::steady_clock::now() < deadline && syncing.alive()) {
        auto count = syncing.result_of("getblockcount");
        if (count && *count == chain.blocks) {
            auto best = syncing.result_of("getbestblockhash");
            if (best && *best == chain.tip) {
                row.reached_tip = true;
                break;
            }
        }
        if (std::chrono::steady_clock::now() - last_report > 10s) {
            last_report = std::chrono::steady_clock::now();
            std::printf("  %d source(s): height %s after %.0f s\n", source_count,
                        count ? write_json(*count).c_str() : "?", seconds_since(start));
            std::fflush(stdout);
        }
        std::this_thread::sleep_for(20ms);
    }
    row.wall = seconds_since(start);
    row.peak_kib = syncing.status_kib("VmHWM").value_or(0);
    row.cpu = syncing.cpu_seconds().value_or(0);
    if (!row.reached_tip) {
        std::fprintf(stderr, "error: the syncing node did not reach the tip with %d source(s); its log ends:\n%s\n",
                     source_count, syncing.log_tail().c_str());
    }
    syncing.stop();
    for (auto& source : sources) source->stop();
    return row;
}

int run(const Options& options) {
    if (std::getenv("BITLOOM_BIN_DIR") == nullptr) ::setenv("BITLOOM_BIN_DIR", BITLOOM_BIN_DIR_DEFAULT, 1);
    const std::filesystem::path chain_path = options.cache_dir / chain_file_name(options.chain);
    if (!std::filesystem::exists(chain_path)) generate_into(chain_path, options.chain);
    const auto [source_dir, chain] = source_datadir(options, chain_path);

    double load[3] = {0, 0, 0};
    ::getloadavg(load, 3);
    std::printf("syncing %u blocks (%llu transactions, %.1f MB) over P2P on loopback (dbcache %zu MiB, "
                "%u hardware threads, load %.2f %.2f %.2f)\n",
                chain.blocks, static_cast<unsigned long long>(chain.transactions),
                static_cast<double>(chain.bytes) / 1e6, options.dbcache_mib, std::thread::hardware_concurrency(),
                load[0], load[1], load[2]);
    std::fflush(stdout);

    std::vector<Row> rows;
    for (int count : options.sources) rows.push_back(measure(options, count, source_dir, chain));

    std::printf("\n%-8s %-8s %-10s %-10s %-10s %-12s %-10s %-18s %s\n", "sources", "blocks", "wall s", "blocks/s",
                "tx/s", "MB/s", "CPU s", "peak RSS (VmHWM)", "result");
    bool all = true;
    for (const Row& row : rows) {
        std::printf("%-8d %-8u %-10.2f %-10.1f %-10.0f %-12.2f %-10.2f %-18s %s\n", row.sources, chain.blocks,
                    row.wall, chain.blocks / row.wall, static_cast<double>(chain.transactions) / row.wall,
                    static_cast<double>(chain.bytes) / 1e6 / row.wall, row.cpu,
                    (std::to_string(row.peak_kib / 1024) + " MiB").c_str(), row.reached_tip ? "tip" : "NOT SYNCED");
        all = all && row.reached_tip;
    }
    return all ? 0 : 1;
}

}  // namespace
}  // namespace bitloom::bench

int main(int argc, char** argv) {
    return bitloom::bench::run(bitloom::bench::parse_options(argc, argv));
}
