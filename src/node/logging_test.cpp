// The logger: categories and their selection from -debug/-debugexclude, the line format, file
// output and the options that configure it.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "node/config.h"
#include "node/logging.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using testutil::TempDir;

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A config that collects lines and stamps a fixed time.
LoggerConfig capturing(std::vector<std::string>& lines) {
    LoggerConfig config;
    config.sink = [&lines](std::string_view line) { lines.emplace_back(line); };
    config.now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1231006505)); };
    return config;
}

TEST(LogFormat, fills_placeholders_in_order) {
    EXPECT_EQ(format_message("height={} hash={} ok={}", 42, std::string("abc"), true),
              "height=42 hash=abc ok=true");
    EXPECT_EQ(format_message("{{literal}} {:>8} {}", 1.5, 'c'), "{literal} 1.5 c");
    EXPECT_EQ(format_message("missing {}"), "missing {}");
    EXPECT_EQ(format_message("no placeholders", 1), "no placeholders");
}

TEST(LogCategories, parse_names_all_and_numbers) {
    EXPECT_EQ(parse_log_categories("net"), bit(LogCategory::net));
    EXPECT_EQ(parse_log_categories("1"), ALL_LOG_CATEGORIES);
    EXPECT_EQ(parse_log_categories("all"), ALL_LOG_CATEGORIES);
    EXPECT_EQ(parse_log_categories(""), ALL_LOG_CATEGORIES);
    EXPECT_EQ(parse_log_categories("nonsense"), std::nullopt);
    std::size_t count = 0;
    for (LogCategory category : all_log_categories()) {
        EXPECT_EQ(parse_log_categories(to_string(category)), bit(category));
        ++count;
    }
    std::printf("checked %zu log categories\n", count);
    EXPECT_GT(count, 20u);
}

TEST(LogCategories, follow_cores_debug_and_debugexclude_rules) {
    const std::vector<std::string> net_rpc = {"net", "rpc"};
    EXPECT_EQ(select_log_categories(net_rpc, {}), bit(LogCategory::net) | bit(LogCategory::rpc));
    const std::vector<std::string> all = {"1"};
    const std::vector<std::string> exclude_net = {"net"};
    auto most = select_log_categories(all, exclude_net);
    ASSERT_TRUE(most);
    EXPECT_EQ(*most & bit(LogCategory::net), 0u);
    EXPECT_NE(*most & bit(LogCategory::validation), 0u);
    const std::vector<std::string> none = {"net", "none"};
    EXPECT_EQ(select_log_categories(none, {}), NO_LOG_CATEGORIES);
    const std::vector<std::string> bad = {"net", "bogus"};
    EXPECT_EQ(select_log_categories(bad, {}).error(), "Unsupported logging category -debug=bogus.");
    EXPECT_EQ(select_log_categories({}, bad).error(),
              "Unsupported logging category -debugexclude=bogus.");
}

TEST(Logger, writes_debug_lines_only_for_enabled_categories) {
    std::vector<std::string> lines;
    LoggerConfig config = capturing(lines);
    config.categories = bit(LogCategory::net);
    Logger logger(std::move(config));
    logger.log_debug(LogCategory::net, "peer={} connected", 7);
    logger.log_debug(LogCategory::rpc, "hidden");
    logger.log_info("started");
    logger.log_warning("low disk");
    logger.log_error("failed {}", "x");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "2009-01-03T18:15:05Z [net] peer=7 connected\n");
    EXPECT_EQ(lines[1], "2009-01-03T18:15:05Z started\n");
    EXPECT_EQ(lines[2], "2009-01-03T18:15:05Z [warning] low disk\n");
    EXPECT_EQ(lines[3], "2009-01-03T18:15:05Z [error] failed x\n");
    EXPECT_TRUE(logger.will_log(LogCategory::net));
    logger.set_categories(NO_LOG_CATEGORIES);
    EXPECT_FALSE(logger.will_log(LogCategory::net));
}

TEST(Logger, optional_prefixes_follow_the_options) {
    std::vector<std::string> lines;
    LoggerConfig config = capturing(lines);
    config.timestamps = false;
    config.source_locations = true;
    config.thread_names = true;
    Logger logger(std::move(config));
    logger.log_info("hello");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].find("[logging_test.cpp:"), lines[0].find("] ") + 2) << lines[0];
    EXPECT_NE(lines[0].find("] hello\n"), std::string::npos) << lines[0];
}

TEST(Logger, appends_to_the_debug_log_file_from_many_threads) {
    testutil::TempDir dir("bitloom-log");
    const auto path = dir.path() / "debug.log";
    std::ofstream(path) << "earlier line\n";
    LoggerConfig config;
    config.file = path;
    {
        Logger logger(std::move(config));
        ASSERT_TRUE(logger.open());
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&logger, t] {
                for (int i = 0; i < 50; ++i) logger.log_info("thread {} line {}", t, i);
            });
        for (auto& thread : threads) thread.join();
    }
    const std::string text = read_text(path);
    EXPECT_TRUE(text.starts_with("earlier line\n"));
    std::istringstream in(text);
    std::string line;
    int count = 0;
    while (std::getline(in, line))
        if (line.find(" thread ") != std::string::npos) {
            EXPECT_EQ(line[4], '-');
            EXPECT_EQ(line[10], 'T');
            EXPECT_EQ(line[19], 'Z');
            ++count;
        }
    EXPECT_EQ(count, 200);
}

TEST(Logger, reports_a_log_file_it_cannot_open) {
    testutil::TempDir dir("bitloom-log");
    LoggerConfig config;
    config.file = dir.path() / "missing" / "debug.log";
    Logger logger(std::move(config));
    auto opened = logger.open();
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error(), "Could not open debug log file " + (dir.path() / "missing" / "debug.log").string());
}

TEST(Logger, null_and_stderr_loggers_need_no_setup) {
    Logger quiet = Logger::null();
    quiet.log_info("nothing {}", 1);
    EXPECT_FALSE(quiet.will_log(LogCategory::net));
    Logger loud = Logger::to_stderr();
    loud.log_info("logger to stderr works");
}

Settings settings_from(const std::vector<std::string>& args, const TempDir& dir) {
    std::vector<const char*> argv = {"bitloomd"};
    const std::string datadir = "-datadir=" + dir.path().string();
    argv.push_back(datadir.c_str());
    for (const auto& arg : args) argv.push_back(arg.c_str());
    auto settings = load_settings(static_cast<int>(argv.size()), argv.data(), node_options(), dir.path());
    EXPECT_TRUE(settings) << settings.error();
    return std::move(*settings);
}

TEST(LoggerConfig, reads_the_logging_options) {
    testutil::TempDir dir("bitloom-log");
    auto defaults = logger_config(settings_from({}, dir), dir.path() / "regtest");
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->file, dir.path() / "regtest" / "debug.log");
    EXPECT_EQ(defaults->console, stdout);
    EXPECT_TRUE(defaults->timestamps);
    EXPECT_EQ(defaults->categories, NO_LOG_CATEGORIES);

    auto custom = logger_config(settings_from({"-daemon", "-nologtimestamps", "-debug=net",
                                               "-debug=rpc", "-debuglogfile=/tmp/x.log", "-logips"},
                                              dir),
                                dir.path());
    ASSERT_TRUE(custom);
    EXPECT_EQ(custom->file, std::filesystem::path("/tmp/x.log"));
    EXPECT_EQ(custom->console, nullptr);
    EXPECT_FALSE(custom->timestamps);
    EXPECT_TRUE(custom->log_ips);
    EXPECT_EQ(custom->categories, bit(LogCategory::net) | bit(LogCategory::rpc));

    auto no_file = logger_config(settings_from({"-nodebuglogfile", "-daemon", "-printtoconsole"}, dir),
                                 dir.path());
    ASSERT_TRUE(no_file);
    EXPECT_FALSE(no_file->file.has_value());
    EXPECT_EQ(no_file->console, stdout);

    auto bad = logger_config(settings_from({"-debug=bogus"}, dir), dir.path());
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "Unsupported logging category -debug=bogus.");
}

}  // namespace
}  // namespace bitloom
