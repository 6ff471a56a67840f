#include "rpc/client.h"

#include <set>
#include <tuple>

namespace bitloom {

namespace {

struct ConvertParam {
    std::string_view method;
    std::size_t index;
    std::string_view name;
};

// bitcoin-cli's conversion table (rpc/client.cpp's vRPCConvertParams): the arguments whose
// text is JSON rather than a string.
constexpr ConvertParam CONVERT_PARAMS[] = {
    {"setmocktime", 0, "timestamp"},
    {"mockscheduler", 0, "delta_time"},
    {"utxoupdatepsbt", 1, "descriptors"},
    {"generatetoaddress", 0, "nblocks"},
    {"generatetoaddress", 2, "maxtries"},
    {"generatetodescriptor", 0, "num_blocks"},
    {"generatetodescriptor", 2, "maxtries"},
    {"generateblock", 1, "transactions"},
    {"generateblock", 2, "submit"},
    {"getnetworkhashps", 0, "nblocks"},
    {"getnetworkhashps", 1, "height"},
    {"sendtoaddress", 1, "amount"},
    {"sendtoaddress", 4, "subtractfeefromamount"},
    {"sendtoaddress", 5, "replaceable"},
    {"sendtoaddress", 6, "conf_target"},
    {"sendtoaddress", 8, "avoid_reuse"},
    {"sendtoaddress", 9, "fee_rate"},
    {"sendtoaddress", 10, "verbose"},
    {"settxfee", 0, "amount"},
    {"getreceivedbyaddress", 1, "minconf"},
    {"getreceivedbyaddress", 2, "include_immature_coinbase"},
    {"getreceivedbylabel", 1, "minconf"},
    {"getreceivedbylabel", 2, "include_immature_coinbase"},
    {"listreceivedbyaddress", 0, "minconf"},
    {"listreceivedbyaddress", 1, "include_empty"},
    {"listreceivedbyaddress", 2, "include_watchonly"},
    {"listreceivedbylabel", 0, "minconf"},
    {"listreceivedbylabel", 1, "include_empty"},
    {"listreceivedbylabel", 2, "include_watchonly"},
    {"getbalance", 1, "minconf"},
    {"getbalance", 2, "include_watchonly"},
    {"getbalance", 3, "avoid_reuse"},
    {"getblockfrompeer", 1, "peer_id"},
    {"getblockhash", 0, "height"},
    {"waitforblockheight", 0, "height"},
    {"waitforblockheight", 1, "timeout"},
    {"waitforblock", 1, "timeout"},
    {"waitfornewblock", 0, "timeout"},
    {"listtransactions", 1, "count"},
    {"listtransactions", 2, "skip"},
    {"listtransactions", 3, "include_watchonly"},
    {"walletpassphrase", 1, "timeout"},
    {"getblocktemplate", 0, "template_request"},
    {"listsinceblock", 1, "target_confirmations"},
    {"listsinceblock", 2, "include_watchonly"},
    {"listsinceblock", 3, "include_removed"},
    {"listsinceblock", 4, "include_change"},
    {"sendmany", 1, "amounts"},
    {"sendmany", 2, "minconf"},
    {"sendmany", 4, "subtractfeefrom"},
    {"sendmany", 5, "replaceable"},
    {"sendmany", 6, "conf_target"},
    {"sendmany", 8, "fee_rate"},
    {"sendmany", 9, "verbose"},
    {"deriveaddresses", 1, "range"},
    {"scanblocks", 1, "scanobjects"},
    {"scanblocks", 2, "start_height"},
    {"scanblocks", 3, "stop_height"},
    {"scanblocks", 5, "options"},
    {"scantxoutset", 1, "scanobjects"},
    {"addmultisigaddress", 0, "nrequired"},
    {"addmultisigaddress", 1, "keys"},
    {"createmultisig", 0, "nrequired"},
    {"createmultisig", 1, "keys"},
    {"listunspent", 0, "minconf"},
    {"listunspent", 1, "maxconf"},
    {"listunspent", 2, "addresses"},
    {"listunspent", 3, "include_unsafe"},
    {"listunspent", 4, "query_options"},
    {"getblock", 1, "verbosity"},
    {"getblock", 1, "verbose"},
    {"getblockheader", 1, "verbose"},
    {"getchaintxstats", 0, "nblocks"},
    {"gettransaction", 1, "include_watchonly"},
    {"gettransaction", 2, "verbose"},
    {"getrawtransaction", 1, "verbosity"},
    {"getrawtransaction", 1, "verbose"},
    {"createrawtransaction", 0, "inputs"},
    {"createrawtransaction", 1, "outputs"},
    {"createrawtransaction", 2, "locktime"},
    {"createrawtransaction", 3, "replaceable"},
    {"decoderawtransaction", 1, "iswitness"},
    {"signrawtransactionwithkey", 1, "privkeys"},
    {"signrawtransactionwithkey", 2, "prevtxs"},
    {"signrawtransactionwithwallet", 1, "prevtxs"},
    {"sendrawtransaction", 1, "maxfeerate"},
    {"sendrawtransaction", 2, "maxburnamount"},
    {"testmempoolaccept", 0, "rawtxs"},
    {"testmempoolaccept", 1, "maxfeerate"},
    {"submitpackage", 0, "package"},
    {"submitpackage", 1, "maxfeerate"},
    {"submitpackage", 2, "maxburnamount"},
    {"combinerawtransaction", 0, "txs"},
    {"fundrawtransaction", 1, "options"},
    {"fundrawtransaction", 2, "iswitness"},
    {"walletcreatefundedpsbt", 0, "inputs"},
    {"walletcreatefundedpsbt", 1, "outputs"},
    {"walletcreatefundedpsbt", 2, "locktime"},
    {"walletcreatefundedpsbt", 3, "options"},
    {"walletcreatefundedpsbt", 4, "bip32derivs"},
    {"walletprocesspsbt", 1, "sign"},
    {"walletprocesspsbt", 3, "bip32derivs"},
    {"walletprocesspsbt", 4, "finalize"},
    {"descriptorprocesspsbt", 1, "descriptors"},
    {"descriptorprocesspsbt", 3, "bip32derivs"},
    {"descriptorprocesspsbt", 4, "finalize"},
    {"createpsbt", 0, "inputs"},
    {"createpsbt", 1, "outputs"},
    {"createpsbt", 2, "locktime"},
    {"createpsbt", 3, "replaceable"},
    {"combinepsbt", 0, "txs"},
    {"joinpsbts", 0, "txs"},
    {"finalizepsbt", 1, "extract"},
    {"converttopsbt", 1, "permitsigdata"},
    {"converttopsbt", 2, "iswitness"},
    {"gettxout", 1, "n"},
    {"gettxout", 2, "include_mempool"},
    {"gettxoutproof", 0, "txids"},
    {"gettxoutsetinfo", 1, "hash_or_height"},
    {"gettxoutsetinfo", 2, "use_index"},
    {"dumptxoutset", 2, "options"},
    {"lockunspent", 0, "unlock"},
    {"lockunspent", 1, "transactions"},
    {"lockunspent", 2, "persistent"},
    {"send", 0, "outputs"},
    {"send", 1, "conf_target"},
    {"send", 3, "fee_rate"},
    {"send", 4, "options"},
    {"sendall", 0, "recipients"},
    {"sendall", 1, "conf_target"},
    {"sendall", 3, "fee_rate"},
    {"sendall", 4, "options"},
    {"simulaterawtransaction", 0, "rawtxs"},
    {"simulaterawtransaction", 1, "options"},
    {"importprivkey", 2, "rescan"},
    {"importaddress", 2, "rescan"},
    {"importaddress", 3, "p2sh"},
    {"importpubkey", 2, "rescan"},
    {"importmulti", 0, "requests"},
    {"importmulti", 1, "options"},
    {"importdescriptors", 0, "requests"},
    {"listdescriptors", 0, "private"},
    {"verifychain", 0, "checklevel"},
    {"verifychain", 1, "nblocks"},
    {"getblockstats", 0, "hash_or_height"},
    {"getblockstats", 1, "stats"},
    {"pruneblockchain", 0, "height"},
    {"keypoolrefill", 0, "newsize"},
    {"getrawmempool", 0, "verbose"},
    {"getrawmempool", 1, "mempool_sequence"},
    {"getorphantxs", 0, "verbosity"},
    {"estimatesmartfee", 0, "conf_target"},
    {"estimaterawfee", 0, "conf_target"},
    {"estimaterawfee", 1, "threshold"},
    {"prioritisetransaction", 1, "dummy"},
    {"prioritisetransaction", 2, "fee_delta"},
    {"setban", 2, "bantime"},
    {"setban", 3, "absolute"},
    {"setnetworkactive", 0, "state"},
    {"setwalletflag", 1, "value"},
    {"getmempoolancestors", 1, "verbose"},
    {"getmempooldescendants", 1, "verbose"},
    {"gettxspendingprevout", 0, "outputs"},
    {"bumpfee", 1, "options"},
    {"psbtbumpfee", 1, "options"},
    {"logging", 0, "include"},
    {"logging", 1, "exclude"},
    {"disconnectnode", 1, "nodeid"},
    {"upgradewallet", 0, "version"},
    {"sethdseed", 0, "newkeypool"},
    {"getnodeaddresses", 0, "count"},
    {"addpeeraddress", 1, "port"},
    {"addpeeraddress", 2, "tried"},
    {"stop", 0, "wait"},
    {"addnode", 2, "v2transport"},
    {"addconnection", 2, "v2transport"},
    {"createwallet", 1, "disable_private_keys"},
    {"createwallet", 2, "blank"},
    {"createwallet", 4, "avoid_reuse"},
    {"createwallet", 5, "descriptors"},
    {"createwallet", 6, "load_on_startup"},
    {"createwallet", 7, "external_signer"},
    {"loadwallet", 1, "load_on_startup"},
    {"unloadwallet", 1, "load_on_startup"},
    {"rescanblockchain", 0, "start_height"},
    {"rescanblockchain", 1, "stop_height"},
    {"getdescriptoractivity", 0, "blockhashes"},
    {"getdescriptoractivity", 1, "scanobjects"},
    {"getdescriptoractivity", 2, "include_mempool"},
    {"echojson", 0, "arg0"},
    {"echojson", 1, "arg1"},
    {"echojson", 2, "arg2"},
    {"echojson", 3, "arg3"},
    {"echojson", 4, "arg4"},
    {"echojson", 5, "arg5"},
    {"echojson", 6, "arg6"},
    {"echojson", 7, "arg7"},
    {"echojson", 8, "arg8"},
    {"echojson", 9, "arg9"},
};

Json parse_argument_json(const std::string& text) {
    auto value = parse_json(text);
    if (!value) throw RpcError(RpcErrorCode::MISC_ERROR, "Error parsing JSON: " + text);
    return std::move(*value);
}

Json convert_positional(std::string_view method, std::size_t index, const std::string& text) {
    return rpc_param_is_json(method, index) ? parse_argument_json(text) : Json(text);
}

}  // namespace

bool rpc_param_is_json(std::string_view method, std::size_t index) {
    for (const auto& entry : CONVERT_PARAMS)
        if (entry.method == method && entry.index == index) return true;
    return false;
}

bool rpc_named_param_is_json(std::string_view method, std::string_view name) {
    for (const auto& entry : CONVERT_PARAMS)
        if (entry.method == method && entry.name == name) return true;
    return false;
}

Json rpc_convert_values(std::string_view method, const std::vector<std::string>& args) {
    Json params = Json::array();
    for (std::size_t i = 0; i < args.size(); ++i)
        params.push_back(convert_positional(method, i, args[i]));
    return params;
}

Json rpc_convert_named_values(std::string_view method, const std::vector<std::string>& args) {
    Json params = Json::object();
    Json positional = Json::array();
    for (const auto& arg : args) {
        const auto equals = arg.find('=');
        if (equals == std::string::npos) {
            positional.push_back(convert_positional(method, positional.size(), arg));
            continue;
        }
        const std::string name = arg.substr(0, equals);
        const std::string value = arg.substr(equals + 1);
        params[name] = rpc_named_param_is_json(method, name) ? parse_argument_json(value) : Json(value);
    }
    if (!positional.empty() && !params.contains("args")) params["args"] = std::move(positional);
    return params;
}

}  // namespace bitloom
