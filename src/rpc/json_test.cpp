#include "rpc/json.h"

#include <gtest/gtest.h>

namespace bitloom {
namespace {

TEST(RpcJson, writes_compact_json_like_univalue) {
    Json value = Json::object();
    value["result"] = nullptr;
    value["b"] = Json::array({1, true, "x\n\"y\""});
    value["a"] = 0.5;
    EXPECT_EQ(write_json(value), R"({"result":null,"b":[1,true,"x\n\"y\""],"a":0.5})");
}

TEST(RpcJson, pretty_prints_with_univalue_indentation_and_empty_containers) {
    Json value = Json::object();
    value["a"] = Json::array({1, 2});
    value["e"] = Json::array();
    value["o"] = Json::object();
    EXPECT_EQ(write_json(value, 2),
              "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"e\": [\n  ],\n  \"o\": {\n  }\n}");
    EXPECT_EQ(write_json(Json::array(), 2), "[\n]");
}

TEST(RpcJson, amounts_print_with_eight_decimals_and_parse_back) {
    EXPECT_EQ(write_json(amount_to_json(50 * COIN)), "50.00000000");
    EXPECT_EQ(write_json(amount_to_json(1000)), "0.00001000");
    EXPECT_EQ(write_json(amount_to_json(-1)), "-0.00000001");
    EXPECT_EQ(amount_from_json(amount_to_json(123)), 123);
    EXPECT_EQ(amount_from_json(Json(0.1)), 10'000'000);
    EXPECT_EQ(amount_from_json(Json("21000000")), MAX_MONEY);
    EXPECT_EQ(amount_from_json(Json(1)), COIN);
    EXPECT_EQ(amount_from_json(Json("0.000000001")).error(), AmountError::invalid_amount);
    EXPECT_EQ(amount_from_json(Json("21000000.00000001")).error(), AmountError::out_of_range);
    EXPECT_EQ(amount_from_json(Json(-1)).error(), AmountError::out_of_range);
    EXPECT_EQ(amount_from_json(Json(true)).error(), AmountError::not_number_or_string);
    EXPECT_EQ(json_type_name(amount_to_json(1)), "number");
}

TEST(RpcJson, parse_rejects_garbage_and_deep_nesting_without_throwing) {
    EXPECT_FALSE(parse_json("{").has_value());
    EXPECT_FALSE(parse_json("[1] x").has_value());
    EXPECT_FALSE(parse_json(std::string(100000, '[')).has_value());
    EXPECT_TRUE(parse_json(std::string(500, '[') + std::string(500, ']')).has_value());
    EXPECT_EQ(parse_json("\"s\"")->get<std::string>(), "s");
}

TEST(RpcJson, raw_member_and_pretty_text_keep_number_literals) {
    const std::string reply = R"({"result":{"fee":0.00001000,"list":[],"s":"a,b"},"error":null,"id":1})";
    const auto result = json_raw_member(reply, "result");
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(*result, R"({"fee":0.00001000,"list":[],"s":"a,b"})");
    EXPECT_EQ(json_raw_member(reply, "error"), "null");
    EXPECT_FALSE(json_raw_member(reply, "missing").has_value());
    EXPECT_EQ(pretty_json_text(*result, 2),
              "{\n  \"fee\": 0.00001000,\n  \"list\": [\n  ],\n  \"s\": \"a,b\"\n}");
    EXPECT_FALSE(pretty_json_text("{\"a\":", 2).has_value());
}

}  // namespace
}  // namespace bitloom
