// The crawler against the simulated network (crawler/simnet.h) of 2,000 nodes on 127/8, with
// its SOCKS5 endpoint as the onion proxy: every node is found exactly once, every answering
// node is recorded as the simulator describes it, and every failure mode as its error kind.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "crawler/crawler.h"
#include "crawler/simnet.h"

namespace bitloom {
namespace {

class TempStoreFile {
public:
    TempStoreFile() {
        path_ = std::filesystem::temp_directory_path() /
                ("bitloom-crawler-simnet-" + std::to_string(::getpid()) + ".sqlite3");
        remove();
    }
    ~TempStoreFile() { remove(); }
    std::string path() const { return path_.string(); }

private:
    void remove() {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(path_.string() + suffix, ignored);
        }
    }
    std::filesystem::path path_;
};

// What a failing node's attempt must be recorded as.
CrawlError expected_error(const SimulatedNode& node) {
    switch (node.behaviour) {
        case SimBehaviour::refused:
            // Through SOCKS5 the proxy reports the refusal.
            return node.is_onion() ? CrawlError::proxy_error : CrawlError::refused;
        case SimBehaviour::silent: return CrawlError::timeout;
        case SimBehaviour::wrong_magic: return CrawlError::wrong_network;
        case SimBehaviour::garbage: return CrawlError::protocol_error;
        case SimBehaviour::disconnect_mid_handshake: return CrawlError::reset;
        default: return CrawlError::none;
    }
}

TEST(CrawlerSimnet, finds_every_node_of_a_2000_node_network_once_and_matches_the_ground_truth) {
    SimulatedNetworkOptions options;
    options.nodes = 2000;
    options.seed = 7;
    options.port = 0;
    options.magic = {0xfa, 0xbf, 0xb5, 0xda};
    options.latency_min_ms = 20;
    options.latency_max_ms = 80;
    SimulatedNetwork network(options);
    auto started = network.start();
    ASSERT_TRUE(started.has_value()) << started.error();

    CrawlerConfig config;
    config.magic = options.magic;
    for (std::size_t index : network.entry_points()) {
        config.seeds.push_back(network.node(index).address);
    }
    config.scheduler.allow_private = true;
    config.scheduler.max_pass_retries = 0;
    config.scheduler.max_in_flight = 400;
    config.scheduler.proxies[network_index(Network::onion)] = network.socks_proxy();
    // Generous timeouts: a healthy node must never be mistaken for a silent one, even in a
    // sanitizer build on a busy machine; the silent ones wait them out in parallel.
    for (PhaseTimeouts& timeouts : config.scheduler.timeouts) {
        timeouts.connect = std::chrono::seconds(10);
        timeouts.handshake = std::chrono::seconds(10);
        timeouts.getaddr = std::chrono::seconds(10);
    }
    config.duration = std::chrono::seconds(120);  // a backstop

    TempStoreFile file;
    auto store = CrawlStore::open(file.path());
    ASSERT_TRUE(store.has_value());
    auto crawler = Crawler::create(config, *store);
    ASSERT_TRUE(crawler.has_value());
    auto summary = (*crawler)->run();
    ASSERT_TRUE(summary.has_value()) << summary.error();
    std::printf("%s", format_summary(*summary).c_str());
    EXPECT_EQ(summary->passes_completed, 1u);
    EXPECT_FALSE(summary->stopped);

    std::size_t answering = 0;
    std::size_t checked = 0;
    std::map<CrawlError, std::size_t> failures;
    for (std::size_t index = 0; index < network.size(); ++index) {
        const SimulatedNode node = network.node(index);
        auto record = store->load_node(node.address);
        ASSERT_TRUE(record.has_value()) << "never found: " << node.address.to_string();
        EXPECT_EQ(record->attempts, 1u) << node.address.to_string();
        ++checked;
        if (answers_getaddr(node.behaviour)) {
            ++answering;
            EXPECT_EQ(record->successes, 1u) << node.address.to_string();
            EXPECT_EQ(record->handshake.user_agent, node.user_agent);
            EXPECT_EQ(record->handshake.protocol_version, node.version);
            EXPECT_EQ(record->handshake.services, node.services);
            EXPECT_EQ(record->handshake.start_height, node.start_height);
            EXPECT_EQ(record->handshake.relay, node.relay);
        } else {
            EXPECT_EQ(record->successes, 0u) << node.address.to_string();
            EXPECT_EQ(record->last_error, expected_error(node))
                << node.address.to_string() << " " << to_string(node.behaviour) << " recorded as "
                << to_string(record->last_error);
            ++failures[record->last_error];
        }
    }
    std::printf("checked %zu simulated nodes: %zu answering, %zu failing\n", checked, answering,
                checked - answering);
    EXPECT_EQ(checked, 2000u);
    EXPECT_GT(answering, 0u);
    EXPECT_EQ(summary->successes, answering);

    // Everything else in the store is one of the simulator's fake addresses, never reached.
    auto nodes = store->load_nodes();
    ASSERT_TRUE(nodes.has_value());
    std::size_t fakes = 0;
    for (const NodeRecord& record : *nodes) {
        if (network.find(record.service)) continue;
        ++fakes;
        EXPECT_EQ(record.successes, 0u) << record.service.to_string();
        EXPECT_LE(record.attempts, 1u) << record.service.to_string();
    }
    std::printf("%zu fake addresses recorded\n", fakes);
    EXPECT_EQ(nodes->size(), network.size() + fakes);
}

}  // namespace
}  // namespace bitloom
