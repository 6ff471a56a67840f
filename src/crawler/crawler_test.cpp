// The crawler against a handful of fake nodes on 127.0.0.0/8 (it never dials anything else):
// well-behaved nodes that answer the handshake and getaddr, and one of each failure: refusing,
// silent, slow bytes, wrong network magic, garbage, and a 100,000-entry addr reply. The store
// is checked afterwards, and a crawl stopped midway (or killed, in a child process) and
// resumed neither loses nor repeats.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crawler/crawler.h"
#include "net/socket.h"
#include "p2p/messages.h"
#include "p2p/peer.h"
#include "util/version.h"

namespace bitloom {
namespace {

constexpr MessageStart MAGIC = {0xfa, 0xbf, 0xb5, 0xda};   // regtest
constexpr MessageStart OTHER = {0x1c, 0x16, 0x3f, 0x28};   // testnet4

// flood: answers getaddr with three addr messages of 1,000 entries and never answers pings,
// so the crawler keeps reading until its getaddr timeout.
enum class Behaviour { normal, refusing, silent, slow, wrong_magic, garbage, huge_addr, flood };

bool send_all(int fd, ByteSpan data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t sent = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
            pollfd entry{fd, POLLOUT, 0};
            if (::poll(&entry, 1, 2000) != 1) return false;
            continue;
        }
        if (sent <= 0) return false;
        done += static_cast<std::size_t>(sent);
    }
    return true;
}

// An addr payload of `count` entries (beyond the codec's limit, so written by hand).
Bytes huge_addr_payload(std::uint32_t count) {
    Bytes out = {0xfe, static_cast<std::uint8_t>(count), static_cast<std::uint8_t>(count >> 8),
                 static_cast<std::uint8_t>(count >> 16), static_cast<std::uint8_t>(count >> 24)};
    out.reserve(5 + 30 * static_cast<std::size_t>(count));
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint8_t entry[30] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
                                        127, 1, static_cast<std::uint8_t>(i >> 8),
                                        static_cast<std::uint8_t>(i), 0x20, 0x8d};
        out.insert(out.end(), entry, entry + 30);
    }
    return out;
}

struct FakeNode {
    Behaviour behaviour = Behaviour::normal;
    NetService service;
    std::string user_agent;
    std::int32_t height = 0;
    std::vector<NetService> knows;
    Socket listener;
    std::thread thread;
    // What the crawler told us (guarded by FakeNetwork::mutex).
    std::vector<PeerInfo> versions_seen;
    int connections = 0;
};

// Fake nodes, each on its own 127.0.0.x address and a port the kernel picks.
class FakeNetwork {
public:
    FakeNode& add(Behaviour behaviour) {
        auto node = std::make_unique<FakeNode>();
        node->behaviour = behaviour;
        const std::uint8_t host = static_cast<std::uint8_t>(10 + nodes_.size());
        const NetService where{NetAddress::ipv4({127, 0, 0, host}), 0};
        auto listener = listen_on(where);
        EXPECT_TRUE(listener.has_value());
        sockaddr_storage storage{};
        socklen_t length = sizeof(storage);
        ::getsockname(listener->fd(), reinterpret_cast<sockaddr*>(&storage), &length);
        node->service = *from_socket_address(reinterpret_cast<sockaddr*>(&storage), length);
        node->user_agent = "/fake:" + std::to_string(nodes_.size()) + "/";
        node->height = 100 + static_cast<std::int32_t>(nodes_.size());
        if (behaviour == Behaviour::refusing) {
            listener->reset();  // nothing listens there any more: connects are refused
        } else {
            node->listener = std::move(*listener);
        }
        nodes_.push_back(std::move(node));
        return *nodes_.back();
    }

    void start() {
        for (auto& node : nodes_) {
            if (node->behaviour == Behaviour::refusing || node->behaviour == Behaviour::silent) {
                continue;  // a silent node's kernel completes the connect; nobody answers
            }
            FakeNode* raw = node.get();
            node->thread = std::thread([this, raw] { serve(*raw); });
        }
    }

    ~FakeNetwork() {
        stop_ = true;
        for (auto& node : nodes_) {
            if (node->thread.joinable()) node->thread.join();
        }
    }

    std::mutex mutex;

private:
    void serve(FakeNode& node) {
        while (!stop_) {
            pollfd entry{node.listener.fd(), POLLIN, 0};
            if (::poll(&entry, 1, 20) != 1) continue;
            auto accepted = accept_from(node.listener);
            if (!accepted || !accepted->has_value()) continue;
            {
                std::lock_guard lock(mutex);
                ++node.connections;
            }
            serve_connection(node, (*accepted)->socket, (*accepted)->remote);
        }
    }

    void serve_connection(FakeNode& node, Socket& socket, const NetService& remote) {
        const int fd = socket.fd();
        std::mt19937_64 random(node.service.port);
        if (node.behaviour == Behaviour::wrong_magic) {
            VersionMessage version;
            version.version = 70016;
            version.user_agent = node.user_agent;
            send_all(fd, encode_message(OTHER, "version", encode_version(version)));
        } else if (node.behaviour == Behaviour::garbage) {
            const std::string text = "GET / HTTP/1.1\r\nHost: bitloom\r\n\r\n";
            send_all(fd, ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
        }
        PeerConfig config;
        config.magic = MAGIC;
        config.services = services::NODE_NETWORK | services::NODE_WITNESS;
        config.user_agent = node.user_agent;
        config.start_height = [height = node.height] { return height; };
        config.nonce = random() | 1;
        config.random_u64 = [&random] { return random(); };
        config.direction = PeerDirection::inbound;
        config.address = remote;
        Peer peer(config);
        const auto now = [] {
            return std::chrono::duration_cast<PeerTime>(
                std::chrono::system_clock::now().time_since_epoch());
        };
        peer.connected(now());
        std::uint8_t buffer[65536];
        while (!stop_) {
            if (node.behaviour == Behaviour::slow) {
                // One byte of a valid header every 100 ms: never a whole message in time.
                static const Bytes message = encode_message(MAGIC, "verack", {});
                for (std::size_t i = 0; i < message.size() && !stop_; ++i) {
                    if (::send(fd, &message[i], 1, MSG_NOSIGNAL) != 1) return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                }
                return;
            }
            pollfd entry{fd, POLLIN, 0};
            if (::poll(&entry, 1, 20) != 1) continue;
            const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) return;
            if (node.behaviour != Behaviour::normal && node.behaviour != Behaviour::huge_addr &&
                node.behaviour != Behaviour::flood) {
                continue;  // read and ignore
            }
            peer.received(ByteSpan(buffer, static_cast<std::size_t>(got)), now());
            for (PeerAction& action : peer.take_actions()) {
                if (auto* send = std::get_if<SendBytes>(&action)) {
                    if (node.behaviour == Behaviour::flood && send->command == "pong") continue;
                    if (!send_all(fd, send->bytes)) return;
                } else if (std::get_if<Disconnect>(&action)) {
                    return;
                } else if (auto* done = std::get_if<HandshakeComplete>(&action)) {
                    std::lock_guard lock(mutex);
                    node.versions_seen.push_back(done->info);
                } else if (auto* message = std::get_if<ApplicationMessage>(&action)) {
                    if (message->command != "getaddr") continue;
                    if (node.behaviour == Behaviour::flood) {
                        // Unroutable even for tests (0.0.0.0): counted, never recorded or dialled.
                        std::vector<PeerAddress> addresses;
                        for (std::uint16_t port = 1; port <= 1000; ++port) {
                            addresses.push_back({NetService{NetAddress::ipv4({0, 0, 0, 0}), port},
                                                 services::NODE_NETWORK, 1'700'000'000});
                        }
                        const Bytes framed = encode_message(MAGIC, "addr", encode_addr(addresses));
                        for (int i = 0; i < 3; ++i) {
                            if (!send_all(fd, framed)) return;
                        }
                        continue;
                    }
                    Bytes payload;
                    if (node.behaviour == Behaviour::huge_addr) {
                        payload = huge_addr_payload(100'000);
                    } else {
                        std::vector<PeerAddress> addresses;
                        for (const NetService& other : node.knows) {
                            addresses.push_back({other, services::NODE_NETWORK, 1'700'000'000});
                        }
                        payload = encode_addr(addresses);
                    }
                    if (!send_all(fd, encode_message(MAGIC, "addr", payload))) return;
                }
            }
            // Answer pings and anything else queued by the sends above.
            for (PeerAction& action : peer.take_actions()) {
                auto* send = std::get_if<SendBytes>(&action);
                if (send == nullptr) continue;
                if (node.behaviour == Behaviour::flood && send->command == "pong") continue;
                send_all(fd, send->bytes);
            }
        }
    }

    std::vector<std::unique_ptr<FakeNode>> nodes_;
    std::atomic<bool> stop_{false};
};

struct Scenario {
    FakeNetwork network;
    FakeNode* seed = nullptr;
    std::vector<FakeNode*> reachable;
    std::map<Behaviour, FakeNode*> failing;

    Scenario() {
        FakeNode& a = network.add(Behaviour::normal);
        FakeNode& b = network.add(Behaviour::normal);
        FakeNode& c = network.add(Behaviour::normal);
        FakeNode& d = network.add(Behaviour::normal);
        for (Behaviour behaviour : {Behaviour::refusing, Behaviour::silent, Behaviour::slow,
                                    Behaviour::wrong_magic, Behaviour::garbage,
                                    Behaviour::huge_addr}) {
            failing[behaviour] = &network.add(behaviour);
        }
        seed = &a;
        reachable = {&a, &b, &c, &d};
        a.knows = {b.service, c.service};
        for (const auto& [behaviour, node] : failing) a.knows.push_back(node->service);
        b.knows = {a.service, d.service};
        c.knows = {a.service, b.service, d.service};
        d.knows = {a.service, b.service};
        // A private address learnt from a peer is recorded only because tests allow private
        // ranges; 0.0.0.0 never is.
        d.knows.push_back(NetService{NetAddress::ipv4({0, 0, 0, 0}), 8333});
        network.start();
    }
    std::size_t node_count() const { return reachable.size() + failing.size(); }
};

CrawlerConfig test_config(const Scenario& scenario) {
    CrawlerConfig config;
    config.magic = MAGIC;
    config.seeds = {scenario.seed->service};
    config.scheduler.allow_private = true;
    config.scheduler.max_pass_retries = 0;
    config.scheduler.max_in_flight = 100;
    for (PhaseTimeouts& timeouts : config.scheduler.timeouts) {
        timeouts.connect = std::chrono::milliseconds(2000);
        timeouts.handshake = std::chrono::milliseconds(1000);
        timeouts.getaddr = std::chrono::milliseconds(2000);
    }
    config.batch_size = 3;
    config.batch_interval = std::chrono::milliseconds(100);
    config.duration = std::chrono::seconds(30);  // a backstop; a pass takes about a second
    return config;
}

class TempStore {
public:
    TempStore() {
        path_ = std::filesystem::temp_directory_path() /
                ("bitloom-crawler-test-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter_++) + ".sqlite3");
        remove();
    }
    ~TempStore() { remove(); }
    std::string path() const { return path_.string(); }

private:
    void remove() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(path_.string() + suffix, ignored);
        }
    }
    static inline int counter_ = 0;
    std::filesystem::path path_;
};

CrawlSummary crawl(CrawlerConfig config, CrawlStore& store) {
    auto crawler = Crawler::create(std::move(config), store);
    EXPECT_TRUE(crawler.has_value());
    auto summary = (*crawler)->run();
    EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error());
    return summary ? *summary : CrawlSummary{};
}

TEST(Crawler, finds_each_reachable_node_once_and_records_each_failure_by_kind) {
    Scenario scenario;
    TempStore file;
    auto store = CrawlStore::open(file.path());
    ASSERT_TRUE(store.has_value());

    std::vector<CrawlProgress> progress;
    CrawlerConfig config = test_config(scenario);
    config.progress_interval = std::chrono::milliseconds(100);
    config.on_progress = [&](const CrawlProgress& p) { progress.push_back(p); };
    const CrawlSummary summary = crawl(config, *store);

    EXPECT_FALSE(summary.stopped);
    EXPECT_EQ(summary.passes_completed, 1u);
    EXPECT_EQ(summary.attempts, scenario.node_count());
    EXPECT_EQ(summary.successes, scenario.reachable.size());
    EXPECT_EQ(summary.errors[static_cast<std::size_t>(CrawlError::refused)], 1u);
    EXPECT_EQ(summary.errors[static_cast<std::size_t>(CrawlError::timeout)], 2u);
    EXPECT_EQ(summary.errors[static_cast<std::size_t>(CrawlError::wrong_network)], 1u);
    EXPECT_EQ(summary.errors[static_cast<std::size_t>(CrawlError::protocol_error)], 2u);
    EXPECT_FALSE(progress.empty());

    auto nodes = store->load_nodes();
    ASSERT_TRUE(nodes.has_value());
    // Every fake node once, and nothing taken from the 100,000-entry reply.
    EXPECT_EQ(nodes->size(), scenario.node_count());
    for (const FakeNode* node : scenario.reachable) {
        auto record = store->load_node(node->service);
        ASSERT_TRUE(record.has_value()) << node->service.to_string();
        EXPECT_EQ(record->attempts, 1u);
        EXPECT_EQ(record->successes, 1u);
        EXPECT_EQ(record->handshake.user_agent, node->user_agent);
        EXPECT_EQ(record->handshake.start_height, node->height);
        EXPECT_EQ(record->handshake.protocol_version, PROTOCOL_VERSION);
        EXPECT_EQ(record->handshake.services, services::NODE_NETWORK | services::NODE_WITNESS);
        EXPECT_GE(record->handshake.connect_ms, 0);
        EXPECT_GE(record->handshake.handshake_ms, 0);
        EXPECT_GE(record->handshake.ping_ms, 0);
        EXPECT_EQ(record->advertised[network_index(Network::ipv4)],
                  node->knows.size()) << node->user_agent;
        EXPECT_EQ(*store->attempt_count(node->service), 1u);
        std::lock_guard lock(scenario.network.mutex);
        ASSERT_EQ(node->versions_seen.size(), 1u);
        EXPECT_EQ(node->versions_seen[0].user_agent, user_agent());
        EXPECT_FALSE(node->versions_seen[0].relay);
        EXPECT_TRUE(node->versions_seen[0].wants_addrv2);
    }
    const std::map<Behaviour, CrawlError> expected = {
        {Behaviour::refusing, CrawlError::refused},
        {Behaviour::silent, CrawlError::timeout},
        {Behaviour::slow, CrawlError::timeout},
        {Behaviour::wrong_magic, CrawlError::wrong_network},
        {Behaviour::garbage, CrawlError::protocol_error},
        {Behaviour::huge_addr, CrawlError::protocol_error},
    };
    for (const auto& [behaviour, error] : expected) {
        const FakeNode* node = scenario.failing.at(behaviour);
        auto record = store->load_node(node->service);
        ASSERT_TRUE(record.has_value());
        EXPECT_EQ(record->attempts, 1u) << to_string(error);
        EXPECT_EQ(record->successes, 0u);
        EXPECT_EQ(record->last_error, error) << to_string(record->last_error);
        // Who told us about it: the seed.
        EXPECT_EQ(record->source, scenario.seed->service);
        EXPECT_EQ(*store->advertisement_count(scenario.seed->service, node->service), 1u);
    }
    // The seed was given by the user: no source.
    EXPECT_FALSE(store->load_node(scenario.seed->service)->source.has_value());

    auto runs = store->load_runs();
    ASSERT_TRUE(runs.has_value());
    ASSERT_EQ(runs->size(), 1u);
    EXPECT_EQ((*runs)[0].attempts, scenario.node_count());
    EXPECT_EQ((*runs)[0].successes, scenario.reachable.size());
    EXPECT_EQ((*runs)[0].new_nodes, scenario.node_count());
    EXPECT_GT((*runs)[0].end_time, 0);
    auto counts = store->counts();
    EXPECT_EQ(counts->reachable, scenario.reachable.size());
}

TEST(Crawler, a_stopped_crawl_resumes_without_losing_or_repeating_attempts) {
    Scenario scenario;
    TempStore file;
    auto store = CrawlStore::open(file.path());
    ASSERT_TRUE(store.has_value());

    CrawlerConfig first = test_config(scenario);
    first.scheduler.max_in_flight = 1;
    Crawler* running = nullptr;
    int finished = 0;
    first.on_attempt = [&](const NetService&, const AttemptOutcome&) {
        if (++finished == 2) running->stop();
    };
    auto crawler = Crawler::create(first, *store);
    ASSERT_TRUE(crawler.has_value());
    running = crawler->get();
    auto stopped = (*crawler)->run();
    ASSERT_TRUE(stopped.has_value());
    EXPECT_TRUE(stopped->stopped);
    EXPECT_LT(stopped->attempts, scenario.node_count());
    EXPECT_EQ(stopped->passes_completed, 0u);
    crawler->reset();

    const CrawlSummary resumed = crawl(test_config(scenario), *store);
    EXPECT_FALSE(resumed.stopped);
    EXPECT_EQ(resumed.passes_completed, 1u);
    EXPECT_EQ(stopped->attempts + resumed.attempts, scenario.node_count());
    EXPECT_EQ(stopped->new_nodes + resumed.new_nodes, scenario.node_count());

    auto nodes = store->load_nodes();
    ASSERT_TRUE(nodes.has_value());
    EXPECT_EQ(nodes->size(), scenario.node_count());
    for (const NodeRecord& record : *nodes) {
        EXPECT_EQ(record.attempts, 1u) << record.service.to_string();
        EXPECT_EQ(*store->attempt_count(record.service), 1u) << record.service.to_string();
    }
    for (const FakeNode* node : scenario.reachable) {
        EXPECT_EQ(store->load_node(node->service)->handshake.user_agent, node->user_agent);
        std::lock_guard lock(scenario.network.mutex);
        EXPECT_EQ(node->versions_seen.size(), 1u) << node->user_agent;
    }
    auto runs = store->load_runs();
    ASSERT_TRUE(runs.has_value());
    ASSERT_EQ(runs->size(), 2u);
    EXPECT_EQ((*runs)[0].attempts + (*runs)[1].attempts, scenario.node_count());
    EXPECT_EQ(store->counts()->reachable, scenario.reachable.size());
}

TEST(Crawler, a_second_pass_on_the_same_day_tries_nothing_until_nodes_are_due) {
    Scenario scenario;
    TempStore file;
    auto store = CrawlStore::open(file.path());
    ASSERT_TRUE(store.has_value());
    crawl(test_config(scenario), *store);
    const CrawlSummary again = crawl(test_config(scenario), *store);
    EXPECT_EQ(again.attempts, 0u);
    EXPECT_EQ(again.new_nodes, 0u);
    EXPECT_EQ(again.passes_completed, 1u);
}

TEST(Crawler, takes_at_most_2500_addresses_from_one_peer_and_waits_out_a_missing_pong) {
    FakeNetwork network;
    FakeNode& flood = network.add(Behaviour::flood);
    network.start();
    TempStore file;
    auto store = CrawlStore::open(file.path());
    ASSERT_TRUE(store.has_value());
    CrawlerConfig config;
    config.magic = MAGIC;
    config.seeds = {flood.service};
    config.scheduler.allow_private = true;
    for (PhaseTimeouts& timeouts : config.scheduler.timeouts) {
        timeouts.getaddr = std::chrono::milliseconds(1500);
    }
    const auto start = std::chrono::steady_clock::now();
    const CrawlSummary summary = crawl(config, *store);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
    EXPECT_EQ(summary.successes, 1u);
    auto record = store->load_node(flood.service);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->successes, 1u);
    EXPECT_EQ(record->handshake.ping_ms, -1);  // no pong came
    EXPECT_EQ(record->advertised[network_index(Network::ipv4)], 2500u);
    EXPECT_EQ(store->counts()->known, 1u);
}

// The child process of the kill test below: when the environment names a store and a seed,
// this test program crawls them until it is killed, before any test runs (the kill test
// re-executes the program with them set).
bool crawl_as_child_if_asked() {
    const char* store_path = std::getenv("BITLOOM_CRAWL_CHILD_STORE");
    const char* seed = std::getenv("BITLOOM_CRAWL_CHILD_SEED");
    if (store_path == nullptr || seed == nullptr) return false;
    auto store = CrawlStore::open(store_path);
    if (!store) ::_exit(2);
    CrawlerConfig config;
    config.magic = MAGIC;
    config.seeds = {*NetService::parse(seed, 0)};
    config.scheduler.allow_private = true;
    config.scheduler.max_pass_retries = 0;
    for (PhaseTimeouts& timeouts : config.scheduler.timeouts) {
        timeouts.handshake = std::chrono::seconds(30);  // the silent node keeps the pass open
    }
    config.batch_interval = std::chrono::milliseconds(50);
    auto crawler = Crawler::create(config, *store);
    if (!crawler) ::_exit(3);
    (void)(*crawler)->run();
    ::_exit(0);
}
[[maybe_unused]] const bool crawling_as_child = crawl_as_child_if_asked();

TEST(Crawler, a_killed_crawl_resumes_without_losing_or_repeating_attempts) {
    Scenario scenario;
    TempStore file;
    {
        auto created = CrawlStore::open(file.path());
        ASSERT_TRUE(created.has_value());
    }
    // Everything the child needs is prepared before fork(): between fork and exec a child
    // of a threaded process may only make async-signal-safe calls.
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
    environment.push_back("BITLOOM_CRAWL_CHILD_STORE=" + file.path());
    environment.push_back("BITLOOM_CRAWL_CHILD_SEED=" + scenario.seed->service.to_string());
    std::vector<char*> envp;
    for (std::string& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string program = "/proc/self/exe";
    char* argv[] = {program.data(), nullptr};
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::execve(argv[0], argv, envp.data());
        ::_exit(127);
    }
    // Wait until the child has committed some attempts (it cannot finish: the silent node
    // holds its pass open for 30 s), then kill it without warning.
    bool some_recorded = false;
    for (int i = 0; i < 200 && !some_recorded; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto reader = CrawlStore::open(file.path());
        if (!reader) continue;
        auto counts = reader->counts();
        some_recorded = counts && counts->reachable >= 2;
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(some_recorded);
    ASSERT_TRUE(WIFSIGNALED(status));

    auto store = CrawlStore::open(file.path());
    ASSERT_TRUE(store.has_value());
    auto before = store->load_nodes();
    ASSERT_TRUE(before.has_value());
    std::uint64_t attempts_before = 0;
    for (const NodeRecord& record : *before) attempts_before += record.attempts;
    EXPECT_LT(attempts_before, scenario.node_count());

    const CrawlSummary resumed = crawl(test_config(scenario), *store);
    EXPECT_EQ(resumed.passes_completed, 1u);
    EXPECT_EQ(attempts_before + resumed.attempts, scenario.node_count());
    auto nodes = store->load_nodes();
    ASSERT_TRUE(nodes.has_value());
    EXPECT_EQ(nodes->size(), scenario.node_count());
    for (const NodeRecord& record : *nodes) {
        EXPECT_EQ(record.attempts, 1u) << record.service.to_string();
        EXPECT_EQ(*store->attempt_count(record.service), 1u) << record.service.to_string();
    }
    for (const FakeNode* node : scenario.reachable) {
        EXPECT_EQ(store->load_node(node->service)->handshake.user_agent, node->user_agent);
    }
    EXPECT_EQ(store->counts()->reachable, scenario.reachable.size());
    auto runs = store->load_runs();
    ASSERT_TRUE(runs.has_value());
    ASSERT_EQ(runs->size(), 2u);
    EXPECT_EQ((*runs)[0].end_time, 0);  // the killed run never closed its row
    EXPECT_GT((*runs)[1].end_time, 0);
}

TEST(Crawler, formats_progress_and_summary_lines) {
    CrawlProgress progress;
    progress.known = 10;
    progress.tried = 4;
    progress.reachable = 3;
    progress.in_flight = 2;
    progress.pass = 1;
    progress.pass_remaining = 6;
    progress.handshakes_per_second = 1.5;
    progress.eta_seconds = 12;
    EXPECT_EQ(format_progress(progress),
              "known 10  tried 4  reachable 3  in flight 2  1.5 hs/s  pass 1: 6 left, ETA 12s");
    CrawlSummary summary;
    summary.attempts = 5;
    summary.errors[static_cast<std::size_t>(CrawlError::refused)] = 2;
    const std::string table = format_summary(summary);
    EXPECT_NE(table.find("attempts"), std::string::npos);
    EXPECT_NE(table.find("refused"), std::string::npos);
    EXPECT_EQ(table.find("timeout"), std::string::npos);
}

}  // namespace
}  // namespace bitloom
