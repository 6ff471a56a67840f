// Transactions this node relays before it has a mempool: each is checked against the consensus
// rules and the active chain's UTXO set for the next block, then kept in a bounded pool from
// which peers' getdata requests are answered. Core's mempool policy (standardness, fee rates,
// replacement, packages) is not applied here; only consensus failures punish a peer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "chain/chainstate.h"
#include "consensus/coins.h"
#include "consensus/validation_result.h"
#include "primitives/block.h"
#include "primitives/transaction.h"
#include "util/amount.h"
#include "util/result.h"

namespace bitloom {

// Checks `tx` for inclusion in the block after the active tip: Core's CheckTransaction, not a
// coinbase ("coinbase"), final at the next height and median time past ("non-final"), every
// input an unspent coin of the active chain (missing_inputs), Core's CheckTxInputs, BIP68
// sequence locks, and every input script under the next block's consensus flags
// ("mandatory-script-verify-flag-failed (...)"). Returns the fee. Takes the chain's lock.
Result<Amount, TxValidationError> check_relay_transaction(const ChainState& chain,
                                                          const Transaction& tx);

struct RelayEntry {
    TransactionRef tx;
    Amount fee = 0;
    std::int64_t time = 0;  // when it was added, seconds
};

// The pool. Bounded by entry count and total serialized size; the oldest entries go first.
// Not thread-safe.
class RelayPool {
public:
    static constexpr std::size_t DEFAULT_MAX_ENTRIES = 20'000;
    static constexpr std::size_t DEFAULT_MAX_BYTES = 64 << 20;

    explicit RelayPool(std::size_t max_entries = DEFAULT_MAX_ENTRIES,
                       std::size_t max_bytes = DEFAULT_MAX_BYTES);

    // The entry whose txid (or wtxid) is `hash`; nullptr when absent.
    const RelayEntry* find_txid(const Uint256& txid) const;
    const RelayEntry* find_wtxid(const Uint256& wtxid) const;
    // The pool transaction that already spends `outpoint`, if any.
    std::optional<Uint256> spender(const OutPoint& outpoint) const;

    // Adds a checked transaction. Fails with kind conflict, "txn-mempool-conflict", when an
    // input is spent by a pool transaction, and "txn-already-in-mempool" when present.
    Result<void, TxValidationError> add(TransactionRef tx, Amount fee, std::int64_t now);
    // Drops the block's transactions and every pool transaction that spends what they spent.
    void remove_for_block(const Block& block);
    // Drops entries whose inputs are no longer unspent in `chain` (after a reorganisation).
    void remove_unspendable(const ChainState& chain);

    std::size_t size() const { return by_wtxid_.size(); }
    std::size_t bytes() const { return bytes_; }
    std::vector<const RelayEntry*> entries() const;  // oldest first

private:
    void remove(const Uint256& wtxid);
    void trim();

    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::unordered_map<Uint256, RelayEntry, BlobHasher> by_wtxid_;
    std::unordered_map<Uint256, Uint256, BlobHasher> txid_to_wtxid_;
    std::unordered_map<OutPoint, Uint256, OutPointHasher> spent_;
    std::deque<Uint256> order_;  // wtxids, oldest first (may hold removed ones)
};

}  // namespace bitloom
