#include "testutil/vectors.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <gtest/gtest.h>

#include "util/hex.h"

namespace bitloom::testutil {

std::filesystem::path vector_path(const std::string& relative) {
    const char* dir = std::getenv("BITLOOM_TEST_VECTORS");
    if (dir == nullptr || *dir == '\0')
        throw std::runtime_error("BITLOOM_TEST_VECTORS is not set (run the tests through ctest)");
    std::filesystem::path path = std::filesystem::path(dir) / relative;
    if (!std::filesystem::exists(path))
        throw std::runtime_error("test vector file missing: " + path.string());
    return path;
}

Bytes read_file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string read_file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json load_json(const std::string& relative) {
    return nlohmann::json::parse(read_file_text(vector_path(relative)));
}

Bytes hex(std::string_view text) {
    auto bytes = parse_hex(text);
    EXPECT_TRUE(bytes.has_value()) << "not hex: " << text;
    return bytes.value_or(Bytes{});
}

void report_cases(const std::string& name, std::size_t count) {
    std::printf("[vectors] %s: %zu cases\n", name.c_str(), count);
    std::fflush(stdout);
}

}  // namespace bitloom::testutil
