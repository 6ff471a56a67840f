#include "consensus/coins.h"

#include <utility>

#include "crypto/random.h"
#include "crypto/siphash.h"

namespace bitloom {

OutPointHasher::OutPointHasher() {
    FastRandom random;
    k0_ = random.rand64();
    k1_ = random.rand64();
}

std::size_t OutPointHasher::operator()(const OutPoint& outpoint) const {
    return static_cast<std::size_t>(siphash_uint256_extra(k0_, k1_, outpoint.txid, outpoint.index));
}

std::optional<Coin> MemoryCoinsView::get_coin(const OutPoint& outpoint) const {
    const auto it = coins_.find(outpoint);
    if (it == coins_.end()) return std::nullopt;
    return it->second;
}

bool MemoryCoinsView::have_coin(const OutPoint& outpoint) const {
    return coins_.contains(outpoint);
}

void MemoryCoinsView::add(const OutPoint& outpoint, Coin coin) {
    coins_.insert_or_assign(outpoint, std::move(coin));
}

void MemoryCoinsView::add_transaction(const Transaction& tx, std::uint32_t height) {
    const bool coinbase = tx.is_coinbase();
    for (std::uint32_t i = 0; i < tx.outputs().size(); ++i) {
        add(OutPoint{tx.txid(), i}, Coin{tx.outputs()[i], height, coinbase});
    }
}

bool MemoryCoinsView::spend(const OutPoint& outpoint) {
    return coins_.erase(outpoint) > 0;
}

}  // namespace bitloom
