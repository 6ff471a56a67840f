// RPC authentication as Bitcoin Core does it (httprpc.cpp, share/rpcauth).
//
// Credentials are "user:password" pairs sent as `Authorization: Basic base64(user:password)`.
// Three sources, any combination:
//   - the cookie: a random password for user "__cookie__", written by the server to a file
//     (format: `__cookie__:<64 lower-case hex chars>`, no newline, mode 0600) and read by
//     local clients; the file is deleted when the RpcCookie is destroyed;
//   - -rpcuser/-rpcpassword: one plain pair;
//   - -rpcauth=<user>:<salt>$<hash>: hash = hex(HMAC-SHA256(key = salt, message = password)),
//     the salt used as the ASCII text written (Core's rpcauth.py). Any number of entries.
// All comparisons of secrets are constant-time in the length of the expected value.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace bitloom {

inline constexpr std::string_view COOKIE_USER = "__cookie__";
// Core's WWW-Authenticate value for 401 replies.
inline constexpr std::string_view WWW_AUTH_HEADER_DATA = "Basic realm=\"jsonrpc\"";

// True when a and b are equal; time depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// One -rpcauth entry.
struct RpcAuthEntry {
    std::string user;
    std::string salt;
    std::string hash_hex;  // 64 hex chars, lower case after parsing
};
// Parses "user:salt$hash". Fails with "Invalid -rpcauth argument." (Core's text) when the
// shape is wrong or the hash is not 64 hex characters.
Result<RpcAuthEntry, std::string> parse_rpcauth(std::string_view text);
// hex(HMAC-SHA256(key = salt, message = password)), lower case.
std::string rpcauth_hash(std::string_view salt, std::string_view password);
// A full "user:salt$hash" line for `user` and `password` with a fresh 16-byte hex salt (what
// share/rpcauth prints).
std::string make_rpcauth_line(std::string_view user, std::string_view password);

// The server's cookie file. Move-only; the destructor deletes the file it wrote.
class RpcCookie {
public:
    // Generates 32 random bytes, writes `__cookie__:<hex>` to `path` with mode 0600 (through a
    // temporary file renamed into place, so readers never see a partial cookie). Fails with a
    // message naming the path when the file cannot be written.
    static Result<RpcCookie, std::string> create(const std::filesystem::path& path);
    RpcCookie(RpcCookie&& other) noexcept;
    RpcCookie& operator=(RpcCookie&& other) noexcept;
    RpcCookie(const RpcCookie&) = delete;
    RpcCookie& operator=(const RpcCookie&) = delete;
    ~RpcCookie();

    // "__cookie__:<hex>"
    const std::string& credentials() const { return credentials_; }
    const std::filesystem::path& path() const { return path_; }

private:
    RpcCookie(std::filesystem::path path, std::string credentials);
    std::filesystem::path path_;
    std::string credentials_;
};

// Client side: the first line of a cookie file ("user:password"). Fails with a message when
// the file cannot be read or has no ':'.
Result<std::string, std::string> read_cookie_file(const std::filesystem::path& path);

// Checks credentials against every configured source. Configure before serving; check is
// const and safe to call concurrently.
class RpcAuthenticator {
public:
    void add_user_password(std::string user, std::string password);
    void add_rpcauth(RpcAuthEntry entry);
    // `credentials` is "user:password" (e.g. RpcCookie::credentials()).
    void add_cookie(std::string_view credentials);
    bool empty() const { return plain_.empty() && rpcauth_.empty(); }

    // True when "user:password" matches a source. Every source is tried (no early exit on the
    // user name), so timing does not reveal which users exist.
    bool check(std::string_view user_password) const;

    // Checks an Authorization header value. Returns the authenticated user name, or nullopt
    // when the header is not `Basic <base64>` (scheme exactly "Basic ", as Core) or the
    // credentials are wrong.
    std::optional<std::string> check_authorization(std::string_view header_value) const;

private:
    std::vector<std::pair<std::string, std::string>> plain_;  // user, password
    std::vector<RpcAuthEntry> rpcauth_;
};

// Builds the value of an Authorization header: "Basic " + base64(user_password).
std::string basic_authorization(std::string_view user_password);

}  // namespace bitloom
