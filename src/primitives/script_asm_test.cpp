#include "primitives/script_asm.h"

#include <gtest/gtest.h>

#include <string>

#include "util/hex.h"

namespace bitloom {
namespace {

std::string asm_hex(std::string_view text) {
    const auto script = parse_script_asm(text);
    EXPECT_TRUE(script.has_value()) << text;
    return script ? to_hex(script->span()) : std::string("<error>");
}

TEST(ScriptAsm, small_numbers_become_op_n_opcodes) {
    EXPECT_EQ(asm_hex("0 1 16 -1"), "0051604f");
}

TEST(ScriptAsm, larger_numbers_are_pushed_as_script_numbers) {
    EXPECT_EQ(asm_hex("17"), "0111");
    EXPECT_EQ(asm_hex("-2"), "0182");
    EXPECT_EQ(asm_hex("128"), "028000");
    EXPECT_EQ(asm_hex("4294967295"), "05ffffffff00");
    EXPECT_EQ(asm_hex("-4294967295"), "05ffffffff80");
}

TEST(ScriptAsm, numbers_beyond_32_bits_are_rejected) {
    std::string bad;
    const auto result = parse_script_asm("1 4294967296", &bad);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error(), ScriptAsmError::number_out_of_range);
    EXPECT_EQ(bad, "4294967296");
    EXPECT_FALSE(parse_script_asm("-4294967296").has_value());
}

TEST(ScriptAsm, hex_is_inserted_raw) {
    EXPECT_EQ(asm_hex("0x02 0x0100"), "020100");
    EXPECT_EQ(asm_hex("0x4c01 0xff"), "4c01ff");
}

TEST(ScriptAsm, odd_or_invalid_hex_is_rejected) {
    EXPECT_FALSE(parse_script_asm("0x123").has_value());
    EXPECT_FALSE(parse_script_asm("0xzz").has_value());
    EXPECT_FALSE(parse_script_asm("0x").has_value());
}

TEST(ScriptAsm, quoted_strings_are_pushed_as_data) {
    EXPECT_EQ(asm_hex("'Az'"), "02417a");
    EXPECT_EQ(asm_hex("''"), "00");
}

TEST(ScriptAsm, opcode_names_work_with_and_without_prefix) {
    EXPECT_EQ(asm_hex("DUP OP_HASH160 EQUALVERIFY OP_CHECKSIG"), "76a988ac");
    EXPECT_EQ(asm_hex("NOP2 CHECKLOCKTIMEVERIFY NOP3 CHECKSEQUENCEVERIFY"), "b1b1b2b2");
    EXPECT_EQ(asm_hex("RESERVED NOP10 CHECKSIGADD VERIF"), "50b9ba65");
}

TEST(ScriptAsm, whitespace_of_any_kind_and_amount_separates_tokens) {
    EXPECT_EQ(asm_hex("  1 \t 2\n"), "5152");
    EXPECT_EQ(asm_hex(""), "");
    EXPECT_EQ(asm_hex("   "), "");
}

TEST(ScriptAsm, unknown_tokens_are_rejected_and_named) {
    std::string bad;
    const auto result = parse_script_asm("DUP FOO", &bad);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error(), ScriptAsmError::unknown_token);
    EXPECT_EQ(bad, "FOO");
    // Push opcodes are written as numbers or hex, not by name (as in Core).
    EXPECT_FALSE(parse_script_asm("PUSHDATA1").has_value());
    EXPECT_FALSE(parse_script_asm("-").has_value());
    EXPECT_FALSE(parse_script_asm("'unterminated").has_value());
}

TEST(ScriptAsm, disassembly_follows_core_style) {
    const auto script = parse_script_asm(
        "0 -1 7 1000 DUP HASH160 0x14 0x0102030405060708090a0b0c0d0e0f1011121314");
    ASSERT_TRUE(script.has_value());
    EXPECT_EQ(script_to_asm(*script),
              "0 -1 7 1000 OP_DUP OP_HASH160 0102030405060708090a0b0c0d0e0f1011121314");
}

TEST(ScriptAsm, disassembly_marks_a_truncated_push) {
    EXPECT_EQ(script_to_asm(Script(*parse_hex("51030100"))), "1 [error]");
    EXPECT_EQ(script_to_asm(Script(*parse_hex("0181"))), "-1");
}

}  // namespace
}  // namespace bitloom
