// Client-side conversion of command-line arguments to JSON-RPC params (bitcoin-cli's
// rpc/client.cpp): for the (method, position) and (method, name) pairs in the table, the
// argument text is parsed as JSON (numbers, booleans, objects, arrays, null); every other
// argument is passed as a JSON string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rpc/json.h"
#include "rpc/json_rpc.h"

namespace bitloom {

// True when argument `index` (0-based) of `method` is converted from JSON text.
bool rpc_param_is_json(std::string_view method, std::size_t index);
// True when named argument `name` of `method` is converted from JSON text.
bool rpc_named_param_is_json(std::string_view method, std::string_view name);

// Positional form: a JSON array. Throws RpcError(MISC_ERROR, "Error parsing JSON: <text>")
// when an argument that must be JSON is not (Core's text).
Json rpc_convert_values(std::string_view method, const std::vector<std::string>& args);

// -named form: a JSON object. Each argument is "name=value" (a later value for the same name
// replaces the earlier one, as in Core); arguments without '=' are positional and are
// collected, converted by position, into an "args" array member (Core's convention, which
// the server's map_named_params understands). Throws the JSON parse error above.
Json rpc_convert_named_values(std::string_view method, const std::vector<std::string>& args);

}  // namespace bitloom
