// Whole-node tests: real bitloomd processes on loopback ports chosen at run time, driven
// through JSON-RPC the way Bitcoin Core's functional tests drive bitcoind. CTest passes the
// binaries' directory in BITLOOM_BIN_DIR.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/random.h"
#include "rpc/auth.h"
#include "rpc/http_client.h"
#include "rpc/json.h"
#include "testutil/temp_dir.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using testutil::TempDir;

using namespace std::chrono_literals;

std::filesystem::path bin_dir() {
    const char* dir = std::getenv("BITLOOM_BIN_DIR");
    if (dir == nullptr) throw std::runtime_error("BITLOOM_BIN_DIR is not set");
    return dir;
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct RpcResult {
    int http_status = 0;
    std::string body;  // as the node sent it
    Json reply;        // the whole JSON-RPC reply object
    const Json& result() const { return reply["result"]; }
    const Json& error() const { return reply["error"]; }
};

// One bitloomd process on regtest with its own data directory and RPC port.
class NodeProcess {
public:
    NodeProcess(std::filesystem::path datadir, std::vector<std::string> extra_args = {})
        : datadir_(std::move(datadir)), extra_args_(std::move(extra_args)) {
        std::filesystem::create_directories(datadir_);
    }
    ~NodeProcess() {
        if (pid_ > 0) kill_hard();
    }

    void start() {
        port_ = free_port();
        std::vector<std::string> args = {(bin_dir() / "bitloomd").string(), "-regtest",
                                         "-datadir=" + datadir_.string(), "-rpcport=" + std::to_string(port_),
                                         "-printtoconsole=0", "-checkblocks=0",
                                         // No P2P: these nodes neither listen nor dial anyone.
                                         "-listen=0", "-connect=0", "-dnsseed=0", "-fixedseeds=0"};
        args.insert(args.end(), extra_args_.begin(), extra_args_.end());
        pid_ = ::fork();
        if (pid_ == 0) {
            const int null_fd = ::open("/dev/null", O_WRONLY);
            ::dup2(null_fd, STDOUT_FILENO);
            std::vector<char*> argv;
            for (std::string& arg : args) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::_Exit(127);
        }
        ASSERT_GT(pid_, 0);
        wait_ready();
    }

    void wait_ready() {
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL() << "bitloomd exited during start-up with status " << status;
            }
            auto cookie = read_cookie_file(datadir_ / "regtest" / ".cookie");
            if (cookie) {
                credentials_ = *cookie;
                auto reply = call("getblockcount");
                if (reply.http_status == 200) return;
            }
            std::this_thread::sleep_for(50ms);
        }
        FAIL() << "bitloomd did not become ready";
    }

    RpcResult call(const std::string& method, Json params = Json::array()) {
        Json request = {{"jsonrpc", "1.0"}, {"id", "test"}, {"method", method}, {"params", params}};
        return raw(write_json(request));
    }

    RpcResult raw(const std::string& body, bool authenticate = true) {
        HttpClientOptions options;
        options.port = port_;
        options.timeout = 120s;
        HttpClient client(options);
        auto response = client.post_json("/", body, authenticate ? credentials_ : std::string());
        RpcResult result;
        if (!response) return result;
        result.http_status = response->status;
        result.body = response->body;
        if (auto parsed = parse_json(response->body)) result.reply = *parsed;
        return result;
    }

    // The result of a call that must succeed.
    Json ok(const std::string& method, Json params = Json::array()) {
        RpcResult reply = call(method, std::move(params));
        EXPECT_EQ(reply.http_status, 200) << method << ": " << write_json(reply.reply);
        return reply.result();
    }

    int stop() {
        call("stop");
        return wait_exit();
    }
    int terminate() {
        ::kill(pid_, SIGTERM);
        return wait_exit();
    }
    void kill_hard() {
        ::kill(pid_, SIGKILL);
        wait_exit();
    }
    int wait_exit() {
        int status = 0;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(20ms);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
    }
    bool running() const { return pid_ > 0; }
    std::uint16_t port() const { return port_; }
    const std::string& credentials() const { return credentials_; }
    const std::filesystem::path& datadir() const { return datadir_; }

private:
    std::filesystem::path datadir_;
    std::vector<std::string> extra_args_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::string credentials_;
};

struct Reference {
    std::vector<std::string> blocks;  // hex, in mined order
    nlohmann::json expected;
    nlohmann::json invalid;
    std::int64_t now = 0;
};

const Reference& reference() {
    static const Reference data = [] {
        Reference out;
        std::istringstream lines(testutil::read_file_text(testutil::vector_path("regtest-chain-1/blocks.hex")));
        std::string line;
        while (std::getline(lines, line)) {
            if (!line.empty()) out.blocks.push_back(line);
        }
        out.expected = testutil::load_json("regtest-chain-1/expected.json");
        out.invalid = testutil::load_json("regtest-chain-1/invalid_blocks.json");
        out.now = out.invalid["reference_now"].get<std::int64_t>();
        return out;
    }();
    return data;
}

std::vector<std::string> mocktime_args() { return {"-mocktime=" + std::to_string(reference().now)}; }

void submit_all(NodeProcess& node) {
    for (const std::string& block : reference().blocks) {
        RpcResult reply = node.call("submitblock", Json::array({block}));
        ASSERT_EQ(reply.http_status, 200) << write_json(reply.reply);
        const Json& result = reply.result();
        ASSERT_TRUE(result.is_null() || result == "duplicate" || result == "inconclusive") << write_json(result);
    }
}

void expect_reference_state(NodeProcess& node) {
    const nlohmann::json& expected = reference().expected;
    EXPECT_EQ(node.ok("getbestblockhash"), expected["tip"]["hash"].get<std::string>());
    Json info = node.ok("getblockchaininfo");
    EXPECT_EQ(info["blocks"], expected["tip"]["height"].get<int>());
    EXPECT_EQ(info["chainwork"], expected["tip"]["chainwork"].get<std::string>());
    EXPECT_EQ(info["mediantime"], expected["tip"]["mediantime"].get<std::int64_t>());
    const auto& active = expected["active_chain"];
    for (std::size_t h = 0; h < active.size(); ++h) {
        EXPECT_EQ(node.ok("getblockhash", Json::array({h})), active[h].get<std::string>()) << "height " << h;
    }
    Json serialized = node.ok("gettxoutsetinfo");
    const auto& utxo = expected["utxo_set"];
    EXPECT_EQ(serialized["height"], utxo["height"].get<int>());
    EXPECT_EQ(serialized["bestblock"], utxo["bestblock"].get<std::string>());
    EXPECT_EQ(serialized["txouts"], utxo["txouts"].get<std::uint64_t>());
    EXPECT_EQ(serialized["bogosize"], utxo["bogosize"].get<std::uint64_t>());
    EXPECT_EQ(serialized["transactions"], utxo["transactions"].get<std::uint64_t>());
    RpcResult raw_stats = node.call("gettxoutsetinfo");
    EXPECT_NE(raw_stats.body.find("\"total_amount\":6650.00000000"), std::string::npos) << raw_stats.body;
    EXPECT_DOUBLE_EQ(serialized["total_amount"].get<double>(), utxo["total_amount"].get<double>());
    EXPECT_EQ(serialized["hash_serialized_3"], expected["utxo_set_hash_serialized_3"].get<std::string>());
    Json muhash = node.ok("gettxoutsetinfo", Json::array({"muhash"}));
    EXPECT_EQ(muhash["muhash"], utxo["muhash"].get<std::string>());
}

TEST(NodeFunctional, imports_the_reference_chain_over_rpc_and_judges_invalid_blocks_as_core) {
    testutil::TempDir dir("bitloom-node");
    NodeProcess node(dir.path(), mocktime_args());
    ASSERT_NO_FATAL_FAILURE(node.start());
    ASSERT_NO_FATAL_FAILURE(submit_all(node));
    expect_reference_state(node);
    testutil::report_cases("submitblock over RPC", reference().blocks.size());

    const std::string tip = node.ok("getbestblockhash");
    std::size_t cases = 0;
    for (const auto& test : reference().invalid["cases"]) {
        RpcResult reply = node.call("submitblock", Json::array({test["hex"].get<std::string>()}));
        EXPECT_EQ(reply.result(), test["reference_verdict"].get<std::string>()) << test["name"];
        EXPECT_EQ(node.ok("getbestblockhash"), tip) << test["name"];
        ++cases;
    }
    testutil::report_cases("invalid blocks over RPC", cases);
    ASSERT_GT(cases, 0U);
    RpcResult control = node.call("submitblock", Json::array({reference().invalid["valid_control_block"].get<std::string>()}));
    EXPECT_TRUE(control.result().is_null()) << write_json(control.reply);
    EXPECT_NE(node.ok("getbestblockhash"), tip);
    EXPECT_EQ(node.stop(), 0);
}

TEST(NodeFunctional, reindex_rebuilds_the_imported_chain_from_the_block_files) {
    testutil::TempDir dir("bitloom-node");
    {
        NodeProcess node(dir.path(), mocktime_args());
        ASSERT_NO_FATAL_FAILURE(node.start());
        ASSERT_NO_FATAL_FAILURE(submit_all(node));
        EXPECT_EQ(node.stop(), 0);
    }
    // Only the block files remain: the state must come from them.
    std::filesystem::remove_all(dir.path() / "regtest" / "chainstate");
    std::vector<std::string> args = mocktime_args();
    args.push_back("-reindex");
    NodeProcess node(dir.path(), args);
    ASSERT_NO_FATAL_FAILURE(node.start());
    expect_reference_state(node);
    EXPECT_EQ(node.stop(), 0);
}

TEST(NodeFunctional, shuts_down_with_an_error_when_its_block_files_are_damaged) {
    TempDir dir("bitloom-node");
    {
        NodeProcess node(dir.path(), mocktime_args());
        ASSERT_NO_FATAL_FAILURE(node.start());
        ASSERT_NO_FATAL_FAILURE(submit_all(node));
        EXPECT_EQ(node.stop(), 0);
    }
    // Zero the last 20 KB of the block file: the newest blocks can no longer be read.
    const auto blocks = dir.path() / "regtest" / "blocks" / "blk00000.dat";
    const auto size = std::filesystem::file_size(blocks);
    ASSERT_GT(size, 20'000U);
    {
        std::fstream file(blocks, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(size - 20'000));
        const std::string zeros(20'000, '\0');
        file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    NodeProcess node(dir.path(), mocktime_args());
    ASSERT_NO_FATAL_FAILURE(node.start());
    // Disconnecting the tip needs its block data.
    const std::string target = node.ok("getblockhash", Json::array({100}));
    RpcResult reply = node.call("invalidateblock", Json::array({target}));
    EXPECT_FALSE(reply.error().is_null());
    EXPECT_EQ(node.wait_exit(), 1);
    const std::string log = testutil::read_file_text(dir.path() / "regtest" / "debug.log");
    EXPECT_NE(log.find("A fatal internal error occurred"), std::string::npos);
}

TEST(NodeFunctional, survives_sigkill_at_random_moments_during_import) {
    // A submitter imports the chain, forcing a flush (gettxoutsetinfo) every few blocks, while
    // the node is killed at a random moment. After each restart the state must be consistent
    // (verifychain at level 4 over every block) and hold at least what the last completed
    // flush held.
    testutil::TempDir dir("bitloom-node");
    std::mt19937 random(std::random_device{}());
    constexpr int KILLS = 20;
    int last_flushed_height = 0;
    for (int kill = 0; kill < KILLS; ++kill) {
        NodeProcess node(dir.path(), mocktime_args());
        ASSERT_NO_FATAL_FAILURE(node.start());
        EXPECT_GE(node.ok("getblockcount").get<int>(), last_flushed_height) << "restart " << kill;
        EXPECT_EQ(node.ok("verifychain", Json::array({4, 0})), true) << "restart " << kill;
        // The kill comes a random few microseconds after a random number of new blocks.
        const int new_blocks_before_kill = std::uniform_int_distribution<int>(1, 12)(random);
        std::atomic<int> flushed{last_flushed_height};
        std::atomic<bool> kill_now{false};
        std::thread submitter([&] {
            int accepted = 0;
            std::size_t sent = 0;
            for (const std::string& block : reference().blocks) {
                RpcResult reply = node.call("submitblock", Json::array({block}));
                if (reply.http_status != 200) break;
                if (reply.result().is_null() && ++accepted == new_blocks_before_kill) kill_now.store(true);
                if (++sent % 5 == 0) {
                    RpcResult stats = node.call("gettxoutsetinfo", Json::array({"none"}));
                    if (stats.http_status != 200) break;
                    flushed.store(stats.result()["height"].get<int>());
                }
            }
            kill_now.store(true);
        });
        while (!kill_now.load()) std::this_thread::sleep_for(100us);
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 5000)(random)));
        node.kill_hard();
        submitter.join();
        last_flushed_height = flushed.load();
        std::printf("[sigkill] restart %d: height flushed before the kill %d\n", kill, last_flushed_height);
    }
    testutil::report_cases("SIGKILL restarts", KILLS);
    NodeProcess node(dir.path(), mocktime_args());
    ASSERT_NO_FATAL_FAILURE(node.start());
    EXPECT_GE(node.ok("getblockcount").get<int>(), last_flushed_height);
    ASSERT_NO_FATAL_FAILURE(submit_all(node));
    expect_reference_state(node);
    EXPECT_EQ(node.ok("verifychain", Json::array({4, 0})), true);
    EXPECT_EQ(node.terminate(), 0);
}

TEST(NodeFunctional, reorganises_onto_a_longer_branch_from_another_node) {
    testutil::TempDir dir("bitloom-node");
    NodeProcess short_node(dir.path() / "a");
    NodeProcess long_node(dir.path() / "b");
    ASSERT_NO_FATAL_FAILURE(short_node.start());
    ASSERT_NO_FATAL_FAILURE(long_node.start());
    // A shared history, then two branches with different payouts.
    const Json common = long_node.ok("generatetodescriptor", Json::array({110, "raw(51)"}));
    ASSERT_EQ(common.size(), 110U);
    for (const auto& hash : common) {
        Json hex = long_node.ok("getblock", Json::array({hash, 0}));
        ASSERT_TRUE(short_node.call("submitblock", Json::array({hex})).result().is_null());
    }
    short_node.ok("generatetodescriptor", Json::array({5, "raw(52)"}));
    const Json branch = long_node.ok("generatetodescriptor", Json::array({8, "raw(53)"}));
    ASSERT_EQ(branch.size(), 8U);
    for (const auto& hash : branch) {
        Json hex = long_node.ok("getblock", Json::array({hash, 0}));
        RpcResult reply = short_node.call("submitblock", Json::array({hex}));
        EXPECT_EQ(reply.http_status, 200);
    }
    EXPECT_EQ(short_node.ok("getbestblockhash"), long_node.ok("getbestblockhash"));
    Json tips = short_node.ok("getchaintips");
    EXPECT_EQ(tips.size(), 2U);
    const Json stats_a = short_node.ok("gettxoutsetinfo", Json::array({"muhash"}));
    const Json stats_b = long_node.ok("gettxoutsetinfo", Json::array({"muhash"}));
    for (const char* key : {"height", "bestblock", "txouts", "bogosize", "muhash", "total_amount", "transactions"}) {
        EXPECT_EQ(stats_a[key], stats_b[key]) << key;
    }
    EXPECT_EQ(short_node.ok("gettxoutsetinfo")["hash_serialized_3"], long_node.ok("gettxoutsetinfo")["hash_serialized_3"]);
    EXPECT_EQ(short_node.stop(), 0);
    EXPECT_EQ(long_node.stop(), 0);
}

TEST(NodeFunctional, answers_bad_requests_with_json_rpc_errors_and_stays_up) {
    testutil::TempDir dir("bitloom-node");
    NodeProcess node(dir.path());
    ASSERT_NO_FATAL_FAILURE(node.start());

    RpcResult unauthenticated = node.raw(R"({"method":"getblockcount"})", false);
    EXPECT_EQ(unauthenticated.http_status, 401);

    RpcResult malformed = node.raw("{\"method\": ");
    EXPECT_EQ(malformed.reply["error"]["code"], -32700);

    RpcResult unknown = node.call("nosuchmethod");
    EXPECT_EQ(unknown.http_status, 404);
    EXPECT_EQ(unknown.error()["code"], -32601);

    RpcResult wrong_type = node.call("getblockhash", Json::array({"ten"}));
    EXPECT_EQ(wrong_type.error()["code"], -3);

    RpcResult out_of_range = node.call("getblockhash", Json::array({1000}));
    EXPECT_EQ(out_of_range.error()["code"], -8);

    RpcResult bad_block = node.call("submitblock", Json::array({"00ff"}));
    EXPECT_EQ(bad_block.error()["code"], -22);

    const std::string huge(40 << 20, ' ');
    RpcResult too_big = node.raw(huge);
    EXPECT_NE(too_big.http_status, 200);

    RpcResult batch = node.raw(R"([{"method":"getblockcount","id":1},{"method":"getbestblockhash","id":2}])");
    ASSERT_TRUE(batch.reply.is_array());
    EXPECT_EQ(batch.reply.size(), 2U);

    EXPECT_EQ(node.ok("getblockcount"), 0);
    EXPECT_EQ(node.stop(), 0);
}

TEST(NodeFunctional, bitloom_cli_talks_to_the_node_with_bitcoin_cli_arguments) {
    testutil::TempDir dir("bitloom-node");
    NodeProcess node(dir.path());
    ASSERT_NO_FATAL_FAILURE(node.start());
    auto cli = [&](const std::string& args) {
        const std::string command = (bin_dir() / "bitloom-cli").string() + " -regtest -datadir=" + dir.path().string() +
                                    " -rpcport=" + std::to_string(node.port()) + " " + args + " 2>&1";
        std::string output;
        FILE* pipe = ::popen(command.c_str(), "r");
        char buffer[4096];
        while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
        const int status = ::pclose(pipe);
        return std::pair{WEXITSTATUS(status), output};
    };
    auto [status, out] = cli("generatetodescriptor 3 'raw(51)'");
    EXPECT_EQ(status, 0) << out;
    auto [count_status, count] = cli("getblockcount");
    EXPECT_EQ(count_status, 0);
    EXPECT_EQ(count, "3\n");
    auto [named_status, named] = cli("-named getblockhash height=0");
    EXPECT_EQ(named_status, 0);
    EXPECT_EQ(named, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206\n");
    // bitcoin-cli exits with the absolute value of the RPC error code.
    auto [error_status, error] = cli("getblockhash 99");
    EXPECT_EQ(error_status, 8);
    EXPECT_NE(error.find("error code: -8"), std::string::npos) << error;
    auto [info_status, info] = cli("-getinfo");
    EXPECT_EQ(info_status, 0) << info;
    EXPECT_NE(info.find("Blocks: 3"), std::string::npos) << info;
    EXPECT_EQ(node.stop(), 0);
}

TEST(NodeFunctional, rejects_unknown_options_and_a_second_instance) {
    testutil::TempDir dir("bitloom-node");
    const std::string bitloomd = (bin_dir() / "bitloomd").string();
    const std::string unknown = bitloomd + " -regtest -datadir=" + dir.path().string() + " -nosuchoption 2>&1";
    FILE* pipe = ::popen(unknown.c_str(), "r");
    std::string output;
    char buffer[1024];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    EXPECT_NE(WEXITSTATUS(::pclose(pipe)), 0);
    EXPECT_NE(output.find("nosuchoption"), std::string::npos) << output;

    NodeProcess first(dir.path());
    ASSERT_NO_FATAL_FAILURE(first.start());
    const std::string second = bitloomd + " -regtest -datadir=" + dir.path().string() + " -rpcport=" +
                               std::to_string(free_port()) + " -printtoconsole=0 2>&1";
    pipe = ::popen(second.c_str(), "r");
    output.clear();
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    EXPECT_NE(WEXITSTATUS(::pclose(pipe)), 0);
    EXPECT_NE(output.find("Cannot obtain a lock"), std::string::npos) << output;
    EXPECT_EQ(first.terminate(), 0);
}

}  // namespace
}  // namespace bitloom
