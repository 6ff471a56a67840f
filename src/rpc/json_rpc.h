// JSON-RPC request handling as Bitcoin Core does it (httprpc.cpp, rpc/request.cpp,
// rpc/server.cpp, rpc/util.cpp), as a pure function from a request body to a reply, with no
// sockets, so that it can be tested directly.
//
// Request grammar (HTTP POST body):
//   body     := request | "[" request *("," request) "]" | "[]"
//   request  := { "method": string, ["params": array | object], ["id": any],
//                 ["jsonrpc": "1.0" | "2.0"] }
// Versions: without "jsonrpc" (or with "1.0") a request is legacy JSON-RPC 1.0: its reply has
// both "result" and "error" (one of them null) and "id" (omitted when the request had none).
// With "jsonrpc":"2.0" the reply has "jsonrpc":"2.0", only one of "result"/"error", and "id";
// a 2.0 request without "id" is a notification: it is executed and gets no reply.
// HTTP status of a single request (Core's JSONErrorReply):
//   - 2.0 request handled (success or error): 200; notification: 204
//   - legacy success: 200; legacy error: 404 for METHOD_NOT_FOUND, 400 for INVALID_REQUEST,
//     500 for every other code
//   - body that is not JSON: 500 with {-32700 "Parse error"}; JSON that is neither an object
//     nor an array: 500 with {-32700 "Top-level object parse error"}; a request object that
//     is malformed (missing method, ...): 400 with -32600
// Batches always get 200 with an array of the replies in order (notifications left out),
// or 204 when a non-empty batch held only notifications; an empty batch gets [].
//
// Handlers: a method's handler receives an RpcCall whose params are positional (named
// params already mapped, Core's transformNamedArguments) and already checked against the
// method's RpcParam list (count and JSON types, Core's RPCHelpMan::HandleRequest). It returns
// the result or throws RpcError. Inside a handler, a std::exception becomes
// {RPC_MISC_ERROR, e.what()} (as Core's ExecuteCommand) and anything else thrown becomes
// {RPC_INTERNAL_ERROR, "Internal error"}; nothing escapes the dispatcher.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/json.h"

namespace bitloom {

// Bitcoin Core's RPCErrorCode (rpc/protocol.h), same values.
enum class RpcErrorCode : int {
    // Standard JSON-RPC 2.0 errors
    INVALID_REQUEST = -32600,
    METHOD_NOT_FOUND = -32601,
    INVALID_PARAMS = -32602,
    INTERNAL_ERROR = -32603,
    PARSE_ERROR = -32700,

    // General application defined errors
    MISC_ERROR = -1,
    TYPE_ERROR = -3,
    INVALID_ADDRESS_OR_KEY = -5,
    OUT_OF_MEMORY = -7,
    INVALID_PARAMETER = -8,
    DATABASE_ERROR = -20,
    DESERIALIZATION_ERROR = -22,
    VERIFY_ERROR = -25,
    VERIFY_REJECTED = -26,
    VERIFY_ALREADY_IN_CHAIN = -27,
    IN_WARMUP = -28,
    METHOD_DEPRECATED = -32,

    // P2P client errors
    CLIENT_NOT_CONNECTED = -9,
    CLIENT_IN_INITIAL_DOWNLOAD = -10,
    CLIENT_NODE_ALREADY_ADDED = -23,
    CLIENT_NODE_NOT_ADDED = -24,
    CLIENT_NODE_NOT_CONNECTED = -29,
    CLIENT_INVALID_IP_OR_SUBNET = -30,
    CLIENT_P2P_DISABLED = -31,
    CLIENT_NODE_CAPACITY_REACHED = -34,

    // Chain errors
    CLIENT_MEMPOOL_DISABLED = -33,

    // Wallet errors
    WALLET_ERROR = -4,
    WALLET_INSUFFICIENT_FUNDS = -6,
    WALLET_INVALID_LABEL_NAME = -11,
    WALLET_KEYPOOL_RAN_OUT = -12,
    WALLET_UNLOCK_NEEDED = -13,
    WALLET_PASSPHRASE_INCORRECT = -14,
    WALLET_WRONG_ENC_STATE = -15,
    WALLET_ENCRYPTION_FAILED = -16,
    WALLET_ALREADY_UNLOCKED = -17,
    WALLET_NOT_FOUND = -18,
    WALLET_NOT_SPECIFIED = -19,
    WALLET_ALREADY_LOADED = -35,
    WALLET_ALREADY_EXISTS = -36,
};

// What a handler throws for an expected failure; `code` is usually an RpcErrorCode.
struct RpcError : std::exception {
    int code;
    std::string message;

    RpcError(RpcErrorCode error_code, std::string text)
        : code(static_cast<int>(error_code)), message(std::move(text)) {}
    RpcError(int error_code, std::string text) : code(error_code), message(std::move(text)) {}
    const char* what() const noexcept override { return message.c_str(); }

    // {"code": code, "message": message}
    Json to_json() const;
};

// Parameter types, after Core's RPCArg::Type. The dispatcher checks a present, non-null
// argument against its type (string, string_hex -> string; number -> number; boolean ->
// bool; object -> object; array -> array); amount, range and any are not checked (the handler
// parses them: amounts with RpcCall::get_amount).
enum class RpcType { string, string_hex, number, amount, boolean, object, array, range, any };

struct RpcParam {
    // RpcParam{"height", RpcType::number}, RpcParam{"verbosity|verbose", RpcType::number,
    // true, "1", "0 for hex-encoded data, 1 for a JSON object, ..."}
    RpcParam(std::string name_, RpcType type_ = RpcType::string, bool optional_ = false,
             std::string default_description_ = {}, std::string description_ = {},
             std::string usage_ = {})
        : name(std::move(name_)),
          type(type_),
          optional(optional_),
          default_description(std::move(default_description_)),
          description(std::move(description_)),
          usage(std::move(usage_)) {}

    // Name used for named arguments; "a|b" declares alias b (Core's syntax).
    std::string name;
    RpcType type = RpcType::string;
    bool optional = false;
    // For help: the default shown as "default=<text>" (empty: none shown).
    std::string default_description;
    // For help: one-line description.
    std::string description;
    // For help: how the argument is shown in the usage line, when not the default
    // ("name" quoted for strings, bare name otherwise), e.g. "[\"rawtx/txid\",...]".
    std::string usage;
};

class RpcCall;
using RpcHandler = std::function<Json(const RpcCall&)>;

struct RpcMethod {
    std::string name;
    std::string category;        // "blockchain", "control", ...; "hidden" is left out of help
    std::vector<RpcParam> params;
    // Description, then Core's "Result:" and "Examples:" sections if the author writes them.
    // The dispatcher prepends the usage line and appends the "Arguments:" section.
    std::string help;
    RpcHandler handler;
};

// Who sent a request: filled by the HTTP glue (rpc_http.h), empty in direct calls.
struct RpcRequestContext {
    std::string peer;                        // "127.0.0.1:53412"
    std::string user;                        // authenticated user name
    std::optional<std::string> wallet_name;  // from "/wallet/<name>" (URL-decoded)
};

// One call as a handler sees it. params() is always an array (positional).
class RpcCall {
public:
    RpcCall(std::string method, Json params, RpcRequestContext context = {});

    const std::string& method() const { return method_; }
    const Json& params() const { return params_; }
    const RpcRequestContext& context() const { return context_; }

    std::size_t size() const { return params_.size(); }
    // The argument at `index`, or a null value when absent.
    const Json& param(std::size_t index) const;
    // True when the argument is present and not null.
    bool has(std::size_t index) const;

    // Typed accessors. Each throws RpcError(TYPE_ERROR, "JSON value of type <actual> is not of
    // expected type <expected>") when the argument has the wrong JSON type, and
    // RpcError(INVALID_PARAMETER, "Missing required parameter <index+1>") when it is absent
    // or null. The *_or forms return `fallback` for an absent or null argument.
    const std::string& get_string(std::size_t index) const;
    std::int64_t get_int(std::size_t index) const;  // integral numbers only; TYPE_ERROR
                                                    // "JSON integer out of range" otherwise
    double get_number(std::size_t index) const;
    bool get_bool(std::size_t index) const;
    const Json& get_object(std::size_t index) const;
    const Json& get_array(std::size_t index) const;
    // Core's AmountFromValue: RpcError(TYPE_ERROR, "Amount is not a number or string" /
    // "Invalid amount" / "Amount out of range").
    std::int64_t get_amount(std::size_t index) const;

    std::string get_string_or(std::size_t index, std::string fallback) const;
    std::int64_t get_int_or(std::size_t index, std::int64_t fallback) const;
    bool get_bool_or(std::size_t index, bool fallback) const;

private:
    std::string method_;
    Json params_;
    RpcRequestContext context_;
};

// The reply to one HTTP body.
struct RpcReply {
    int http_status = 200;
    std::string body;  // serialized JSON plus "\n"; empty for 204
};

// The method table and the request handler.
//
// Register every method before serving; after that, handle() and execute() are const and
// may run concurrently (handlers must be thread-safe themselves). set_warmup/clear_warmup
// may be called at any time.
class RpcDispatcher {
public:
    // Adds a method; asserts that the name is new and the handler set.
    void add(RpcMethod method);
    const RpcMethod* find(std::string_view name) const;
    // Every method's name, sorted.
    std::vector<std::string> method_names() const;

    // While a warmup status is set, every call fails with RpcError(IN_WARMUP, status), as in
    // Core ("Loading block index…"). Cleared by clear_warmup().
    void set_warmup(std::string status);
    void clear_warmup();
    std::optional<std::string> warmup_status() const;

    // Handles one HTTP POST body (see the header comment for the protocol). Never throws.
    RpcReply handle(std::string_view body, const RpcRequestContext& context = {}) const;

    // Runs one call: warmup check, method lookup (RpcError(METHOD_NOT_FOUND, "Method not
    // found")), named->positional mapping (params may be an array or an object), argument
    // checks as Core's RPCHelpMan: more arguments than declared, or fewer than up to the last
    // required one -> RpcError(MISC_ERROR, method_help(method)) (Core answers with the help
    // text); a required argument that is null, or any argument of the wrong JSON type ->
    // RpcError(TYPE_ERROR, "Wrong type passed:\n{\n    \"Position 1 (height)\": \"JSON value
    // of type string is not of expected type number\"\n}"); then the handler. Throws RpcError (only); std::exception and other exceptions
    // from handlers are converted as described above.
    Json execute(std::string_view method, const Json& params,
                 const RpcRequestContext& context = {}) const;

    // Core's help text: with no name, the first line of each visible method's help grouped
    // by category ("== Blockchain ==", categories and methods sorted, blank line between
    // groups); with a name, that method's full help; unknown name: "help: unknown command:
    // <name>".
    std::string help(std::string_view name = {}) const;
    // The full help of one method: usage line, blank line, description, "Arguments:" list.
    static std::string method_help(const RpcMethod& method);

private:
    std::map<std::string, RpcMethod, std::less<>> methods_;
    mutable std::mutex warmup_mutex_;
    std::optional<std::string> warmup_;
};

// Core's transformNamedArguments: maps a params object to positional params for `params`
// (missing ones in between become null; trailing missing ones are left out). A member "args"
// (when no parameter is called that) holding an array supplies leading positional
// arguments; an "args" of another type is dropped, as in Core. Throws
// RpcError(INVALID_PARAMETER) with Core's texts: "Parameter <name> specified twice both as
// positional and named argument", "Unknown named parameter <name>" (the first unknown member
// in request order; also a second alias of one parameter). A key repeated in the request
// text keeps its last value (the JSON parser's rule), so Core's "Parameter <name> specified
// multiple times" cannot arise from a parsed body.
Json map_named_params(const std::vector<RpcParam>& params, const Json& named);

// Generic methods a node may register (category "control"):
//   help ( "command" )  -> RpcDispatcher::help; the dispatcher must outlive the method.
//   stop                -> calls `request_stop` (which must not block) and returns
//                          "Bitloom server stopping"
//   uptime              -> seconds since `started`
RpcMethod make_help_method(const RpcDispatcher& dispatcher);
RpcMethod make_stop_method(std::function<void()> request_stop);
RpcMethod make_uptime_method(std::chrono::steady_clock::time_point started);

}  // namespace bitloom
