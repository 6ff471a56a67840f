#include "rpc/client.h"

#include <gtest/gtest.h>

namespace bitloom {
namespace {

TEST(RpcClientConversion, converts_numeric_and_json_arguments_and_keeps_strings) {
    EXPECT_EQ(rpc_convert_values("getblockhash", {"5"}), Json::parse("[5]"));
    EXPECT_EQ(rpc_convert_values("getblock", {"00ff", "2"}), Json::parse(R"(["00ff",2])"));
    EXPECT_EQ(rpc_convert_values("gettxout", {"ab", "1", "false"}), Json::parse(R"(["ab",1,false])"));
    EXPECT_EQ(rpc_convert_values("generateblock", {"addr", "[\"tx\"]", "true"}),
              Json::parse(R"(["addr",["tx"],true])"));
    EXPECT_EQ(rpc_convert_values("submitblock", {"00"}), Json::parse(R"(["00"])"));
    EXPECT_EQ(rpc_convert_values("help", {"getblock"}), Json::parse(R"(["getblock"])"));
    EXPECT_EQ(rpc_convert_values("getblockstats", {"7", "[\"height\"]"}), Json::parse(R"([7,["height"]])"));
}

TEST(RpcClientConversion, rejects_bad_json_with_cores_message) {
    try {
        rpc_convert_values("getblockhash", {"abc"});
        FAIL() << "no error";
    } catch (const RpcError& e) {
        EXPECT_EQ(e.message, "Error parsing JSON: abc");
    }
}

TEST(RpcClientConversion, named_arguments_become_an_object_with_args_for_positionals) {
    EXPECT_EQ(rpc_convert_named_values("getblock", {"blockhash=00", "verbosity=0"}),
              Json::parse(R"({"blockhash":"00","verbosity":0})"));
    EXPECT_EQ(rpc_convert_named_values("getblock", {"00", "verbosity=2", "verbosity=1"}),
              Json::parse(R"({"verbosity":1,"args":["00"]})"));
}

}  // namespace
}  // namespace bitloom
