// Amounts of bitcoin, in satoshis: the type and its bounds, shared by the consensus rules and
// the RPC layer (which parses and prints amounts without depending on primitives).
#pragma once

#include <cstdint>

namespace bitloom {

using Amount = std::int64_t;

inline constexpr Amount COIN = 100'000'000;
// No amount larger than this is valid (the 21 million coin supply, a sanity bound used by the
// consensus rules rather than the exact sum of all subsidies).
inline constexpr Amount MAX_MONEY = 21'000'000 * COIN;

// True when 0 <= value <= MAX_MONEY.
constexpr bool money_range(Amount value) { return value >= 0 && value <= MAX_MONEY; }

}  // namespace bitloom
