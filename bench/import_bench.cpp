// Block import benchmark: connects a generated regtest chain (bench/chain_generator.h) to a
// fresh chain state, the way a node syncing from one peer does, and prints a table of the
// throughput and resources it took.
//
//   bitloom_import_bench [--blocks=N] [--transactions=N] [--seed=N] [--reference-mix]
//                        [--in-memory] [--dbcache=MiB] [--threads=N] [--cache-dir=DIR]
//                        [--tmpdir=DIR]
//
// --reference-mix generates only the input kinds of the Bitcoin Core figure it is compared
// with (P2WPKH, P2PKH, P2SH-P2WPKH); --threads counts extra script-check threads (default:
// hardware threads - 1, as Core's -par=0); --dbcache splits like the node: LevelDB gets
// min(dbcache / 8, 56 MiB), the coins cache the rest.
//
// The chain is generated once and cached in --cache-dir (the build's bench-data folder by
// default); generation runs in a child process so that its memory does not count towards the
// import's peak RSS. The measured part opens the chain state, reads each block from the cache
// file, decodes it (as a node decodes a block message), submits it with process_new_block,
// and ends with a forced flush. UTXO statistics are gathered afterwards, outside the timing.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "bench_args.h"
#include "chain/chainstate.h"
#include "chain_generator.h"
#include "consensus/chainparams.h"

#ifndef BITLOOM_BENCH_DATA_DEFAULT
#define BITLOOM_BENCH_DATA_DEFAULT "bench-data"
#endif

namespace bitloom::bench {
namespace {

struct Options {
    GeneratorOptions chain;
    bool in_memory = false;
    std::size_t dbcache_mib = 450;  // Core's -dbcache default
    int threads = -1;               // extra script threads; -1: hardware threads - 1
    std::filesystem::path cache_dir = BITLOOM_BENCH_DATA_DEFAULT;
    std::filesystem::path tmpdir = std::filesystem::temp_directory_path();
};

[[noreturn]] void usage(const char* message) {
    std::fprintf(
        stderr,
        "error: %s\n"
        "usage: bitloom_import_bench [--blocks=N] [--transactions=N] [--seed=N] [--reference-mix]\n"
        "                            [--in-memory] [--dbcache=MiB] [--threads=N] "
        "[--cache-dir=DIR]\n"
        "                            [--tmpdir=DIR]\n",
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
        if (arg == "--in-memory") {
            options.in_memory = true;
        } else if (arg == "--reference-mix") {
            options.chain.reference_mix = true;
        } else if (auto v = value_of("--blocks")) {
            options.chain.target_blocks = static_cast<int>(parse_number(*v, "bad --blocks"));
            if (options.chain.target_blocks <= 100) usage("--blocks must be above 100");
        } else if (auto v2 = value_of("--transactions")) {
            options.chain.target_transactions = parse_number(*v2, "bad --transactions");
        } else if (auto v3 = value_of("--seed")) {
            options.chain.seed = parse_number(*v3, "bad --seed");
        } else if (auto v4 = value_of("--dbcache")) {
            options.dbcache_mib = parse_number(*v4, "bad --dbcache");
            if (options.dbcache_mib < 4) usage("--dbcache must be at least 4 (MiB)");
        } else if (auto v5 = value_of("--threads")) {
            options.threads = static_cast<int>(parse_number(*v5, "bad --threads"));
        } else if (auto v6 = value_of("--cache-dir")) {
            options.cache_dir = std::string(*v6);
        } else if (auto v7 = value_of("--tmpdir")) {
            options.tmpdir = std::string(*v7);
        } else {
            usage(("unknown argument " + std::string(arg)).c_str());
        }
    }
    return options;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto to_seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return to_seconds(usage.ru_utime) + to_seconds(usage.ru_stime);
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Generates the chain into `path` in a child process. Exits the program on failure.
void generate_into(const std::filesystem::path& path, const GeneratorOptions& chain) {
    std::printf("generating %s (%llu transactions, %d blocks, seed %llu%s)...\n",
                path.string().c_str(), static_cast<unsigned long long>(chain.target_transactions),
                chain.target_blocks, static_cast<unsigned long long>(chain.seed),
                chain.reference_mix ? ", reference mix" : "");
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = fork();
    if (child < 0) {
        std::perror("fork");
        std::exit(1);
    }
    if (child == 0) {
        try {
            GeneratorStats stats;
            const auto blocks = generate_chain(chain, &stats, [](int height) {
                if (height % 100 == 0) {
                    std::fprintf(stderr, "  generated block %d\n", height);
                }
            });
            auto written = write_chain_file(path, blocks);
            if (!written) {
                std::fprintf(stderr, "error: %s\n", written.error().c_str());
                _exit(1);
            }
            std::printf("generated %llu blocks, %llu transactions, %llu inputs, %llu signatures:",
                        static_cast<unsigned long long>(stats.blocks),
                        static_cast<unsigned long long>(stats.transactions),
                        static_cast<unsigned long long>(stats.inputs),
                        static_cast<unsigned long long>(stats.signatures));
            for (std::size_t k = 0; k < OUTPUT_KIND_COUNT; ++k) {
                std::printf("%s %s %llu", k == 0 ? "" : ",",
                            std::string(to_string(static_cast<OutputKind>(k))).c_str(),
                            static_cast<unsigned long long>(stats.inputs_by_kind[k]));
            }
            std::printf(" inputs\n");
            std::fflush(stdout);
            _exit(0);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "error: generation failed: %s\n", e.what());
            _exit(1);
        }
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "error: chain generation failed\n");
        std::exit(1);
    }
    std::printf("generation took %.1f s\n", seconds_since(start));
}

int run(const Options& options) {
    const std::filesystem::path chain_path = options.cache_dir / chain_file_name(options.chain);
    if (!std::filesystem::exists(chain_path)) generate_into(chain_path, options.chain);

    auto reader = ChainFileReader::open(chain_path);
    if (!reader) {
        std::fprintf(stderr, "error: %s\n", reader.error().c_str());
        return 1;
    }
    const std::uint32_t block_count = reader->count();

    std::string pattern = (options.tmpdir / "bitloom-import-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::filesystem::path data_dir = pattern;
    struct RemoveDir {
        std::filesystem::path path;
        ~RemoveDir() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    } remove_data_dir{data_dir};

    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const int threads = options.threads >= 0 ? options.threads : static_cast<int>(hardware) - 1;
    const std::size_t total_cache = options.dbcache_mib << 20;
    const std::size_t db_cache = std::min<std::size_t>(total_cache / 8, 56u << 20);

    ChainStateOptions chain_options;
    chain_options.data_dir = data_dir;
    chain_options.in_memory_db = options.in_memory;
    chain_options.db_cache_bytes = db_cache;
    chain_options.coins_cache_bytes = total_cache - db_cache;
    chain_options.script_threads = threads;
    const std::int64_t now = static_cast<std::int64_t>(last_block_time(block_count)) + 1;
    chain_options.now = [now] { return now; };

    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::printf(
        "importing %u blocks from %s into %s (%s, dbcache %zu MiB: coins %zu MiB + db %zu MiB, "
        "%d script threads, %u hardware threads, load %.2f %.2f %.2f)\n",
        block_count, chain_path.string().c_str(), data_dir.string().c_str(),
        options.in_memory ? "in-memory database" : "LevelDB", options.dbcache_mib,
        (total_cache - db_cache) >> 20, db_cache >> 20, threads, hardware, load[0], load[1],
        load[2]);
    std::fflush(stdout);

    const double cpu_start = cpu_seconds();
    const auto wall_start = std::chrono::steady_clock::now();

    auto opened = ChainState::open(chain_params(ChainType::regtest), chain_options);
    if (!opened) {
        std::fprintf(stderr, "error: cannot open the chain state: %s\n", opened.error().c_str());
        return 1;
    }
    ChainState& chain = **opened;

    std::uint64_t blocks = 0;
    std::uint64_t transactions = 0;
    std::uint64_t inputs = 0;
    for (;;) {
        auto next = reader->next();
        if (!next) {
            std::fprintf(stderr, "error: %s\n", next.error().c_str());
            return 1;
        }
        if (!*next) break;
        const Block& block = **next;
        const BlockSubmission result = chain.process_new_block(block);
        if (result.error) {
            std::fprintf(stderr, "error: block %llu (%s) rejected: %s\n",
                         static_cast<unsigned long long>(blocks + 1),
                         block.hash().to_string().c_str(), to_string(*result.error).c_str());
            return 1;
        }
        ++blocks;
        transactions += block.transactions.size();
        for (const auto& tx : block.transactions) {
            if (!tx->is_coinbase()) inputs += tx->inputs().size();
        }
    }
    auto flushed = chain.flush(true);
    if (!flushed) {
        std::fprintf(stderr, "error: flush failed: %s\n", flushed.error().c_str());
        return 1;
    }
    const double wall = seconds_since(wall_start);
    const double cpu = cpu_seconds() - cpu_start;
    const double rss = peak_rss_mib();

    const BlockIndex* tip = chain.tip();
    if (tip == nullptr || static_cast<std::uint64_t>(tip->height) != blocks) {
        std::fprintf(stderr, "error: tip at height %d after submitting %llu blocks\n",
                     tip ? tip->height : -1, static_cast<unsigned long long>(blocks));
        return 1;
    }

    const auto stats_start = std::chrono::steady_clock::now();
    auto stats = chain.utxo_stats();
    const double stats_seconds = seconds_since(stats_start);
    if (!stats) {
        std::fprintf(stderr, "error: utxo stats failed: %s\n", stats.error().c_str());
        return 1;
    }

    std::printf("\n%-28s %s\n", "measure", "value");
    std::printf("%-28s %llu (tip height %d)\n", "blocks", static_cast<unsigned long long>(blocks),
                tip->height);
    std::printf("%-28s %llu\n", "transactions", static_cast<unsigned long long>(transactions));
    std::printf("%-28s %llu\n", "inputs (signed)", static_cast<unsigned long long>(inputs));
    std::printf("%-28s %.2f\n", "wall seconds", wall);
    std::printf("%-28s %.2f\n", "CPU seconds (user+sys)", cpu);
    std::printf("%-28s %.1f\n", "blocks/s", static_cast<double>(blocks) / wall);
    std::printf("%-28s %.0f\n", "transactions/s", static_cast<double>(transactions) / wall);
    std::printf("%-28s %.0f\n", "inputs/s", static_cast<double>(inputs) / wall);
    std::printf("%-28s %.1f MiB (%.1f MB)\n", "peak RSS", rss, rss * 1.048576);
    std::printf("%-28s %zu MiB\n", "coins cache at end", chain.coins_cache_usage() >> 20);
    if (!options.in_memory) {
        std::printf("%-28s %.1f MiB blocks, %.1f MiB chainstate\n", "disk",
                    static_cast<double>(chain.blocks_disk_size()) / (1 << 20),
                    static_cast<double>(chain.coins_disk_size()) / (1 << 20));
    }
    std::printf("%-28s %llu txouts in %llu transactions, %.8f BTC (%.2f s to compute)\n",
                "UTXO set", static_cast<unsigned long long>(stats->txouts),
                static_cast<unsigned long long>(stats->transactions),
                stats->total_amount ? static_cast<double>(*stats->total_amount) / 1e8 : -1.0,
                stats_seconds);
    return 0;
}

}  // namespace
}  // namespace bitloom::bench

int main(int argc, char** argv) {
    return bitloom::bench::run(bitloom::bench::parse_options(argc, argv));
}
