#include "util/args.h"

#include <gtest/gtest.h>

namespace bitloom {
namespace {

ArgsParser make_parser() {
    ArgsParser parser;
    parser.add_option("regtest", ArgsParser::Kind::flag, "Use the regression test chain.");
    parser.add_option("datadir", ArgsParser::Kind::value, "Data directory.", "<dir>");
    parser.add_option("addnode", ArgsParser::Kind::value, "Add a node.", "<ip>");
    parser.add_option("listen", ArgsParser::Kind::flag, "Accept connections.");
    return parser;
}

Result<void, ArgsFailure> parse(ArgsParser& parser, std::vector<const char*> args) {
    args.insert(args.begin(), "prog");
    return parser.parse(static_cast<int>(args.size()), args.data());
}

TEST(ArgsParser, accepts_single_and_double_dash_forms) {
    auto parser = make_parser();
    ASSERT_TRUE(parse(parser, {"-regtest", "--datadir=/tmp/x", "-addnode=a", "-addnode=b"}));
    EXPECT_TRUE(parser.get_bool("regtest", false));
    EXPECT_EQ(parser.get("datadir"), "/tmp/x");
    EXPECT_EQ(parser.get_all("addnode"), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(parser.get("addnode"), "b");
    EXPECT_FALSE(parser.is_set("listen"));
    EXPECT_TRUE(parser.get_bool("listen", true));
}

TEST(ArgsParser, reads_negated_flags_as_false) {
    auto parser = make_parser();
    ASSERT_TRUE(parse(parser, {"-nolisten"}));
    EXPECT_FALSE(parser.get_bool("listen", true));
    auto parser2 = make_parser();
    ASSERT_TRUE(parse(parser2, {"-listen=0"}));
    EXPECT_FALSE(parser2.get_bool("listen", true));
    auto parser3 = make_parser();
    EXPECT_FALSE(parse(parser3, {"-nolisten=yes"}));
}

TEST(ArgsParser, rejects_unknown_options_by_name) {
    auto parser = make_parser();
    auto result = parse(parser, {"-regtest", "-frobnicate=1"});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().error, ArgsError::unknown_option);
    EXPECT_EQ(result.error().message(), "Invalid parameter -frobnicate=1");
}

TEST(ArgsParser, requires_values_for_value_options) {
    auto parser = make_parser();
    auto result = parse(parser, {"-datadir"});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().error, ArgsError::missing_value);
}

TEST(ArgsParser, stops_at_the_first_positional_argument) {
    auto parser = make_parser();
    ASSERT_TRUE(parse(parser, {"-regtest", "getblock", "-1", "abc"}));
    EXPECT_EQ(parser.positional(), (std::vector<std::string>{"getblock", "-1", "abc"}));
}

TEST(ArgsParser, prints_every_option_in_help) {
    auto parser = make_parser();
    const std::string help = parser.help_text();
    EXPECT_NE(help.find("-datadir=<dir>"), std::string::npos);
    EXPECT_NE(help.find("-regtest\n"), std::string::npos);
    EXPECT_NE(help.find("regression test chain"), std::string::npos);
}

}  // namespace
}  // namespace bitloom
