// `bitloom crawl`: crawl a Bitcoin network from its DNS seeds or given addresses, record every
// node in <datadir>/crawl.sqlite3, print a progress line every second and a summary at the
// end, and optionally write a dnsseed.dump (and its `good` selection).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "consensus/chainparams.h"
#include "crawler/crawler.h"
#include "crawler/seeds_dump.h"
#include "crawler/store.h"
#include "net/resolve.h"
#include "rpc/auth.h"
#include "rpc/http_client.h"
#include "util/hex.h"

namespace bitloom {

namespace {

struct CrawlOptions {
    std::string chain = "main";
    std::string magic;  // 8 hex digits
    std::uint16_t port = 0;
    std::string datadir;
    std::vector<std::string> seeds;
    bool no_dns_seeds = false;
    std::string from_node;  // HOST:PORT of a bitloomd's JSON-RPC server
    std::string rpc_cookie_file;
    std::string rpc_user_password;  // USER:PASSWORD
    std::size_t max_connections = 1000;
    double timeout_connect = 5;
    double timeout_handshake = 10;
    double timeout_getaddr = 15;
    std::string proxy;
    std::string onion;
    std::string i2p_proxy;
    bool allow_private = false;
    std::uint32_t retries = 1;
    std::uint32_t passes = 1;
    double duration = 0;
    std::string dump;
    std::string good;
    bool quiet = false;
};

// Set by SIGINT/SIGTERM; the crawler polls it.
std::atomic<bool>& interrupted() {
    static std::atomic<bool> flag{false};
    return flag;
}

extern "C" void on_interrupt(int) { interrupted().store(true); }

void install_interrupt_handler() {
    struct sigaction action{};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

// Thousands of connections need as many descriptors: raise the soft limit to the hard one.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

std::filesystem::path default_datadir() {
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr && *home != 0 ? home : "/") / ".bitloom";
}

[[noreturn]] void fail_with(const std::string& message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    throw CLI::RuntimeError(1);
}

std::chrono::milliseconds seconds_option(double seconds, const char* name) {
    if (!(seconds > 0) || seconds > 3600) {
        fail_with(std::string(name) + " must be between 0 and 3600 seconds");
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

NetService proxy_option(const std::string& text, const char* name) {
    auto resolved = resolve(text, 9050, false);
    if (!resolved || resolved->empty()) {
        fail_with(std::string(name) + ": not an IP address and port: " + text);
    }
    return resolved->front();
}

// Every address in the address table of a running node (JSON-RPC getnodeaddresses 0).
std::vector<NetService> addresses_from_node(const CrawlOptions& options) {
    auto target = split_host_port(options.from_node);
    if (!target || !target->port) fail_with("--from-node takes HOST:PORT of the RPC server");
    std::string credentials = options.rpc_user_password;
    if (!options.rpc_cookie_file.empty()) {
        auto cookie = read_cookie_file(options.rpc_cookie_file);
        if (!cookie) fail_with(cookie.error());
        credentials = *cookie;
    }
    HttpClientOptions client_options;
    client_options.host = target->host;
    client_options.port = *target->port;
    client_options.timeout = std::chrono::seconds(60);
    HttpClient client(client_options);
    const std::string body =
        R"({"jsonrpc":"1.0","id":"crawl","method":"getnodeaddresses","params":[0]})";
    auto response = client.post_json("/", body, credentials);
    if (!response) fail_with("--from-node: " + response.error().message);
    if (response->status != 200) {
        fail_with("--from-node: HTTP status " + std::to_string(response->status) + " " +
                  response->body);
    }
    const auto json = nlohmann::json::parse(response->body, nullptr, false);
    if (json.is_discarded() || !json.contains("result") || !json["result"].is_array()) {
        fail_with("--from-node: unexpected reply");
    }
    std::vector<NetService> out;
    for (const auto& entry : json["result"]) {
        if (!entry.contains("address") || !entry["address"].is_string() ||
            !entry.contains("port") || !entry["port"].is_number_unsigned()) {
            continue;
        }
        auto address = NetAddress::parse(entry["address"].get<std::string>());
        const auto port = entry["port"].get<std::uint64_t>();
        if (!address || port == 0 || port > 65535) continue;
        out.push_back(NetService{*address, static_cast<std::uint16_t>(port)});
    }
    return out;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) fail_with("cannot write " + path);
}

void write_dumps(CrawlStore& store, const CrawlOptions& options, std::uint16_t default_port) {
    if (options.dump.empty() && options.good.empty()) return;
    auto nodes = store.load_nodes();
    if (!nodes) fail_with("store: " + nodes.error().message);
    GoodCriteria criteria;
    criteria.default_port = default_port;
    std::vector<SeedsDumpEntry> entries;
    for (const NodeRecord& record : *nodes) {
        if (record.attempts == 0) continue;  // as the seeder: only nodes it has tried
        entries.push_back(seeds_dump_entry(record, criteria));
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.good > b.good;
    });
    if (!options.dump.empty()) write_file(options.dump, write_seeds_dump(entries));
    if (!options.good.empty()) {
        const auto good = select_good_seeds(entries, 0.0, criteria.required_services);
        write_file(options.good, write_seeds_dump(good));
    }
}

void run_crawl(const CrawlOptions& options) {
    const auto chain = parse_chain_type(options.chain);
    if (!chain) fail_with("unknown chain: " + options.chain);
    const ChainParams& params = chain_params(*chain);

    CrawlerConfig config;
    config.magic = params.message_start;
    std::uint16_t default_port = params.default_port;
    if (!options.magic.empty()) {
        auto bytes = parse_hex(options.magic);
        if (!bytes || bytes->size() != 4) fail_with("--magic takes 4 bytes as 8 hex digits");
        std::copy(bytes->begin(), bytes->end(), config.magic.begin());
    }
    if (options.port != 0) default_port = options.port;

    SchedulerConfig& scheduler = config.scheduler;
    scheduler.max_in_flight = std::max<std::size_t>(1, options.max_connections);
    scheduler.allow_private = options.allow_private;
    scheduler.max_pass_retries = options.retries;
    const auto connect = seconds_option(options.timeout_connect, "--timeout-connect");
    const auto handshake = seconds_option(options.timeout_handshake, "--timeout-handshake");
    const auto getaddr = seconds_option(options.timeout_getaddr, "--timeout-getaddr");
    for (Network network : {Network::ipv4, Network::ipv6, Network::cjdns}) {
        scheduler.timeouts[network_index(network)] = PhaseTimeouts{connect, handshake, getaddr};
    }
    // Proxied networks get at least the default proxied timeouts (Tor circuits are slow).
    for (Network network : {Network::onion, Network::i2p}) {
        PhaseTimeouts& timeouts = scheduler.timeouts[network_index(network)];
        timeouts.connect = std::max(timeouts.connect, connect);
        timeouts.handshake = std::max(timeouts.handshake, handshake);
        timeouts.getaddr = std::max(timeouts.getaddr, getaddr);
    }
    if (!options.proxy.empty()) {
        const NetService proxy = proxy_option(options.proxy, "--proxy");
        for (Network network : {Network::ipv4, Network::ipv6, Network::onion}) {
            scheduler.proxies[network_index(network)] = proxy;
        }
    }
    if (!options.onion.empty()) {
        scheduler.proxies[network_index(Network::onion)] = proxy_option(options.onion, "--onion");
    }
    if (!options.i2p_proxy.empty()) {
        scheduler.proxies[network_index(Network::i2p)] =
            proxy_option(options.i2p_proxy, "--i2p-proxy");
    }

    // Starting points: --seed targets, then the chain's DNS seeds (system resolver).
    for (const std::string& seed : options.seeds) {
        auto resolved = resolve(seed, default_port, true);
        if (!resolved) fail_with("--seed " + seed + ": " + resolved.error());
        config.seeds.insert(config.seeds.end(), resolved->begin(), resolved->end());
    }
    if (!options.from_node.empty()) {
        const auto addresses = addresses_from_node(options);
        std::fprintf(stderr, "%s: %zu addresses\n", options.from_node.c_str(), addresses.size());
        config.seeds.insert(config.seeds.end(), addresses.begin(), addresses.end());
    }
    if (!options.no_dns_seeds && options.seeds.empty() && options.from_node.empty()) {
        for (const std::string& name : params.dns_seeds) {
            auto resolved = resolve(name, default_port, true);
            if (!resolved) {
                std::fprintf(stderr, "seed %s: %s\n", name.c_str(), resolved.error().c_str());
                continue;
            }
            std::fprintf(stderr, "seed %s: %zu addresses\n", name.c_str(), resolved->size());
            config.seeds.insert(config.seeds.end(), resolved->begin(), resolved->end());
        }
    }

    config.passes = options.passes;
    if (options.duration > 0) {
        config.duration =
            std::chrono::milliseconds(static_cast<std::int64_t>(options.duration * 1000));
    }
    config.stop_flag = &interrupted();
    const bool terminal = isatty(STDERR_FILENO) != 0;
    if (!options.quiet) {
        config.on_progress = [terminal](const CrawlProgress& progress) {
            const std::string line = format_progress(progress);
            if (terminal) {
                std::fprintf(stderr, "\r%s\033[K", line.c_str());
            } else {
                std::fprintf(stderr, "%s\n", line.c_str());
            }
        };
    }

    const std::filesystem::path datadir =
        options.datadir.empty() ? default_datadir() : std::filesystem::path(options.datadir);
    std::error_code error;
    std::filesystem::create_directories(datadir, error);
    const std::string path = (datadir / "crawl.sqlite3").string();
    auto store = CrawlStore::open(path);
    if (!store) fail_with(path + ": " + store.error().message);

    raise_descriptor_limit();
    install_interrupt_handler();
    auto crawler = Crawler::create(std::move(config), *store);
    if (!crawler) fail_with(crawler.error());
    auto summary = (*crawler)->run();
    if (!options.quiet && terminal) std::fprintf(stderr, "\n");
    if (!summary) fail_with(summary.error());
    std::printf("%s", format_summary(*summary).c_str());
    write_dumps(*store, options, default_port);
}

}  // namespace

void add_crawl_command(CLI::App& app) {
    auto options = std::make_shared<CrawlOptions>();
    CLI::App* crawl = app.add_subcommand(
        "crawl", "Crawl a Bitcoin network and record every node it can reach");
    crawl->add_option("--chain", options->chain, "Network: main, test, testnet4, signet, regtest")
        ->check(CLI::IsMember({"main", "test", "testnet4", "signet", "regtest"}));
    crawl->add_option("--magic", options->magic,
                      "Custom network: message start as 8 hex digits (e.g. fabfb5da)");
    crawl->add_option("--port", options->port, "Default P2P port (custom networks)");
    crawl->add_option("--datadir", options->datadir,
                      "Data directory; the store is <datadir>/crawl.sqlite3 (default ~/.bitloom)");
    crawl->add_option("--seed", options->seeds, "Starting point HOST[:PORT] (repeatable)");
    crawl->add_flag("--no-dns-seeds", options->no_dns_seeds, "Do not query the chain's DNS seeds");
    crawl->add_option("--from-node", options->from_node,
                      "Start from the address table of a running node: its RPC HOST:PORT");
    crawl->add_option("--rpccookiefile", options->rpc_cookie_file,
                      "--from-node: the node's RPC cookie file");
    crawl->add_option("--rpcauth", options->rpc_user_password,
                      "--from-node: RPC credentials USER:PASSWORD");
    crawl->add_option("--max-connections", options->max_connections,
                      "Connections in flight at most (default 1000)");
    crawl->add_option("--timeout-connect", options->timeout_connect,
                      "Seconds to connect (default 5)");
    crawl->add_option("--timeout-handshake", options->timeout_handshake,
                      "Seconds for the version handshake (default 10)");
    crawl->add_option("--timeout-getaddr", options->timeout_getaddr,
                      "Seconds to wait for an addr reply (default 15)");
    crawl->add_option("--proxy", options->proxy, "SOCKS5 proxy IP:PORT for every network");
    crawl->add_option("--onion", options->onion, "SOCKS5 proxy IP:PORT for Tor onion addresses");
    crawl->add_option("--i2p-proxy", options->i2p_proxy, "SOCKS5 proxy IP:PORT for I2P addresses");
    crawl->add_flag("--allow-private", options->allow_private,
                    "Also crawl private, local and other unroutable addresses");
    crawl->add_option("--retries", options->retries,
                      "Retries within a pass after a timeout, reset or proxy error, 30 s apart "
                      "and doubling (default 1)");
    crawl->add_option("--passes", options->passes,
                      "Passes to complete (default 1); 0 = until Ctrl-C or --duration. A later pass "
                      "starts when known nodes are due for their re-check");
    crawl->add_option("--duration", options->duration, "Stop after this many seconds");
    crawl->add_option("--dump", options->dump, "Write a dnsseed.dump of every tried node");
    crawl->add_option("--good", options->good, "Write the dump's good nodes only");
    crawl->add_flag("--quiet", options->quiet, "No progress line");
    crawl->callback([options] { run_crawl(*options); });
}

}  // namespace bitloom
