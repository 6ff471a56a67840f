// Helpers shared by the harnesses: property checks and a reader that splits one fuzz input
// into the pieces a target needs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace bitloom::fuzz {

// A property that must hold for every input; a failure is a finding, so it stops the run.
inline void check(bool property) {
    if (!property) __builtin_trap();
}

// Consumes an input front to back; reading past the end yields zeros / empty pieces.
class InputReader {
public:
    InputReader(const std::uint8_t* data, std::size_t size) : rest_(data, size) {}

    std::uint8_t byte() {
        if (rest_.empty()) return 0;
        const std::uint8_t b = rest_.front();
        rest_ = rest_.subspan(1);
        return b;
    }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= std::uint32_t(byte()) << (8 * i);
        return v;
    }
    // A piece whose length is given by the next two bytes (capped by what remains).
    std::vector<std::uint8_t> piece() {
        std::size_t n = byte();
        n |= std::size_t(byte()) << 8;
        return take(std::min(n, rest_.size()));
    }
    std::vector<std::uint8_t> take(std::size_t n) {
        n = std::min(n, rest_.size());
        std::vector<std::uint8_t> out(rest_.begin(), rest_.begin() + n);
        rest_ = rest_.subspan(n);
        return out;
    }
    std::vector<std::uint8_t> rest() { return take(rest_.size()); }
    bool empty() const { return rest_.empty(); }

private:
    std::span<const std::uint8_t> rest_;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace bitloom::fuzz
