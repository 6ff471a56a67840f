#include "rpc/json_rpc.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace bitloom {
namespace {

void fill(RpcDispatcher& dispatcher) {
    dispatcher.add(RpcMethod{"getblockhash",
                             "blockchain",
                             {RpcParam{"height", RpcType::number, false, "", "The height index"}},
                             "Returns hash of block in best-block-chain at height provided.",
                             [](const RpcCall& call) -> Json {
                                 const auto height = call.get_int(0);
                                 if (height < 0 || height > 10)
                                     throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                                                    "Block height out of range");
                                 return std::string(64, static_cast<char>('0' + height));
                             }});
    dispatcher.add(RpcMethod{"echo3",
                             "hidden",
                             {RpcParam{"first", RpcType::any, true}, RpcParam{"second|alias", RpcType::any, true},
                              RpcParam{"third", RpcType::any, true}},
                             "Echoes its params.",
                             [](const RpcCall& call) -> Json { return call.params(); }});
    dispatcher.add(RpcMethod{"throws", "control", {}, "Throws.", [](const RpcCall&) -> Json {
                                 throw std::runtime_error("something broke");
                             }});
    dispatcher.add(RpcMethod{"throwsint", "control", {}, "Throws an int.",
                             [](const RpcCall&) -> Json { throw 7; }});
    dispatcher.add(RpcMethod{"getamount", "util", {RpcParam{"amount", RpcType::amount}}, "Amount.",
                             [](const RpcCall& call) -> Json { return amount_to_json(call.get_amount(0)); }});
    dispatcher.add(make_help_method(dispatcher));
}

Json body_of(const RpcReply& reply) {
    auto parsed = parse_json(reply.body);
    EXPECT_TRUE(parsed.has_value()) << reply.body;
    return parsed.value_or(Json());
}

TEST(JsonRpcDispatcher, legacy_success_reply_has_result_error_and_id) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    const auto reply = dispatcher.handle(R"({"method":"getblockhash","params":[1],"id":"x"})");
    EXPECT_EQ(reply.http_status, 200);
    EXPECT_EQ(reply.body, R"({"result":")" + std::string(64, '1') + R"(","error":null,"id":"x"})" "\n");
}

TEST(JsonRpcDispatcher, legacy_errors_map_to_core_http_statuses) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    auto reply = dispatcher.handle(R"({"method":"nosuch","id":1})");
    EXPECT_EQ(reply.http_status, 404);
    EXPECT_EQ(reply.body, R"({"result":null,"error":{"code":-32601,"message":"Method not found"},"id":1})" "\n");
    reply = dispatcher.handle(R"({"method":"getblockhash","params":[99],"id":1})");
    EXPECT_EQ(reply.http_status, 500);
    EXPECT_EQ(body_of(reply)["error"]["code"], -8);
    reply = dispatcher.handle(R"({"params":[],"id":1})");
    EXPECT_EQ(reply.http_status, 400);
    EXPECT_EQ(body_of(reply)["error"]["message"], "Missing method");
    reply = dispatcher.handle(R"({"method":"getblockhash","params":3,"id":1})");
    EXPECT_EQ(reply.http_status, 400);
    EXPECT_EQ(body_of(reply)["error"]["message"], "Params must be an array or object");
}

TEST(JsonRpcDispatcher, legacy_request_without_id_gets_a_reply_without_id) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    const auto reply = dispatcher.handle(R"({"method":"getblockhash","params":[1]})");
    EXPECT_EQ(reply.http_status, 200);
    EXPECT_EQ(reply.body, R"({"result":")" + std::string(64, '1') + R"(","error":null})" "\n");
}

TEST(JsonRpcDispatcher, parse_error_and_non_object_request_are_32700) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    auto reply = dispatcher.handle("{not json");
    EXPECT_EQ(reply.http_status, 500);
    EXPECT_EQ(reply.body, R"({"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null})" "\n");
    reply = dispatcher.handle("42");
    EXPECT_EQ(reply.http_status, 500);
    EXPECT_EQ(body_of(reply)["error"]["message"], "Top-level object parse error");
    EXPECT_EQ(body_of(reply)["error"]["code"], -32700);
}

TEST(JsonRpcDispatcher, version_2_replies_carry_only_result_or_error_with_status_200) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    auto reply = dispatcher.handle(R"({"jsonrpc":"2.0","method":"getblockhash","params":[2],"id":5})");
    EXPECT_EQ(reply.http_status, 200);
    EXPECT_EQ(reply.body, R"({"jsonrpc":"2.0","result":")" + std::string(64, '2') + R"(","id":5})" "\n");
    reply = dispatcher.handle(R"({"jsonrpc":"2.0","method":"nosuch","id":5})");
    EXPECT_EQ(reply.http_status, 200);
    EXPECT_EQ(reply.body, R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":5})" "\n");
    reply = dispatcher.handle(R"({"jsonrpc":"3.0","method":"getblockhash","id":5})");
    EXPECT_EQ(reply.http_status, 400);
    EXPECT_EQ(body_of(reply)["error"]["message"], "JSON-RPC version not supported");
}

TEST(JsonRpcDispatcher, version_2_notification_gets_no_content) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    const auto reply = dispatcher.handle(R"({"jsonrpc":"2.0","method":"getblockhash","params":[2]})");
    EXPECT_EQ(reply.http_status, 204);
    EXPECT_TRUE(reply.body.empty());
}

TEST(JsonRpcDispatcher, batch_returns_replies_in_order_without_notifications) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    auto reply = dispatcher.handle(
        R"([{"method":"getblockhash","params":[0],"id":1},)"
        R"({"jsonrpc":"2.0","method":"getblockhash","params":[1]},)"
        R"({"jsonrpc":"2.0","method":"nosuch","id":3}, 17])");
    EXPECT_EQ(reply.http_status, 200);
    const Json replies = body_of(reply);
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0]["id"], 1);
    EXPECT_TRUE(replies[0]["error"].is_null());
    EXPECT_EQ(replies[1]["error"]["code"], -32601);
    EXPECT_EQ(replies[1]["id"], 3);
    EXPECT_EQ(replies[2]["error"]["code"], -32600);
    EXPECT_EQ(replies[2]["error"]["message"], "Invalid Request object");

    reply = dispatcher.handle(R"([{"jsonrpc":"2.0","method":"getblockhash","params":[1]}])");
    EXPECT_EQ(reply.http_status, 204);
    reply = dispatcher.handle("[]");
    EXPECT_EQ(reply.http_status, 200);
    EXPECT_EQ(reply.body, "[]\n");
}

TEST(JsonRpcDispatcher, named_params_map_to_positions_with_holes_and_aliases) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    EXPECT_EQ(dispatcher.execute("echo3", Json::parse(R"({"third":3})")), Json::parse("[null,null,3]"));
    EXPECT_EQ(dispatcher.execute("echo3", Json::parse(R"({"alias":2})")), Json::parse("[null,2]"));
    EXPECT_EQ(dispatcher.execute("echo3", Json::parse(R"({"first":1})")), Json::parse("[1]"));
    EXPECT_EQ(dispatcher.execute("echo3", Json::parse(R"({"args":[1,2],"third":3})")),
              Json::parse("[1,2,3]"));
    EXPECT_EQ(dispatcher.execute("echo3", Json::parse(R"({"args":"x","third":3})")),
              Json::parse("[null,null,3]"));
    EXPECT_EQ(dispatcher.execute("getblockhash", Json::parse(R"({"height":3})")),
              std::string(64, '3'));
}

TEST(JsonRpcDispatcher, named_params_report_core_errors) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    const auto error_of = [&](const char* params) -> std::string {
        try {
            dispatcher.execute("echo3", Json::parse(params));
        } catch (const RpcError& e) {
            EXPECT_EQ(e.code, -8);
            return e.message;
        }
        return "no error";
    };
    EXPECT_EQ(error_of(R"({"nosuch":1})"), "Unknown named parameter nosuch");
    EXPECT_EQ(error_of(R"({"args":[1],"first":1})"),
              "Parameter first specified twice both as positional and named argument");
    const auto reply = dispatcher.handle(R"({"method":"echo3","params":{"first":1,"first":2},"id":1})");
    // nlohmann keeps the last duplicate key; the request still succeeds with one value.
    EXPECT_EQ(reply.http_status, 200);
}

TEST(JsonRpcDispatcher, wrong_types_and_counts_raise_core_errors) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    auto reply = dispatcher.handle(R"({"method":"getblockhash","params":["1"],"id":1})");
    EXPECT_EQ(reply.http_status, 500);
    EXPECT_EQ(body_of(reply)["error"]["code"], -3);
    EXPECT_EQ(body_of(reply)["error"]["message"],
              "Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value of type string is "
              "not of expected type number\"\n}");
    reply = dispatcher.handle(R"({"method":"getblockhash","params":[1,2],"id":1})");
    EXPECT_EQ(body_of(reply)["error"]["code"], -1);
    EXPECT_EQ(body_of(reply)["error"]["message"].get<std::string>().substr(0, 20), "getblockhash height\n");
    reply = dispatcher.handle(R"({"method":"getblockhash","params":[],"id":1})");
    EXPECT_EQ(body_of(reply)["error"]["code"], -1);
    reply = dispatcher.handle(R"({"method":"getamount","params":["0.000000001"],"id":1})");
    EXPECT_EQ(body_of(reply)["error"]["code"], -3);
    EXPECT_EQ(body_of(reply)["error"]["message"], "Invalid amount");
    reply = dispatcher.handle(R"({"method":"getamount","params":[0.1],"id":1})");
    EXPECT_EQ(reply.body, R"({"result":0.10000000,"error":null,"id":1})" "\n");
}

TEST(JsonRpcDispatcher, typed_accessors_raise_type_errors) {
    const RpcCall call("m", Json::parse(R"(["text", 1.5, null])"));
    try {
        call.get_int(0);
        FAIL() << "no error";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, -3);
        EXPECT_EQ(e.message, "JSON value of type string is not of expected type number");
    }
    EXPECT_THROW(call.get_int(1), RpcError);
    EXPECT_EQ(call.get_number(1), 1.5);
    EXPECT_EQ(call.get_int_or(2, 9), 9);
    EXPECT_EQ(call.get_string_or(5, "d"), "d");
    try {
        call.get_bool(2);
        FAIL() << "no error";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.code, -8);
    }
}

TEST(JsonRpcDispatcher, handler_exceptions_never_escape) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    auto reply = dispatcher.handle(R"({"method":"throws","id":1})");
    EXPECT_EQ(reply.http_status, 500);
    EXPECT_EQ(body_of(reply)["error"]["code"], -1);
    EXPECT_EQ(body_of(reply)["error"]["message"], "something broke");
    reply = dispatcher.handle(R"({"method":"throwsint","id":1})");
    EXPECT_EQ(body_of(reply)["error"]["code"], -32603);
}

TEST(JsonRpcDispatcher, warmup_rejects_every_call_with_code_28) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    dispatcher.set_warmup("Loading block index…");
    auto reply = dispatcher.handle(R"({"method":"getblockhash","params":[1],"id":1})");
    EXPECT_EQ(body_of(reply)["error"]["code"], -28);
    EXPECT_EQ(body_of(reply)["error"]["message"], "Loading block index…");
    dispatcher.clear_warmup();
    reply = dispatcher.handle(R"({"method":"getblockhash","params":[1],"id":1})");
    EXPECT_TRUE(body_of(reply)["error"].is_null());
}

TEST(JsonRpcDispatcher, help_lists_visible_methods_by_category_and_explains_one) {
    RpcDispatcher dispatcher;
    fill(dispatcher);
    EXPECT_EQ(dispatcher.help(),
              "== Blockchain ==\ngetblockhash height\n\n== Control ==\nhelp ( \"command\" )\nthrows\n"
              "throwsint\n\n== Util ==\ngetamount amount");
    const std::string one = dispatcher.execute("help", Json::array({"getblockhash"})).get<std::string>();
    EXPECT_EQ(one,
              "getblockhash height\n\nReturns hash of block in best-block-chain at height provided.\n\n"
              "Arguments:\n1. height    (numeric, required) The height index\n");
    EXPECT_EQ(dispatcher.help("nosuch"), "help: unknown command: nosuch");
}

}  // namespace
}  // namespace bitloom
