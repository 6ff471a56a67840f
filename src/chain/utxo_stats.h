// Statistics of a UTXO set as Bitcoin Core's `gettxoutsetinfo` reports them (its
// kernel/coinstats): counts, total amount, "bogosize" and the two set hashes.
//
// Each coin contributes one record to the hashes:
//   utxo_record := txid:byte[32] index:u32le code:u32le txout
//                  code = height * 2 + coinbase; txout = value:i64le script_pubkey:var_bytes
//   hash_serialized_3 := SHA256d(utxo_record of every coin, in coins database key order)
//   muhash            := MuHash3072 of the set of utxo_records (order does not matter)
// bogosize counts 32 + 4 + 4 + 8 + 2 + script size bytes per coin: a size measure that does
// not depend on the database. Both hashes are Uint256 values that print, like Core's, with
// to_string() (reversed byte order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "consensus/coins.h"
#include "crypto/muhash.h"
#include "primitives/amount.h"
#include "primitives/serialize.h"
#include "primitives/transaction.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// The per-coin record both set hashes are computed over.
template <ByteSink S>
void write_utxo_record(S& sink, const OutPoint& outpoint, const Coin& coin) {
    serialize(sink, outpoint);
    sink.write_u32(coin.height * 2u + (coin.coinbase ? 1u : 0u));
    serialize(sink, coin.output);
}
Bytes encode_utxo_record(const OutPoint& outpoint, const Coin& coin);

// Core's GetBogoSize for one coin with this output script.
constexpr std::uint64_t utxo_bogo_size(std::size_t script_size) {
    return 32 + 4 + 4 + 8 + 2 + script_size;
}

struct UtxoStats {
    std::uint64_t transactions = 0;  // distinct txids with at least one coin
    std::uint64_t txouts = 0;        // coins
    std::uint64_t bogosize = 0;
    // Sum of the coins' values; nullopt once a partial sum overflows (Core's CheckedAdd).
    std::optional<Amount> total_amount = 0;
    // Present when the builder was asked for them.
    std::optional<Uint256> hash_serialized_3;
    std::optional<Uint256> muhash;
};

// Which set hashes to compute; each costs time per coin (muhash far more than the SHA256d).
struct UtxoHashes {
    bool hash_serialized_3 = true;
    bool muhash = true;
};

// Accumulates the statistics of a UTXO set fed one coin at a time.
//
// Coins must come in the coins database's key order (chain/coin_codec.h coin_key, compared as
// byte strings), each once: the transaction count assumes the coins of one txid are adjacent
// and hash_serialized_3 depends on the order. muhash and the other figures do not.
class UtxoStatsBuilder {
public:
    explicit UtxoStatsBuilder(UtxoHashes hashes = {}) : hashes_(hashes) {}

    void add(const OutPoint& outpoint, const Coin& coin);

    // The statistics of the coins added so far. Costs a MuHash3072 finalization (a modular
    // inversion) when muhash is computed; the builder can go on accepting coins.
    UtxoStats stats() const;

private:
    UtxoHashes hashes_;
    UtxoStats stats_;
    std::optional<Uint256> last_txid_;
    HashWriter serialized_;
    MuHash3072 muhash_;
    Bytes record_;  // scratch buffer for one utxo_record
};

}  // namespace bitloom
