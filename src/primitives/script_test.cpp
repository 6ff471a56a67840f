#include "primitives/script.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "util/hex.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

using testutil::hex;

Script script_from_hex(std::string_view text) { return Script(hex(text)); }

std::string script_hex(const Script& script) { return to_hex(script.span()); }

const Bytes HASH20 = Bytes(20, 0x11);
const Bytes HASH32 = Bytes(32, 0x22);

Script p2pkh() {
    return Script().push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(HASH20)
        .push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
}
Script p2sh() { return Script().push_opcode(OP_HASH160).push_data(HASH20).push_opcode(OP_EQUAL); }
Script p2wpkh() { return Script().push_opcode(OP_0).push_data(HASH20); }
Script p2wsh() { return Script().push_opcode(OP_0).push_data(HASH32); }
Script p2tr() { return Script().push_opcode(OP_1).push_data(HASH32); }

// --- Container --------------------------------------------------------------------------

TEST(Script, keeps_short_scripts_inline_and_long_ones_on_the_heap) {
    const Script small(Bytes(Script::INLINE_CAPACITY, 0x01));
    EXPECT_EQ(small.capacity(), Script::INLINE_CAPACITY);
    const Script large(Bytes(Script::INLINE_CAPACITY + 1, 0x02));
    EXPECT_GT(large.capacity(), Script::INLINE_CAPACITY);
    EXPECT_EQ(large.size(), Script::INLINE_CAPACITY + 1);
    EXPECT_EQ(large[Script::INLINE_CAPACITY], 0x02);
}

TEST(Script, copies_and_moves_preserve_contents_inline_and_on_the_heap) {
    for (std::size_t size : {std::size_t{0}, std::size_t{5}, Script::INLINE_CAPACITY,
                             Script::INLINE_CAPACITY + 1, std::size_t{1000}}) {
        Bytes bytes(size);
        for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 7);
        const Script original(bytes);

        Script copy(original);
        EXPECT_EQ(copy, original);
        Script assigned;
        assigned = original;
        EXPECT_EQ(assigned, original);

        Script moved(std::move(copy));
        EXPECT_EQ(moved, original);
        EXPECT_TRUE(copy.empty());  // NOLINT: moved-from state is specified as empty
        Script move_assigned(Bytes(3, 9));
        move_assigned = std::move(moved);
        EXPECT_EQ(move_assigned, original);
        EXPECT_EQ(Bytes(move_assigned.begin(), move_assigned.end()), bytes);
    }
}

TEST(Script, appending_its_own_bytes_works_across_growth) {
    Script script(Bytes{1, 2, 3});
    for (int i = 0; i < 6; ++i) script.append(script.span());  // 3 * 2^6 = 192 bytes
    ASSERT_EQ(script.size(), 192u);
    for (std::size_t i = 0; i < script.size(); ++i) ASSERT_EQ(script[i], i % 3 + 1);

    Script pushed(Bytes(30, 0xaa));
    pushed.push_data(pushed.span());  // grows past the inline buffer while reading itself
    EXPECT_EQ(pushed.size(), 30u + 1 + 30);
    EXPECT_EQ(pushed[30], 30);
    EXPECT_EQ(pushed[60], 0xaa);
}

TEST(Script, orders_lexicographically) {
    EXPECT_LT(script_from_hex("00"), script_from_hex("0000"));
    EXPECT_LT(script_from_hex("0001"), script_from_hex("01"));
    EXPECT_EQ(script_from_hex("abcd"), script_from_hex("abcd"));
    EXPECT_NE(script_from_hex("abcd"), script_from_hex("abce"));
}

// --- Builder ----------------------------------------------------------------------------

TEST(Script, push_int_uses_small_number_opcodes_where_it_can) {
    EXPECT_EQ(script_hex(Script().push_int(0)), "00");
    EXPECT_EQ(script_hex(Script().push_int(-1)), "4f");
    EXPECT_EQ(script_hex(Script().push_int(1)), "51");
    EXPECT_EQ(script_hex(Script().push_int(16)), "60");
}

TEST(Script, push_int_pushes_minimal_script_numbers_otherwise) {
    EXPECT_EQ(script_hex(Script().push_int(17)), "0111");
    EXPECT_EQ(script_hex(Script().push_int(-2)), "0182");
    EXPECT_EQ(script_hex(Script().push_int(127)), "017f");
    EXPECT_EQ(script_hex(Script().push_int(128)), "028000");
    EXPECT_EQ(script_hex(Script().push_int(-128)), "028080");
    EXPECT_EQ(script_hex(Script().push_int(255)), "02ff00");
    EXPECT_EQ(script_hex(Script().push_int(256)), "020001");
    EXPECT_EQ(script_hex(Script().push_int(-32768)), "03008080");
    EXPECT_EQ(script_hex(Script().push_int(std::numeric_limits<std::int64_t>::max())),
              "08ffffffffffffff7f");
    EXPECT_EQ(script_hex(Script().push_int(std::numeric_limits<std::int64_t>::min())),
              "09000000000000008080");
}

TEST(Script, script_num_encoding_of_zero_is_empty) {
    EXPECT_TRUE(encode_script_num(0).empty());
    EXPECT_EQ(to_hex(encode_script_num(-1)), "81");
    EXPECT_EQ(to_hex(encode_script_num(0x80)), "8000");
}

TEST(Script, push_data_picks_the_smallest_push_opcode_for_the_length) {
    struct Case {
        std::size_t length;
        const char* prefix;
    };
    const Case cases[] = {
        {0, "00"},          {1, "01"},          {75, "4b"},         {76, "4c4c"},
        {255, "4cff"},      {256, "4d0001"},    {65535, "4dffff"},  {65536, "4e00000100"},
    };
    for (const auto& c : cases) {
        const Script script = Script().push_data(Bytes(c.length, 0x5a));
        const std::string prefix = c.prefix;
        ASSERT_EQ(script.size(), prefix.size() / 2 + c.length) << c.length;
        EXPECT_EQ(to_hex(script.span().first(prefix.size() / 2)), prefix) << c.length;
        std::size_t pos = 0;
        const auto op = script.get_op(pos);
        ASSERT_TRUE(op.has_value()) << c.length;
        EXPECT_EQ(op->data.size(), c.length);
        EXPECT_EQ(pos, script.size());
    }
}

// --- Parsing ----------------------------------------------------------------------------

TEST(Script, get_op_walks_pushes_and_opcodes) {
    const Script script = script_from_hex("76" "a9" "03aabbcc" "4c02dddd" "4d0100ee" "4e01000000ff" "ac");
    std::vector<Opcode> opcodes;
    std::vector<std::string> data;
    std::size_t pos = 0;
    while (auto op = script.get_op(pos)) {
        opcodes.push_back(op->opcode);
        data.push_back(to_hex(op->data));
    }
    EXPECT_EQ(pos, script.size());
    EXPECT_EQ(opcodes, (std::vector<Opcode>{OP_DUP, OP_HASH160, static_cast<Opcode>(3), OP_PUSHDATA1,
                                            OP_PUSHDATA2, OP_PUSHDATA4, OP_CHECKSIG}));
    EXPECT_EQ(data, (std::vector<std::string>{"", "", "aabbcc", "dddd", "ee", "ff", ""}));
}

TEST(Script, get_op_stops_at_pushes_that_run_past_the_end) {
    const char* broken[] = {"01", "05aabbcc", "4c", "4c03aabb", "4d01", "4d0200aa",
                            "4e010000", "4e02000000aa", "4effffffff"};
    for (const char* text : broken) {
        const Script script = script_from_hex(std::string("76") + text);
        std::size_t pos = 0;
        ASSERT_TRUE(script.get_op(pos).has_value()) << text;
        const std::size_t before = pos;
        EXPECT_FALSE(script.get_op(pos).has_value()) << text;
        EXPECT_EQ(pos, before) << text;
        EXPECT_FALSE(script.is_push_only()) << text;
        EXPECT_FALSE(script.has_valid_ops()) << text;
    }
}

TEST(Script, get_op_at_the_end_returns_nothing) {
    const Script script = script_from_hex("51");
    std::size_t pos = 1;
    EXPECT_FALSE(script.get_op(pos).has_value());
    pos = 7;
    EXPECT_FALSE(script.get_op(pos).has_value());
    EXPECT_EQ(pos, 7u);
}

TEST(Script, valid_ops_exclude_opcodes_above_nop10) {
    EXPECT_TRUE(script_from_hex("b9").has_valid_ops());
    EXPECT_FALSE(script_from_hex("ba").has_valid_ops());  // OP_CHECKSIGADD is tapscript-only
    EXPECT_FALSE(script_from_hex("ff").has_valid_ops());
    EXPECT_TRUE(Script().has_valid_ops());
}

TEST(Script, push_only_allows_number_opcodes_and_op_reserved) {
    EXPECT_TRUE(script_from_hex("00" "4f" "50" "51" "60" "02aabb").is_push_only());
    EXPECT_FALSE(script_from_hex("61").is_push_only());
    EXPECT_FALSE(script_from_hex("00" "76").is_push_only());
    EXPECT_TRUE(script_from_hex("00" "0176").is_push_only());  // 0x76 as pushed data
    EXPECT_TRUE(Script().is_push_only());
}

// --- Templates --------------------------------------------------------------------------

TEST(Script, each_template_is_recognised_by_its_own_predicate_only) {
    const Script scripts[] = {p2pkh(), p2sh(), p2wpkh(), p2wsh(), p2tr()};
    EXPECT_EQ(scripts[0].size(), 25u);
    EXPECT_EQ(scripts[1].size(), 23u);
    EXPECT_EQ(scripts[2].size(), 22u);
    EXPECT_EQ(scripts[3].size(), 34u);
    EXPECT_EQ(scripts[4].size(), 34u);
    for (int i = 0; i < 5; ++i) {
        const Script& s = scripts[i];
        EXPECT_EQ(s.is_p2pkh(), i == 0) << i;
        EXPECT_EQ(s.is_p2sh(), i == 1) << i;
        EXPECT_EQ(s.is_p2wpkh(), i == 2) << i;
        EXPECT_EQ(s.is_p2wsh(), i == 3) << i;
        EXPECT_EQ(s.is_p2tr(), i == 4) << i;
        EXPECT_EQ(s.is_witness_program(), i >= 2) << i;
    }
}

TEST(Script, templates_reject_near_misses) {
    Script long_p2pkh = p2pkh();
    long_p2pkh.push_opcode(OP_NOP);
    EXPECT_FALSE(long_p2pkh.is_p2pkh());
    EXPECT_FALSE(script_from_hex("a914" + std::string(40, '1') + "88").is_p2sh());  // EQUALVERIFY
    EXPECT_FALSE(script_from_hex("0015" + std::string(42, '1')).is_p2wpkh());
    EXPECT_FALSE(script_from_hex("5220" + std::string(64, '2')).is_p2tr());  // version 2
    EXPECT_FALSE(script_from_hex("5120" + std::string(64, '2')).is_p2wsh());
}

TEST(Script, witness_program_reports_version_and_program) {
    // The program points into its script, which must outlive it.
    const Script v0_script = p2wsh();
    const auto v0 = v0_script.witness_program();
    ASSERT_TRUE(v0.has_value());
    EXPECT_EQ(v0->version, 0);
    EXPECT_EQ(Bytes(v0->program.begin(), v0->program.end()), HASH32);

    const Script v16_script = script_from_hex("6002abcd");
    const auto v16 = v16_script.witness_program();
    ASSERT_TRUE(v16.has_value());
    EXPECT_EQ(v16->version, 16);
    EXPECT_EQ(to_hex(v16->program), "abcd");

    const Script longest_script = Script().push_opcode(OP_1).push_data(Bytes(40, 1));
    const auto longest = longest_script.witness_program();
    ASSERT_TRUE(longest.has_value());
    EXPECT_EQ(longest->program.size(), 40u);
}

TEST(Script, witness_program_rejects_what_bip141_excludes) {
    EXPECT_FALSE(script_from_hex("0001ab").witness_program());                         // 1-byte program
    EXPECT_FALSE(Script().push_opcode(OP_1).push_data(Bytes(41, 1)).witness_program());  // 41 bytes
    EXPECT_FALSE(script_from_hex("4f02abcd").witness_program());                       // OP_1NEGATE
    EXPECT_FALSE(script_from_hex("6102abcd").witness_program());                       // OP_NOP
    EXPECT_FALSE(script_from_hex("004c02abcd").witness_program());                     // PUSHDATA1
    EXPECT_FALSE(script_from_hex("0002abcd00").witness_program());                     // trailing byte
    EXPECT_FALSE(script_from_hex("0003abcd").witness_program());                       // short push
}

TEST(Script, unspendable_means_op_return_or_oversized) {
    EXPECT_TRUE(script_from_hex("6a").is_unspendable());
    EXPECT_TRUE(script_from_hex("6a0401020304").is_unspendable());
    EXPECT_TRUE(Script(Bytes(MAX_SCRIPT_SIZE + 1, OP_NOP)).is_unspendable());
    EXPECT_FALSE(Script(Bytes(MAX_SCRIPT_SIZE, OP_NOP)).is_unspendable());
    EXPECT_FALSE(p2pkh().is_unspendable());
    EXPECT_FALSE(Script().is_unspendable());
}

// --- Signature operations ---------------------------------------------------------------

TEST(Script, counts_checksig_operations) {
    EXPECT_EQ(p2pkh().sigop_count(true), 1u);
    EXPECT_EQ(script_from_hex("acadacad").sigop_count(false), 4u);
    EXPECT_EQ(Script().sigop_count(true), 0u);
}

TEST(Script, counts_multisig_keys_accurately_only_when_asked) {
    const Bytes key(33, 0x02);
    const Script multisig = Script().push_int(2).push_data(key).push_data(key).push_data(key)
                                .push_int(3).push_opcode(OP_CHECKMULTISIG);
    EXPECT_EQ(multisig.sigop_count(true), 3u);
    EXPECT_EQ(multisig.sigop_count(false), MAX_PUBKEYS_PER_MULTISIG);

    // Without a preceding OP_n the count is the maximum either way.
    EXPECT_EQ(script_from_hex("af").sigop_count(true), MAX_PUBKEYS_PER_MULTISIG);
    EXPECT_EQ(script_from_hex("0111ae").sigop_count(true), MAX_PUBKEYS_PER_MULTISIG);
}

TEST(Script, sigop_counting_stops_at_a_broken_push) {
    EXPECT_EQ(script_from_hex("ac" "4c05ac").sigop_count(true), 1u);
}

TEST(Script, p2sh_sigops_come_from_the_redeem_script) {
    const Bytes key(33, 0x03);
    const Script redeem = Script().push_int(1).push_data(key).push_data(key).push_int(2)
                              .push_opcode(OP_CHECKMULTISIG);
    const Script script_sig = Script().push_opcode(OP_0).push_data(Bytes(71, 0x30)).push_data(redeem.span());
    EXPECT_EQ(p2sh().p2sh_sigop_count(script_sig), 2u);

    const Script not_push_only = Script().push_data(redeem.span()).push_opcode(OP_NOP);
    EXPECT_EQ(p2sh().p2sh_sigop_count(not_push_only), 0u);

    // Any other output script counts its own operations.
    EXPECT_EQ(p2pkh().p2sh_sigop_count(script_sig), 1u);
}

// --- Names ------------------------------------------------------------------------------

TEST(Script, opcode_names_follow_bitcoin) {
    EXPECT_EQ(opcode_name(OP_0), "OP_0");
    EXPECT_EQ(opcode_name(OP_DUP), "OP_DUP");
    EXPECT_EQ(opcode_name(OP_NOP2), "OP_CHECKLOCKTIMEVERIFY");
    EXPECT_EQ(opcode_name(OP_NOP3), "OP_CHECKSEQUENCEVERIFY");
    EXPECT_EQ(opcode_name(OP_CHECKSIGADD), "OP_CHECKSIGADD");
    EXPECT_EQ(opcode_name(static_cast<Opcode>(0xbb)), "OP_UNKNOWN");
    EXPECT_EQ(opcode_name(static_cast<Opcode>(0x05)), "OP_UNKNOWN");
    for (int n = 0; n <= 16; ++n) EXPECT_EQ(decode_op_n(encode_op_n(n)), n);
}

}  // namespace
}  // namespace bitloom
