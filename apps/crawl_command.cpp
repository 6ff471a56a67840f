// `bitloom crawl`: crawl a Bitcoin network from its DNS seeds or given addresses, record every
// node in the chain's store, print a progress line every second and a summary at the end,
// optionally write a dnsseed.dump (and its `good` selection), and optionally serve the good
// nodes as a DNS seed while the crawl runs. `bitloom crawl report` renders a store as HTML,
// CSV or JSON.
//
// The store: a PostgreSQL database with --db postgresql://..., otherwise the SQLite file
// crawl.sqlite3 in the chain's directory, laid out as Bitcoin Core lays out its data directory:
// <datadir> itself for main, <datadir>/testnet3, testnet4, signet or regtest for the others.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "consensus/chainparams.h"
#include "consensus/fixed_seeds.h"
#include "crawler/crawler.h"
#include "crawler/dns_server.h"
#include "crawler/geo.h"
#include "crawler/report.h"
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
    bool no_fixed_seeds = false;
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
    std::string db;  // a PostgreSQL URL; empty: the chain's SQLite file
    // The DNS seed server (on when dns_host is given).
    std::string dns_host;
    std::uint16_t dns_port = 53;
    std::string dns_bind;  // an IP address; empty: 0.0.0.0
    std::string dns_name_server;
    std::string dns_mailbox;
    double dns_refresh = 30;
};

struct ReportCommandOptions {
    std::string chain = "main";
    std::uint16_t port = 0;
    std::string datadir;
    std::string db;
    std::string output;  // empty: crawl-report.<format>
    std::string format = "html";
    std::int64_t best_height = -1;  // < 0: derived from the nodes (ReportOptions)
    std::vector<std::string> mmdb_files;
    std::string title;
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

// The chain's subdirectory of the data directory, as Bitcoin Core names them ("" for main).
std::string_view chain_subdirectory(ChainType chain) {
    switch (chain) {
        case ChainType::main: return "";
        case ChainType::testnet: return "testnet3";
        case ChainType::testnet4: return "testnet4";
        case ChainType::signet: return "signet";
        case ChainType::regtest: return "regtest";
    }
    return "";
}

// Where the crawl of `chain` is stored: `db` when given (a PostgreSQL URL, or a file), else
// crawl.sqlite3 in the chain's directory of `datadir` (default ~/.bitloom), which is created
// when `create` is set.
std::string store_location(const std::string& db, const std::string& datadir, ChainType chain,
                           bool create) {
    if (!db.empty()) return db;
    std::filesystem::path dir =
        datadir.empty() ? default_datadir() : std::filesystem::path(datadir);
    const std::string_view subdirectory = chain_subdirectory(chain);
    if (!subdirectory.empty()) dir /= subdirectory;
    if (create) {
        std::error_code error;
        std::filesystem::create_directories(dir, error);
        if (error) fail_with("cannot create " + dir.string() + ": " + error.message());
    }
    return (dir / "crawl.sqlite3").string();
}

// The location as shown to people: a PostgreSQL URL without its password.
std::string display_location(const std::string& location) {
    const auto scheme = location.find("://");
    const auto at = location.find('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme) return location;
    const auto colon = location.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return location;
    return location.substr(0, colon) + ":***" + location.substr(at);
}

CrawlStore open_store(const std::string& location) {
    auto store = CrawlStore::open(location);
    if (!store) fail_with(display_location(location) + ": " + store.error().message);
    return std::move(*store);
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

// Hands a DNS seed server the good nodes of the store every `interval`, on a thread of its own
// with its own connection to the store (the crawler's connection belongs to the crawl).
// A store that cannot be read is reported and tried again at the next interval.
class SeedRefresher {
public:
    SeedRefresher(DnsSeedServer& server, std::string location, GoodCriteria criteria,
                  std::chrono::milliseconds interval)
        : server_(server),
          location_(std::move(location)),
          criteria_(criteria),
          interval_(interval),
          thread_([this] { run(); }) {}
    ~SeedRefresher() { stop(); }
    SeedRefresher(const SeedRefresher&) = delete;
    SeedRefresher& operator=(const SeedRefresher&) = delete;

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        std::optional<CrawlStore> store;
        std::unique_lock lock(mutex_);
        for (;;) {
            if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
            lock.unlock();
            if (!store) {
                auto opened = CrawlStore::open(location_);
                if (opened) {
                    store.emplace(std::move(*opened));
                } else {
                    std::fprintf(stderr, "dns: %s: %s\n", display_location(location_).c_str(),
                                 opened.error().message.c_str());
                }
            }
            if (store) {
                auto nodes = store->load_nodes();
                if (nodes) {
                    server_.update_seeds(*nodes, criteria_, std::time(nullptr));
                } else {
                    std::fprintf(stderr, "dns: store: %s\n", nodes.error().message.c_str());
                    store.reset();  // reconnect next time (a PostgreSQL connection may be lost)
                }
            }
            lock.lock();
        }
    }

    DnsSeedServer& server_;
    const std::string location_;
    const GoodCriteria criteria_;
    const std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;     // last: started once everything above is set
};

// Binds the DNS seed server of --dns-host/--dns-port/--dns-bind and gives it the store's good
// nodes once; nullptr when --dns-host is not given.
std::unique_ptr<DnsSeedServer> start_dns_server(const CrawlOptions& options, CrawlStore& store,
                                                const GoodCriteria& criteria) {
    if (options.dns_host.empty()) return nullptr;
    auto config = dns_server_config(options.dns_host, options.dns_port, options.dns_name_server,
                                    options.dns_mailbox);
    if (!config) fail_with("--dns-host: " + config.error());
    if (!options.dns_bind.empty()) {
        auto address = NetAddress::parse(options.dns_bind);
        if (!address || (!address->is_ipv4() && !address->is_ipv6())) {
            fail_with("--dns-bind takes an IPv4 or IPv6 address: " + options.dns_bind);
        }
        config->bind.address = *address;
    }
    auto server = DnsSeedServer::start(std::move(*config));
    if (!server) fail_with("DNS seed server: " + server.error());
    auto nodes = store.load_nodes();
    if (!nodes) fail_with("store: " + nodes.error().message);
    (*server)->update_seeds(*nodes, criteria, std::time(nullptr));
    std::fprintf(stderr, "DNS seed server for %s listening on %s (%zu seeds)\n",
                 options.dns_host.c_str(), (*server)->local_address().to_string().c_str(),
                 (*server)->seed_count());
    std::fflush(stderr);
    return std::move(*server);
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
    // The chain's compiled seed addresses as more starting points (a custom --magic network
    // has none).
    if (!options.no_fixed_seeds && options.seeds.empty() && options.from_node.empty() &&
        options.magic.empty()) {
        std::size_t added = 0;
        for (std::string_view entry : fixed_seeds(params.type)) {
            if (auto service = NetService::parse(entry, default_port)) {
                config.seeds.push_back(*service);
                ++added;
            }
        }
        if (added > 0) std::fprintf(stderr, "fixed seeds: %zu addresses\n", added);
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

    raise_descriptor_limit();
    install_interrupt_handler();  // before the DNS server announces itself
    const std::string location = store_location(options.db, options.datadir, *chain, true);
    CrawlStore store = open_store(location);

    GoodCriteria criteria;
    criteria.default_port = default_port;
    if (!(options.dns_refresh > 0) || options.dns_refresh > 86400) {
        fail_with("--dns-refresh must be between 0 and 86400 seconds");
    }
    std::unique_ptr<DnsSeedServer> dns_server = start_dns_server(options, store, criteria);
    std::unique_ptr<SeedRefresher> refresher;
    if (dns_server) {
        refresher = std::make_unique<SeedRefresher>(
            *dns_server, location, criteria,
            std::chrono::milliseconds(static_cast<std::int64_t>(options.dns_refresh * 1000)));
    }

    auto crawler = Crawler::create(std::move(config), store);
    if (!crawler) fail_with(crawler.error());
    auto summary = (*crawler)->run();
    if (!options.quiet && terminal) std::fprintf(stderr, "\n");
    if (refresher) refresher->stop();
    if (dns_server) {
        dns_server->stop();
        const DnsServerStats stats = dns_server->stats();
        std::fprintf(stderr, "DNS seed server: %llu queries received, %llu answered\n",
                     static_cast<unsigned long long>(stats.received),
                     static_cast<unsigned long long>(stats.answered));
    }
    if (!summary) fail_with(summary.error());
    std::printf("%s", format_summary(*summary).c_str());
    write_dumps(store, options, default_port);
}

// The largest --best-height (a start height is an int32).
constexpr std::int64_t MAX_HEIGHT = std::numeric_limits<std::int32_t>::max();

void run_report(const ReportCommandOptions& options) {
    const auto chain = parse_chain_type(options.chain);
    if (!chain) fail_with("unknown chain: " + options.chain);
    const auto format = parse_report_format(options.format);
    if (!format) fail_with("--format takes html, csv or json: " + options.format);
    const std::string location = store_location(options.db, options.datadir, *chain, false);
    if (options.db.empty() && !std::filesystem::exists(location)) {
        fail_with(location + ": no crawl store (run `bitloom crawl` first)");
    }
    CrawlStore store = open_store(location);

    // Debian's geoip-database files are used when installed; an --mmdb file must open.
    GeoOptions geo_options = debian_geo_options();
    for (std::string* path : {&geo_options.geoip_country_v4, &geo_options.geoip_country_v6}) {
        if (!std::filesystem::exists(*path)) path->clear();
    }
    geo_options.mmdb_files = options.mmdb_files;
    auto geo = GeoLookup::open(geo_options);
    if (!geo) fail_with(geo.error().message);

    ReportOptions report;
    report.format = *format;
    report.now = std::time(nullptr);
    if (options.best_height >= 0) {
        if (options.best_height > MAX_HEIGHT) fail_with("--best-height is too large");
        report.best_height = static_cast<std::int32_t>(options.best_height);
    }
    if (!options.title.empty()) report.title = options.title;
    report.good.default_port =
        options.port != 0 ? options.port : chain_params(*chain).default_port;
    report.geo = &*geo;

    const std::string output = options.output.empty()
                                   ? "crawl-report." + std::string(to_string(*format))
                                   : options.output;
    auto written = write_report(store, report, output);
    if (!written) fail_with(written.error());
    std::printf("wrote %s\n", output.c_str());
    if (*format == ReportFormat::csv) {
        std::printf("wrote %s\n", aggregates_csv_path(output).c_str());
    }
}

// `bitloom crawl report`; returns the subcommand.
CLI::App* add_report_command(CLI::App& crawl) {
    auto options = std::make_shared<ReportCommandOptions>();
    CLI::App* report = crawl.add_subcommand(
        "report", "Render a crawl store as one HTML page (charts inline, opens offline), or "
                  "export its node table and aggregates as CSV or JSON");
    report->add_option("--chain", options->chain,
                       "Network whose store to read: main, test, testnet4, signet, regtest")
        ->check(CLI::IsMember({"main", "test", "testnet4", "signet", "regtest"}));
    report->add_option("--port", options->port,
                       "Default P2P port for the good-node criteria (custom networks)");
    report->add_option("--datadir", options->datadir,
                       "Data directory (default ~/.bitloom); the store is crawl.sqlite3 in the "
                       "chain's directory, as for `bitloom crawl`");
    report->add_option("--db", options->db,
                       "Read this store instead: a postgresql:// URL or an SQLite file");
    report->add_option("--output,-o", options->output,
                       "File to write (default crawl-report.<format>); csv also writes "
                       "<name>-aggregates.csv");
    report->add_option("--format", options->format, "html (default), csv or json")
        ->check(CLI::IsMember({"html", "csv", "json"}));
    report->add_option("--best-height", options->best_height,
                       "Chain tip to compare start heights with (default: the highest start "
                       "height at least two reachable nodes report)")
        ->check(CLI::Range(std::int64_t{0}, MAX_HEIGHT));
    report->add_option("--mmdb", options->mmdb_files,
                       "MaxMind-format file for city, country, ASN and organisation "
                       "(repeatable; the first with a value wins)");
    report->add_option("--title", options->title, "Page title (default \"Bitcoin network crawl\")");
    report->callback([options] { run_report(*options); });
    return report;
}

}  // namespace

void add_crawl_command(CLI::App& app) {
    auto options = std::make_shared<CrawlOptions>();
    CLI::App* crawl = app.add_subcommand(
        "crawl", "Crawl a Bitcoin network and record every node it can reach; optionally serve "
                 "the good ones as a DNS seed (--dns-host). `bitloom crawl report` renders what "
                 "was recorded");
    crawl->add_option("--chain", options->chain, "Network: main, test, testnet4, signet, regtest")
        ->check(CLI::IsMember({"main", "test", "testnet4", "signet", "regtest"}));
    crawl->add_option("--magic", options->magic,
                      "Custom network: message start as 8 hex digits (e.g. fabfb5da)");
    crawl->add_option("--port", options->port, "Default P2P port (custom networks)");
    crawl->add_option("--datadir", options->datadir,
                      "Data directory (default ~/.bitloom). The store is crawl.sqlite3 in the "
                      "chain's directory, as Bitcoin Core's: <datadir> for main, "
                      "<datadir>/testnet3, testnet4, signet or regtest for the others (a custom "
                      "--magic network shares its --chain's directory)");
    crawl->add_option("--db", options->db,
                      "Store in this database instead: a postgresql://USER@HOST/DB URL (several "
                      "crawlers may share one) or an SQLite file");
    crawl->add_option("--seed", options->seeds, "Starting point HOST[:PORT] (repeatable)");
    crawl->add_flag("--no-dns-seeds", options->no_dns_seeds, "Do not query the chain's DNS seeds");
    crawl->add_flag("--no-fixed-seeds", options->no_fixed_seeds,
                    "Do not start from the chain's compiled seed addresses (used, like the DNS "
                    "seeds, when no --seed or --from-node is given)");
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
    CLI::Option* dns_host = crawl->add_option(
        "--dns-host", options->dns_host,
        "Serve the good nodes as a DNS seed for this zone (e.g. seed.example.com) while the "
        "crawl runs: A and AAAA over UDP, with x<hex> service-flag subdomains (x9.<zone>)");
    crawl->add_option("--dns-port", options->dns_port, "UDP port of the DNS seed (default 53; 0: "
                                                       "any free port, printed at start)")
        ->needs(dns_host);
    crawl->add_option("--dns-bind", options->dns_bind,
                      "Address the DNS seed listens on (default 0.0.0.0)")
        ->needs(dns_host);
    crawl->add_option("--dns-ns", options->dns_name_server,
                      "Name server answered to NS queries (and with --dns-mbox, SOA)")
        ->needs(dns_host);
    crawl->add_option("--dns-mbox", options->dns_mailbox,
                      "Responsible mailbox for SOA answers (user.example.com)")
        ->needs(dns_host);
    crawl->add_option("--dns-refresh", options->dns_refresh,
                      "Seconds between refreshes of the DNS seed's nodes from the store "
                      "(default 30; also once at start)")
        ->needs(dns_host);
    CLI::App* report = add_report_command(*crawl);
    crawl->callback([options, report] {
        if (report->parsed()) return;  // `bitloom crawl report` ran instead
        run_crawl(*options);
    });
}

}  // namespace bitloom
