// Block assembly for mining on test networks (the generatetoaddress, generatetodescriptor and
// generateblock RPCs): the coinbase transaction, the block around it, and nonce grinding.
//
// Everything here is pure: the caller supplies the chain facts (previous hash, height, time,
// bits, fees) and gets a block back. The subsidy part of the coinbase value comes from
// consensus/subsidy.h (block_subsidy). The coinbase follows what Bitcoin Core 31's BlockAssembler
// writes, field for field:
//
//   coinbase    := version:2 vin:[coinbase_in] vout:[payout, commitment?] lock_time:height-1
//   coinbase_in := prevout:null script_sig sequence:0xfffffffe witness:[zero_nonce]?
//   script_sig  := push_int(height) (push_data(extra_nonce) | OP_0 when height <= 16)?
//                  ; BIP34 height; Core pads a one-byte script to the 2-byte minimum
//                  ; (bad-cb-length), so heights 1..16 read OP_n OP_0, 17 reads 0x01 0x11
//   payout      := value output_script
//   commitment  := 0 witness_commitment_script(SHA256d(witness_root || zero_nonce))   (BIP141)
//   zero_nonce  := 32 zero bytes (the coinbase input's single witness item)
//
// lock_time = height - 1 with a non-final sequence makes the coinbase unique per height even
// without BIP34 (Core 28+ does this); the lock time is always satisfied in its own block.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "primitives/amount.h"
#include "primitives/block.h"
#include "primitives/script.h"
#include "primitives/transaction.h"
#include "util/arith_uint256.h"
#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// BIP9's top bits: the block version of a miner that signals no deployment.
inline constexpr std::int32_t VERSIONBITS_TOP_BITS = 0x20000000;

// The coinbase transaction of a block at `height` (>= 1) paying `value` to `output_script`.
// With `witness_root` (the merkle root of the block's wtxids with the coinbase's taken as zero,
// see block_witness_merkle_root) it carries the BIP141 commitment output and the zero witness
// nonce; without it, neither. A non-empty `extra_nonce` is pushed after the height (and then no
// OP_0 padding is added). The script_sig must stay within 2..100 bytes, which any extra nonce of
// up to 90 bytes guarantees.
Transaction make_coinbase(int height, Amount value, const Script& output_script,
                          const std::optional<Uint256>& witness_root, ByteSpan extra_nonce = {});

// What a block template needs from the chain and the caller.
struct BlockTemplateInputs {
    Uint256 prev_hash;
    int height = 0;                      // of the new block
    std::int32_t version = VERSIONBITS_TOP_BITS;
    std::uint32_t time = 0;
    std::uint32_t bits = 0;
    Amount coinbase_value = 0;           // subsidy + fees, computed by the caller
    Script coinbase_script;              // where the coinbase pays
    std::vector<TransactionRef> transactions;  // in block order, without a coinbase
    bool segwit_active = true;
    Bytes extra_nonce;                   // optional; see make_coinbase
};

// The block: coinbase (with the witness commitment whenever segwit is active, as Core always
// adds it), then `inputs.transactions`; header with the merkle root over the txids and nonce 0.
// Consensus rules on the transactions (order, validity, weight, fees) are the caller's business.
Block assemble_block(const BlockTemplateInputs& inputs);

// Tries nonces from the header's current one upwards until the header hash meets the target
// of its bits (check_proof_of_work against `pow_limit`). Returns true with the winning nonce
// in the header; false, with the header at the last nonce tried, when `max_tries` hashes fail,
// the nonce reaches 0xffffffff without success, or `*stop` becomes true (checked every try).
// On regtest about two tries are needed.
bool grind_nonce(Block& block, const ArithUint256& pow_limit, std::uint64_t max_tries,
                 const std::atomic<bool>* stop = nullptr);

// The version of a new block: VERSIONBITS_TOP_BITS with the bits of the BIP9 deployments the
// caller says are being signalled (started or locked in). Each bit must be in 0..28.
std::int32_t compute_block_version(const std::vector<int>& signalling_bits = {});

}  // namespace bitloom
