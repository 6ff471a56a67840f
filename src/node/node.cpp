#include "node/node.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "chain/chainstate.h"
#include "consensus/chainparams.h"
#include "node/config.h"
#include "node/context.h"
#include "node/datadir.h"
#include "node/logging.h"
#include "node/network.h"
#include "node/options.h"
#include "node/rpc_methods.h"
#include "rpc/auth.h"
#include "rpc/http_server.h"
#include "rpc/json_rpc.h"
#include "rpc/rpc_http.h"
#include "util/args.h"
#include "util/hex.h"
#include "util/version.h"

namespace bitloom {

namespace {

// An address and prefix length, as -rpcallowip gives them.
struct Subnet {
    int family = AF_INET;
    std::array<std::uint8_t, 16> address{};
    int prefix = 0;
};

std::optional<std::pair<int, std::array<std::uint8_t, 16>>> parse_ip(const std::string& text) {
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return std::pair{AF_INET, bytes};
    if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return std::pair{AF_INET6, bytes};
    return std::nullopt;
}

std::optional<Subnet> parse_subnet(const std::string& entry) {
    const auto slash = entry.find('/');
    auto ip = parse_ip(entry.substr(0, slash));
    if (!ip) return std::nullopt;
    Subnet subnet{ip->first, ip->second, ip->first == AF_INET ? 32 : 128};
    if (slash == std::string::npos) return subnet;
    const std::string mask = entry.substr(slash + 1);
    if (mask.empty()) return std::nullopt;
    if (std::all_of(mask.begin(), mask.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (mask.size() > 3) return std::nullopt;
        const int prefix = std::stoi(mask);
        if (prefix > subnet.prefix) return std::nullopt;
        subnet.prefix = prefix;
        return subnet;
    }
    // A netmask written as an address: must be contiguous ones.
    auto netmask = parse_ip(mask);
    if (!netmask || netmask->first != subnet.family) return std::nullopt;
    const int bytes = subnet.family == AF_INET ? 4 : 16;
    int prefix = 0;
    bool zeros = false;
    for (int i = 0; i < bytes * 8; ++i) {
        const bool one = (netmask->second[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1;
        if (one && zeros) return std::nullopt;
        if (one) ++prefix;
        else zeros = true;
    }
    subnet.prefix = prefix;
    return subnet;
}

// The address part of "1.2.3.4:5678" / "[::1]:5678".
std::string peer_host(const std::string& peer) {
    if (!peer.empty() && peer.front() == '[') {
        const auto close = peer.find(']');
        return close == std::string::npos ? std::string() : peer.substr(1, close - 1);
    }
    const auto colon = peer.rfind(':');
    return colon == std::string::npos ? peer : peer.substr(0, colon);
}

bool subnet_contains(const Subnet& subnet, int family, const std::array<std::uint8_t, 16>& address) {
    std::array<std::uint8_t, 16> candidate = address;
    int candidate_family = family;
    // An IPv4-mapped IPv6 peer matches IPv4 subnets.
    static constexpr std::uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == AF_INET6 && subnet.family == AF_INET && std::memcmp(address.data(), MAPPED, 12) == 0) {
        std::array<std::uint8_t, 16> v4{};
        std::copy(address.begin() + 12, address.end(), v4.begin());
        candidate = v4;
        candidate_family = AF_INET;
    }
    if (candidate_family != subnet.family) return false;
    for (int i = 0; i < subnet.prefix; ++i) {
        const auto byte = static_cast<std::size_t>(i / 8);
        const int bit = 7 - i % 8;
        if (((candidate[byte] >> bit) & 1) != ((subnet.address[byte] >> bit) & 1)) return false;
    }
    return true;
}

}  // namespace

bool valid_allow_entry(const std::string& entry) { return parse_subnet(entry).has_value(); }

bool peer_allowed(const std::string& peer, const std::vector<std::string>& allowed) {
    auto ip = parse_ip(peer_host(peer));
    if (!ip) return false;
    static const std::vector<std::string> LOCAL = {"127.0.0.0/8", "::1"};
    for (const auto* list : {&LOCAL, &allowed}) {
        for (const std::string& entry : *list) {
            auto subnet = parse_subnet(entry);
            if (subnet && subnet_contains(*subnet, ip->first, ip->second)) return true;
        }
    }
    return false;
}

namespace {

// Everything a running node owns, destroyed in reverse order of construction.
class Node {
public:
    explicit Node(Settings settings) : settings_(std::move(settings)) {}

    int run(int daemon_pipe);

private:
    Result<void, std::string> start_rpc();
    Result<void, std::string> load_chain();
    void wait_for_shutdown();
    void shutdown();

    Settings settings_;
    std::optional<ChainParams> custom_params_;
    const ChainParams* params_ = nullptr;
    std::filesystem::path chain_dir_;
    std::optional<DirectoryLock> lock_;
    std::optional<PidFile> pid_file_;
    std::unique_ptr<Logger> logger_;
    NodeContext context_;
    RpcDispatcher dispatcher_;
    RpcAuthenticator authenticator_;
    std::optional<RpcCookie> cookie_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<ChainState> chain_;
    std::unique_ptr<NodeNetwork> network_;
    std::atomic<bool> shutdown_requested_{false};
    int exit_status_ = 0;
};

Result<void, std::string> Node::start_rpc() {
    const std::uint16_t port = static_cast<std::uint16_t>(settings_.get_int("rpcport", params_->rpc_port));
    if (settings_.is_set("rpcport") && (settings_.get_int("rpcport", 0) < 1 || settings_.get_int("rpcport", 0) > 65535)) {
        return fail("Invalid port specified in -rpcport: '" + settings_.get_or("rpcport", "") + "'");
    }
    const std::vector<std::string> allow = settings_.get_all("rpcallowip");
    for (const std::string& entry : allow) {
        if (!valid_allow_entry(entry)) {
            return fail("Invalid -rpcallowip subnet specification: " + entry +
                        ". Valid values are a single IP (e.g. 1.2.3.4), a network/netmask (e.g. "
                        "1.2.3.4/255.255.255.0), or a network/CIDR (e.g. 1.2.3.4/24).");
        }
    }
    HttpServerOptions options;
    options.endpoints = {{"127.0.0.1", port}, {"::1", port}};
    const std::vector<std::string> binds = settings_.get_all("rpcbind");
    if (!binds.empty() && allow.empty()) {
        logger_->log_warning(
            "Option -rpcbind was ignored because -rpcallowip was not specified, refusing to allow "
            "everyone to connect");
    } else if (!binds.empty()) {
        options.endpoints.clear();
        for (const std::string& bind : binds) {
            auto endpoint = parse_http_endpoint(bind, port);
            if (!endpoint) return fail(endpoint.error());
            options.endpoints.push_back(*endpoint);
        }
    } else if (!allow.empty()) {
        options.endpoints = {{"0.0.0.0", port}, {"::", port}};
    }
    options.threads = static_cast<int>(std::clamp<std::int64_t>(settings_.get_int("rpcthreads", DEFAULT_RPC_THREADS), 1, 64));
    options.work_queue_depth = static_cast<std::size_t>(
        std::clamp<std::int64_t>(settings_.get_int("rpcworkqueue", DEFAULT_RPC_WORKQUEUE), 1, 65536));
    options.timeout = std::chrono::seconds(
        std::clamp<std::int64_t>(settings_.get_int("rpcservertimeout", DEFAULT_RPC_SERVERTIMEOUT_S), 1, 3600));

    // Credentials: -rpcauth lines, -rpcuser/-rpcpassword, else a cookie.
    for (const std::string& line : settings_.get_all("rpcauth")) {
        auto entry = parse_rpcauth(line);
        if (!entry) return fail("Invalid -rpcauth argument. " + entry.error());
        authenticator_.add_rpcauth(std::move(*entry));
    }
    const std::string password = settings_.get_or("rpcpassword", "");
    if (!password.empty()) {
        authenticator_.add_user_password(settings_.get_or("rpcuser", ""), password);
    } else {
        const std::filesystem::path cookie_path =
            resolve_path(chain_dir_, settings_.get_or("rpccookiefile", ".cookie"));
        auto cookie = RpcCookie::create(cookie_path);
        if (!cookie) return fail(cookie.error());
        authenticator_.add_cookie(cookie->credentials());
        logger_->log_info("Generated RPC authentication cookie {}", cookie_path.string());
        cookie_.emplace(std::move(*cookie));
    }

    register_blockchain_rpcs(dispatcher_, context_);
    register_rawtransaction_rpcs(dispatcher_, context_);
    register_mining_rpcs(dispatcher_, context_);
    register_node_rpcs(dispatcher_, context_);
    register_net_rpcs(dispatcher_, context_);
    dispatcher_.set_warmup("Loading block index…");

    RpcHttpOptions http_options;
    Logger* logger = logger_.get();
    http_options.log = [logger](const std::string& line) { logger->log_info("{}", line); };
    HttpHandler rpc_handler = make_rpc_http_handler(dispatcher_, authenticator_, http_options);
    HttpHandler handler = [rpc_handler, allow, logger](const HttpRequest& request) {
        if (!peer_allowed(request.peer, allow)) {
            logger->log_info("Rejected connection from {} (not in -rpcallowip)", request.peer);
            return HttpResponse::text(HTTP_FORBIDDEN);
        }
        return rpc_handler(request);
    };
    auto server = HttpServer::start(options, handler);
    if (!server) return fail(server.error());
    http_ = std::move(*server);
    for (const std::string& warning : http_->warnings()) logger_->log_warning("{}", warning);
    for (const HttpEndpoint& endpoint : http_->bound_endpoints()) {
        logger_->log_info("Binding RPC on address {} port {}", endpoint.host, endpoint.port);
    }
    return {};
}

Result<void, std::string> Node::load_chain() {
    const std::int64_t dbcache_mib = std::max<std::int64_t>(settings_.get_int("dbcache", DEFAULT_DBCACHE_MIB), MIN_DBCACHE_MIB);
    const std::size_t total = static_cast<std::size_t>(dbcache_mib) << 20;
    ChainStateOptions options;
    options.data_dir = chain_dir_;
    options.db_cache_bytes = std::min<std::size_t>(total / 8, 64 << 20);
    options.coins_cache_bytes = total - options.db_cache_bytes;
    options.reindex = settings_.get_bool("reindex", false) || settings_.get_bool("reindex-chainstate", false);
    options.txindex = settings_.get_bool("txindex", false);
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    std::int64_t par = settings_.get_int("par", 0);
    if (par <= 0) par += static_cast<std::int64_t>(cores);
    options.script_threads = static_cast<int>(std::clamp<std::int64_t>(par - 1, 0, 15));
    NodeContext* context = &context_;
    options.now = [context] { return context->now(); };
    Logger* logger = logger_.get();
    options.log = [logger](const std::string& line) { logger->log_info("{}", line); };

    logger_->log_info("Cache configuration: {} MiB for the UTXO set, {} MiB for the database",
                      options.coins_cache_bytes >> 20, options.db_cache_bytes >> 20);
    logger_->log_info("Script verification uses {} additional threads", options.script_threads);
    if (options.reindex) logger_->log_info("Reindex requested: rebuilding the chain state from the block files");
    auto chain = ChainState::open(*params_, std::move(options));
    if (!chain) return fail(chain.error());
    chain_ = std::move(*chain);
    context_.chain = chain_.get();

    const int check_blocks = static_cast<int>(settings_.get_int("checkblocks", DEFAULT_CHECKBLOCKS));
    const int check_level = static_cast<int>(settings_.get_int("checklevel", DEFAULT_CHECKLEVEL));
    if (check_blocks != 0 || settings_.is_set("checklevel")) {
        logger_->log_info("Verifying last {} blocks at level {}", check_blocks, check_level);
        std::string message;
        if (!chain_->verify_chain(check_level, check_blocks, message)) {
            return fail("Corrupted block database detected. " + message +
                        "\nPlease restart with -reindex or -reindex-chainstate to recover.");
        }
    }
    return {};
}

void Node::wait_for_shutdown() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    auto last_flush = std::chrono::steady_clock::now();
    while (!shutdown_requested_.load()) {
        timespec timeout{0, 200'000'000};
        const int signal = sigtimedwait(&signals, nullptr, &timeout);
        if (signal == SIGINT || signal == SIGTERM) {
            logger_->log_info("Received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
            break;
        }
        if (auto fatal = chain_->fatal_error()) {
            logger_->log_error("A fatal internal error occurred: {}. Shutting down.", *fatal);
            exit_status_ = 1;
            break;
        }
        if (std::chrono::steady_clock::now() - last_flush > std::chrono::seconds(60)) {
            if (auto ok = chain_->flush(false); !ok) {
                logger_->log_error("{}", ok.error());
                exit_status_ = 1;
                break;
            }
            last_flush = std::chrono::steady_clock::now();
        }
    }
}

void Node::shutdown() {
    logger_->log_info("Shutdown: In progress...");
    if (http_) http_->stop();
    if (network_) {
        network_->stop();
        network_.reset();
    }
    if (chain_) {
        if (auto ok = chain_->flush(true); !ok) logger_->log_error("Failed to flush the chain state: {}", ok.error());
        context_.chain = nullptr;
        chain_.reset();
    }
    http_.reset();
    cookie_.reset();
    pid_file_.reset();
    logger_->log_info("Shutdown: done");
}

int Node::run(int daemon_pipe) {
    auto report_to_parent = [&](bool ok) {
        if (daemon_pipe >= 0) {
            const char status = ok ? '1' : '0';
            (void)!::write(daemon_pipe, &status, 1);
            ::close(daemon_pipe);
            daemon_pipe = -1;
        }
    };
    auto early_error = [&](const std::string& message) {
        std::fprintf(stderr, "Error: %s\n", message.c_str());
        if (logger_) logger_->log_error("{}", message);
        report_to_parent(false);
        return 1;
    };

    const ChainType chain = settings_.chain();
    if (chain == ChainType::signet && settings_.is_set("signetchallenge")) {
        auto challenge = parse_hex(settings_.get_or("signetchallenge", ""));
        if (!challenge || challenge->empty()) return early_error("-signetchallenge must be a hex script");
        custom_params_ = make_signet_params(*challenge);
        params_ = &*custom_params_;
    } else {
        params_ = &chain_params(chain);
    }
    chain_dir_ = chain_data_dir(settings_.data_dir, chain);
    if (auto ok = ensure_directory(chain_dir_); !ok) return early_error(ok.error());
    auto lock = DirectoryLock::acquire(chain_dir_);
    if (!lock) return early_error(lock.error());
    lock_.emplace(std::move(*lock));

    auto log_config = logger_config(settings_, chain_dir_);
    if (!log_config) return early_error(log_config.error());
    logger_ = std::make_unique<Logger>(std::move(*log_config));
    if (auto ok = logger_->open(); !ok) return early_error(ok.error());
    logger_->log_info("{}", version_line("bitloomd"));
    logger_->log_info("Chain: {}", chain_type_name(chain));
    logger_->log_info("Using data directory {}", chain_dir_.string());
    if (settings_.conf_file) logger_->log_info("Config file: {}", settings_.conf_file->string());
    for (const std::string& warning : settings_.warnings) logger_->log_warning("{}", warning);
    for (const std::string& name : options_not_yet_used(settings_)) {
        logger_->log_info("Option {} is accepted but not used yet", name);
    }

    if (settings_.is_set("pid") || daemon_pipe >= 0) {
        auto pid = PidFile::create(resolve_path(chain_dir_, settings_.get_or("pid", DEFAULT_PID_FILE)));
        if (!pid) return early_error(pid.error());
        pid_file_.emplace(std::move(*pid));
    }

    context_.params = params_;
    context_.settings = &settings_;
    context_.logger = logger_.get();
    context_.mock_time.store(settings_.get_int("mocktime", 0));
    context_.request_shutdown = [this] { shutdown_requested_.store(true); };

    if (settings_.get_bool("server", true)) {
        if (auto ok = start_rpc(); !ok) {
            shutdown();
            return early_error(ok.error());
        }
    }
    if (auto ok = load_chain(); !ok) {
        shutdown();
        return early_error(ok.error());
    }
    auto network = NodeNetwork::start(settings_, *params_, *chain_, *logger_, context_, chain_dir_);
    if (!network) {
        shutdown();
        return early_error(network.error());
    }
    network_ = std::move(*network);
    dispatcher_.clear_warmup();
    logger_->log_info("Done loading");
    report_to_parent(true);

    wait_for_shutdown();
    shutdown();
    return exit_status_;
}

// Forks into the background: the parent waits (with -daemonwait) for the child to report
// start-up, or returns at once. Returns the pipe the child reports on, or -1 for no daemon.
// Exits the parent.
int daemonize(bool wait) {
    int fds[2];
    if (::pipe(fds) != 0) {
        std::perror("Error: pipe");
        std::exit(1);
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        std::perror("Error: fork");
        std::exit(1);
    }
    if (pid > 0) {
        ::close(fds[1]);
        int status = 0;
        if (wait) {
            char byte = '0';
            status = ::read(fds[0], &byte, 1) == 1 && byte == '1' ? 0 : 1;
            if (status != 0) std::fprintf(stderr, "Error during initialization - check debug.log for details\n");
        }
        std::_Exit(status);
    }
    ::close(fds[0]);
    ::setsid();
    std::fflush(stdout);
    return fds[1];
}

}  // namespace

int run_node(int argc, const char* const* argv) {
    {
        ArgsParser args;
        register_node_options(args);
        auto parsed = args.parse(argc, argv);
        if (!parsed) {
            std::fprintf(stderr, "Error: Error parsing command line arguments: %s\n",
                         parsed.error().message().c_str());
            return 1;
        }
        if (args.get_bool("version", false)) {
            std::printf("%s\n", version_line("bitloomd").c_str());
            return 0;
        }
        if (args.get_bool("help", false) || args.get_bool("h", false) || args.get_bool("?", false)) {
            std::printf("%s\n\nUsage:  bitloomd [options]                     Start bitloom node\n\n%s",
                        version_line("bitloomd").c_str(), args.help_text().c_str());
            return 0;
        }
        if (!args.positional().empty()) {
            std::fprintf(stderr,
                         "Error: Command line contains unexpected token '%s', see bitloomd -h for a "
                         "list of options.\n",
                         args.positional().front().c_str());
            return 1;
        }
    }
    auto settings = load_settings(argc, argv);
    if (!settings) {
        std::fprintf(stderr, "Error: %s\n", settings.error().c_str());
        return 1;
    }
    if (auto ok = validate_node_settings(*settings); !ok) {
        std::fprintf(stderr, "Error: %s\n", ok.error().c_str());
        return 1;
    }

    int daemon_pipe = -1;
    const bool daemon_wait = settings->get_bool("daemonwait", false);
    if (settings->get_bool("daemon", false) || daemon_wait) daemon_pipe = daemonize(daemon_wait);

    // Signals are taken synchronously by the main thread (sigtimedwait); every thread started
    // from here on inherits the blocked mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    Node node(std::move(*settings));
    return node.run(daemon_pipe);
}

}  // namespace bitloom
