// Reference data for benchmarks. The vectors directory is BITLOOM_TEST_VECTORS when set, else
// the build's default (../shared/test-vectors beside the repository).
#pragma once

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "util/bytes.h"

namespace bitloom::bench {

inline std::string vectors_dir() {
    if (const char* dir = std::getenv("BITLOOM_TEST_VECTORS"); dir != nullptr && *dir != '\0') return dir;
#ifdef BITLOOM_TEST_VECTORS_DEFAULT
    return BITLOOM_TEST_VECTORS_DEFAULT;
#else
    return "../shared/test-vectors";
#endif
}

// Mainnet block 413567, read once; empty when the file is missing.
inline const Bytes& block413567() {
    static const Bytes raw = [] {
        std::ifstream in(vectors_dir() + "/bitcoin-core/block413567.raw", std::ios::binary);
        return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }();
    return raw;
}

}  // namespace bitloom::bench
