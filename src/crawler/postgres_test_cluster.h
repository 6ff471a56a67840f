// Test-only: a throwaway PostgreSQL cluster for the crawl store's tests.
//
// The first call to PostgresTestCluster::shared() runs initdb in a fresh directory under the
// system's temporary directory and starts `postgres` on a Unix socket in that directory (a
// port number chosen at run time names the socket; listen_addresses is empty, so there is no
// TCP), trusting local connections. The server binaries are the newest under
// /usr/lib/postgresql/*/bin (Debian's postgresql package), or $BITLOOM_PG_BIN when set. As
// root, initdb and the server run as the `postgres` system user (PostgreSQL refuses to run as
// root) with the directory handed to it. The server is killed when the test process exits,
// even abnormally (it is started with a parent-death signal), and the directory removed on a
// normal exit.
//
// When anything fails, ok() is false and error() says which step failed and why, with the
// tail of its log, so that a test can fail with the reason.
#pragma once

#include <string>

namespace bitloom {

class PostgresTestCluster {
public:
    static PostgresTestCluster& shared();

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }

    // A new, empty database; returns its "postgresql://" URL, or "" when the cluster is not
    // running or CREATE DATABASE failed (error() then says why).
    std::string create_database();
    // Runs `sql` on the database at `url`; "" on success, else the server's message.
    static std::string exec(const std::string& url, const std::string& sql);
    // The URL of database `name` on this cluster.
    std::string url(const std::string& name) const;

    ~PostgresTestCluster();
    PostgresTestCluster(const PostgresTestCluster&) = delete;
    PostgresTestCluster& operator=(const PostgresTestCluster&) = delete;

private:
    PostgresTestCluster();
    void start();

    std::string error_;
    std::string directory_;
    int port_ = 0;
    int server_pid_ = -1;
    int databases_ = 0;
};

}  // namespace bitloom
