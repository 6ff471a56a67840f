// HTTP/1.1 messages shared by the server (http_server.h) and the client (http_client.h).
//
// Wire grammar accepted and produced (RFC 9112, the subset used by JSON-RPC):
//   request  := method SP target SP "HTTP/1." ("0" | "1") CRLF *(header CRLF) CRLF body
//   response := "HTTP/1.1" SP status SP reason CRLF *(header CRLF) CRLF body
//   header   := name ":" OWS value OWS
//   body     := exactly Content-Length bytes (absent Content-Length means an empty body for
//               requests; a response without it is read until the connection closes).
// Transfer-Encoding (chunked) bodies are not supported and are rejected by the server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bitloom {

// Header fields in arrival order. Names compare case-insensitively.
class HttpHeaders {
public:
    // The value of the first field named `name`, or nullopt.
    std::optional<std::string> get(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }
    // Replaces every field named `name` with one field.
    void set(std::string name, std::string value);
    // Appends a field (duplicates allowed).
    void add(std::string name, std::string value);
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

// ASCII case-insensitive equality (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

struct HttpRequest {
    std::string method;   // "POST", "GET", ... as sent (case kept)
    std::string path;     // the request target as sent, e.g. "/" or "/wallet/w1"
    std::string version;  // "HTTP/1.1" or "HTTP/1.0"
    HttpHeaders headers;
    std::string body;
    std::string peer;     // "127.0.0.1:53412" or "[::1]:53412"
};

struct HttpResponse {
    int status = 200;
    HttpHeaders headers;  // Content-Length, Connection and Date are added by the server
    std::string body;

    // A response with `Content-Type: application/json`.
    static HttpResponse json(int status, std::string body);
    // A response with `Content-Type: text/html; charset=ISO-8859-1` (as Core's libevent
    // replies carry) or no body.
    static HttpResponse text(int status, std::string body = {});
};

// Standard reason phrase for the status codes in use ("OK", "Unauthorized", ...), or
// "Unknown".
std::string_view http_reason(int status);

// Status codes used by the RPC layer (Core's HTTPStatusCode).
inline constexpr int HTTP_OK = 200;
inline constexpr int HTTP_NO_CONTENT = 204;
inline constexpr int HTTP_BAD_REQUEST = 400;
inline constexpr int HTTP_UNAUTHORIZED = 401;
inline constexpr int HTTP_FORBIDDEN = 403;
inline constexpr int HTTP_NOT_FOUND = 404;
inline constexpr int HTTP_BAD_METHOD = 405;
inline constexpr int HTTP_REQUEST_TIMEOUT = 408;
inline constexpr int HTTP_PAYLOAD_TOO_LARGE = 413;
inline constexpr int HTTP_HEADERS_TOO_LARGE = 431;
inline constexpr int HTTP_INTERNAL_SERVER_ERROR = 500;
inline constexpr int HTTP_NOT_IMPLEMENTED = 501;
inline constexpr int HTTP_SERVICE_UNAVAILABLE = 503;

}  // namespace bitloom
