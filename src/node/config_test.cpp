// bitloom.conf parsing and the combined view of command line and files: sections, prefixes,
// comments, negation, includes, errors with line numbers, precedence, chain selection and the
// rule that network-only options in the top level are ignored outside main.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "node/config.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using testutil::TempDir;

Result<ParsedConfig, ConfigFailure> parse(std::string_view text) {
    return parse_config(text, "bitloom.conf", node_options());
}

// load_settings with "-datadir=<dir>" prepended to `args`.
Result<Settings, std::string> load(const TempDir& dir, std::vector<std::string> args = {}) {
    args.insert(args.begin(), "-datadir=" + dir.path().string());
    args.insert(args.begin(), "bitloomd");
    std::vector<const char*> argv;
    for (const auto& arg : args) argv.push_back(arg.c_str());
    return load_settings(static_cast<int>(argv.size()), argv.data(), node_options(),
                         dir.path() / "unused-default");
}

bool contains(const std::vector<std::string>& lines, std::string_view text) {
    for (const auto& line : lines)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

TEST(ConfigParse, reads_settings_comments_and_whitespace) {
    auto parsed = parse("# a comment\n\n  server = 1  \nrpcuser=alice # trailing comment\n"
                        "\trpcport=18443\r\n");
    ASSERT_TRUE(parsed) << parsed.error().message();
    ASSERT_EQ(parsed->entries.size(), 3u);
    EXPECT_EQ(parsed->entries[0].name, "server");
    EXPECT_EQ(parsed->entries[0].value, "1");
    EXPECT_EQ(parsed->entries[0].line, 3);
    EXPECT_EQ(parsed->entries[1].value, "alice");
    EXPECT_EQ(parsed->entries[2].value, "18443");
    EXPECT_EQ(parsed->entries[2].section, "");
}

TEST(ConfigParse, assigns_sections_and_prefixes) {
    auto parsed = parse("regtest.rpcport=1\n[test]\nrpcport=2\n[regtest]\nport=3\n");
    ASSERT_TRUE(parsed) << parsed.error().message();
    ASSERT_EQ(parsed->entries.size(), 3u);
    EXPECT_EQ(parsed->entries[0].section, "regtest");
    EXPECT_EQ(parsed->entries[0].name, "rpcport");
    EXPECT_EQ(parsed->entries[1].section, "test");
    EXPECT_EQ(parsed->entries[2].section, "regtest");
    EXPECT_EQ(parsed->entries[2].name, "port");
}

TEST(ConfigParse, reads_noname_as_a_negation) {
    auto parsed = parse("nolisten=1\nnodnsseed=0\n");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->entries[0].name, "listen");
    EXPECT_EQ(parsed->entries[0].value, std::nullopt);
    EXPECT_EQ(parsed->entries[1].name, "dnsseed");
    EXPECT_EQ(parsed->entries[1].value, "1");
    EXPECT_TRUE(contains(parsed->warnings, "double-negative -dnsseed=0"));
}

TEST(ConfigParse, rejects_a_line_without_equals_with_the_line_number) {
    auto parsed = parse("server=1\n\nfoo\n");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().line, 3);
    EXPECT_EQ(parsed.error().file, "bitloom.conf");
    EXPECT_EQ(parsed.error().message(), "parse error on line 3: foo");
}

TEST(ConfigParse, suggests_the_negation_syntax_for_a_bare_noname) {
    auto parsed = parse("nolisten\n");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message(),
              "parse error on line 1: nolisten, if you intended to specify a negated option, use "
              "nolisten=1 instead");
}

TEST(ConfigParse, rejects_a_leading_hyphen) {
    auto parsed = parse("-server=1\n");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message(),
              "parse error on line 1: -server=1, options in configuration file must be specified "
              "without leading hyphen");
}

TEST(ConfigParse, rejects_unknown_options_naming_them_as_written) {
    auto parsed = parse("server=1\nregtest.notanoption=2\n");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().line, 2);
    EXPECT_EQ(parsed.error().message(), "Invalid configuration value regtest.notanoption");
}

TEST(ConfigParse, rejects_conf_and_a_hash_in_rpcpassword) {
    auto conf = parse("conf=other.conf\n");
    ASSERT_FALSE(conf);
    EXPECT_EQ(conf.error().message(),
              "conf cannot be set in the configuration file; use includeconf= if you want to "
              "include additional config files");
    auto password = parse("rpcpassword=abc#def\n");
    ASSERT_FALSE(password);
    EXPECT_EQ(password.error().message(),
              "parse error on line 1, using # in rpcpassword can be ambiguous and should be "
              "avoided");
}

TEST(ConfigParse, records_every_section_name) {
    auto parsed = parse("[bogus]\nserver=1\n[regtest]\n");
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->sections.size(), 2u);
    EXPECT_EQ(parsed->sections[0].name, "bogus");
    EXPECT_EQ(parsed->sections[0].line, 1);
}

TEST(ConfigParse, never_crashes_on_arbitrary_text) {
    // Deterministic pseudo-random lines built from the characters the grammar cares about.
    constexpr char CHARACTERS[] = "[]=#.-no \t\r\n\0serverpcuslitn1";
    const std::string alphabet(CHARACTERS, sizeof(CHARACTERS) - 1);
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    int accepted = 0;
    int cases = 0;
    for (; cases < 3000; ++cases) {
        std::string text;
        const int length = cases % 64;
        for (int i = 0; i < length; ++i) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            text += alphabet[(state >> 33) % alphabet.size()];
        }
        auto parsed = parse(text);
        if (parsed) {
            ++accepted;
            for (const auto& entry : parsed->entries)
                EXPECT_NE(find_option(node_options(), entry.name), nullptr);
        } else {
            EXPECT_FALSE(parsed.error().message().empty());
            EXPECT_GT(parsed.error().line, 0);
        }
    }
    std::printf("parsed %d arbitrary texts, %d accepted\n", cases, accepted);
    EXPECT_GT(accepted, 0);
}

TEST(SettingsPrecedence, command_line_wins_over_the_file) {
    TempDir dir;
    dir.write("bitloom.conf", "rpcuser=file\ndbcache=100\n");
    auto settings = load(dir, {"-rpcuser=cli", "-rpcuser=cli2"});
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get("rpcuser"), "cli2");
    EXPECT_EQ(settings->get_int("dbcache", 0), 100);
    EXPECT_EQ(settings->conf_file, dir.path() / "bitloom.conf");
}

TEST(SettingsPrecedence, first_value_in_a_file_wins_as_in_core) {
    TempDir dir;
    dir.write("bitloom.conf", "rpcuser=first\nrpcuser=second\n");
    auto settings = load(dir);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get("rpcuser"), "first");
}

TEST(SettingsPrecedence, first_value_in_a_section_wins_and_a_negation_resets) {
    TempDir dir;
    dir.write("bitloom.conf", "[regtest]\nrpcuser=first\nrpcuser=second\n"
                              "rpcpassword=a\nnorpcpassword=1\nrpcpassword=b\nrpcpassword=c\n"
                              "rest=1\nnorest=1\n");
    auto settings = load(dir, {"-regtest"});
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get("rpcuser"), "first");
    EXPECT_EQ(settings->get("rpcpassword"), "b");
    EXPECT_TRUE(settings->is_negated("rest"));
    EXPECT_EQ(settings->get("rest"), "0");
}

TEST(SettingsPrecedence, chain_section_wins_over_top_level_only_for_that_chain) {
    TempDir dir;
    dir.write("bitloom.conf", "rpcuser=top\n[regtest]\nrpcuser=reg\n[test]\nrpcuser=test\n");
    auto regtest = load(dir, {"-regtest"});
    ASSERT_TRUE(regtest) << regtest.error();
    EXPECT_EQ(regtest->get("rpcuser"), "reg");
    auto main = load(dir);
    ASSERT_TRUE(main) << main.error();
    EXPECT_EQ(main->get("rpcuser"), "top");
    auto signet = load(dir, {"-signet"});
    ASSERT_TRUE(signet);
    EXPECT_EQ(signet->get("rpcuser"), "top");
}

TEST(SettingsPrecedence, negation_reads_as_zero_and_counts_as_set) {
    TempDir dir;
    dir.write("bitloom.conf", "nolisten=1\ndnsseed=1\n");
    auto settings = load(dir, {"-nodnsseed"});
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get("listen"), "0");
    EXPECT_TRUE(settings->is_negated("listen"));
    EXPECT_TRUE(settings->is_set("listen"));
    EXPECT_FALSE(settings->get_bool("listen", true));
    EXPECT_FALSE(settings->get_bool("dnsseed", true));
    EXPECT_FALSE(settings->is_set("discover"));
    EXPECT_TRUE(settings->get_bool("discover", true));
}

TEST(SettingsPrecedence, lists_join_command_line_section_and_top_level) {
    TempDir dir;
    dir.write("bitloom.conf", "rpcallowip=3.3.3.3\n[regtest]\nrpcallowip=2.2.2.2\n");
    auto settings = load(dir, {"-regtest", "-rpcallowip=1.1.1.1"});
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get_all("rpcallowip"),
              (std::vector<std::string>{"1.1.1.1", "2.2.2.2", "3.3.3.3"}));
    auto negated = load(dir, {"-regtest", "-norpcallowip"});
    ASSERT_TRUE(negated);
    EXPECT_TRUE(negated->get_all("rpcallowip").empty());
}

TEST(SettingsPrecedence, reads_integers_as_core_does) {
    TempDir dir;
    dir.write("bitloom.conf", "dbcache=12abc\nrpcthreads=abc\ntimeout=99999999999999999999\n");
    auto settings = load(dir);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get_int("dbcache", 0), 12);
    EXPECT_EQ(settings->get_int("rpcthreads", 7), 0);
    EXPECT_EQ(settings->get_int("timeout", 0), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(settings->get_int("maxconnections", 42), 42);
    auto strict = settings->get_int_strict("dbcache", 0);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error(), "Invalid value for -dbcache: '12abc'");
}

TEST(ChainSelection, comes_from_the_file_top_level) {
    TempDir dir;
    dir.write("bitloom.conf", "regtest=1\n[regtest]\nrpcport=1234\n");
    auto settings = load(dir);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->chain(), ChainType::regtest);
    EXPECT_EQ(settings->get("rpcport"), "1234");
    dir.write("bitloom.conf", "chain=testnet4\n");
    auto testnet4 = load(dir);
    ASSERT_TRUE(testnet4);
    EXPECT_EQ(testnet4->chain(), ChainType::testnet4);
}

TEST(ChainSelection, rejects_two_chains_across_command_line_and_file) {
    TempDir dir;
    dir.write("bitloom.conf", "regtest=1\n");
    auto settings = load(dir, {"-testnet"});
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error(),
              "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use "
              "at most one.");
    auto both = load(dir, {"-chain=regtest"});
    ASSERT_FALSE(both);
}

TEST(ChainSelection, command_line_chain_overrides_file_chain) {
    TempDir dir;
    dir.write("bitloom.conf", "chain=test\n");
    auto settings = load(dir, {"-chain=signet"});
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->chain(), ChainType::signet);
}

TEST(ChainSelection, rejects_an_unknown_chain_name) {
    TempDir dir;
    auto settings = load(dir, {"-chain=moon"});
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error(),
              "Invalid chain name 'moon'. Allowed values: main, test, testnet4, signet, regtest");
}

TEST(NetworkOnlyOptions, top_level_values_are_ignored_outside_main_with_a_warning) {
    TempDir dir;
    dir.write("bitloom.conf", "rpcport=1111\naddnode=1.2.3.4\nrpcuser=u\n");
    auto regtest = load(dir, {"-regtest"});
    ASSERT_TRUE(regtest) << regtest.error();
    EXPECT_EQ(regtest->get("rpcport"), std::nullopt);
    EXPECT_TRUE(regtest->get_all("addnode").empty());
    EXPECT_EQ(regtest->get("rpcuser"), "u");
    EXPECT_EQ(regtest->ignored_top_level_options(),
              (std::vector<std::string>{"-addnode", "-rpcport"}));
    EXPECT_TRUE(contains(regtest->warnings,
                         "Config setting for -rpcport only applied on regtest network when in "
                         "[regtest] section."));
    auto main = load(dir);
    ASSERT_TRUE(main);
    EXPECT_EQ(main->get("rpcport"), "1111");
    EXPECT_TRUE(main->warnings.empty());
}

TEST(NetworkOnlyOptions, apply_from_the_section_or_the_command_line) {
    TempDir dir;
    dir.write("bitloom.conf", "rpcport=1111\n[regtest]\nrpcport=2222\n");
    auto regtest = load(dir, {"-regtest"});
    ASSERT_TRUE(regtest);
    EXPECT_EQ(regtest->get("rpcport"), "2222");
    EXPECT_FALSE(contains(regtest->warnings, "Config setting for"));
    auto cli = load(dir, {"-testnet4", "-rpcport=3333"});
    ASSERT_TRUE(cli);
    EXPECT_EQ(cli->get("rpcport"), "3333");
    EXPECT_TRUE(cli->ignored_top_level_options().empty());
}

TEST(IncludeConf, reads_included_files_relative_to_the_data_directory) {
    TempDir dir;
    dir.write("bitloom.conf", "includeconf=extra.conf\nrpcuser=main\n[regtest]\nincludeconf=reg.conf\n");
    dir.write("extra.conf", "rpcpassword=secret\nrpcuser=extra\n");
    dir.write("reg.conf", "[regtest]\nrpcport=5555\n");
    auto settings = load(dir, {"-regtest"});
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get("rpcpassword"), "secret");
    EXPECT_EQ(settings->get("rpcuser"), "main");
    EXPECT_EQ(settings->get("rpcport"), "5555");
    EXPECT_EQ(settings->included_files.size(), 2u);
}

TEST(IncludeConf, ignores_includes_inside_included_files_with_a_warning) {
    TempDir dir;
    dir.write("bitloom.conf", "includeconf=a.conf\n");
    dir.write("a.conf", "includeconf=b.conf\n");
    dir.write("b.conf", "rpcuser=b\n");
    auto settings = load(dir);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_EQ(settings->get("rpcuser"), std::nullopt);
    EXPECT_TRUE(contains(settings->warnings,
                         "-includeconf cannot be used from included files; ignoring "
                         "-includeconf=b.conf"));
}

TEST(IncludeConf, is_refused_on_the_command_line_and_a_missing_file_is_an_error) {
    TempDir dir;
    auto cli = load(dir, {"-includeconf=x.conf"});
    ASSERT_FALSE(cli);
    EXPECT_EQ(cli.error(), "-includeconf cannot be used from commandline; -includeconf=x.conf");
    dir.write("bitloom.conf", "includeconf=missing.conf\n");
    auto missing = load(dir);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), "Failed to include configuration file missing.conf");
    auto disabled = load(dir, {"-noincludeconf"});
    EXPECT_TRUE(disabled) << disabled.error();
}

TEST(IncludeConf, reports_parse_errors_of_included_files) {
    TempDir dir;
    dir.write("bitloom.conf", "includeconf=bad.conf\n");
    dir.write("bad.conf", "server=1\nnoserver\n");
    auto settings = load(dir);
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error(),
              "Error reading configuration file: parse error on line 2: noserver, if you intended "
              "to specify a negated option, use noserver=1 instead");
}

TEST(LoadSettings, reports_main_file_errors_with_cores_prefix) {
    TempDir dir;
    dir.write("bitloom.conf", "server=1\nrpcuser=a\nfoo\n");
    auto settings = load(dir);
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error(), "Error reading configuration file: parse error on line 3: foo");
    dir.write("bitloom.conf", "bogus=1\n");
    auto unknown = load(dir);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error(), "Error reading configuration file: Invalid configuration value bogus");
}

TEST(LoadSettings, requires_an_existing_data_directory) {
    TempDir dir;
    const std::string missing = (dir.path() / "nope").string();
    const char* argv[] = {"bitloomd", nullptr};
    const std::string arg = "-datadir=" + missing;
    argv[1] = arg.c_str();
    auto settings = load_settings(2, argv, node_options(), dir.path() / "default");
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error(), "Specified data directory \"" + missing + "\" does not exist.");
}

TEST(LoadSettings, creates_the_default_data_directory_and_tolerates_no_file) {
    TempDir dir;
    const char* argv[] = {"bitloomd", "-regtest"};
    auto settings = load_settings(2, argv, node_options(), dir.path() / "home" / ".bitloom");
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "home" / ".bitloom"));
    EXPECT_EQ(settings->data_dir, dir.path() / "home" / ".bitloom");
    EXPECT_FALSE(settings->conf_file.has_value());
}

TEST(LoadSettings, a_missing_explicit_conf_file_is_an_error) {
    TempDir dir;
    auto settings = load(dir, {"-conf=other.conf"});
    ASSERT_FALSE(settings);
    EXPECT_EQ(settings.error(), "specified config file \"" + (dir.path() / "other.conf").string() +
                                    "\" could not be opened.");
    dir.write("other.conf", "rpcuser=other\n");
    auto found = load(dir, {"-conf=other.conf"});
    ASSERT_TRUE(found) << found.error();
    EXPECT_EQ(found->get("rpcuser"), "other");
    dir.write("bitloom.conf", "bogus\n");
    EXPECT_TRUE(load(dir, {"-noconf"}));
}

TEST(LoadSettings, refuses_an_ignored_bitloom_conf_unless_allowed) {
    TempDir dir;
    dir.write("bitloom.conf", "server=1\n");
    dir.write("other.conf", "rpcuser=x\n");
    auto refused = load(dir, {"-conf=other.conf"});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("contains a \"bitloom.conf\" file which is ignored"),
              std::string::npos)
        << refused.error();
    EXPECT_NE(refused.error().find("command line argument \"-conf=other.conf\""), std::string::npos);
    auto allowed = load(dir, {"-conf=other.conf", "-allowignoredconf"});
    ASSERT_TRUE(allowed) << allowed.error();
    EXPECT_TRUE(contains(allowed->warnings, "file which is ignored"));
    EXPECT_EQ(allowed->get("rpcuser"), "x");
    EXPECT_FALSE(allowed->is_set("server"));
    EXPECT_TRUE(load(dir, {"-conf=bitloom.conf"}));
}

TEST(LoadSettings, warns_about_unknown_sections) {
    TempDir dir;
    dir.write("bitloom.conf", "[mainnet]\nserver=1\n");
    auto settings = load(dir);
    ASSERT_TRUE(settings) << settings.error();
    EXPECT_TRUE(contains(settings->warnings, ":1 Section [mainnet] is not recognized."));
}

TEST(LoadSettings, reports_command_line_errors_and_keeps_positional_arguments) {
    TempDir dir;
    auto bad = load(dir, {"-bogus"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "Error parsing command line arguments: Invalid parameter -bogus");
    auto positional = load(dir, {"-server", "getinfo", "-x"});
    ASSERT_TRUE(positional) << positional.error();
    EXPECT_EQ(positional->positional, (std::vector<std::string>{"getinfo", "-x"}));
}

TEST(LoadSettings, lists_unused_options_from_files_too) {
    TempDir dir;
    dir.write("bitloom.conf", "upnp=1\nserver=1\n");
    auto settings = load(dir);
    ASSERT_TRUE(settings);
    EXPECT_EQ(options_not_yet_used(*settings), (std::vector<std::string>{"-upnp"}));
}

TEST(ValidateSettings, accepts_only_prune_zero) {
    TempDir dir;
    auto zero = load(dir, {"-prune=0"});
    ASSERT_TRUE(zero);
    EXPECT_TRUE(validate_node_settings(*zero));
    auto pruned = load(dir, {"-prune=550"});
    ASSERT_TRUE(pruned);
    auto checked = validate_node_settings(*pruned);
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().find("not supported"), std::string::npos);
}

TEST(ValidateSettings, allows_mocktime_only_on_regtest_and_checks_numbers) {
    TempDir dir;
    auto main = load(dir, {"-mocktime=1700000000"});
    ASSERT_TRUE(main);
    EXPECT_EQ(validate_node_settings(*main).error(),
              "-mocktime is for regression testing (-regtest mode) only");
    auto regtest = load(dir, {"-regtest", "-mocktime=1700000000"});
    ASSERT_TRUE(regtest);
    EXPECT_TRUE(validate_node_settings(*regtest));
    auto bad = load(dir, {"-dbcache=lots"});
    ASSERT_TRUE(bad);
    EXPECT_EQ(validate_node_settings(*bad).error(), "Invalid value for -dbcache: 'lots'");
    auto small = load(dir, {"-dbcache=2"});
    ASSERT_TRUE(small);
    EXPECT_FALSE(validate_node_settings(*small));
}

}  // namespace
}  // namespace bitloom
