#include "peerman/peer_manager.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chain/pow.h"
#include "consensus/subsidy.h"
#include "primitives/merkle.h"
#include "primitives/pow.h"
#include "testutil/temp_dir.h"

namespace bitloom {
namespace {

using namespace std::chrono_literals;

const ChainParams& regtest() { return chain_params(ChainType::regtest); }

constexpr PeerTime START = std::chrono::seconds(1'700'000'000);

// A regtest chain state in a temporary directory, with a miner of empty blocks that pay
// OP_TRUE outputs (spendable with an empty scriptSig).
class TestChain {
public:
    TestChain() : dir_("bitloom-peerman") {
        ChainStateOptions options;
        options.data_dir = dir_.path();
        options.in_memory_db = true;
        options.now = [this] { return clock_; };
        auto opened = ChainState::open(regtest(), std::move(options));
        EXPECT_TRUE(opened) << (opened ? "" : opened.error());
        chain_ = std::move(*opened);
    }

    ChainState& chain() { return *chain_; }

    Block make_block(std::vector<TransactionRef> transactions = {},
                     const BlockIndex* parent = nullptr) {
        if (parent == nullptr) parent = chain_->tip();
        const int height = parent->height + 1;
        MutableTransaction coinbase;
        TxIn input;
        input.prevout = OutPoint{};
        input.script_sig.push_int(height).push_int(static_cast<std::int64_t>(serial_++));
        input.sequence = 0xffffffff;
        coinbase.inputs.push_back(std::move(input));
        TxOut output;
        output.value = block_subsidy(height, regtest().consensus);
        output.script_pubkey.push_opcode(Opcode::OP_TRUE);
        coinbase.outputs.push_back(std::move(output));
        Block block;
        block.transactions.push_back(make_transaction_ref(std::move(coinbase)));
        for (auto& tx : transactions) block.transactions.push_back(std::move(tx));
        block.header.version = 0x20000000;
        block.header.prev_block = parent->hash;
        block.header.time = static_cast<std::uint32_t>(
            std::max<std::int64_t>(parent->median_time_past() + 1, clock_ - 3600 + height));
        block.header.bits = next_work_required(parent, block.header, regtest().consensus);
        block.header.merkle_root = block_merkle_root(block).root;
        while (!check_proof_of_work(block.hash(), block.header.bits,
                                    regtest().consensus.pow_limit)) {
            ++block.header.nonce;
        }
        return block;
    }

    // Mines `count` blocks on the tip; returns them.
    std::vector<Block> mine(int count) {
        std::vector<Block> blocks;
        for (int i = 0; i < count; ++i) {
            Block block = make_block();
            auto result = chain_->process_new_block(block);
            EXPECT_FALSE(result.error) << to_string(*result.error);
            blocks.push_back(std::move(block));
        }
        return blocks;
    }

    std::int64_t clock_ = 1'700'000'000;

private:
    testutil::TempDir dir_;
    std::unique_ptr<ChainState> chain_;
    std::uint64_t serial_ = 0;
};

// A transaction spending output 0 of `from` (an OP_TRUE output) into one OP_TRUE output.
TransactionRef spend(const Transaction& from, Amount fee) {
    MutableTransaction tx;
    TxIn input;
    input.prevout = OutPoint{from.txid(), 0};
    input.sequence = 0xffffffff;
    tx.inputs.push_back(std::move(input));
    TxOut output;
    output.value = from.outputs()[0].value - fee;
    output.script_pubkey.push_opcode(Opcode::OP_TRUE);
    tx.outputs.push_back(std::move(output));
    return make_transaction_ref(std::move(tx));
}

PeerConnected connection(PeerId id, ConnectionType type = ConnectionType::outbound_full_relay) {
    PeerConnected peer;
    peer.id = id;
    peer.type = type;
    peer.info.version = PROTOCOL_VERSION;
    peer.info.common_version = PROTOCOL_VERSION;
    peer.info.services = DEFAULT_LOCAL_SERVICES;
    peer.info.relay = true;
    peer.info.wtxid_relay = true;
    peer.info.prefers_headers = true;
    peer.address = *NetService::parse("127.0.0.1:18444", 18444);
    return peer;
}

std::vector<SendMessage> sent(const std::vector<PeerManagerAction>& actions,
                              std::string_view command = {}) {
    std::vector<SendMessage> out;
    for (const auto& action : actions) {
        if (auto* message = std::get_if<SendMessage>(&action)) {
            if (command.empty() || message->command == command) out.push_back(*message);
        }
    }
    return out;
}

std::vector<std::string> misbehaviour(const std::vector<PeerManagerAction>& actions) {
    std::vector<std::string> out;
    for (const auto& action : actions) {
        if (auto* bad = std::get_if<PeerMisbehaved>(&action)) out.push_back(bad->why);
    }
    return out;
}

// Two peer managers wired back to back: every message one sends to its peer is processed by
// the other, until both are quiet.
class Link {
public:
    Link(PeerManager& a, PeerManager& b, PeerTime& now) : a_(a), b_(b), now_(now) {
        a_.peer_connected(connection(1, ConnectionType::outbound_full_relay), now_);
        b_.peer_connected(connection(1, ConnectionType::inbound), now_);
    }

    // Delivers messages back and forth (with ticks) until nothing more is sent; returns how
    // many messages went over.
    int pump(int max_rounds = 10'000) {
        int delivered = 0;
        for (int round = 0; round < max_rounds; ++round) {
            now_ += 200ms;
            a_.tick(now_);
            b_.tick(now_);
            while (a_.process_pending(now_) || b_.process_pending(now_)) {
            }
            auto from_a = a_.take_actions();
            auto from_b = b_.take_actions();
            for (const auto& bad : misbehaviour(from_a)) ADD_FAILURE() << "a: " << bad;
            for (const auto& bad : misbehaviour(from_b)) ADD_FAILURE() << "b: " << bad;
            auto to_b = sent(from_a);
            auto to_a = sent(from_b);
            if (to_a.empty() && to_b.empty()) {
                if (++quiet_ > 30) return delivered;  // trickled announcements take a while
                continue;
            }
            quiet_ = 0;
            for (const auto& message : to_b) b_.process_message(1, message.command, message.payload, now_);
            for (const auto& message : to_a) a_.process_message(1, message.command, message.payload, now_);
            delivered += static_cast<int>(to_a.size() + to_b.size());
        }
        return delivered;
    }

private:
    PeerManager& a_;
    PeerManager& b_;
    PeerTime& now_;
    int quiet_ = 0;
};

TEST(PeerManager, an_empty_node_syncs_a_chain_from_a_peer_headers_first) {
    TestChain source;
    source.mine(2100);  // more than one headers message
    TestChain sink;
    PeerManager serving(source.chain(), {});
    PeerManager syncing(sink.chain(), {});
    PeerTime now = START;
    // The syncing node connects out to the serving one.
    Link link(syncing, serving, now);
    link.pump();
    EXPECT_EQ(sink.chain().height(), 2100);
    EXPECT_EQ(sink.chain().tip()->hash, source.chain().tip()->hash);
    auto stats = syncing.sync_stats(1);
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->synced_headers, 2100);
}

TEST(PeerManager, a_new_block_is_announced_and_fetched) {
    TestChain a_chain;
    a_chain.mine(5);
    TestChain b_chain;
    PeerManager a(a_chain.chain(), {});
    PeerManager b(b_chain.chain(), {});
    PeerTime now = START;
    Link link(a, b, now);
    link.pump();
    ASSERT_EQ(b_chain.chain().height(), 5);
    // A mines one more block; B learns it through the announcement alone.
    a_chain.mine(1);
    link.pump();
    EXPECT_EQ(b_chain.chain().height(), 6);
    EXPECT_EQ(b_chain.chain().tip()->hash, a_chain.chain().tip()->hash);
}

TEST(PeerManager, relays_a_valid_transaction_and_punishes_an_invalid_one) {
    TestChain a_chain;
    auto blocks = a_chain.mine(101);
    TestChain b_chain;
    PeerManager a(a_chain.chain(), {});
    PeerManager b(b_chain.chain(), {});
    PeerTime now = START;
    Link link(a, b, now);
    link.pump();
    ASSERT_EQ(b_chain.chain().height(), 101);

    const Transaction& coinbase = *blocks.front().transactions.front();
    TransactionRef tx = spend(coinbase, 1000);
    auto submitted = a.submit_transaction(tx, now);
    ASSERT_TRUE(submitted) << to_string(submitted.error());
    EXPECT_EQ(*submitted, tx->txid());
    link.pump();
    EXPECT_EQ(b.relay_pool_size(), 1U);

    // A double spend of the same coin is refused by the pool, not blamed on anyone.
    TransactionRef conflict = spend(coinbase, 2000);
    auto refused = a.submit_transaction(conflict, now);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().reject_reason, "txn-mempool-conflict");

    // Spending more than the coin holds is a consensus failure: the sender misbehaved.
    MutableTransaction greedy = spend(*blocks[1].transactions.front(), 0)->to_mutable();
    greedy.outputs[0].value += 1;
    Transaction bad(std::move(greedy));
    b.process_message(1, command::TX, encode_tx_message(bad), now);
    auto bad_verdicts = misbehaviour(b.take_actions());
    ASSERT_EQ(bad_verdicts.size(), 1U);
    EXPECT_NE(bad_verdicts[0].find("bad-txns-in-belowout"), std::string::npos);

    // Mining the transaction into a block removes it from both pools.
    Block block = a_chain.make_block({tx});
    ASSERT_FALSE(a_chain.chain().process_new_block(block).error);
    link.pump();
    EXPECT_EQ(b_chain.chain().tip()->hash, block.hash());
    EXPECT_EQ(a.relay_pool_size(), 0U);
    EXPECT_EQ(b.relay_pool_size(), 0U);
}

TEST(PeerManager, protocol_violations_are_reported_as_misbehaviour) {
    TestChain chain;
    chain.mine(3);
    PeerManager manager(chain.chain(), {});
    PeerTime now = START;
    manager.peer_connected(connection(7), now);
    manager.take_actions();

    auto verdict = [&](std::string_view command, const Bytes& payload) {
        manager.process_message(7, command, payload, now);
        auto reasons = misbehaviour(manager.take_actions());
        return reasons.empty() ? std::string() : reasons.front();
    };

    // More than 2,000 headers.
    std::vector<BlockHeader> headers(MAX_HEADERS_RESULTS + 1);
    Bytes too_many;
    {
        Writer writer(too_many);
        writer.write_compact_size(headers.size());
        for (const BlockHeader& header : headers) {
            writer.write_bytes(header.encode());
            writer.write_u8(0);
        }
    }
    EXPECT_NE(verdict(command::HEADERS, too_many).find("headers message size"), std::string::npos);

    // Headers that do not chain together.
    TestChain other;
    auto blocks = other.mine(3);
    EXPECT_EQ(verdict(command::HEADERS, encode_headers({blocks[0].header, blocks[2].header})),
              "non-continuous headers sequence");

    // A header without the proof of work it claims.
    BlockHeader weak = chain.make_block().header;
    weak.bits = 0x1d00ffff;
    EXPECT_NE(verdict(command::HEADERS, encode_headers({weak})).find("invalid header"),
              std::string::npos);

    // More than 50,000 inventory entries.
    Bytes huge_inv;
    {
        Writer writer(huge_inv);
        writer.write_compact_size(MAX_INV_SZ + 1);
    }
    EXPECT_EQ(verdict(command::INV, huge_inv), "inv message size > 50000");

    // Garbage where a block should be.
    EXPECT_NE(verdict(command::BLOCK, Bytes{1, 2, 3}).find("malformed block"), std::string::npos);

    // A block that breaks a consensus rule (its merkle root does not match).
    Block mutated = chain.make_block();
    mutated.header.merkle_root = Uint256{};
    while (!check_proof_of_work(mutated.hash(), mutated.header.bits,
                                regtest().consensus.pow_limit)) {
        ++mutated.header.nonce;
    }
    EXPECT_FALSE(verdict(command::BLOCK, encode_block_message(mutated)).empty());
    EXPECT_EQ(chain.chain().height(), 3);
}

TEST(PeerManager, does_not_store_a_low_work_headers_chain) {
    // Our chain: 2,300 blocks. The peer's: a 2,000-block fork from genesis, less work than
    // our tip minus 144 blocks (Core's anti-DoS threshold), so its headers are only checked.
    TestChain ours;
    ours.mine(2300);
    TestChain theirs;
    theirs.clock_ += 7;  // different coinbases, so different blocks
    auto fork = theirs.mine(2000);
    PeerManager manager(ours.chain(), {});
    PeerTime now = START;
    manager.peer_connected(connection(5), now);
    manager.take_actions();
    std::vector<BlockHeader> headers;
    for (const Block& block : fork) headers.push_back(block.header);
    manager.process_message(5, command::HEADERS, encode_headers(headers), now);
    auto actions = manager.take_actions();
    EXPECT_TRUE(misbehaviour(actions).empty());
    EXPECT_EQ(sent(actions, command::GETHEADERS).size(), 1U);  // presync asks for more
    // The peer has nothing more: the sync ends with nothing stored.
    manager.process_message(5, command::HEADERS, encode_headers({}), now);
    manager.process_message(5, command::HEADERS, encode_headers({fork.back().header}), now);
    EXPECT_TRUE(misbehaviour(manager.take_actions()).empty());
    for (const Block& block : fork) {
        ASSERT_EQ(ours.chain().lookup(block.hash()), nullptr);
    }
    EXPECT_EQ(ours.chain().height(), 2300);
}

TEST(PeerManager, answers_unknown_data_with_notfound_and_serves_known_blocks) {
    TestChain chain;
    auto blocks = chain.mine(2);
    PeerManager manager(chain.chain(), {});
    PeerTime now = START;
    manager.peer_connected(connection(3, ConnectionType::inbound), now);
    manager.take_actions();

    Uint256 unknown;
    unknown.data()[0] = 0x42;
    manager.process_message(3, command::GETDATA,
                            encode_inv({{inv_type::MSG_WITNESS_BLOCK, blocks[1].hash()},
                                        {inv_type::MSG_WITNESS_BLOCK, unknown},
                                        {inv_type::MSG_WTX, unknown}}),
                            now);
    auto actions = manager.take_actions();
    auto block_messages = sent(actions, command::BLOCK);
    ASSERT_EQ(block_messages.size(), 1U);
    auto decoded = decode_block_message(block_messages[0].payload);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->hash(), blocks[1].hash());
    auto not_found = sent(actions, command::NOTFOUND);
    ASSERT_EQ(not_found.size(), 1U);
    auto entries = decode_inv(not_found[0].payload);
    ASSERT_TRUE(entries);
    EXPECT_EQ(entries->size(), 2U);
}

TEST(PeerManager, serves_a_large_getdata_a_little_at_a_time) {
    TestChain chain;
    auto blocks = chain.mine(40);
    PeerManager manager(chain.chain(), {});
    PeerTime now = START;
    manager.peer_connected(connection(3, ConnectionType::inbound), now);
    manager.take_actions();
    std::vector<InvEntry> request;
    for (const Block& block : blocks) request.push_back({inv_type::MSG_WITNESS_BLOCK, block.hash()});
    manager.process_message(3, command::GETDATA, encode_inv(request), now);
    EXPECT_EQ(sent(manager.take_actions(), command::BLOCK).size(),
              PeerManager::MAX_GETDATA_SERVED_PER_CALL);
    std::size_t total = PeerManager::MAX_GETDATA_SERVED_PER_CALL;
    while (manager.process_pending(now)) total += sent(manager.take_actions(), command::BLOCK).size();
    total += sent(manager.take_actions(), command::BLOCK).size();
    EXPECT_EQ(total, blocks.size());
}

}  // namespace
}  // namespace bitloom
