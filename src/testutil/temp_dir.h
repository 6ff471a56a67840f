// A fresh, uniquely named directory under the system's temporary directory for one test,
// removed with everything in it when the object goes away.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace bitloom::testutil {

class TempDir {
public:
    // Creates <tmp>/<prefix>-XXXXXX (mkdtemp). Throws std::runtime_error when it cannot.
    explicit TempDir(std::string_view prefix = "bitloom-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to <path>/<name> (replacing it); returns the file's path.
    std::filesystem::path write(const std::string& name, std::string_view text) const;

private:
    std::filesystem::path path_;
};

}  // namespace bitloom::testutil
