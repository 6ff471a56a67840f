// Command-line helpers shared by the whole-system benchmarks (import, sync, crawl), whose
// options take the form --name=value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bitloom::bench {

// The value of `arg` when it is `name=value`; nullopt otherwise.
inline std::optional<std::string_view> option_value(std::string_view arg, std::string_view name) {
    if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
        return arg.substr(name.size() + 1);
    }
    return std::nullopt;
}

// A decimal count of at most 2^40; nullopt for anything else (empty, signs, other characters).
inline std::optional<std::uint64_t> parse_count(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
        if (value > (1ULL << 40)) return std::nullopt;
    }
    return value;
}

}  // namespace bitloom::bench
