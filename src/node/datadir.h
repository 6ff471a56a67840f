// The data directory: where it is, the per-chain subdirectory, the lock that keeps a second
// node out, and the PID file.
//
// Layout (as Bitcoin Core's):
//   <datadir>/                 base directory: bitloom.conf, and the main chain's files
//   <datadir>/<subdir>/        the chain's directory: "" (main), "testnet3", "testnet4",
//                              "signet" (also for a custom -signetchallenge), "regtest"
//   <chain dir>/.lock          held with flock(LOCK_EX | LOCK_NB) while the node runs
//   <chain dir>/bitloomd.pid   the node's process id in decimal and a newline (-pid)
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "consensus/chainparams.h"
#include "util/result.h"

namespace bitloom {

// $HOME/.bitloom; "/.bitloom" when HOME is unset or empty.
std::filesystem::path default_data_dir();

// The chain's subdirectory name: "", "testnet3", "testnet4", "signet", "regtest".
std::string_view chain_subdir(ChainType chain);

// <base>/<chain_subdir(chain)> (just <base> for main).
std::filesystem::path chain_data_dir(const std::filesystem::path& base, ChainType chain);

// Creates `dir` (and parents) if missing. Error: "Cannot create directory \"<dir>\": <reason>".
Result<void, std::string> ensure_directory(const std::filesystem::path& dir);

// `value` itself when absolute, else <base>/<value> (Core's AbsPathForConfigVal).
std::filesystem::path resolve_path(const std::filesystem::path& base,
                                   const std::filesystem::path& value);

// An exclusive, non-blocking lock on <dir>/.lock, released when destroyed. Another holder
// (another process, or another DirectoryLock in this one) makes acquire fail with Core's
// "Cannot obtain a lock on directory <dir>. <program> is probably already running."
class DirectoryLock {
public:
    static Result<DirectoryLock, std::string> acquire(const std::filesystem::path& dir,
                                                      std::string_view program = "bitloomd");
    DirectoryLock(DirectoryLock&& other) noexcept;
    DirectoryLock& operator=(DirectoryLock&& other) noexcept;
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock();

    const std::filesystem::path& dir() const { return dir_; }

private:
    DirectoryLock(std::filesystem::path dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
    void release();

    std::filesystem::path dir_;
    int fd_ = -1;
};

// Writes the current process id to `path` and removes the file when destroyed.
// Error: "Unable to create the PID file '<path>': <reason>" (Core's wording).
class PidFile {
public:
    static Result<PidFile, std::string> create(const std::filesystem::path& path);
    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&& other) noexcept;
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;
    ~PidFile();

    const std::filesystem::path& path() const { return path_; }

private:
    explicit PidFile(std::filesystem::path path) : path_(std::move(path)) {}
    void remove();

    std::filesystem::path path_;  // empty once moved from
};

}  // namespace bitloom
