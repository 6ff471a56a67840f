// Unspent transaction outputs as the transaction rules see them: a Coin (the output and where
// it was created) and a read-only view that finds the coin an outpoint refers to.
//
// The rules never change the UTXO set; they only read it through CoinsView. The chain state
// implements the view over its database; MemoryCoinsView is the in-memory implementation for
// tests and for layers that stage coins (a block being connected, a mempool package).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "primitives/transaction.h"

namespace bitloom {

// An unspent output and the facts the rules need about its creation.
struct Coin {
    TxOut output;
    std::uint32_t height = 0;  // height of the block that created it
    bool coinbase = false;     // created by a coinbase transaction (maturity rule applies)

    friend bool operator==(const Coin&, const Coin&) = default;
};

// Read-only access to unspent outputs.
class CoinsView {
public:
    virtual ~CoinsView() = default;

    // The unspent coin at `outpoint`, or nullopt when there is none (never created, or spent).
    virtual std::optional<Coin> get_coin(const OutPoint& outpoint) const = 0;

    // get_coin(outpoint).has_value(); views may answer it more cheaply.
    virtual bool have_coin(const OutPoint& outpoint) const { return get_coin(outpoint).has_value(); }
};

// Salted SipHash of an outpoint, for hash tables keyed by outpoints that peers choose.
class OutPointHasher {
public:
    // Salt from the OS random generator.
    OutPointHasher();
    // Fixed salt (reproducible tables in tests).
    OutPointHasher(std::uint64_t k0, std::uint64_t k1) : k0_(k0), k1_(k1) {}

    std::size_t operator()(const OutPoint& outpoint) const;

private:
    std::uint64_t k0_;
    std::uint64_t k1_;
};

// A CoinsView held in a hash map.
class MemoryCoinsView final : public CoinsView {
public:
    std::optional<Coin> get_coin(const OutPoint& outpoint) const override;
    bool have_coin(const OutPoint& outpoint) const override;

    // Adds (or replaces) the coin at `outpoint`.
    void add(const OutPoint& outpoint, Coin coin);
    // Adds every output of `tx` as a coin created at `height` (Core's AddCoins, without its
    // overwrite checks). Outputs are added even when unspendable; the rules never look them up.
    void add_transaction(const Transaction& tx, std::uint32_t height);
    // Removes the coin at `outpoint`; returns whether there was one.
    bool spend(const OutPoint& outpoint);

    std::size_t size() const { return coins_.size(); }

private:
    std::unordered_map<OutPoint, Coin, OutPointHasher> coins_;
};

}  // namespace bitloom
