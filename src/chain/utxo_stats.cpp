#include "chain/utxo_stats.h"

namespace bitloom {

Bytes encode_utxo_record(const OutPoint& outpoint, const Coin& coin) {
    Bytes out;
    Writer writer(out);
    write_utxo_record(writer, outpoint, coin);
    return out;
}

void UtxoStatsBuilder::add(const OutPoint& outpoint, const Coin& coin) {
    if (!last_txid_ || *last_txid_ != outpoint.txid) {
        ++stats_.transactions;
        last_txid_ = outpoint.txid;
    }
    ++stats_.txouts;
    stats_.bogosize += utxo_bogo_size(coin.output.script_pubkey.size());
    if (stats_.total_amount) {
        Amount sum;
        if (__builtin_add_overflow(*stats_.total_amount, coin.output.value, &sum)) {
            stats_.total_amount.reset();
        } else {
            stats_.total_amount = sum;
        }
    }
    if (hashes_.hash_serialized_3) write_utxo_record(serialized_, outpoint, coin);
    if (hashes_.muhash) {
        record_.clear();
        Writer writer(record_);
        write_utxo_record(writer, outpoint, coin);
        muhash_.insert(record_);
    }
}

UtxoStats UtxoStatsBuilder::stats() const {
    UtxoStats out = stats_;
    if (hashes_.hash_serialized_3) out.hash_serialized_3 = HashWriter(serialized_).hash256();
    if (hashes_.muhash) out.muhash = muhash_.finalize();
    return out;
}

}  // namespace bitloom
