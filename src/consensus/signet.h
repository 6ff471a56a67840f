// BIP325 signet block solutions (Bitcoin Core's signet.h): on a signet, every block but the
// genesis block carries a solution to the network's challenge script, which stands in for the
// trust that proof of work gives elsewhere.
//
// Where the solution lives:
//   commitment output := the coinbase's witness commitment output (the last output whose
//                        script starts 0x6a24aa21a9ed, primitives/merkle.h)
//   signet push       := the first data push in that script of more than 4 bytes that begins
//                        with SIGNET_HEADER; its bytes after the header are the solution
//   solution          := script_sig:(compact_size byte*) witness:(compact_size (compact_size byte*)*)
//                        (exactly; trailing bytes are invalid)
// A commitment script without a signet push means an empty solution (enough for an OP_TRUE
// challenge).
//
// What is signed (the BIP325 virtual transactions, both version 0, lock time 0):
//   to_spend := in:  null outpoint, scriptSig OP_0 push(block_data), sequence 0
//               out: value 0, script_pubkey = challenge
//   to_sign  := in:  (to_spend's txid, 0), the solution's scriptSig and witness, sequence 0
//               out: value 0, OP_RETURN
//   block_data := version:i32le prev_block:byte[32] signet_merkle_root:byte[32] time:u32le
// where signet_merkle_root is the merkle root of the block's txids with the coinbase's txid
// replaced by that of the coinbase whose commitment script keeps the signet push's header but
// not the solution. The block is valid when to_sign's input satisfies the challenge under
// SIGNET_SCRIPT_FLAGS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "consensus/chainparams.h"
#include "consensus/script_flags.h"
#include "primitives/block.h"
#include "primitives/transaction.h"

namespace bitloom {

// Marks the signet push inside the witness commitment script.
inline constexpr std::array<std::uint8_t, 4> SIGNET_HEADER = {0xec, 0xc7, 0xda, 0xa2};

// The rules a solution runs under (Core's BLOCK_SCRIPT_VERIFY_FLAGS in signet.cpp): BIP16,
// BIP66, BIP141 and BIP147.
inline constexpr ScriptFlags SIGNET_SCRIPT_FLAGS =
    script_flags::P2SH | script_flags::WITNESS | script_flags::DERSIG | script_flags::NULLDUMMY;

// The two virtual transactions of a block (Core's SignetTxs).
struct SignetTransactions {
    Transaction to_spend;
    Transaction to_sign;
};

// Builds them for `block` and `challenge` (Core's SignetTxs::Create). nullopt when the block
// has no transactions, its first transaction has no witness commitment output, or the
// solution does not parse exactly.
std::optional<SignetTransactions> make_signet_transactions(const Block& block,
                                                           const Script& challenge);

// Core's CheckSignetBlockSolution: true for the genesis block (hash == params.genesis_hash),
// otherwise when the block's solution satisfies params.signet_challenge. Does not look at
// params.signet_blocks: the caller decides whether the network is a signet.
bool check_signet_block_solution(const Block& block, const ConsensusParams& params);

}  // namespace bitloom
