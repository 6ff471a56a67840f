// Undo data: the coins a block spent, kept so that the block can be disconnected again. The
// format is Bitcoin Core's (the records of its rev*.dat files, without the file framing of
// network magic, length and checksum that the block files add around each record).
//
// Format (compact_size as in primitives/serialize.h, varint and compressed_txout as in
// chain/coin_codec.h):
//   block_undo := count:compact_size tx_undo[count]       one per transaction but the coinbase
//   tx_undo    := count:compact_size coin_undo[count]     one per input, in input order
//   coin_undo  := code:varint32 [version:varint32] compressed_txout
//                 code = height * 2 + coinbase; `version` is present exactly when height > 0
//                 (a relic of an older format): written as 0, any value accepted on reading.
//
// Counts are bounded by MAX_SIZE and by the bytes that remain (a coin_undo takes at least 3
// bytes), so a reader never reserves more than its input can justify.
#pragma once

#include <vector>

#include "chain/coin_codec.h"
#include "consensus/coins.h"
#include "primitives/serialize.h"
#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

// The coins one transaction spent, one per input in input order.
struct TxUndo {
    std::vector<Coin> spent;

    friend bool operator==(const TxUndo&, const TxUndo&) = default;
};

// The undo data of a block: one TxUndo per transaction after the coinbase, in block order.
struct BlockUndo {
    std::vector<TxUndo> transactions;

    friend bool operator==(const BlockUndo&, const BlockUndo&) = default;
};

// Smallest encodings, used to bound counts against the remaining input.
inline constexpr std::size_t MIN_COIN_UNDO_SIZE = 3;  // code, amount, script size
inline constexpr std::size_t MIN_TX_UNDO_SIZE = 1;    // an empty count

// coin_undo / tx_undo / block_undo into any ByteSink. A coin's height must be below 2^31
// (asserted).
template <ByteSink S>
void write_coin_undo(S& sink, const Coin& coin) {
    assert(coin.height < 0x80000000u);
    write_varint(sink, coin.height * 2u + (coin.coinbase ? 1u : 0u));
    if (coin.height > 0) sink.write_u8(0);
    write_compressed_txout(sink, coin.output);
}

template <ByteSink S>
void write_tx_undo(S& sink, const TxUndo& undo) {
    sink.write_compact_size(undo.spent.size());
    for (const Coin& coin : undo.spent) write_coin_undo(sink, coin);
}

template <ByteSink S>
void write_block_undo(S& sink, const BlockUndo& undo) {
    sink.write_compact_size(undo.transactions.size());
    for (const TxUndo& tx : undo.transactions) write_tx_undo(sink, tx);
}

// Readers. Errors: `truncated`, `size_too_large` (a count above MAX_SIZE or a varint above its
// width), `non_canonical_compact_size`. They never throw; on error the position is inside the
// structure.
Result<Coin, DecodeError> read_coin_undo(Reader& reader);
Result<TxUndo, DecodeError> read_tx_undo(Reader& reader);
Result<BlockUndo, DecodeError> read_block_undo(Reader& reader);

// The whole encoding of `undo`, and the decoding of exactly one block_undo that fills `bytes`
// (`trailing_data` when bytes are left over).
Bytes encode_block_undo(const BlockUndo& undo);
Result<BlockUndo, DecodeError> decode_block_undo(ByteSpan bytes);

}  // namespace bitloom
