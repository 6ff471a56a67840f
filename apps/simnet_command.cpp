// `bitloom simnet`: one process playing N Bitcoin nodes on 127.x.y.z (see crawler/simnet.h).
#include "simnet_command.h"

#include <signal.h>
#include <time.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "consensus/chainparams.h"
#include "crawler/simnet.h"

namespace {

using namespace bitloom;

struct SimnetSettings {
    ChainType chain = ChainType::main;
    std::size_t nodes = 10'000;
    std::uint64_t seed = 1;
    std::optional<std::uint16_t> port;
    std::uint16_t socks_port = 9050;
    double unreachable_share = 0.2;
    double silent_share = 0.02;
    double wrong_magic_share = 0.02;
    double garbage_share = 0.02;
    double mid_handshake_share = 0.02;
    double slow_share = 1.0;
    std::string latency = "50-200";
    double onion_share = 0.05;
    std::size_t book_min = 50;
    std::size_t book_max = 1500;
    std::string json_path;
    std::size_t show = 5;
};

// "50-200" or "100" (milliseconds).
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_latency(const std::string& text) {
    const auto dash = text.find('-');
    try {
        std::size_t used = 0;
        const unsigned long low = std::stoul(text.substr(0, dash), &used);
        if (used != text.substr(0, dash).size()) return std::nullopt;
        unsigned long high = low;
        if (dash != std::string::npos) {
            high = std::stoul(text.substr(dash + 1), &used);
            if (used != text.size() - dash - 1) return std::nullopt;
        }
        if (low > high || high > 65'535) return std::nullopt;
        return std::pair{static_cast<std::uint32_t>(low), static_cast<std::uint32_t>(high)};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

long resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return -1;
}

int run_simnet(const SimnetSettings& settings) {
    const auto latency = parse_latency(settings.latency);
    if (!latency) {
        std::fprintf(stderr, "error: --latency-ms takes MS or MIN-MAX (at most 65535)\n");
        return 1;
    }
    const double failing = settings.unreachable_share + settings.silent_share +
                           settings.wrong_magic_share + settings.garbage_share +
                           settings.mid_handshake_share;
    if (failing > 1.0) {
        std::fprintf(stderr, "error: the failure shares add up to more than 1\n");
        return 1;
    }
    if (settings.book_min > settings.book_max) {
        std::fprintf(stderr, "error: --book-min is above --book-max\n");
        return 1;
    }
    const ChainParams& params = chain_params(settings.chain);
    SimulatedNetworkOptions options;
    options.nodes = settings.nodes;
    options.seed = settings.seed;
    options.magic = params.message_start;
    // wrong_magic nodes speak another network: testnet4, or mainnet when we are testnet4.
    options.foreign_magic = chain_params(settings.chain == ChainType::testnet4 ? ChainType::main
                                                                                : ChainType::testnet4)
                                .message_start;
    options.port = settings.port.value_or(params.default_port);
    options.socks_port = settings.socks_port;
    options.unreachable_share = settings.unreachable_share;
    options.silent_share = settings.silent_share;
    options.wrong_magic_share = settings.wrong_magic_share;
    options.garbage_share = settings.garbage_share;
    options.mid_handshake_share = settings.mid_handshake_share;
    options.slow_share = settings.slow_share;
    options.latency_min_ms = latency->first;
    options.latency_max_ms = latency->second;
    options.onion_share = settings.onion_share;
    options.book_min = settings.book_min;
    options.book_max = settings.book_max;
    options.entry_point_count = std::max<std::size_t>(settings.show, 1);

    // Block the stop signals before the I/O thread starts, so only sigtimedwait sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto network = std::make_unique<SimulatedNetwork>(options);
    if (auto started = network->start(); !started) {
        std::fprintf(stderr, "error: %s\n", started.error().c_str());
        return 1;
    }
    if (!settings.json_path.empty()) {
        std::ofstream out(settings.json_path, std::ios::binary);
        out << network->export_json();
        if (!out) {
            std::fprintf(stderr, "error: cannot write %s\n", settings.json_path.c_str());
            return 1;
        }
    }

    std::printf("simulated %s network: %zu nodes on port %u, seed %llu\n",
                std::string(chain_type_name(settings.chain)).c_str(), network->size(),
                static_cast<unsigned>(network->port()),
                static_cast<unsigned long long>(settings.seed));
    for (auto behaviour : {SimBehaviour::healthy, SimBehaviour::slow, SimBehaviour::refused,
                           SimBehaviour::silent, SimBehaviour::wrong_magic, SimBehaviour::garbage,
                           SimBehaviour::disconnect_mid_handshake}) {
        std::printf("  %-26s %zu\n", std::string(to_string(behaviour)).c_str(),
                    network->count(behaviour));
    }
    std::printf("  onion (through SOCKS5)     %zu\n", network->onion_count());
    std::printf("listeners: %zu (file descriptors needed: %zu plus one per connection)\n",
                network->listener_count(), network->descriptors_needed());
    std::printf("memory: model %zu KiB, process %ld KiB resident\n",
                network->model_bytes() / 1024, resident_kib());
    std::printf("SOCKS5 proxy for .onion nodes: %s\n", network->socks_proxy().to_string().c_str());
    if (!settings.json_path.empty()) {
        std::printf("ground truth: %s\n", settings.json_path.c_str());
    }
    std::printf("start from:\n");
    for (std::size_t index : network->entry_points()) {
        std::printf("  %s\n", network->node(index).address.to_string().c_str());
    }
    std::printf("running; Ctrl-C stops\n");
    std::fflush(stdout);

    SimulatedNetworkStats last;
    for (;;) {
        const timespec wait{10, 0};
        const int signal_number = sigtimedwait(&stop_signals, nullptr, &wait);
        if (signal_number == SIGINT || signal_number == SIGTERM) break;
        const SimulatedNetworkStats now = network->stats();
        if (now.accepted != last.accepted) {
            std::printf("accepted %llu, handshakes %llu, getaddr answers %llu, socks %llu, open %llu "
                        "(peak %llu)\n",
                        static_cast<unsigned long long>(now.accepted),
                        static_cast<unsigned long long>(now.handshakes),
                        static_cast<unsigned long long>(now.getaddr_answers),
                        static_cast<unsigned long long>(now.socks_connects),
                        static_cast<unsigned long long>(now.open_connections),
                        static_cast<unsigned long long>(now.peak_open_connections));
            std::fflush(stdout);
            last = now;
        }
    }
    network->stop();
    std::printf("stopped\n");
    return 0;
}

}  // namespace

void add_simnet_command(CLI::App& app) {
    auto settings = std::make_shared<SimnetSettings>();
    auto* cmd = app.add_subcommand(
        "simnet", "Run a simulated Bitcoin network of N nodes on 127.x.y.z until Ctrl-C");
    cmd->add_option_function<std::string>(
           "--chain",
           [settings](const std::string& name) {
               auto chain = parse_chain_type(name);
               if (!chain) {
                   throw CLI::ValidationError("--chain", "unknown network '" + name +
                                                             "' (main, test, testnet4, signet, "
                                                             "regtest)");
               }
               settings->chain = *chain;
           },
           "Network whose magic and port to use: main, test, testnet4, signet, regtest "
           "(default main)");
    cmd->add_option("--nodes", settings->nodes, "Number of nodes (default 10000)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    cmd->add_option("--seed", settings->seed, "Seed: the same seed gives the same network (default 1)");
    cmd->add_option("--port", settings->port, "Port of every node (default: the chain's; 0: any free)");
    cmd->add_option("--socks-port", settings->socks_port,
                    "Port of the SOCKS5 endpoint on 127.0.0.1 for .onion nodes (default 9050; 0: any)");
    cmd->add_option("--unreachable-share", settings->unreachable_share,
                    "Share of nodes that refuse connections (default 0.2)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--silent-share", settings->silent_share, "Share that accept and never answer (0.02)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--wrong-magic-share", settings->wrong_magic_share,
                    "Share that speak another network (0.02)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--garbage-share", settings->garbage_share, "Share that send garbage (0.02)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--mid-handshake-share", settings->mid_handshake_share,
                    "Share that disconnect during the handshake (0.02)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--slow-share", settings->slow_share,
                    "Share of the answering nodes that add latency (default 1.0)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--latency-ms", settings->latency,
                    "Latency of slow nodes: MS or MIN-MAX, drawn per node (default 50-200)");
    cmd->add_option("--onion-share", settings->onion_share,
                    "Share of nodes reachable only as .onion through the SOCKS5 endpoint (0.05)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--book-min", settings->book_min, "Smallest address book (default 50)");
    cmd->add_option("--book-max", settings->book_max, "Largest address book (default 1500)");
    cmd->add_option("--json", settings->json_path, "Write the ground truth as JSON to this file");
    cmd->add_option("--show", settings->show, "How many starting addresses to print (default 5)");
    cmd->callback([settings] { std::exit(run_simnet(*settings)); });
}
