// The UTXO set's disk format: amount compression against Core's table, every script class
// through compression and back, Core's coin encodings, and the coins database key.
#include "chain/coin_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/pubkey.h"
#include "primitives/amount.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

using testutil::hex;

constexpr Amount CENT = 1'000'000;

// --- amounts ---------------------------------------------------------------------------------

TEST(CompressAmount, maps_cores_known_pairs) {
    struct Pair {
        std::uint64_t amount;
        std::uint64_t compressed;
    };
    constexpr Pair PAIRS[] = {
        {0, 0x0},
        {1, 0x1},
        {CENT, 0x7},
        {COIN, 0x9},
        {50 * COIN, 0x32},
        {21'000'000 * COIN, 0x1406f40},
    };
    for (const auto& pair : PAIRS) {
        EXPECT_EQ(compress_amount(pair.amount), pair.compressed) << pair.amount;
        EXPECT_EQ(decompress_amount(pair.compressed), pair.amount) << pair.compressed;
    }
}

TEST(CompressAmount, round_trips_multiples_of_every_unit) {
    std::size_t cases = 0;
    const auto check = [&](std::uint64_t amount) {
        ++cases;
        ASSERT_EQ(decompress_amount(compress_amount(amount)), amount) << amount;
    };
    for (std::uint64_t i = 1; i <= 100'000; ++i) check(i);
    for (std::uint64_t i = 1; i <= 10'000; ++i) check(i * CENT);
    for (std::uint64_t i = 1; i <= 1'000; ++i) check(i * COIN);
    for (std::uint64_t i = 1; i <= 100; ++i) check(i * 50 * COIN);
    check(MAX_MONEY);
    EXPECT_GT(cases, 0u);
}

TEST(CompressAmount, compresses_what_it_decompresses) {
    for (std::uint64_t i = 0; i < 100'000; ++i) {
        ASSERT_EQ(compress_amount(decompress_amount(i)), i) << i;
    }
}

// --- scripts ---------------------------------------------------------------------------------

// secp256k1's generator, x coordinate.
const Bytes GENERATOR_X =
    *parse_hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

Script p2pk(ByteSpan key) { return Script().push_data(key).push_opcode(OP_CHECKSIG); }

// The uncompressed encoding of the point with x = generator x and the given parity of y.
Bytes uncompressed_key(bool odd_y) {
    Bytes compressed{static_cast<std::uint8_t>(odd_y ? 0x03 : 0x02)};
    append(compressed, GENERATOR_X);
    const auto key = PublicKey::parse(compressed);
    EXPECT_TRUE(key.has_value());
    const PublicKey full = key->uncompressed();
    return Bytes(full.serialize().begin(), full.serialize().end());
}

// An x coordinate that is not on the curve (x^3 + 7 has no square root).
Bytes x_not_on_curve() {
    Bytes x(32, 0);
    for (std::uint8_t last = 1;; ++last) {
        x[31] = last;
        if (!XOnlyPublicKey::parse(x)) return x;
    }
}

Bytes encode_script(const Script& script) {
    Bytes out;
    Writer writer(out);
    write_compressed_script(writer, script);
    return out;
}

Script decode_script(ByteSpan bytes) {
    Reader reader(bytes);
    auto script = read_compressed_script(reader);
    EXPECT_TRUE(script.has_value());
    EXPECT_TRUE(reader.at_end());
    return script ? *script : Script();
}

struct ScriptCase {
    std::string name;
    Script script;
    std::string expected_head;  // expected hex prefix of the compressed form
    std::size_t expected_size;
};

std::vector<ScriptCase> script_cases() {
    const Bytes hash20(20, 0x11);
    const Bytes hash32(32, 0x22);
    Bytes compressed_even{0x02};
    append(compressed_even, GENERATOR_X);
    Bytes compressed_odd{0x03};
    append(compressed_odd, GENERATOR_X);
    Bytes compressed_invalid{0x02};
    append(compressed_invalid, x_not_on_curve());
    Bytes uncompressed_invalid{0x04};
    append(uncompressed_invalid, x_not_on_curve());
    uncompressed_invalid.resize(65, 0x01);
    Bytes hybrid = uncompressed_key(false);
    hybrid[0] = 0x06;

    std::vector<ScriptCase> cases;
    cases.push_back({"p2pkh",
                     Script().push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(hash20)
                         .push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG),
                     "00" + std::string(40, '1'), 21});
    cases.push_back({"p2sh", Script().push_opcode(OP_HASH160).push_data(hash20).push_opcode(OP_EQUAL),
                     "01" + std::string(40, '1'), 21});
    cases.push_back({"p2pk compressed, even y", p2pk(compressed_even), "02" + to_hex(GENERATOR_X), 33});
    cases.push_back({"p2pk compressed, odd y", p2pk(compressed_odd), "03" + to_hex(GENERATOR_X), 33});
    // Core stores a 33-byte key by its bytes without checking that it is a point.
    cases.push_back({"p2pk compressed, not a point", p2pk(compressed_invalid),
                     to_hex(compressed_invalid), 33});
    cases.push_back({"p2pk uncompressed, even y", p2pk(uncompressed_key(false)),
                     "04" + to_hex(GENERATOR_X), 33});
    cases.push_back({"p2pk uncompressed, odd y", p2pk(uncompressed_key(true)),
                     "05" + to_hex(GENERATOR_X), 33});
    // Not a point: no special form, stored raw (67 + 6 = 0x49).
    cases.push_back({"p2pk uncompressed, not a point", p2pk(uncompressed_invalid), "4941", 68});
    cases.push_back({"p2pk hybrid key", p2pk(hybrid), "4941", 68});
    cases.push_back({"p2wpkh", Script().push_opcode(OP_0).push_data(hash20), "1c0014", 23});
    cases.push_back({"p2wsh", Script().push_opcode(OP_0).push_data(hash32), "280020", 35});
    cases.push_back({"p2tr", Script().push_opcode(OP_1).push_data(hash32), "285120", 35});
    cases.push_back({"empty", Script(), "06", 1});
    cases.push_back({"op_return", Script().push_opcode(OP_RETURN).push_data(hash20), "1c6a14", 23});
    // Near misses of the special forms stay raw.
    cases.push_back({"p2pkh with a wrong last opcode",
                     Script().push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(hash20)
                         .push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIGVERIFY),
                     "1f76a914", 26});
    cases.push_back({"largest raw script", Script(Bytes(MAX_SCRIPT_SIZE, 0x61)), "cd16", 10'002});
    return cases;
}

TEST(ScriptCompression, round_trips_every_script_class) {
    const auto cases = script_cases();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const Bytes encoded = encode_script(c.script);
        EXPECT_EQ(encoded.size(), c.expected_size);
        EXPECT_EQ(to_hex(encoded).substr(0, c.expected_head.size()), c.expected_head);
        EXPECT_EQ(decode_script(encoded), c.script);
    }
    testutil::report_cases("script compression classes", cases.size());
    EXPECT_GT(cases.size(), 0u);
}

TEST(ScriptCompression, decompresses_an_x_that_is_not_on_the_curve_to_an_empty_script) {
    const Bytes x = x_not_on_curve();
    for (const std::uint32_t kind : {4u, 5u}) {
        EXPECT_FALSE(decompress_script(kind, x).has_value());
        Bytes encoded{static_cast<std::uint8_t>(kind)};
        append(encoded, x);
        EXPECT_TRUE(decode_script(encoded).empty());
    }
}

TEST(ScriptCompression, replaces_an_oversized_script_with_op_return_and_skips_it) {
    const std::size_t size = MAX_SCRIPT_SIZE + 1;
    Bytes encoded;
    Writer writer(encoded);
    write_varint(writer, size + SPECIAL_SCRIPT_COUNT);
    encoded.resize(encoded.size() + size, 0xab);
    encoded.push_back(0x07);  // whatever follows the script
    Reader reader(encoded);
    const auto script = read_compressed_script(reader);
    ASSERT_TRUE(script.has_value());
    EXPECT_EQ(*script, Script().push_opcode(OP_RETURN));
    EXPECT_EQ(reader.remaining(), 1u);
}

TEST(ScriptCompression, rejects_scripts_that_run_past_the_input) {
    for (const char* text : {"", "00", "0011", "05" "1122", "07", "4941", "8a95c0bb00"}) {
        const Bytes bytes = hex(text);
        Reader reader(bytes);
        const auto script = read_compressed_script(reader);
        ASSERT_FALSE(script.has_value()) << text;
        EXPECT_EQ(script.error(), DecodeError::truncated) << text;
    }
}

TEST(ScriptCompression, rejects_a_script_size_beyond_32_bits) {
    const Bytes bytes = hex("8efefeff00");
    Reader reader(bytes);
    const auto script = read_compressed_script(reader);
    ASSERT_FALSE(script.has_value());
    EXPECT_EQ(script.error(), DecodeError::size_too_large);
}

// --- coins -----------------------------------------------------------------------------------

Script p2pkh(std::string_view key_hash) {
    return Script().push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(hex(key_hash))
        .push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
}

TEST(CoinCodec, decodes_cores_serialized_coins) {
    const auto first = decode_coin(hex("97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35"));
    ASSERT_TRUE(first.has_value());
    EXPECT_FALSE(first->coinbase);
    EXPECT_EQ(first->height, 203998u);
    EXPECT_EQ(first->output.value, 60'000'000'000);
    EXPECT_EQ(first->output.script_pubkey, p2pkh("816115944e077fe7c803cfa57f29b36bf87c1d35"));

    const auto second = decode_coin(hex("8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4"));
    ASSERT_TRUE(second.has_value());
    EXPECT_TRUE(second->coinbase);
    EXPECT_EQ(second->height, 120891u);
    EXPECT_EQ(second->output.value, 110397);
    EXPECT_EQ(second->output.script_pubkey, p2pkh("8c988f1a4a4de2161e0f50aac7f17e7f9555caa4"));

    const auto smallest = decode_coin(hex("000006"));
    ASSERT_TRUE(smallest.has_value());
    EXPECT_FALSE(smallest->coinbase);
    EXPECT_EQ(smallest->height, 0u);
    EXPECT_EQ(smallest->output.value, 0);
    EXPECT_TRUE(smallest->output.script_pubkey.empty());
}

TEST(CoinCodec, encodes_coins_as_core_does) {
    const Coin coin{TxOut{60'000'000'000, p2pkh("816115944e077fe7c803cfa57f29b36bf87c1d35")},
                    203998, false};
    EXPECT_EQ(to_hex(encode_coin(coin)), "97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35");
    const Coin coinbase{TxOut{110397, p2pkh("8c988f1a4a4de2161e0f50aac7f17e7f9555caa4")}, 120891,
                        true};
    EXPECT_EQ(to_hex(encode_coin(coinbase)),
              "8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4");
}

TEST(CoinCodec, rejects_a_script_past_the_end_and_a_huge_script_size) {
    // Core's coins tests: a 1-byte script with no byte, and a 3*10^9-byte script.
    for (const char* text : {"000007", "00008a95c0bb00"}) {
        const auto coin = decode_coin(hex(text));
        ASSERT_FALSE(coin.has_value()) << text;
        EXPECT_EQ(coin.error(), DecodeError::truncated);
    }
    Bytes varint;
    Writer writer(varint);
    write_varint(writer, 3'000'000'000ULL);
    EXPECT_EQ(to_hex(varint), "8a95c0bb00");
}

TEST(CoinCodec, rejects_trailing_bytes_and_truncation_at_every_length) {
    const Bytes good = hex("8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4");
    for (std::size_t n = 0; n < good.size(); ++n) {
        EXPECT_FALSE(decode_coin(ByteSpan(good).first(n)).has_value()) << n;
    }
    Bytes longer = good;
    longer.push_back(0);
    const auto coin = decode_coin(longer);
    ASSERT_FALSE(coin.has_value());
    EXPECT_EQ(coin.error(), DecodeError::trailing_data);
}

TEST(CoinCodec, round_trips_heights_flags_and_amounts) {
    for (const std::uint32_t height : {0u, 1u, 127u, 128u, 500'000u, 0x7fffffffu}) {
        for (const bool coinbase : {false, true}) {
            for (const Amount value : {Amount{0}, Amount{1}, Amount{546}, 50 * COIN, MAX_MONEY}) {
                const Coin coin{TxOut{value, Script().push_opcode(OP_1)}, height, coinbase};
                const auto back = decode_coin(encode_coin(coin));
                ASSERT_TRUE(back.has_value());
                ASSERT_EQ(*back, coin);
            }
        }
    }
}

// --- keys ------------------------------------------------------------------------------------

TEST(CoinKey, is_the_prefix_the_txid_and_the_index_as_a_varint) {
    Uint256 txid;
    for (std::size_t i = 0; i < 32; ++i) txid[i] = static_cast<std::uint8_t>(i);
    const Bytes key = coin_key(OutPoint{txid, 300});
    EXPECT_EQ(to_hex(key), "43" + to_hex(txid.span()) + "812c");
    const auto back = decode_coin_key(key);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, (OutPoint{txid, 300}));
    for (const std::uint32_t index : {0u, 1u, 127u, 128u, 16511u, 16512u, 0xffffffffu}) {
        const auto decoded = decode_coin_key(coin_key(OutPoint{txid, index}));
        ASSERT_TRUE(decoded.has_value());
        EXPECT_EQ(decoded->index, index);
    }
}

TEST(CoinKey, refuses_other_records_and_malformed_keys) {
    const Bytes good = coin_key(OutPoint{Uint256{}, 5});
    Bytes other_prefix = good;
    other_prefix[0] = 'B';
    EXPECT_FALSE(decode_coin_key(other_prefix).has_value());
    EXPECT_FALSE(decode_coin_key(ByteSpan(good).first(good.size() - 1)).has_value());
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_FALSE(decode_coin_key(longer).has_value());
    Bytes wide(good.begin(), good.begin() + 33);
    append(wide, hex("8efefeff00"));
    EXPECT_FALSE(decode_coin_key(wide).has_value());
    EXPECT_FALSE(decode_coin_key({}).has_value());
}

}  // namespace
}  // namespace bitloom
