#include "rpc/rpc_http.h"

#include <thread>

namespace bitloom {

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::optional<std::string> url_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

HttpHandler make_rpc_http_handler(const RpcDispatcher& dispatcher,
                                  const RpcAuthenticator& authenticator, RpcHttpOptions options) {
    return [&dispatcher, &authenticator, options = std::move(options)](const HttpRequest& request) {
        RpcRequestContext context;
        context.peer = request.peer;
        std::string_view path = request.path;
        constexpr std::string_view wallet_prefix = "/wallet/";
        if (path.substr(0, wallet_prefix.size()) == wallet_prefix) {
            auto name = url_decode(path.substr(wallet_prefix.size()));
            if (!name) return HttpResponse::text(HTTP_NOT_FOUND);
            context.wallet_name = std::move(*name);
        } else if (path != "/") {
            return HttpResponse::text(HTTP_NOT_FOUND);
        }
        if (request.method != "POST")
            return HttpResponse::text(HTTP_BAD_METHOD, "JSONRPC server handles only POST requests");
        const auto unauthorized = [] {
            HttpResponse response = HttpResponse::text(HTTP_UNAUTHORIZED);
            response.headers.set("WWW-Authenticate", std::string(WWW_AUTH_HEADER_DATA));
            return response;
        };
        const auto header = request.headers.get("Authorization");
        if (!header) return unauthorized();
        auto user = authenticator.check_authorization(*header);
        if (!user) {
            if (options.log) options.log("ThreadRPCServer incorrect password attempt from " + request.peer);
            std::this_thread::sleep_for(options.wrong_password_delay);
            return unauthorized();
        }
        context.user = std::move(*user);
        RpcReply reply = dispatcher.handle(request.body, context);
        if (reply.http_status == HTTP_NO_CONTENT) return HttpResponse::text(HTTP_NO_CONTENT);
        return HttpResponse::json(reply.http_status, std::move(reply.body));
    };
}

}  // namespace bitloom
