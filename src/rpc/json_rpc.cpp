#include "rpc/json_rpc.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>

#include "rpc/http_message.h"

namespace bitloom {

Json RpcError::to_json() const {
    Json error = Json::object();
    error["code"] = code;
    error["message"] = message;
    return error;
}

// --- RpcCall -------------------------------------------------------------------------------

namespace {

const Json& null_json() {
    static const Json null_value;
    return null_value;
}

[[noreturn]] void throw_type_error(const Json& value, std::string_view expected) {
    throw RpcError(RpcErrorCode::TYPE_ERROR,
                   "JSON value of type " + std::string(json_type_name(value)) +
                       " is not of expected type " + std::string(expected));
}

std::vector<std::string> split_names(const std::string& pattern) {
    std::vector<std::string> names;
    std::size_t start = 0;
    while (true) {
        const auto bar = pattern.find('|', start);
        names.push_back(pattern.substr(start, bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
    }
    return names;
}

std::string first_name(const RpcParam& param) { return split_names(param.name).front(); }

std::optional<std::string_view> expected_type(RpcType type) {
    switch (type) {
        case RpcType::string:
        case RpcType::string_hex: return "string";
        case RpcType::number: return "number";
        case RpcType::boolean: return "bool";
        case RpcType::object: return "object";
        case RpcType::array: return "array";
        case RpcType::amount:
        case RpcType::range:
        case RpcType::any: return std::nullopt;
    }
    return std::nullopt;
}

std::string_view help_type_name(RpcType type) {
    switch (type) {
        case RpcType::string:
        case RpcType::string_hex: return "string";
        case RpcType::number: return "numeric";
        case RpcType::amount: return "numeric or string";
        case RpcType::boolean: return "boolean";
        case RpcType::object: return "json object";
        case RpcType::array: return "json array";
        case RpcType::range: return "numeric or array";
        case RpcType::any: return "any";
    }
    return "any";
}

std::string usage_of(const RpcParam& param) {
    if (!param.usage.empty()) return param.usage;
    const std::string name = first_name(param);
    switch (param.type) {
        case RpcType::string:
        case RpcType::string_hex: return "\"" + name + "\"";
        default: return name;
    }
}

std::string capitalize(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
    return text;
}

}  // namespace

RpcCall::RpcCall(std::string method, Json params, RpcRequestContext context)
    : method_(std::move(method)),
      params_(params.is_array() ? std::move(params) : Json::array()),
      context_(std::move(context)) {}

const Json& RpcCall::param(std::size_t index) const {
    return index < params_.size() ? params_[index] : null_json();
}

bool RpcCall::has(std::size_t index) const { return !param(index).is_null(); }

namespace {
const Json& required(const RpcCall& call, std::size_t index) {
    if (!call.has(index))
        throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                       "Missing required parameter " + std::to_string(index + 1));
    return call.param(index);
}
}  // namespace

const std::string& RpcCall::get_string(std::size_t index) const {
    const Json& value = required(*this, index);
    if (!value.is_string()) throw_type_error(value, "string");
    return value.get_ref<const std::string&>();
}

std::int64_t RpcCall::get_int(std::size_t index) const {
    const Json& value = required(*this, index);
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON integer out of range");
        return static_cast<std::int64_t>(v);
    }
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return static_cast<std::int64_t>(d);
        throw RpcError(RpcErrorCode::TYPE_ERROR, "JSON integer out of range");
    }
    throw_type_error(value, "number");
}

double RpcCall::get_number(std::size_t index) const {
    const Json& value = required(*this, index);
    if (!value.is_number()) throw_type_error(value, "number");
    return value.get<double>();
}

bool RpcCall::get_bool(std::size_t index) const {
    const Json& value = required(*this, index);
    if (!value.is_boolean()) throw_type_error(value, "bool");
    return value.get<bool>();
}

const Json& RpcCall::get_object(std::size_t index) const {
    const Json& value = required(*this, index);
    if (!value.is_object()) throw_type_error(value, "object");
    return value;
}

const Json& RpcCall::get_array(std::size_t index) const {
    const Json& value = required(*this, index);
    if (!value.is_array()) throw_type_error(value, "array");
    return value;
}

std::int64_t RpcCall::get_amount(std::size_t index) const {
    const auto amount = amount_from_json(required(*this, index));
    if (!amount) throw RpcError(RpcErrorCode::TYPE_ERROR, std::string(to_string(amount.error())));
    return *amount;
}

std::string RpcCall::get_string_or(std::size_t index, std::string fallback) const {
    return has(index) ? get_string(index) : std::move(fallback);
}

std::int64_t RpcCall::get_int_or(std::size_t index, std::int64_t fallback) const {
    return has(index) ? get_int(index) : fallback;
}

bool RpcCall::get_bool_or(std::size_t index, bool fallback) const {
    return has(index) ? get_bool(index) : fallback;
}

// --- Named parameters ----------------------------------------------------------------------

Json map_named_params(const std::vector<RpcParam>& params, const Json& named) {
    Json out = Json::array();
    std::unordered_map<std::string, const Json*> args_in;
    for (const auto& [key, value] : named.items()) {
        if (!args_in.emplace(key, &value).second)
            throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                           "Parameter " + key + " specified multiple times");
    }
    int hole = 0;
    int initial_hole_size = 0;
    const std::string* initial_param = nullptr;
    for (const auto& param : params) {
        auto found = args_in.end();
        for (const auto& name : split_names(param.name)) {
            found = args_in.find(name);
            if (found != args_in.end()) break;
        }
        if (found != args_in.end()) {
            for (int i = 0; i < hole; ++i) out.push_back(nullptr);
            hole = 0;
            if (!initial_param) initial_param = &param.name;
            out.push_back(*found->second);
            args_in.erase(found);
        } else {
            hole += 1;
            if (out.empty()) initial_hole_size = hole;
        }
    }
    // As in Core, a leftover "args" is taken out whatever its type; only an array is used.
    const Json* positional_args = nullptr;
    if (auto positional = args_in.find("args"); positional != args_in.end()) {
        positional_args = positional->second;
        args_in.erase(positional);
    }
    if (positional_args && positional_args->is_array()) {
        const Json& args = *positional_args;
        if (initial_param && initial_hole_size < static_cast<int>(args.size()))
            throw RpcError(RpcErrorCode::INVALID_PARAMETER,
                           "Parameter " + first_name(RpcParam{*initial_param}) +
                               " specified twice both as positional and named argument");
        Json named_args = std::move(out);
        out = args;
        for (std::size_t i = out.size(); i < named_args.size(); ++i) out.push_back(named_args[i]);
    }
    if (!args_in.empty()) {
        // Report the first unknown name in request order, as Core's map iteration is unordered
        // anyway; request order is at least deterministic.
        for (const auto& [key, value] : named.items())
            if (args_in.count(key))
                throw RpcError(RpcErrorCode::INVALID_PARAMETER, "Unknown named parameter " + key);
    }
    return out;
}

// --- Dispatcher ----------------------------------------------------------------------------

void RpcDispatcher::add(RpcMethod method) {
    assert(method.handler);
    assert(!methods_.contains(method.name));
    auto name = method.name;
    methods_.emplace(std::move(name), std::move(method));
}

const RpcMethod* RpcDispatcher::find(std::string_view name) const {
    const auto it = methods_.find(name);
    return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> RpcDispatcher::method_names() const {
    std::vector<std::string> names;
    for (const auto& [name, method] : methods_) names.push_back(name);
    return names;
}

void RpcDispatcher::set_warmup(std::string status) {
    std::lock_guard lock(warmup_mutex_);
    warmup_ = std::move(status);
}

void RpcDispatcher::clear_warmup() {
    std::lock_guard lock(warmup_mutex_);
    warmup_.reset();
}

std::optional<std::string> RpcDispatcher::warmup_status() const {
    std::lock_guard lock(warmup_mutex_);
    return warmup_;
}

std::string RpcDispatcher::method_help(const RpcMethod& method) {
    std::string text = method.name;
    bool was_optional = false;
    for (const auto& param : method.params) {
        text += ' ';
        if (param.optional) {
            if (!was_optional) text += "( ";
            was_optional = true;
        } else {
            if (was_optional) text += ") ";
            was_optional = false;
        }
        text += usage_of(param);
    }
    if (was_optional) text += " )";
    std::string description = method.help;
    while (!description.empty() && (description.back() == '\n' || description.back() == ' '))
        description.pop_back();
    text += "\n\n" + description + "\n";
    if (!method.params.empty()) {
        std::vector<std::pair<std::string, std::string>> rows;
        std::size_t width = 0;
        for (std::size_t i = 0; i < method.params.size(); ++i) {
            const auto& param = method.params[i];
            std::string left = std::to_string(i + 1) + ". " + first_name(param);
            std::string right = "(" + std::string(help_type_name(param.type)) + ", " +
                                (param.optional ? "optional" : "required");
            if (!param.default_description.empty())
                right += ", default=" + param.default_description;
            right += ")";
            if (!param.description.empty()) right += " " + param.description;
            width = std::max(width, left.size());
            rows.emplace_back(std::move(left), std::move(right));
        }
        text += "\nArguments:\n";
        for (const auto& [left, right] : rows)
            text += left + std::string(width - left.size() + 4, ' ') + right + "\n";
    }
    return text;
}

std::string RpcDispatcher::help(std::string_view name) const {
    std::vector<const RpcMethod*> sorted;
    for (const auto& [method_name, method] : methods_) sorted.push_back(&method);
    std::sort(sorted.begin(), sorted.end(), [](const RpcMethod* a, const RpcMethod* b) {
        return a->category + a->name < b->category + b->name;
    });
    std::string text;
    std::string category;
    for (const RpcMethod* method : sorted) {
        if ((!name.empty() || method->category == "hidden") && method->name != name) continue;
        std::string entry = method_help(*method);
        if (name.empty()) {
            entry = entry.substr(0, entry.find('\n'));
            if (category != method->category) {
                if (!category.empty()) text += "\n";
                category = method->category;
                text += "== " + capitalize(category) + " ==\n";
            }
        }
        text += entry + "\n";
    }
    if (text.empty()) text = "help: unknown command: " + std::string(name) + "\n";
    text.pop_back();
    return text;
}

namespace {

// Core's RPCHelpMan argument checks.
void check_arguments(const RpcMethod& method, const Json& params) {
    std::size_t required_count = 0;
    for (std::size_t n = method.params.size(); n > 0; --n) {
        if (!method.params[n - 1].optional) {
            required_count = n;
            break;
        }
    }
    if (params.size() > method.params.size() || params.size() < required_count)
        throw RpcError(RpcErrorCode::MISC_ERROR, RpcDispatcher::method_help(method));
    Json mismatch = Json::object();
    for (std::size_t i = 0; i < method.params.size(); ++i) {
        const auto& param = method.params[i];
        const Json& value = i < params.size() ? params[i] : null_json();
        if (param.optional && value.is_null()) continue;
        const auto expected = expected_type(param.type);
        if (!expected) continue;
        const auto actual = json_type_name(value);
        if (actual != *expected) {
            mismatch["Position " + std::to_string(i + 1) + " (" + param.name + ")"] =
                "JSON value of type " + std::string(actual) + " is not of expected type " +
                std::string(*expected);
        }
    }
    if (!mismatch.empty())
        throw RpcError(RpcErrorCode::TYPE_ERROR, "Wrong type passed:\n" + write_json(mismatch, 4));
}

enum class JsonRpcVersion { v1_legacy, v2 };

struct ParsedRequest {
    std::optional<Json> id = Json();  // null until the request's own id (or its absence) is read
    JsonRpcVersion version = JsonRpcVersion::v1_legacy;
    std::string method;
    Json params = Json::array();

    bool is_notification() const { return !id.has_value() && version == JsonRpcVersion::v2; }
};

// Core's JSONRPCRequest::parse; fills `request` as far as it gets before throwing.
void parse_request(const Json& value, ParsedRequest& request) {
    if (!value.is_object())
        throw RpcError(RpcErrorCode::INVALID_REQUEST, "Invalid Request object");
    if (const auto it = value.find("id"); it != value.end()) request.id = *it;
    else request.id.reset();
    request.version = JsonRpcVersion::v1_legacy;
    if (const auto it = value.find("jsonrpc"); it != value.end() && !it->is_null()) {
        if (!it->is_string())
            throw RpcError(RpcErrorCode::INVALID_REQUEST, "jsonrpc field must be a string");
        const auto& version = it->get_ref<const std::string&>();
        if (version == "1.0") request.version = JsonRpcVersion::v1_legacy;
        else if (version == "2.0") request.version = JsonRpcVersion::v2;
        else throw RpcError(RpcErrorCode::INVALID_REQUEST, "JSON-RPC version not supported");
    }
    const auto method = value.find("method");
    if (method == value.end() || method->is_null())
        throw RpcError(RpcErrorCode::INVALID_REQUEST, "Missing method");
    if (!method->is_string())
        throw RpcError(RpcErrorCode::INVALID_REQUEST, "Method must be a string");
    request.method = method->get<std::string>();
    const auto params = value.find("params");
    if (params == value.end() || params->is_null()) request.params = Json::array();
    else if (params->is_array() || params->is_object()) request.params = *params;
    else throw RpcError(RpcErrorCode::INVALID_REQUEST, "Params must be an array or object");
}

Json reply_object(Json result, const std::optional<RpcError>& error,
                  const std::optional<Json>& id, JsonRpcVersion version) {
    Json reply = Json::object();
    if (version == JsonRpcVersion::v2) reply["jsonrpc"] = "2.0";
    if (!error) {
        reply["result"] = std::move(result);
        if (version == JsonRpcVersion::v1_legacy) reply["error"] = nullptr;
    } else {
        if (version == JsonRpcVersion::v1_legacy) reply["result"] = nullptr;
        reply["error"] = error->to_json();
    }
    if (id) reply["id"] = *id;
    return reply;
}

int legacy_error_status(int code) {
    if (code == static_cast<int>(RpcErrorCode::INVALID_REQUEST)) return HTTP_BAD_REQUEST;
    if (code == static_cast<int>(RpcErrorCode::METHOD_NOT_FOUND)) return HTTP_NOT_FOUND;
    return HTTP_INTERNAL_SERVER_ERROR;
}

}  // namespace

Json RpcDispatcher::execute(std::string_view method_name, const Json& params,
                            const RpcRequestContext& context) const {
    if (auto status = warmup_status()) throw RpcError(RpcErrorCode::IN_WARMUP, *status);
    const RpcMethod* method = find(method_name);
    if (!method) throw RpcError(RpcErrorCode::METHOD_NOT_FOUND, "Method not found");
    try {
        Json positional = params.is_object() ? map_named_params(method->params, params)
                          : params.is_array() ? params
                                              : Json::array();
        check_arguments(*method, positional);
        return method->handler(RpcCall(method->name, std::move(positional), context));
    } catch (const RpcError&) {
        throw;
    } catch (const std::exception& e) {
        throw RpcError(RpcErrorCode::MISC_ERROR, e.what());
    } catch (...) {
        throw RpcError(RpcErrorCode::INTERNAL_ERROR, "Internal error");
    }
}

RpcReply RpcDispatcher::handle(std::string_view body, const RpcRequestContext& context) const {
    ParsedRequest request;
    const auto error_reply = [&](const RpcError& error) {
        return RpcReply{legacy_error_status(error.code),
                        write_json(reply_object(nullptr, error, request.id, request.version)) + "\n"};
    };
    try {
        const auto value = parse_json(body);
        if (!value) throw RpcError(RpcErrorCode::PARSE_ERROR, "Parse error");
        if (value->is_object()) {
            parse_request(*value, request);
            Json reply;
            if (request.version == JsonRpcVersion::v2) {
                try {
                    reply = reply_object(execute(request.method, request.params, context),
                                         std::nullopt, request.id, request.version);
                } catch (const RpcError& e) {
                    reply = reply_object(nullptr, e, request.id, request.version);
                }
            } else {
                reply = reply_object(execute(request.method, request.params, context),
                                     std::nullopt, request.id, request.version);
            }
            if (request.is_notification()) return RpcReply{HTTP_NO_CONTENT, {}};
            return RpcReply{HTTP_OK, write_json(reply) + "\n"};
        }
        if (value->is_array()) {
            Json replies = Json::array();
            for (const auto& element : *value) {
                ParsedRequest one;
                Json reply;
                try {
                    parse_request(element, one);
                    reply = reply_object(execute(one.method, one.params, context), std::nullopt,
                                         one.id, one.version);
                } catch (const RpcError& e) {
                    reply = reply_object(nullptr, e, one.id, one.version);
                }
                if (!one.is_notification()) replies.push_back(std::move(reply));
            }
            if (replies.empty() && !value->empty()) return RpcReply{HTTP_NO_CONTENT, {}};
            return RpcReply{HTTP_OK, write_json(replies) + "\n"};
        }
        throw RpcError(RpcErrorCode::PARSE_ERROR, "Top-level object parse error");
    } catch (const RpcError& e) {
        return error_reply(e);
    } catch (const std::exception& e) {
        return error_reply(RpcError(RpcErrorCode::PARSE_ERROR, e.what()));
    } catch (...) {
        return error_reply(RpcError(RpcErrorCode::INTERNAL_ERROR, "Internal error"));
    }
}

// --- Generic methods -----------------------------------------------------------------------

RpcMethod make_help_method(const RpcDispatcher& dispatcher) {
    return RpcMethod{
        "help",
        "control",
        {RpcParam{"command", RpcType::string, true, "all commands",
                  "The command to get help on"}},
        "List all commands, or get help for a specified command.\n\nResult:\n\"text\"    (string) "
        "The help text",
        [&dispatcher](const RpcCall& call) -> Json {
            return dispatcher.help(call.get_string_or(0, ""));
        }};
}

RpcMethod make_stop_method(std::function<void()> request_stop) {
    return RpcMethod{"stop", "control", {},
                     "Request a graceful shutdown of Bitloom server.\n\nResult:\n\"str\"    (string) "
                     "A string with the content 'Bitloom server stopping'",
                     [request_stop = std::move(request_stop)](const RpcCall&) -> Json {
                         request_stop();
                         return "Bitloom server stopping";
                     }};
}

RpcMethod make_uptime_method(std::chrono::steady_clock::time_point started) {
    return RpcMethod{
        "uptime", "control", {},
        "Returns the total uptime of the server.\n\nResult:\nn    (numeric) The number of seconds "
        "that the server has been running",
        [started](const RpcCall&) -> Json {
            return std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now() - started)
                .count();
        }};
}

}  // namespace bitloom
