// Access to the reference test vectors (../shared/test-vectors) for tests.
//
// The directory comes from the BITLOOM_TEST_VECTORS environment variable that CTest sets.
// Every loader fails the calling test (through a GoogleTest fatal failure in the caller's
// ASSERT) rather than skipping: a missing vector file is a broken test, not a pass.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/bytes.h"

namespace bitloom::testutil {

// Absolute path of a file under the vectors directory, e.g. "bitcoin-core/siphash.json".
// Throws std::runtime_error when the directory is not configured or the file is missing.
std::filesystem::path vector_path(const std::string& relative);

// Whole file as bytes / as text. Throws std::runtime_error on I/O failure.
Bytes read_file_bytes(const std::filesystem::path& path);
std::string read_file_text(const std::filesystem::path& path);

// Parses a JSON vector file. Throws on a parse error.
nlohmann::json load_json(const std::string& relative);

// Bytes of a hex literal in a test; records a test failure (and returns no bytes) when the
// literal is not valid hex.
Bytes hex(std::string_view text);

// Prints "[vectors] <name>: <count> cases" so test logs show how much was exercised.
void report_cases(const std::string& name, std::size_t count);

}  // namespace bitloom::testutil
