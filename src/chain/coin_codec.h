// The UTXO set's disk format, byte for byte Bitcoin Core's (chainstate database, undo data):
// compressed amounts, compressed scripts, coins and the coins database key.
//
// Format (varint as in primitives/varint.h; `varint32` is a varint whose value must fit in 32
// bits; byte strings in memory order):
//   coin_key        := 'C' txid:byte[32] index:varint32
//   coin            := code:varint32 compressed_txout          code = height * 2 + coinbase
//   compressed_txout:= amount:varint compressed_script         amount = compress_amount(value)
//   compressed_script
//                   := 0x00 key_hash:byte[20]      P2PKH   OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
//                    | 0x01 script_hash:byte[20]   P2SH    OP_HASH160 <20> OP_EQUAL
//                    | (0x02 | 0x03) x:byte[32]    P2PK, compressed key: <33: kind x> OP_CHECKSIG
//                    | (0x04 | 0x05) x:byte[32]    P2PK, uncompressed key <65: 04 x y> OP_CHECKSIG,
//                                                  0x04 | (y & 1); y is recomputed from x
//                    | n:varint32 byte[n - 6]      any other script (n >= 6)
//
// Rules shared with Core, including its quirks:
//   - A 65-byte P2PK key is compressed only when it is a valid curve point (so that it can be
//     decompressed); a 33-byte key is stored as it is, valid or not.
//   - On reading, a 0x04/0x05 whose x is not on the curve yields an empty script (Core ignores
//     the failed decompression); a raw script longer than MAX_SCRIPT_SIZE is replaced by the
//     one-byte script OP_RETURN and its bytes are skipped (they must still be present).
//   - The amount is compressed as an unsigned 64-bit number (a negative value wraps).
// The undo records of chain/undo.h and the statistics of chain/utxo_stats.h build on these.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "consensus/coins.h"
#include "primitives/script.h"
#include "primitives/serialize.h"
#include "primitives/transaction.h"
#include "primitives/varint.h"
#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

// Amount compression (Core's CompressAmount): trailing decimal zeros become an exponent.
// Maps 0 -> 0, 1 -> 1, 0.01 BTC -> 7, 1 BTC -> 9, 50 BTC -> 0x32, 21 million BTC -> 0x1406f40.
// decompress_amount(compress_amount(n)) == n for every n; decompress_amount accepts any value
// (the result wraps modulo 2^64 for values no compressor produces).
std::uint64_t compress_amount(std::uint64_t amount);
std::uint64_t decompress_amount(std::uint64_t compressed);

// Number of special script forms; a raw script's length is stored plus this.
inline constexpr std::uint32_t SPECIAL_SCRIPT_COUNT = 6;

// A script in one of the special forms: the kind byte (0..5) then its 20 or 32 payload bytes.
struct CompressedScript {
    std::array<std::uint8_t, 33> bytes{};
    std::uint8_t size = 0;  // 21 or 33

    ByteSpan span() const { return {bytes.data(), size}; }
};

// Payload length of special form `kind` (0..5): 20 or 32.
constexpr std::size_t special_script_payload_size(std::uint32_t kind) {
    assert(kind < SPECIAL_SCRIPT_COUNT);
    return kind < 2 ? 20 : 32;
}

// The special form of `script`, or nullopt when it has none (it is then stored raw).
std::optional<CompressedScript> compress_script(const Script& script);

// The script of special form `kind` (0..5) with `payload` (special_script_payload_size(kind)
// bytes, asserted). nullopt only for kinds 4 and 5 when the payload is not the x coordinate of a
// curve point.
std::optional<Script> decompress_script(std::uint32_t kind, ByteSpan payload);

// compressed_script / compressed_txout / coin into any ByteSink.
template <ByteSink S>
void write_compressed_script(S& sink, const Script& script) {
    if (const auto special = compress_script(script)) {
        sink.write_bytes(special->span());
        return;
    }
    write_varint(sink, script.size() + SPECIAL_SCRIPT_COUNT);
    sink.write_bytes(script.span());
}

template <ByteSink S>
void write_compressed_txout(S& sink, const TxOut& output) {
    write_varint(sink, compress_amount(static_cast<std::uint64_t>(output.value)));
    write_compressed_script(sink, output.script_pubkey);
}

// Writes `coin`. Its height must be below 2^31 (asserted): the code keeps 31 bits of it.
template <ByteSink S>
void write_coin(S& sink, const Coin& coin) {
    assert(coin.height < 0x80000000u);
    write_varint(sink, coin.height * 2u + (coin.coinbase ? 1u : 0u));
    write_compressed_txout(sink, coin.output);
}

// Readers. Errors: `truncated` (input ends inside the structure), `size_too_large` (a varint
// above its field's width). They never throw; on error the position is inside the structure.
Result<Script, DecodeError> read_compressed_script(Reader& reader);
Result<TxOut, DecodeError> read_compressed_txout(Reader& reader);
Result<Coin, DecodeError> read_coin(Reader& reader);

// A coins database value: exactly one `coin` (`trailing_data` when bytes are left over).
Bytes encode_coin(const Coin& coin);
Result<Coin, DecodeError> decode_coin(ByteSpan bytes);

// The coins database key of `outpoint`. As byte strings, keys sort by txid in memory order, so
// the coins of one transaction are adjacent; within a txid they sort by the varint's bytes,
// which is numeric order for indexes below 16512 only (ff 7f = 16511 sorts after 80 80 00).
inline constexpr std::uint8_t COIN_KEY_PREFIX = 'C';
Bytes coin_key(const OutPoint& outpoint);
// The outpoint of a coins database key; nullopt when `key` is not exactly one coin_key (another
// record's prefix, a truncated key, an index above 32 bits, trailing bytes).
std::optional<OutPoint> decode_coin_key(ByteSpan key);

}  // namespace bitloom
