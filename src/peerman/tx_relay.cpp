#include "peerman/tx_relay.h"

#include <algorithm>
#include <utility>

#include "consensus/consensus.h"
#include "consensus/script_check.h"
#include "consensus/script_error.h"
#include "consensus/tx_check.h"
#include "consensus/tx_verify.h"

namespace bitloom {

namespace {

// The active chain's UTXO set, read through the chain state (its lock is held by the caller).
class ChainCoinsView final : public CoinsView {
public:
    explicit ChainCoinsView(const ChainState& chain) : chain_(chain) {}
    std::optional<Coin> get_coin(const OutPoint& outpoint) const override {
        return chain_.get_coin(outpoint);
    }

private:
    const ChainState& chain_;
};

// The next block on top of `tip`, as the sequence-lock rules see it.
class NextBlockContext final : public SequenceLockContext {
public:
    explicit NextBlockContext(const BlockIndex& tip) : tip_(tip) {}
    int height() const override { return tip_.height + 1; }
    std::int64_t median_time_past(int height) const override {
        return tip_.ancestor(height)->median_time_past();
    }

private:
    const BlockIndex& tip_;
};

}  // namespace

Result<Amount, TxValidationError> check_relay_transaction(const ChainState& chain,
                                                          const Transaction& tx) {
    if (auto checked = check_transaction(tx); !checked) return fail(checked.error());
    if (tx.is_coinbase()) return fail(tx_invalid(TxValidationResult::consensus, "coinbase"));

    auto lock = chain.lock();
    const BlockIndex* tip = chain.tip();
    const int next_height = tip->height + 1;
    const std::int64_t mtp = tip->median_time_past();
    if (!is_final_tx(tx, next_height, mtp)) {
        return fail(tx_invalid(TxValidationResult::premature_spend, "non-final"));
    }

    ChainCoinsView coins(chain);
    std::vector<TxOut> spent;
    std::vector<int> prev_heights;
    spent.reserve(tx.inputs().size());
    prev_heights.reserve(tx.inputs().size());
    for (const TxIn& input : tx.inputs()) {
        auto coin = coins.get_coin(input.prevout);
        if (!coin) {
            return fail(tx_invalid(TxValidationResult::missing_inputs,
                                   "bad-txns-inputs-missingorspent"));
        }
        spent.push_back(coin->output);
        prev_heights.push_back(static_cast<int>(coin->height));
    }
    auto fee = check_tx_inputs(tx, coins, next_height);
    if (!fee) return fail(fee.error());

    const ConsensusParams& params = chain.params().consensus;
    if (next_height >= params.csv_height) {
        NextBlockContext context(*tip);
        if (auto locks = check_sequence_locks(tx, LOCKTIME_VERIFY_SEQUENCE, prev_heights, context);
            !locks) {
            return fail(locks.error());
        }
    }
    const ScriptFlags flags = block_script_flags(params, next_height, Uint256{});
    if (auto failure = check_transaction_scripts(tx, std::move(spent), flags)) {
        std::string reason = "mandatory-script-verify-flag-failed (";
        reason += script_error_message(failure->error);
        reason += ')';
        return fail(tx_invalid(TxValidationResult::consensus, std::move(reason)));
    }
    return *fee;
}

RelayPool::RelayPool(std::size_t max_entries, std::size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {}

const RelayEntry* RelayPool::find_wtxid(const Uint256& wtxid) const {
    auto it = by_wtxid_.find(wtxid);
    return it == by_wtxid_.end() ? nullptr : &it->second;
}

const RelayEntry* RelayPool::find_txid(const Uint256& txid) const {
    auto it = txid_to_wtxid_.find(txid);
    return it == txid_to_wtxid_.end() ? nullptr : find_wtxid(it->second);
}

std::optional<Uint256> RelayPool::spender(const OutPoint& outpoint) const {
    auto it = spent_.find(outpoint);
    if (it == spent_.end()) return std::nullopt;
    return it->second;
}

Result<void, TxValidationError> RelayPool::add(TransactionRef tx, Amount fee, std::int64_t now) {
    if (find_txid(tx->txid()) != nullptr || find_wtxid(tx->wtxid()) != nullptr) {
        return fail(tx_invalid(TxValidationResult::conflict, "txn-already-in-mempool"));
    }
    for (const TxIn& input : tx->inputs()) {
        if (spent_.contains(input.prevout)) {
            return fail(tx_invalid(TxValidationResult::conflict, "txn-mempool-conflict"));
        }
    }
    const Uint256 wtxid = tx->wtxid();
    for (const TxIn& input : tx->inputs()) spent_.emplace(input.prevout, wtxid);
    txid_to_wtxid_.emplace(tx->txid(), wtxid);
    bytes_ += tx->total_size();
    by_wtxid_.emplace(wtxid, RelayEntry{std::move(tx), fee, now});
    order_.push_back(wtxid);
    trim();
    return {};
}

void RelayPool::remove(const Uint256& wtxid) {
    auto it = by_wtxid_.find(wtxid);
    if (it == by_wtxid_.end()) return;
    const Transaction& tx = *it->second.tx;
    for (const TxIn& input : tx.inputs()) {
        auto spent = spent_.find(input.prevout);
        if (spent != spent_.end() && spent->second == wtxid) spent_.erase(spent);
    }
    txid_to_wtxid_.erase(tx.txid());
    bytes_ -= tx.total_size();
    by_wtxid_.erase(it);
}

void RelayPool::trim() {
    while ((by_wtxid_.size() > max_entries_ || bytes_ > max_bytes_) && !order_.empty()) {
        remove(order_.front());
        order_.pop_front();
    }
    // Drop the ids of removed entries from the front so the queue stays bounded.
    while (!order_.empty() && !by_wtxid_.contains(order_.front())) order_.pop_front();
    if (order_.size() > 2 * max_entries_ + 16) {
        std::deque<Uint256> live;
        for (const Uint256& id : order_) {
            if (by_wtxid_.contains(id)) live.push_back(id);
        }
        order_ = std::move(live);
    }
}

void RelayPool::remove_for_block(const Block& block) {
    for (const TransactionRef& tx : block.transactions) {
        remove(tx->wtxid());
        if (const RelayEntry* same_txid = find_txid(tx->txid())) remove(same_txid->tx->wtxid());
        if (tx->is_coinbase()) continue;
        for (const TxIn& input : tx->inputs()) {
            if (auto other = spender(input.prevout)) remove(*other);
        }
    }
    trim();
}

void RelayPool::remove_unspendable(const ChainState& chain) {
    std::vector<Uint256> doomed;
    {
        auto lock = chain.lock();
        for (const auto& [wtxid, entry] : by_wtxid_) {
            for (const TxIn& input : entry.tx->inputs()) {
                if (!chain.get_coin(input.prevout)) {
                    doomed.push_back(wtxid);
                    break;
                }
            }
        }
    }
    for (const Uint256& wtxid : doomed) remove(wtxid);
    trim();
}

std::vector<const RelayEntry*> RelayPool::entries() const {
    std::vector<const RelayEntry*> out;
    out.reserve(by_wtxid_.size());
    for (const Uint256& id : order_) {
        if (const RelayEntry* entry = find_wtxid(id)) out.push_back(entry);
    }
    return out;
}

}  // namespace bitloom
