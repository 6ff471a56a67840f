// Consensus limits on blocks and transactions, with Bitcoin Core's names and values
// (consensus/consensus.h and the lock-time threshold of script/script.h).
//
// WITNESS_SCALE_FACTOR lives in primitives/transaction.h, where weights are computed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "primitives/transaction.h"

namespace bitloom {

// Largest serialized block (with witness) any rule allows; a block this large would have to
// be all witness bytes.
inline constexpr std::size_t MAX_BLOCK_SERIALIZED_SIZE = 4'000'000;
// BIP141 block weight limit.
inline constexpr std::size_t MAX_BLOCK_WEIGHT = 4'000'000;
// BIP141 signature-operation cost limit per block (legacy sigops cost WITNESS_SCALE_FACTOR).
inline constexpr std::int64_t MAX_BLOCK_SIGOPS_COST = 80'000;
// Coinbase outputs may be spent only this many blocks after the block that created them.
inline constexpr int COINBASE_MATURITY = 100;

// Lower bound of the weight of a valid transaction: 60 bytes is the smallest serialization of a
// transaction with one input and one output.
inline constexpr std::size_t MIN_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 60;
// Lower bound of the weight of any transaction that decodes (10 bytes: no inputs, no outputs).
inline constexpr std::size_t MIN_SERIALIZABLE_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 10;

// A lock time below this is a block height, at or above it a Unix time (Tue Nov 5 00:53:20
// 1985 UTC).
inline constexpr std::uint32_t LOCKTIME_THRESHOLD = 500'000'000;

// Flags for calculate_sequence_locks (Core's LOCKTIME_VERIFY_SEQUENCE): enforce BIP68
// relative lock times. Active from the CSV deployment height.
using LockTimeFlags = unsigned;
inline constexpr LockTimeFlags LOCKTIME_VERIFY_SEQUENCE = 1U << 0;

}  // namespace bitloom
