// The JSON-RPC endpoint on top of the HTTP server: authentication, then the dispatcher
// (Core's HTTPReq_JSONRPC).
//
// For each request:
//   - path other than "/" or "/wallet/<name>"         -> 404
//   - method other than POST                          -> 405 "JSONRPC server handles only POST
//                                                        requests"
//   - no Authorization header                          -> 401, WWW-Authenticate: Basic
//                                                        realm="jsonrpc", empty body
//   - wrong credentials                                -> after `wrong_password_delay` (250 ms,
//                                                        as Core, slept on the worker thread),
//                                                        the same 401
//   - otherwise RpcDispatcher::handle(body) with the peer, the user and the wallet name
//     (URL-decoded from "/wallet/<name>"); its status and body, Content-Type
//     application/json.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "rpc/auth.h"
#include "rpc/http_server.h"
#include "rpc/json_rpc.h"

namespace bitloom {

struct RpcHttpOptions {
    std::chrono::milliseconds wrong_password_delay{250};
    // Called with one line per notable event ("ThreadRPCServer incorrect password attempt
    // from <peer>"); may be empty. Called from worker threads.
    std::function<void(const std::string&)> log;
};

// The returned handler keeps references to `dispatcher` and `authenticator`, which must
// outlive the server that calls it.
HttpHandler make_rpc_http_handler(const RpcDispatcher& dispatcher,
                                  const RpcAuthenticator& authenticator,
                                  RpcHttpOptions options = {});

// Decodes %XX escapes (as evhttp_uridecode does for the wallet name); nullopt on a bad escape.
std::optional<std::string> url_decode(std::string_view text);

}  // namespace bitloom
