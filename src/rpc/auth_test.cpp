#include "rpc/auth.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "rpc/base64.h"

namespace bitloom {
namespace {

// Cross-checked with:
//   python3 -c 'import hmac,hashlib;print(hmac.new(b"cb77f0957de88ff388cf817ddbc7273",
//               b"secret-password", hashlib.sha256).hexdigest())'
constexpr const char* SALT = "cb77f0957de88ff388cf817ddbc7273";
constexpr const char* HASH = "7cced3df8c4cb3a6549e1e28eb03df85f0bbc3446918bd74f5c00d8f70c11c60";

TEST(RpcAuth, rpcauth_hash_matches_hmac_sha256_of_password_keyed_by_salt) {
    EXPECT_EQ(rpcauth_hash(SALT, "secret-password"), HASH);
}

TEST(RpcAuth, accepts_rpcauth_credentials_and_rejects_a_wrong_password) {
    auto entry = parse_rpcauth(std::string("alice:") + SALT + "$" + HASH);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->user, "alice");
    RpcAuthenticator auth;
    auth.add_rpcauth(*entry);
    EXPECT_TRUE(auth.check("alice:secret-password"));
    EXPECT_FALSE(auth.check("alice:secret-passwordX"));
    EXPECT_FALSE(auth.check("bob:secret-password"));
    EXPECT_FALSE(auth.check("alice"));
}

TEST(RpcAuth, rejects_malformed_rpcauth_arguments) {
    for (const char* bad : {"alice", "alice:salt", "alice:salt$abc", ":salt$" /* no user */,
                            "alice:salt$7cced3df8c4cb3a6549e1e28eb03df85f0bbc3446918bd74f5c00d8f70c11c6z"}) {
        auto parsed = parse_rpcauth(bad);
        ASSERT_FALSE(parsed.has_value()) << bad;
        EXPECT_EQ(parsed.error(), "Invalid -rpcauth argument.");
    }
}

TEST(RpcAuth, made_rpcauth_lines_verify_their_password) {
    auto entry = parse_rpcauth(make_rpcauth_line("carol", "pw"));
    ASSERT_TRUE(entry.has_value());
    RpcAuthenticator auth;
    auth.add_rpcauth(*entry);
    EXPECT_TRUE(auth.check("carol:pw"));
    EXPECT_FALSE(auth.check("carol:pW"));
}

TEST(RpcAuth, user_password_allows_colons_in_the_password) {
    RpcAuthenticator auth;
    auth.add_user_password("user", "pa:ss");
    EXPECT_TRUE(auth.check("user:pa:ss"));
    EXPECT_EQ(auth.check_authorization("Basic dXNlcjpwYTpzcw=="), "user");
    EXPECT_FALSE(auth.check_authorization("basic dXNlcjpwYTpzcw==").has_value());
    EXPECT_FALSE(auth.check_authorization("Basic dXNlcjpwYTpzcw").has_value());
    EXPECT_FALSE(auth.check_authorization("Bearer dXNlcjpwYTpzcw==").has_value());
    EXPECT_FALSE(auth.check_authorization(basic_authorization("user:pa:sx")).has_value());
}

TEST(RpcAuth, cookie_file_has_mode_0600_and_is_deleted_on_destruction) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("bitloom-rpc-cookie-" + std::to_string(::getpid()));
    std::string credentials;
    {
        auto cookie = RpcCookie::create(path);
        ASSERT_TRUE(cookie.has_value()) << cookie.error();
        credentials = cookie->credentials();
        ASSERT_EQ(credentials.size(), 10 + 1 + 64u);
        EXPECT_EQ(credentials.substr(0, 11), "__cookie__:");
        struct stat info {};
        ASSERT_EQ(::stat(path.c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 0777, 0600u);
        auto read = read_cookie_file(path);
        ASSERT_TRUE(read.has_value());
        EXPECT_EQ(*read, credentials);

        RpcAuthenticator auth;
        auth.add_cookie(cookie->credentials());
        EXPECT_TRUE(auth.check(credentials));
        EXPECT_EQ(auth.check_authorization(basic_authorization(credentials)), "__cookie__");
        EXPECT_FALSE(auth.check("__cookie__:" + std::string(64, '0')));
        RpcCookie moved = std::move(*cookie);
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(read_cookie_file(path).has_value());
}

TEST(RpcAuth, constant_time_equal_compares_contents_and_lengths) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("ab", "abc"));
    EXPECT_FALSE(constant_time_equal("abcd", "abc"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace bitloom
