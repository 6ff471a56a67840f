// Whole-system tests of `bitloom crawl`: three real bitloomd -regtest nodes on loopback, crawled
// by the real `bitloom` executable run as a subprocess; then its store, its reports and its DNS
// seed server are checked. CTest passes the binaries' directory in BITLOOM_BIN_DIR.
//
// Only 127.0.0.0/8 is used: every node binds 127.0.0.1 and runs with -connect=0 -dnsseed=0
// -fixedseeds=0 (functional_harness.h), the crawl is given the nodes as --seed targets with
// --allow-private (loopback is not routable), and the DNS seed server binds 127.0.0.1.
//
// The DNS answers are empty on purpose: a seed hands out only good nodes, and a good node has a
// routable address on the chain's default port (node_stats.h is_good); nodes on 127.0.0.1 and
// ports chosen at run time are neither. So the DNS test checks that the server is up during
// the crawl and answers as a seed for its zone (NOERROR with no records at the apex and at a
// service-flag name, NXDOMAIN under the zone, REFUSED outside it) and that it stops with the
// crawl on Ctrl-C.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "consensus/chainparams.h"
#include "crawler/node_stats.h"
#include "crawler/postgres_test_cluster.h"
#include "crawler/store.h"
#include "encoding/address.h"
#include "encoding/prefixes.h"
#include "functional_harness.h"
#include "rpc/json.h"
#include "testutil/temp_dir.h"
#include "util/version.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;
using harness::NodeOptions;
using harness::NodeProcess;
using harness::wait_until;
using testutil::TempDir;

constexpr std::int32_t NODE_PROTOCOL_VERSION = 70016;
// Blocks each node mines before the crawl, so that each reports its own start height.
constexpr std::array<int, 3> NODE_HEIGHTS = {1, 3, 6};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A P2WPKH regtest address (key hash 0x22...22) for generatetoaddress.
std::string mining_address() {
    std::array<std::uint8_t, 20> hash{};
    hash.fill(0x22);
    return encode_address(WitnessV0KeyHash{Uint160(hash)}, REGTEST_ADDRESS_PREFIXES).value();
}

// One run of the `bitloom` executable with its standard output and error in files.
class BitloomProcess {
public:
    BitloomProcess(const std::vector<std::string>& args, const std::filesystem::path& log_dir,
                   const std::string& name)
        : out_path_(log_dir / (name + ".out")), err_path_(log_dir / (name + ".err")) {
        const std::string program = (harness::bin_dir() / "bitloom").string();
        std::vector<std::string> argv_storage{program};
        argv_storage.insert(argv_storage.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& arg : argv_storage) argv.push_back(arg.data());
        argv.push_back(nullptr);
        const std::string out = out_path_.string();
        const std::string err = err_path_.string();
        pid_ = fork();
        if (pid_ == 0) {
            const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out_fd < 0 || err_fd < 0) _exit(126);
            dup2(out_fd, STDOUT_FILENO);
            dup2(err_fd, STDERR_FILENO);
            execv(program.c_str(), argv.data());
            _exit(127);
        }
    }
    ~BitloomProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    BitloomProcess(const BitloomProcess&) = delete;
    BitloomProcess& operator=(const BitloomProcess&) = delete;

    bool started() const { return pid_ > 0; }
    void interrupt() const {
        if (pid_ > 0) kill(pid_, SIGINT);
    }
    // The exit status (128 + signal when killed by one); -1 after `timeout`, when the process
    // is killed.
    int wait(std::chrono::milliseconds timeout) {
        if (pid_ <= 0) return -1;
        int status = 0;
        const bool exited = wait_until(
            [&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout, 20ms);
        if (!exited) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            pid_ = -1;
            return -1;
        }
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
    }
    std::string out() const { return read_file(out_path_); }
    std::string err() const { return read_file(err_path_); }

private:
    std::filesystem::path out_path_;
    std::filesystem::path err_path_;
    pid_t pid_ = -1;
};

// What a finished `bitloom` run left behind.
struct RunResult {
    int status = -1;
    std::string out;
    std::string err;
};

RunResult run_bitloom(const std::vector<std::string>& args, const std::filesystem::path& log_dir,
                      const std::string& name, std::chrono::milliseconds timeout = 120s) {
    BitloomProcess process(args, log_dir, name);
    RunResult result;
    if (!process.started()) return result;
    result.status = process.wait(timeout);
    result.out = process.out();
    result.err = process.err();
    return result;
}

// The number on the summary line "  <name>   <number>" of a crawl's output; -1 when absent.
long long summary_value(const std::string& out, const std::string& name) {
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("  " + name + " ", 0) != 0) continue;
        const auto digits = line.find_first_not_of(' ', name.size() + 2);
        if (digits == std::string::npos) return -1;
        return std::stoll(line.substr(digits));
    }
    return -1;
}

// ---- DNS over UDP on loopback ----

// A query for `name` (dotted) of `qtype`, class IN, recursion desired, with `id`.
std::vector<std::uint8_t> dns_query(std::uint16_t id, const std::string& name,
                                    std::uint16_t qtype) {
    std::vector<std::uint8_t> packet = {static_cast<std::uint8_t>(id >> 8),
                                        static_cast<std::uint8_t>(id & 0xff),
                                        0x01, 0x00,  // RD
                                        0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        packet.push_back(static_cast<std::uint8_t>(dot - start));
        packet.insert(packet.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                      name.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    packet.push_back(0);
    packet.push_back(static_cast<std::uint8_t>(qtype >> 8));
    packet.push_back(static_cast<std::uint8_t>(qtype & 0xff));
    packet.push_back(0);
    packet.push_back(1);  // IN
    return packet;
}

struct DnsReply {
    std::uint16_t id = 0;
    bool response = false;       // QR
    bool authoritative = false;  // AA
    bool truncated = false;      // TC
    int rcode = -1;
    std::uint16_t questions = 0, answers = 0;
};

// Sends `query` to 127.0.0.1:`port` and reads the reply (`tries` tries, 2 s each).
std::optional<DnsReply> ask(std::uint16_t port, const std::vector<std::uint8_t>& query,
                            int tries = 3) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::optional<DnsReply> reply;
    for (int attempt = 0; attempt < tries && !reply; ++attempt) {
        if (sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&server),
                   sizeof server) != static_cast<ssize_t>(query.size())) {
            break;
        }
        pollfd readable{fd, POLLIN, 0};
        if (poll(&readable, 1, 2000) != 1) continue;
        std::array<std::uint8_t, 4096> buffer{};
        const ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
        if (got < 12) continue;
        auto u16 = [&](std::size_t at) {
            return static_cast<std::uint16_t>((buffer[at] << 8) | buffer[at + 1]);
        };
        DnsReply parsed;
        parsed.id = u16(0);
        parsed.response = (buffer[2] & 0x80) != 0;
        parsed.authoritative = (buffer[2] & 0x04) != 0;
        parsed.truncated = (buffer[2] & 0x02) != 0;
        parsed.rcode = buffer[3] & 0x0f;
        parsed.questions = u16(4);
        parsed.answers = u16(6);
        reply = parsed;
    }
    close(fd);
    return reply;
}

// ---- the three nodes and the first crawl, shared by every test ----

struct CrawledNode {
    std::uint16_t port = 0;
    int height = 0;
    std::uint64_t services = 0;  // getnetworkinfo's localservices
    std::string user_agent;      // getnetworkinfo's subversion (each node has its -uacomment)
};

class CrawlFunctional : public testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir("bitloom-crawl-functional");
        datadir_ = dir_->path() / "crawler";
        std::vector<std::string> args = {"crawl", "--chain", "regtest", "--allow-private",
                                         "--passes", "1", "--no-dns-seeds", "--quiet",
                                         "--datadir", datadir_.string()};
        for (std::size_t i = 0; i < NODE_HEIGHTS.size(); ++i) {
            NodeOptions options;
            options.extra_args = {"-uacomment=crawled-node-" + std::to_string(i)};
            auto node = std::make_unique<NodeProcess>(dir_->path() / ("node" + std::to_string(i)),
                                                      options);
            auto started = node->start();
            if (!started) {
                setup_error_ = "bitloomd " + std::to_string(i) + " did not start: " +
                               started.error();
                return;
            }
            auto mined = node->result_of(
                "generatetoaddress", Json::array({NODE_HEIGHTS[i], mining_address()}));
            auto info = node->result_of("getnetworkinfo");
            if (!mined || !info || !(*info)["localservices"].is_string() ||
                !(*info)["subversion"].is_string()) {
                setup_error_ = "node " + std::to_string(i) + ": mining or getnetworkinfo failed";
                return;
            }
            CrawledNode crawled;
            crawled.port = node->p2p_port();
            crawled.height = NODE_HEIGHTS[i];
            crawled.services =
                std::stoull((*info)["localservices"].get<std::string>(), nullptr, 16);
            crawled.user_agent = (*info)["subversion"].get<std::string>();
            if (crawled.user_agent != "/bitloom:" + std::string(version_string()) +
                                          "(crawled-node-" + std::to_string(i) + ")/") {
                setup_error_ = "node " + std::to_string(i) + " has user agent " + crawled.user_agent;
                return;
            }
            nodes_.push_back(crawled);
            args.push_back("--seed");
            args.push_back(node->p2p_address());
            processes_.push_back(std::move(node));
        }
        crawl_ = run_bitloom(args, dir_->path(), "crawl");
    }

    static void TearDownTestSuite() {
        for (auto& node : processes_) node->stop();
        processes_.clear();
        nodes_.clear();
        delete dir_;
        dir_ = nullptr;
    }

    void SetUp() override {
        ASSERT_TRUE(setup_error_.empty()) << setup_error_;
        ASSERT_EQ(crawl_.status, 0) << "bitloom crawl failed:\n" << crawl_.err << crawl_.out;
    }

    static std::filesystem::path store_path() { return datadir_ / "regtest" / "crawl.sqlite3"; }

    static inline TempDir* dir_ = nullptr;
    static inline std::filesystem::path datadir_;
    static inline std::vector<std::unique_ptr<NodeProcess>> processes_;
    static inline std::vector<CrawledNode> nodes_;
    static inline RunResult crawl_;
    static inline std::string setup_error_;
};

TEST_F(CrawlFunctional, crawl_records_every_node_as_reachable_with_its_handshake) {
    EXPECT_EQ(summary_value(crawl_.out, "successes"), 3) << "summary:\n" << crawl_.out;
    ASSERT_TRUE(std::filesystem::exists(store_path()))
        << "the regtest store belongs in <datadir>/regtest";
    EXPECT_FALSE(std::filesystem::exists(datadir_ / "crawl.sqlite3"));

    auto store = CrawlStore::open(store_path().string());
    ASSERT_TRUE(store) << store.error().message;
    auto nodes = store->load_nodes();
    ASSERT_TRUE(nodes) << nodes.error().message;
    auto counts = store->counts();
    ASSERT_TRUE(counts) << counts.error().message;
    EXPECT_EQ(counts->reachable, nodes_.size()) << "only the three nodes can be reached";

    for (const CrawledNode& expected : nodes_) {
        auto address = NetService::parse("127.0.0.1", expected.port);
        ASSERT_TRUE(address);
        auto record = store->load_node(*address);
        ASSERT_TRUE(record) << "node on port " << expected.port << " is not in the store";
        EXPECT_EQ(record->attempts, 1u);
        EXPECT_EQ(record->successes, 1u);
        EXPECT_GT(record->last_success, 0);
        EXPECT_EQ(record->last_success, record->last_try) << "reachable at its last attempt";
        EXPECT_EQ(record->last_error, CrawlError::none);
        EXPECT_EQ(record->handshake.protocol_version, NODE_PROTOCOL_VERSION);
        EXPECT_EQ(record->handshake.user_agent, expected.user_agent);
        EXPECT_EQ(record->handshake.start_height, expected.height);
        EXPECT_EQ(record->handshake.services, expected.services);
        EXPECT_GE(record->handshake.handshake_ms, 0);
        EXPECT_EQ(store->attempt_count(*address).value_or(0), 1u);
    }
}

TEST_F(CrawlFunctional, html_report_shows_the_three_nodes) {
    const auto output = dir_->path() / "report.html";
    const RunResult report = run_bitloom(
        {"crawl", "report", "--chain", "regtest", "--datadir", datadir_.string(), "--format",
         "html", "--best-height", "6", "--title", "Regtest <crawl>", "--output", output.string()},
        dir_->path(), "report-html");
    ASSERT_EQ(report.status, 0) << report.err;
    EXPECT_NE(report.out.find(output.string()), std::string::npos) << report.out;
    const std::string html = read_file(output);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("</html>"), std::string::npos);
    EXPECT_NE(html.find("<h1>Regtest &lt;crawl&gt;</h1>"), std::string::npos);
    EXPECT_NE(html.find("<tr><th>Reachable nodes</th><td class=\"n\">3</td></tr>"),
              std::string::npos);
    EXPECT_NE(html.find("<tr><th>Best height</th><td class=\"n\">6</td></tr>"),
              std::string::npos);
    for (const CrawledNode& expected : nodes_) {
        EXPECT_NE(html.find("<tr><td>" + expected.user_agent + "</td><td class=\"n\">1</td>"),
                  std::string::npos)
            << "the user agent table lists " << expected.user_agent << " once";
    }
    EXPECT_NE(html.find("<tr><td>70016</td><td class=\"n\">3</td>"), std::string::npos)
        << "the protocol version table counts the three nodes";
    EXPECT_NE(html.find("<svg"), std::string::npos);
}

TEST_F(CrawlFunctional, json_report_lists_each_node_with_its_handshake) {
    const auto output = dir_->path() / "report.json";
    const RunResult report = run_bitloom({"crawl", "report", "--chain", "regtest", "--datadir",
                                          datadir_.string(), "--format", "json", "--output",
                                          output.string()},
                                         dir_->path(), "report-json");
    ASSERT_EQ(report.status, 0) << report.err;
    auto json = parse_json(read_file(output));
    ASSERT_TRUE(json && json->is_object()) << "not JSON: " << read_file(output);
    ASSERT_TRUE(json->contains("summary") && json->contains("nodes"));
    EXPECT_EQ((*json)["summary"].value("reachable", -1), 3);
    const Json& listed = (*json)["nodes"];
    ASSERT_TRUE(listed.is_array());
    for (const CrawledNode& expected : nodes_) {
        const Json* found = nullptr;
        for (const Json& node : listed) {
            if (node.is_object() && node.value("address", std::string()) == "127.0.0.1" &&
                node.value("port", 0) == expected.port) {
                found = &node;
            }
        }
        ASSERT_NE(found, nullptr) << "node on port " << expected.port << " is not listed";
        EXPECT_EQ(found->value("reachable", -1), 1);
        EXPECT_EQ(found->value("protocol_version", 0), NODE_PROTOCOL_VERSION);
        EXPECT_EQ(found->value("user_agent", std::string()), expected.user_agent);
        EXPECT_EQ(found->value("start_height", -1), expected.height);
        EXPECT_EQ(found->value("last_error", std::string()), "none");
    }
}

TEST_F(CrawlFunctional, csv_report_writes_the_node_table_and_the_aggregates) {
    const auto output = dir_->path() / "nodes.csv";
    const RunResult report = run_bitloom({"crawl", "report", "--chain", "regtest", "--datadir",
                                          datadir_.string(), "--format", "csv", "--output",
                                          output.string()},
                                         dir_->path(), "report-csv");
    ASSERT_EQ(report.status, 0) << report.err;
    const std::string table = read_file(output);
    EXPECT_EQ(table.rfind("address,network,port,", 0), 0u);
    for (const CrawledNode& expected : nodes_) {
        EXPECT_NE(table.find("127.0.0.1,ipv4," + std::to_string(expected.port) + ","),
                  std::string::npos)
            << "node on port " << expected.port;
    }
    const std::string aggregates = read_file(dir_->path() / "nodes-aggregates.csv");
    EXPECT_EQ(aggregates.rfind("table,key,value", 0), 0u);
}

TEST_F(CrawlFunctional, report_of_a_chain_never_crawled_fails_with_a_message) {
    const RunResult report = run_bitloom({"crawl", "report", "--chain", "signet", "--datadir",
                                          datadir_.string(), "--output",
                                          (dir_->path() / "none.html").string()},
                                         dir_->path(), "report-none");
    EXPECT_EQ(report.status, 1);
    EXPECT_NE(report.err.find("no crawl store"), std::string::npos) << report.err;
    EXPECT_FALSE(std::filesystem::exists(dir_->path() / "none.html"));
}

TEST_F(CrawlFunctional, dns_seed_server_answers_for_its_zone_while_the_crawl_runs) {
    std::vector<std::string> args = {"crawl", "--chain", "regtest", "--allow-private",
                                     "--passes", "0", "--duration", "60", "--no-dns-seeds",
                                     "--quiet", "--datadir", datadir_.string(),
                                     "--dns-host", "seed.test", "--dns-port", "0",
                                     "--dns-bind", "127.0.0.1"};
    for (const CrawledNode& node : nodes_) {
        args.push_back("--seed");
        args.push_back("127.0.0.1:" + std::to_string(node.port));
    }
    BitloomProcess crawl(args, dir_->path(), "crawl-dns");
    ASSERT_TRUE(crawl.started());

    // "DNS seed server for seed.test listening on 127.0.0.1:PORT (N seeds)"
    const std::string marker = "listening on 127.0.0.1:";
    std::uint16_t port = 0;
    ASSERT_TRUE(wait_until(
        [&] {
            const std::string err = crawl.err();
            const auto at = err.find(marker);
            if (at == std::string::npos) return false;
            port = static_cast<std::uint16_t>(std::stoul(err.substr(at + marker.size())));
            return true;
        },
        30s))
        << "no DNS server line:\n" << crawl.err();
    ASSERT_NE(port, 0);
    EXPECT_NE(crawl.err().find("(0 seeds)"), std::string::npos)
        << "loopback nodes are not good seeds:\n" << crawl.err();

    struct Case {
        std::string name;
        std::uint16_t qtype;
        int rcode;
    };
    const std::vector<Case> cases = {
        {"seed.test", 1, 0},         // A at the apex: NOERROR
        {"x9.seed.test", 28, 0},     // AAAA at a service-flag name: NOERROR
        {"SEED.Test", 1, 0},         // names compare case-insensitively
        {"www.seed.test", 1, 3},     // another name under the zone: NXDOMAIN
        {"example.org", 1, 5},       // outside the zone: REFUSED
    };
    std::uint16_t id = 0x4b00;
    for (const Case& c : cases) {
        ++id;
        const auto reply = ask(port, dns_query(id, c.name, c.qtype));
        ASSERT_TRUE(reply) << "no answer for " << c.name;
        EXPECT_EQ(reply->id, id) << c.name;
        EXPECT_TRUE(reply->response) << c.name;
        EXPECT_FALSE(reply->truncated) << c.name;
        EXPECT_EQ(reply->rcode, c.rcode) << c.name;
        EXPECT_EQ(reply->questions, 1) << c.name;
        EXPECT_EQ(reply->answers, 0) << c.name << ": no good node to hand out";
        if (c.rcode == 0) {
            EXPECT_TRUE(reply->authoritative) << c.name;
        }
    }

    crawl.interrupt();  // Ctrl-C ends the crawl and the server with it
    const int status = crawl.wait(60s);
    EXPECT_EQ(status, 0) << crawl.err();
    EXPECT_NE(crawl.err().find("DNS seed server: 5 queries received, 5 answered"),
              std::string::npos)
        << crawl.err();
    EXPECT_NE(crawl.out().find("(stopped)"), std::string::npos) << "summary:\n" << crawl.out();
    EXPECT_EQ(summary_value(crawl.out(), "reachable (store)"), 3) << "summary:\n"
                                                                  << crawl.out();
    EXPECT_FALSE(ask(port, dns_query(0x5c00, "seed.test", 1), 1))
        << "the server stops with the crawl";
}

TEST_F(CrawlFunctional, crawl_and_report_share_a_postgresql_database_given_with_db) {
    PostgresTestCluster& cluster = PostgresTestCluster::shared();
    ASSERT_TRUE(cluster.ok()) << "cannot start a PostgreSQL cluster: " << cluster.error();
    const std::string url = cluster.create_database();
    ASSERT_FALSE(url.empty()) << cluster.error();

    const auto datadir = dir_->path() / "crawler-pg";
    std::vector<std::string> args = {"crawl", "--chain", "regtest", "--allow-private",
                                     "--passes", "1", "--quiet", "--datadir", datadir.string(),
                                     "--db", url};
    for (const CrawledNode& node : nodes_) {
        args.push_back("--seed");
        args.push_back("127.0.0.1:" + std::to_string(node.port));
    }
    const RunResult crawl = run_bitloom(args, dir_->path(), "crawl-pg");
    ASSERT_EQ(crawl.status, 0) << crawl.err << crawl.out;
    EXPECT_EQ(summary_value(crawl.out, "successes"), 3) << crawl.out;
    EXPECT_FALSE(std::filesystem::exists(datadir / "regtest" / "crawl.sqlite3"))
        << "--db replaces the SQLite file";

    auto store = CrawlStore::open(url);
    ASSERT_TRUE(store) << store.error().message;
    for (const CrawledNode& expected : nodes_) {
        auto record = store->load_node(*NetService::parse("127.0.0.1", expected.port));
        ASSERT_TRUE(record) << "node on port " << expected.port << " is not in the database";
        EXPECT_EQ(record->handshake.protocol_version, NODE_PROTOCOL_VERSION);
        EXPECT_EQ(record->handshake.user_agent, expected.user_agent);
        EXPECT_EQ(record->handshake.start_height, expected.height);
    }

    const auto output = dir_->path() / "report-pg.json";
    const RunResult report = run_bitloom(
        {"crawl", "report", "--db", url, "--format", "json", "--output", output.string()},
        dir_->path(), "report-pg");
    ASSERT_EQ(report.status, 0) << report.err;
    auto json = parse_json(read_file(output));
    ASSERT_TRUE(json && json->is_object() && json->contains("summary"));
    EXPECT_EQ((*json)["summary"].value("reachable", -1), 3);
}

TEST_F(CrawlFunctional, dns_options_without_a_zone_are_refused) {
    const RunResult run = run_bitloom({"crawl", "--chain", "regtest", "--datadir",
                                       datadir_.string(), "--dns-port", "0", "--seed",
                                       "127.0.0.1:1", "--allow-private"},
                                      dir_->path(), "dns-without-zone");
    EXPECT_NE(run.status, 0);
    EXPECT_NE(run.err.find("--dns-host"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace bitloom
