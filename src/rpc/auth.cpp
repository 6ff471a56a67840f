#include "rpc/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "crypto/hmac.h"
#include "crypto/random.h"
#include "rpc/base64.h"
#include "util/bytes.h"
#include "util/hex.h"

namespace bitloom {

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Loop over the expected value's length; a length mismatch still touches every byte.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < b.size(); ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ static_cast<unsigned char>(b[i]));
    }
    return diff == 0;
}

Result<RpcAuthEntry, std::string> parse_rpcauth(std::string_view text) {
    const std::string error = "Invalid -rpcauth argument.";
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(error);
    const auto rest = text.substr(colon + 1);
    const auto dollar = rest.find('$');
    if (dollar == std::string_view::npos || rest.find('$', dollar + 1) != std::string_view::npos)
        return fail(error);
    const auto hash = rest.substr(dollar + 1);
    if (hash.size() != 64 || !is_hex(hash)) return fail(error);
    RpcAuthEntry entry{std::string(text.substr(0, colon)), std::string(rest.substr(0, dollar)),
                       std::string(hash)};
    for (auto& c : entry.hash_hex)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    return entry;
}

std::string rpcauth_hash(std::string_view salt, std::string_view password) {
    HmacSha256 mac(as_bytes(salt));
    mac.write(as_bytes(password));
    std::uint8_t out[HmacSha256::OUTPUT_SIZE];
    mac.finalize(out);
    return to_hex(ByteSpan(out, sizeof(out)));
}

std::string make_rpcauth_line(std::string_view user, std::string_view password) {
    std::uint8_t salt_bytes[16];
    get_strong_random_bytes(salt_bytes);
    const std::string salt = to_hex(ByteSpan(salt_bytes, sizeof(salt_bytes)));
    return std::string(user) + ":" + salt + "$" + rpcauth_hash(salt, password);
}

RpcCookie::RpcCookie(std::filesystem::path path, std::string credentials)
    : path_(std::move(path)), credentials_(std::move(credentials)) {}

RpcCookie::RpcCookie(RpcCookie&& other) noexcept
    : path_(std::move(other.path_)), credentials_(std::move(other.credentials_)) {
    other.path_.clear();
}

RpcCookie& RpcCookie::operator=(RpcCookie&& other) noexcept {
    if (this != &other) {
        if (!path_.empty()) {
            std::error_code ignored;
            std::filesystem::remove(path_, ignored);
        }
        path_ = std::move(other.path_);
        credentials_ = std::move(other.credentials_);
        other.path_.clear();
    }
    return *this;
}

RpcCookie::~RpcCookie() {
    if (!path_.empty()) {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
}

Result<RpcCookie, std::string> RpcCookie::create(const std::filesystem::path& path) {
    std::uint8_t secret[32];
    get_strong_random_bytes(secret);
    std::string credentials = std::string(COOKIE_USER) + ":" + to_hex(ByteSpan(secret, 32));

    const std::filesystem::path temp = path.string() + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail("Unable to open cookie authentication file " + temp.string() + " for writing: " +
                    std::strerror(errno));
    ::fchmod(fd, 0600);  // also when the file existed with other permissions
    std::size_t written = 0;
    while (written < credentials.size()) {
        const ssize_t n = ::write(fd, credentials.data() + written, credentials.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            ::unlink(temp.c_str());
            return fail("Unable to write cookie authentication file " + temp.string());
        }
        written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temp.c_str());
        return fail("Unable to rename cookie authentication file " + temp.string() + " to " +
                    path.string() + ": " + reason);
    }
    return RpcCookie(path, std::move(credentials));
}

Result<std::string, std::string> read_cookie_file(const std::filesystem::path& path) {
    std::ifstream file(path);
    if (!file) return fail("Could not open cookie file " + path.string());
    std::string line;
    std::getline(file, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find(':') == std::string::npos)
        return fail("Malformed cookie file " + path.string());
    return line;
}

void RpcAuthenticator::add_user_password(std::string user, std::string password) {
    plain_.emplace_back(std::move(user), std::move(password));
}

void RpcAuthenticator::add_rpcauth(RpcAuthEntry entry) { rpcauth_.push_back(std::move(entry)); }

void RpcAuthenticator::add_cookie(std::string_view credentials) {
    const auto colon = credentials.find(':');
    if (colon == std::string_view::npos) return;
    plain_.emplace_back(std::string(credentials.substr(0, colon)),
                        std::string(credentials.substr(colon + 1)));
}

bool RpcAuthenticator::check(std::string_view user_password) const {
    const auto colon = user_password.find(':');
    if (colon == std::string_view::npos) return false;
    const auto user = user_password.substr(0, colon);
    const auto password = user_password.substr(colon + 1);
    bool ok = false;
    for (const auto& [expected_user, expected_password] : plain_) {
        const bool user_ok = constant_time_equal(user, expected_user);
        const bool password_ok = constant_time_equal(password, expected_password);
        ok = ok || (user_ok && password_ok);
    }
    for (const auto& entry : rpcauth_) {
        const bool user_ok = constant_time_equal(user, entry.user);
        const bool hash_ok = constant_time_equal(rpcauth_hash(entry.salt, password), entry.hash_hex);
        ok = ok || (user_ok && hash_ok);
    }
    return ok;
}

std::optional<std::string> RpcAuthenticator::check_authorization(
    std::string_view header_value) const {
    constexpr std::string_view scheme = "Basic ";
    if (header_value.substr(0, scheme.size()) != scheme) return std::nullopt;
    auto encoded = header_value.substr(scheme.size());
    while (!encoded.empty() && (encoded.front() == ' ' || encoded.front() == '\t'))
        encoded.remove_prefix(1);
    while (!encoded.empty() && (encoded.back() == ' ' || encoded.back() == '\t'))
        encoded.remove_suffix(1);
    const auto decoded = decode_base64_string(encoded);
    if (!decoded || !check(*decoded)) return std::nullopt;
    return decoded->substr(0, decoded->find(':'));
}

std::string basic_authorization(std::string_view user_password) {
    return "Basic " + encode_base64(user_password);
}

}  // namespace bitloom
