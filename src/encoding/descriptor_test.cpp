#include "encoding/descriptor.h"

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "encoding/address.h"
#include "encoding/wif.h"
#include "testutil/vectors.h"
#include "util/hex.h"

namespace bitloom {
namespace {

constexpr std::string_view COMPRESSED_KEY =
    "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
constexpr std::string_view UNCOMPRESSED_KEY =
    "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c770"
    "9c02559e3aa73aa03918ba2d492eea75abea235";
constexpr std::string_view COMPRESSED_WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1";
constexpr std::string_view UNCOMPRESSED_WIF = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss";

std::string with_keys(std::string text) {
    const auto replace = [&](std::string_view name, std::string_view value) {
        for (std::size_t at; (at = text.find(name)) != std::string::npos;) {
            text.replace(at, name.size(), value);
        }
    };
    replace("$CWIF", COMPRESSED_WIF);
    replace("$UWIF", UNCOMPRESSED_WIF);
    replace("$C", COMPRESSED_KEY);
    replace("$U", UNCOMPRESSED_KEY);
    return text;
}

std::string parse_to_hex(std::string_view descriptor,
                         const AddressPrefixes& prefixes = MAINNET_ADDRESS_PREFIXES) {
    const auto script = parse_descriptor(descriptor, prefixes);
    if (!script) return "error: " + script.error().message;
    return to_hex(script->span());
}

TEST(Descriptor, checksum_matches_the_bip380_and_core_examples) {
    struct Case {
        std::string_view body;
        std::string_view checksum;
    };
    const std::vector<Case> cases = {
        {"raw(deadbeef)", "89f8spxm"},
        {"addr(mi7as51dvLJsizWnTMurtRmrP8hG2m1XvD)", "gj9tznmy"},
        {"raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)", "fm24fxxy"},
        {"wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrH"
         "u81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)",
         "cjjspncu"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(descriptor_checksum(c.body), c.checksum) << c.body;
        EXPECT_EQ(add_descriptor_checksum(c.body),
                  std::string(c.body) + "#" + std::string(c.checksum));
    }
    testutil::report_cases("descriptor checksums", cases.size());
    ASSERT_GT(cases.size(), 0U);
}

TEST(Descriptor, checksum_is_empty_for_characters_outside_the_set) {
    EXPECT_EQ(descriptor_checksum("raw(\xc3\x9c)"), "");
    EXPECT_EQ(descriptor_checksum("raw(dead\nbeef)"), "");
    EXPECT_EQ(add_descriptor_checksum("raw(\xc3\x9c)"), "");
}

TEST(Descriptor, accepts_a_correct_checksum_and_rejects_the_bip380_bad_ones) {
    EXPECT_EQ(parse_to_hex("raw(deadbeef)#89f8spxm"), "deadbeef");
    struct Case {
        std::string_view text;
        std::string_view message;
    };
    const std::vector<Case> cases = {
        {"raw(deadbeef)#", "Expected 8 character checksum, not 0 characters"},
        {"raw(deadbeef)#89f8spxmx", "Expected 8 character checksum, not 9 characters"},
        {"raw(deadbeef)#89f8spx", "Expected 8 character checksum, not 7 characters"},
        {"raw(deedbeef)#89f8spxm",
         "Provided checksum '89f8spxm' does not match computed checksum 'xj8ljs75'"},
        {"raw(deedbeef)##9f8spxm", "Multiple '#' symbols"},
        {"raw(\xc3\x9c)#00000000", "Invalid characters in payload"},
    };
    for (const auto& c : cases) {
        const auto result = parse_descriptor(c.text, MAINNET_ADDRESS_PREFIXES);
        ASSERT_FALSE(result) << c.text;
        EXPECT_EQ(result.error().error, DescriptorError::bad_checksum) << c.text;
        if (!c.message.empty()) {
            EXPECT_EQ(result.error().message, c.message) << c.text;
        }
    }
    const auto missing = parse_descriptor("raw(deadbeef)", MAINNET_ADDRESS_PREFIXES, true);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "Missing checksum");
    testutil::report_cases("bad descriptor checksums", cases.size());
}

TEST(Descriptor, produces_the_scripts_of_the_bip381_to_386_vectors) {
    struct Case {
        std::string descriptor;
        std::string_view script;
    };
    const std::vector<Case> cases = {
        // BIP381
        {"pk($CWIF)", "2103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bdac"},
        {"pk($C)", "2103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bdac"},
        {"pkh([deadbeef/1/2'/3/4']$CWIF)", "76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"},
        {"pkh([deadbeef/1/2h/3/4h]$C)", "76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"},
        {"pk($UWIF)",
         "4104a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476"
         "c7709c02559e3aa73aa03918ba2d492eea75abea235ac"},
        {"pk($U)",
         "4104a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476"
         "c7709c02559e3aa73aa03918ba2d492eea75abea235ac"},
        {"pkh($UWIF)", "76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"},
        {"pkh($U)", "76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"},
        {"sh(pk($CWIF))", "a9141857af51a5e516552b3086430fd8ce55f7c1a52487"},
        {"sh(pk($C))", "a9141857af51a5e516552b3086430fd8ce55f7c1a52487"},
        {"sh(pkh($CWIF))", "a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"},
        {"sh(pkh($C))", "a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"},
        // BIP382
        {"wpkh($CWIF)", "00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"},
        {"wpkh($C)", "00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"},
        {"wsh(pkh($CWIF))", "0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"},
        {"wsh(pkh($C))", "0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"},
        {"wsh(pk($CWIF))", "00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"},
        {"wsh(pk($C))", "00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"},
        {"sh(wsh(pkh($CWIF)))", "a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"},
        {"sh(wsh(pkh($C)))", "a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"},
        // BIP383
        {"multi(1,$CWIF,$UWIF)",
         "512103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd4104a34b99f22c790c"
         "4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73"
         "aa03918ba2d492eea75abea23552ae"},
        {"multi(1,$C,$U)",
         "512103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd4104a34b99f22c790c"
         "4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73"
         "aa03918ba2d492eea75abea23552ae"},
        {"sortedmulti(1,$U,$C)",
         "512103a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd4104a34b99f22c790c"
         "4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73"
         "aa03918ba2d492eea75abea23552ae"},
        {"sh(wsh(multi(16,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0,"
         "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600,"
         "0362a74e399c39ed5593852a30147f2959b56bb827dfa3e60e464b02ccf87dc5e8,"
         "0261345b53de74a4d721ef877c255429961b7e43714171ac06168d7e08c542a8b8,"
         "02da72e8b46901a65d4374fe6315538d8f368557dda3a1dcf9ea903f3afe7314c8,"
         "0318c82dd0b53fd3a932d16e0ba9e278fcc937c582d5781be626ff16e201f72286,"
         "0297ccef1ef99f9d73dec9ad37476ddb232f1238aff877af19e72ba04493361009,"
         "02e502cfd5c3f972fe9a3e2a18827820638f96b6f347e54d63deb839011fd5765d,"
         "03e687710f0e3ebe81c1037074da939d409c0025f17eb86adb9427d28f0f7ae0e9,"
         "02c04d3a5274952acdbc76987f3184b346a483d43be40874624b29e3692c1df5af,"
         "02ed06e0f418b5b43a7ec01d1d7d27290fa15f75771cb69b642a51471c29c84acd,"
         "036d46073cbb9ffee90473f3da429abc8de7f8751199da44485682a989a4bebb24,"
         "02f5d1ff7c9029a80a4e36b9a5497027ef7f3e73384a4a94fbfe7c4e9164eec8bc,"
         "02e41deffd1b7cce11cde209a781adcffdabd1b91c0ba0375857a2bfd9302419f3,"
         "02d76625f7956a7fc505ab02556c23ee72d832f1bac391bcd2d3abce5710a13d06,"
         "0399eb0a5487515802dc14544cf10b3666623762fbed2ec38a3975716e2c29c232)))",
         "a9147fc63e13dc25e8a95a3cee3d9a714ac3afd96f1e87"},
        {"wsh(multi(20,KzoAz5CanayRKex3fSLQ2BwJpN7U52gZvxMyk78nDMHuqrUxuSJy,"
         "KwGNz6YCCQtYvFzMtrC6D3tKTKdBBboMrLTsjr2NYVBwapCkn7Mr,"
         "KxogYhiNfwxuswvXV66eFyKcCpm7dZ7TqHVqujHAVUjJxyivxQ9X,"
         "L2BUNduTSyZwZjwNHynQTF14mv2uz2NRq5n5sYWTb4FkkmqgEE9f,"
         "L1okJGHGn1kFjdXHKxXjwVVtmCMR2JA5QsbKCSpSb7ReQjezKeoD,"
         "KxDCNSST75HFPaW5QKpzHtAyaCQC7p9Vo3FYfi2u4dXD1vgMiboK,"
         "L5edQjFtnkcf5UWURn6UuuoFrabgDQUHdheKCziwN42aLwS3KizU,"
         "KzF8UWFcEC7BYTq8Go1xVimMkDmyNYVmXV5PV7RuDicvAocoPB8i,"
         "L3nHUboKG2w4VSJ5jYZ5CBM97oeK6YuKvfZxrefdShECcjEYKMWZ,"
         "KyjHo36dWkYhimKmVVmQTq3gERv3pnqA4xFCpvUgbGDJad7eS8WE,"
         "KwsfyHKRUTZPQtysN7M3tZ4GXTnuov5XRgjdF2XCG8faAPmFruRF,"
         "KzCUbGhN9LJhdeFfL9zQgTJMjqxdBKEekRGZX24hXdgCNCijkkap,"
         "KzgpMBwwsDLwkaC5UrmBgCYaBD2WgZ7PBoGYXR8KT7gCA9UTN5a3,"
         "KyBXTPy4T7YG4q9tcAM3LkvfRpD1ybHMvcJ2ehaWXaSqeGUxEdkP,"
         "KzJDe9iwJRPtKP2F2AoN6zBgzS7uiuAwhWCfGdNeYJ3PC1HNJ8M8,"
         "L1xbHrxynrqLKkoYc4qtoQPx6uy5qYXR5ZDYVYBSRmCV5piU3JG9,"
         "KzRedjSwMggebB3VufhbzpYJnvHfHe9kPJSjCU5QpJdAW3NSZxYS,"
         "Kyjtp5858xL7JfeV4PNRCKy2t6XvgqNNepArGY9F9F1SSPqNEMs3,"
         "L2D4RLHPiHBidkHS8ftx11jJk1hGFELvxh8LoxNQheaGT58dKenW,"
         "KyLPZdwY4td98bKkXqEXTEBX3vwEYTQo1yyLjX2jKXA63GBpmSjv))",
         "0020376bd8344b8b6ebe504ff85ef743eaa1aa9272178223bcb6887e9378efb341ac"},
        // BIP385
        {"raw(deadbeef)", "deadbeef"},
        {"raw(a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87)",
         "a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87"},
        {"addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)",
         "a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87"},
        // BIP386
        {"tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
         "512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"},
        {"tr($CWIF)", "512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"},
        {"tr($C)", "512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"},
    };
    for (const auto& c : cases) {
        const std::string descriptor = with_keys(c.descriptor);
        EXPECT_EQ(parse_to_hex(descriptor), c.script) << descriptor;
        // The same text with its checksum attached parses to the same script.
        EXPECT_EQ(parse_to_hex(add_descriptor_checksum(descriptor)), c.script) << descriptor;
    }
    testutil::report_cases("BIP381-386 descriptors", cases.size());
    ASSERT_GT(cases.size(), 0U);
}

TEST(Descriptor, rejects_the_invalid_descriptors_of_bips_382_to_386) {
    struct Case {
        std::string descriptor;
        DescriptorError error;
        std::string_view message;
    };
    const std::vector<Case> cases = {
        {"wpkh($UWIF)", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"sh(wpkh($UWIF))", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"wpkh($U)", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"sh(wpkh($U))", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"wsh(pk($UWIF))", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"wsh(pk($U))", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"wsh(wpkh($C))", DescriptorError::invalid_context,
         "Can only have wpkh() at top level or inside sh()"},
        {"wsh(wsh(pkh($C)))", DescriptorError::invalid_context,
         "Can only have wsh() at top level or inside sh()"},
        {"sh(wsh(wsh(pkh($C))))", DescriptorError::invalid_context,
         "Can only have wsh() at top level or inside sh()"},
        {"wpkh(wsh(pkh($C)))", DescriptorError::invalid_key,
         "key 'wsh(pkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))' is "
         "not valid"},
        {"wsh($C)", DescriptorError::invalid_function, "A function is needed within P2WSH"},
        {"sh($C)", DescriptorError::invalid_function, "A function is needed within P2SH"},
        {"multi(a,$C,$U)", DescriptorError::invalid_multisig, "Multi threshold 'a' is not valid"},
        {"multi(0,$C,$U)", DescriptorError::invalid_multisig,
         "Multisig threshold cannot be 0, must be at least 1"},
        {"multi(3,$CWIF,$UWIF)", DescriptorError::invalid_multisig,
         "Multisig threshold cannot be larger than the number of keys; threshold is 3 but only 2 "
         "keys specified"},
        {"multi(1,$C,$C,$C,$C)", DescriptorError::invalid_multisig,
         "Cannot have 4 pubkeys in bare multisig; only at most 3 pubkeys"},
        {"multi(1)", DescriptorError::invalid_multisig,
         "Cannot have 0 keys in multisig; must have between 1 and 20 keys, inclusive"},
        {"raw(asdf)", DescriptorError::invalid_hex, "Raw script is not hex"},
        {"addr(asdf)", DescriptorError::invalid_address, "Address is not valid"},
        {"sh(raw(deadbeef))", DescriptorError::invalid_context, "Can only have raw() at top level"},
        {"wsh(raw(deadbeef))", DescriptorError::invalid_context,
         "Can only have raw() at top level"},
        {"sh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))", DescriptorError::invalid_context,
         "Can only have addr() at top level"},
        {"wsh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))", DescriptorError::invalid_context,
         "Can only have addr() at top level"},
        {"tr($UWIF)", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"tr($U)", DescriptorError::invalid_key, "Uncompressed keys are not allowed"},
        {"wsh(tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))",
         DescriptorError::invalid_context, "Can only have tr at top level"},
        {"sh(tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))",
         DescriptorError::invalid_context, "Can only have tr at top level"},
        {"sh(sh(pk($C)))", DescriptorError::invalid_context, "Can only have sh() at top level"},
        {"pk(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
         DescriptorError::invalid_key,
         "Pubkey 'a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd' is invalid"},
        {"pk([deadbee]$C)", DescriptorError::invalid_key,
         "Fingerprint is not 4 bytes (7 characters instead of 8 characters)"},
        {"pk([deadbeeg/1]$C)", DescriptorError::invalid_key, "Fingerprint 'deadbeeg' is not hex"},
        {"pk([deadbeef/x]$C)", DescriptorError::invalid_key,
         "Key path value 'x' is not a valid uint32"},
        {"pk(deadbeef]$C)", DescriptorError::invalid_key,
         "Key origin start '[ character expected but not found, got 'd' instead"},
        {"pk([deadbeef]]$C)", DescriptorError::invalid_key,
         "Multiple ']' characters found for a single pubkey"},
        {"foo($C)", DescriptorError::invalid_function,
         "'foo(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)' is not a valid "
         "descriptor function"},
        {"pk($C)x", DescriptorError::invalid_function, ""},
        {"", DescriptorError::invalid_function, "'' is not a valid descriptor function"},
    };
    for (const auto& c : cases) {
        const std::string descriptor = with_keys(c.descriptor);
        const auto result = parse_descriptor(descriptor, MAINNET_ADDRESS_PREFIXES);
        ASSERT_FALSE(result) << descriptor;
        EXPECT_EQ(result.error().error, c.error) << descriptor << ": " << result.error().message;
        if (!c.message.empty()) {
            EXPECT_EQ(result.error().message, c.message) << descriptor;
        }
    }
    testutil::report_cases("invalid descriptors", cases.size());
    ASSERT_GT(cases.size(), 0U);
}

TEST(Descriptor, refuses_p2sh_multisig_with_more_than_15_compressed_keys) {
    // BIP383: 16 keys make a 547-byte redeem script, above the 520-byte push limit.
    std::string keys;
    for (int i = 0; i < 16; ++i) keys += "," + std::string(COMPRESSED_KEY);
    const auto result = parse_descriptor("sh(multi(16" + keys + "))", MAINNET_ADDRESS_PREFIXES);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().error, DescriptorError::invalid_multisig);
    EXPECT_EQ(result.error().message,
              "P2SH script is too large, 547 bytes is larger than 520 bytes");
    EXPECT_TRUE(parse_descriptor("sh(multi(15" + keys.substr(67) + "))", MAINNET_ADDRESS_PREFIXES));
    EXPECT_TRUE(parse_descriptor("wsh(multi(16" + keys + "))", MAINNET_ADDRESS_PREFIXES));
}

TEST(Descriptor, refuses_ranged_and_extended_keys_as_unsupported) {
    for (const std::string_view text :
         {"wpkh([ffffffff/13']xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7E"
          "RfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/1/2/*)",
          "pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNq"
          "Pqm55Qn3LqFtT2emdEXVYsCzC2U)",
          "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,pk(669b8afcec803a0d3"
          "23e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))"}) {
        const auto result = parse_descriptor(text, MAINNET_ADDRESS_PREFIXES);
        ASSERT_FALSE(result) << text;
        EXPECT_EQ(result.error().error, DescriptorError::unsupported_key) << text;
        EXPECT_NE(result.error().message.find("not supported yet"), std::string::npos);
    }
}

TEST(Descriptor, each_single_script_form_matches_addr_of_its_regtest_address) {
    const AddressPrefixes& regtest = REGTEST_ADDRESS_PREFIXES;
    // WIF keys are read with the network's prefix: the same secret as COMPRESSED_WIF in
    // regtest form gives the same script.
    const auto secret = decode_wif(COMPRESSED_WIF, MAINNET_ADDRESS_PREFIXES);
    ASSERT_TRUE(secret);
    EXPECT_EQ(parse_to_hex("wpkh(" + encode_wif(*secret, regtest) + ")", regtest),
              parse_to_hex(with_keys("wpkh($C)"), regtest));
    const std::vector<std::string> forms = {
        "pkh($C)",      "wpkh($C)",          "sh(wpkh($C))",         "sh(multi(1,$C,$U))",
        "wsh(multi(1,$C))", "wsh(sortedmulti(1,$C,02a34b99f22c790c4e36b2b3c2c35a36db06226e41c6"
                            "92fc82b8b56ac1c540c5bd))",
        "tr($C)",       "sh(wsh(pk($C)))",
    };
    for (const auto& form : forms) {
        const std::string descriptor = with_keys(form);
        const auto script = parse_descriptor(descriptor, regtest);
        ASSERT_TRUE(script) << descriptor << ": " << script.error().message;
        const auto address = encode_address(extract_destination(*script), regtest);
        ASSERT_TRUE(address) << descriptor;
        const auto again = parse_descriptor("addr(" + *address + ")", regtest);
        ASSERT_TRUE(again) << *address;
        EXPECT_EQ(*again, *script) << descriptor << " / " << *address;
    }
    // A mainnet address is not a regtest one.
    EXPECT_FALSE(parse_descriptor("addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)", regtest));
    EXPECT_FALSE(parse_descriptor(with_keys("pk($CWIF)"), regtest));
    testutil::report_cases("descriptor/addr cross-checks", forms.size());
}

TEST(Descriptor, never_crashes_on_random_or_mutated_text) {
    std::mt19937 rng(20261122);
    const std::string alphabet =
        "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCD"
        "EFGH`#\"\\ \x01\xff";
    const std::vector<std::string> seeds = {
        with_keys("sh(wsh(multi(1,$C,$CWIF)))"), with_keys("tr($C)"),
        with_keys("pkh([deadbeef/1h/2]$C)#00000000"), "addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)",
        "raw(deadbeef)#89f8spxm"};
    std::size_t runs = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        if (i % 2 == 0) {
            const std::size_t length = rng() % 80;
            for (std::size_t j = 0; j < length; ++j) {
                text.push_back(alphabet[rng() % alphabet.size()]);
            }
        } else {
            text = seeds[rng() % seeds.size()];
            const int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits && !text.empty(); ++e) {
                const std::size_t at = rng() % text.size();
                switch (rng() % 3) {
                    case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
                    case 1: text.erase(at, 1); break;
                    default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
                }
            }
        }
        const auto result = parse_descriptor(text, MAINNET_ADDRESS_PREFIXES);
        if (!result) {
            EXPECT_FALSE(result.error().message.empty()) << text;
        }
        ++runs;
    }
    testutil::report_cases("random descriptors", runs);
    ASSERT_GT(runs, 0U);
}

}  // namespace
}  // namespace bitloom
