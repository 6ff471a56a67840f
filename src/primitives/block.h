// Block headers and blocks.
//
// Format (integers little-endian; `tx` as in transaction.h):
//   header := version:i32le prev_block:byte[32] merkle_root:byte[32] time:u32le bits:u32le
//             nonce:u32le                                                   (80 bytes)
//   block  := header count:size tx[count]
//
// The block hash is SHA256d(header); shown, like every hash, in reversed byte order.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "primitives/serialize.h"
#include "primitives/transaction.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

struct BlockHeader {
    static constexpr std::size_t SIZE = 80;

    std::int32_t version = 0;
    Uint256 prev_block;
    Uint256 merkle_root;
    std::uint32_t time = 0;
    std::uint32_t bits = 0;
    std::uint32_t nonce = 0;

    // The 80-byte encoding.
    std::array<std::uint8_t, SIZE> encode() const;
    // SHA256d of the encoding.
    Uint256 hash() const;

    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

struct Block {
    BlockHeader header;
    std::vector<TransactionRef> transactions;  // never null entries

    Uint256 hash() const { return header.hash(); }

    // Encoded size with witnesses, without them, and the BIP141 weight
    // (stripped_size * (WITNESS_SCALE_FACTOR - 1) + total_size). Cheap: transaction sizes are
    // cached.
    std::size_t total_size() const;
    std::size_t stripped_size() const;
    std::size_t weight() const;
};

template <ByteSink S>
void serialize(S& sink, const BlockHeader& header);
template <ByteSink S>
void serialize(S& sink, const Block& block, TxFormat format = TxFormat::with_witness);

Bytes encode(const Block& block, TxFormat format = TxFormat::with_witness);

// Readers; never throw. A block's transaction count is bounded by the bytes that remain
// (MIN_TRANSACTION_SIZE each) before anything is reserved.
Result<BlockHeader, DecodeError> read_block_header(Reader& reader);
Result<Block, DecodeError> read_block(Reader& reader);

// Decode exactly one header / block filling `bytes` (trailing bytes are an error).
Result<BlockHeader, DecodeError> decode_block_header(ByteSpan bytes);
Result<Block, DecodeError> decode_block(ByteSpan bytes);

}  // namespace bitloom
