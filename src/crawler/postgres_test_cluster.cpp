#include "crawler/postgres_test_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace bitloom {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<version>/bin holding initdb and postgres ("" if none).
std::string find_bin_directory() {
    if (const char* forced = std::getenv("BITLOOM_PG_BIN"); forced != nullptr && *forced) {
        return forced;
    }
    std::string best;
    int best_version = -1;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
        fs::path bin = entry.path() / "bin";
        if (!fs::exists(bin / "initdb", ignored) || !fs::exists(bin / "postgres", ignored)) {
            continue;
        }
        int version = std::atoi(entry.path().filename().c_str());
        if (version > best_version) {
            best_version = version;
            best = bin.string();
        }
    }
    return best;
}

std::string tail_of(const std::string& path, std::size_t bytes = 1500) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    if (text.size() > bytes) text = "..." + text.substr(text.size() - bytes);
    return text.empty() ? "(empty log)" : text;
}

// Forks and executes `argv` in `directory` with stdout and stderr appended to `log`, as
// `uid`/`gid` when `switch_user`. With `die_with_parent`, the child gets SIGKILL when this
// thread exits. Returns the child's pid, or -1 (with errno) when fork fails.
pid_t spawn(const std::vector<std::string>& argv, const std::string& directory,
            const std::string& log, bool switch_user, uid_t uid, gid_t gid,
            bool die_with_parent) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child != 0) return child;
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
    }
    if (switch_user) {
        if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
            dprintf(2, "cannot switch to uid %d: %s\n", static_cast<int>(uid), strerror(errno));
            _exit(126);
        }
    }
    if (die_with_parent) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);  // after setuid, which clears it
        if (getppid() != parent) _exit(1);
    }
    if (chdir(directory.c_str()) != 0) _exit(125);
    execv(args[0], args.data());
    dprintf(2, "exec %s: %s\n", args[0], strerror(errno));
    _exit(127);
}

}  // namespace

PostgresTestCluster& PostgresTestCluster::shared() {
    static PostgresTestCluster cluster;
    return cluster;
}

PostgresTestCluster::PostgresTestCluster() { start(); }

void PostgresTestCluster::start() {
    const std::string bin = find_bin_directory();
    if (bin.empty()) {
        error_ = "no PostgreSQL server binaries: /usr/lib/postgresql/*/bin/{initdb,postgres} "
                 "not found (install Debian's `postgresql` package, or set BITLOOM_PG_BIN)";
        return;
    }
    bool as_root = geteuid() == 0;
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (as_root) {
        passwd* user = getpwnam("postgres");
        if (user == nullptr) {
            error_ = "running as root, and there is no `postgres` system user to run initdb "
                     "and the server as (PostgreSQL refuses to run as root)";
            return;
        }
        uid = user->pw_uid;
        gid = user->pw_gid;
    }
    std::string pattern = (fs::temp_directory_path() / "bitloom-pg-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        error_ = "mkdtemp " + pattern + ": " + strerror(errno);
        return;
    }
    directory_ = pattern;
    if (as_root && chown(directory_.c_str(), uid, gid) != 0) {
        error_ = "chown " + directory_ + " to postgres: " + strerror(errno);
        return;
    }
    chmod(directory_.c_str(), 0700);
    const std::string data = directory_ + "/data";
    const std::string initdb_log = directory_ + "/initdb.log";
    const std::string server_log = directory_ + "/server.log";

    pid_t initdb = spawn({bin + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E",
                          "UTF8", "--locale=C", "--no-sync"},
                         directory_, initdb_log, as_root, uid, gid, true);
    if (initdb < 0) {
        error_ = std::string("fork for initdb: ") + strerror(errno);
        return;
    }
    int status = 0;
    waitpid(initdb, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error_ = "initdb failed (" + bin + "/initdb, status " + std::to_string(status) +
                 (as_root ? ", as user postgres" : "") + "): " + tail_of(initdb_log);
        return;
    }

    std::random_device device;
    port_ = 20000 + static_cast<int>(device() % 40000);
    pid_t server = spawn({bin + "/postgres", "-D", data, "-k", directory_, "-p",
                          std::to_string(port_), "-c", "listen_addresses=", "-c", "fsync=off",
                          "-c", "full_page_writes=off", "-c", "max_connections=40", "-c",
                          "shared_buffers=16MB"},
                         directory_, server_log, as_root, uid, gid, true);
    if (server < 0) {
        error_ = std::string("fork for postgres: ") + strerror(errno);
        return;
    }
    server_pid_ = server;
    const std::string admin = url("postgres");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (PQping(admin.c_str()) != PQPING_OK) {
        if (waitpid(server_pid_, &status, WNOHANG) == server_pid_) {
            server_pid_ = -1;
            error_ = "the postgres server exited at start-up (status " + std::to_string(status) +
                     "): " + tail_of(server_log);
            return;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            error_ = "the postgres server did not accept connections within 60 s: " +
                     tail_of(server_log);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

PostgresTestCluster::~PostgresTestCluster() {
    if (server_pid_ > 0) {
        kill(server_pid_, SIGQUIT);  // immediate shutdown: the data is thrown away
        int status = 0;
        waitpid(server_pid_, &status, 0);
    }
    if (!directory_.empty()) {
        std::error_code ignored;
        fs::remove_all(directory_, ignored);
    }
}

std::string PostgresTestCluster::url(const std::string& name) const {
    return "postgresql://postgres@/" + name + "?host=" + directory_ +
           "&port=" + std::to_string(port_);
}

std::string PostgresTestCluster::create_database() {
    if (!ok()) return "";
    std::string name = "crawl_" + std::to_string(getpid()) + "_" + std::to_string(databases_++);
    std::string result = exec(url("postgres"), "CREATE DATABASE " + name);
    if (!result.empty()) {
        error_ = "CREATE DATABASE " + name + ": " + result;
        return "";
    }
    return url(name);
}

std::string PostgresTestCluster::exec(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* result = PQexec(conn, sql.c_str());
        ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            error = PQresultErrorMessage(result);
        }
        PQclear(result);
    }
    PQfinish(conn);
    return error;
}

}  // namespace bitloom
