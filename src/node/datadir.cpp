#include "node/datadir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

namespace bitloom {

std::filesystem::path default_data_dir() {
    const char* home = std::getenv("HOME");
    std::filesystem::path base = (home == nullptr || *home == '\0') ? "/" : home;
    return base / ".bitloom";
}

std::string_view chain_subdir(ChainType chain) {
    switch (chain) {
        case ChainType::main: return "";
        case ChainType::testnet: return "testnet3";
        case ChainType::testnet4: return "testnet4";
        case ChainType::signet: return "signet";
        case ChainType::regtest: return "regtest";
    }
    return "";
}

std::filesystem::path chain_data_dir(const std::filesystem::path& base, ChainType chain) {
    const std::string_view subdir = chain_subdir(chain);
    return subdir.empty() ? base : base / subdir;
}

Result<void, std::string> ensure_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        return fail("Cannot create directory \"" + dir.string() + "\": " +
                    (ec ? ec.message() : std::string("not a directory")));
    return {};
}

std::filesystem::path resolve_path(const std::filesystem::path& base,
                                   const std::filesystem::path& value) {
    return value.is_absolute() ? value : base / value;
}

Result<DirectoryLock, std::string> DirectoryLock::acquire(const std::filesystem::path& dir,
                                                          std::string_view program) {
    const std::filesystem::path lock_path = dir / ".lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail("Cannot write to directory '" + dir.string() + "'; check permissions.");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK)
            return fail("Cannot obtain a lock on directory " + dir.string() + ". " +
                        std::string(program) + " is probably already running.");
        return fail("Cannot obtain a lock on directory " + dir.string() + ": " +
                    std::strerror(error));
    }
    return DirectoryLock(dir, fd);
}

DirectoryLock::DirectoryLock(DirectoryLock&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(std::exchange(other.fd_, -1)) {}

DirectoryLock& DirectoryLock::operator=(DirectoryLock&& other) noexcept {
    if (this != &other) {
        release();
        dir_ = std::move(other.dir_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

DirectoryLock::~DirectoryLock() { release(); }

void DirectoryLock::release() {
    if (fd_ >= 0) {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
        fd_ = -1;
    }
}

Result<PidFile, std::string> PidFile::create(const std::filesystem::path& path) {
    std::ofstream out(path, std::ios::trunc);
    if (out) out << ::getpid() << '\n';
    if (!out) {
        const int error = errno;
        return fail("Unable to create the PID file '" + path.string() + "': " +
                    std::strerror(error));
    }
    return PidFile(path);
}

PidFile::PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

PidFile& PidFile::operator=(PidFile&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::move(other.path_);
        other.path_.clear();
    }
    return *this;
}

PidFile::~PidFile() { remove(); }

void PidFile::remove() {
    if (!path_.empty()) {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
        path_.clear();
    }
}

}  // namespace bitloom
