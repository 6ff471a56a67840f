// Message payloads: known encodings built by hand from Core's layouts, round trips of every
// message, every truncation, Core's count limits, and random inputs to every reader.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "crypto/sha256.h"
#include "crypto/siphash.h"
#include "p2p/messages.h"
#include "p2p/protocol.h"
#include "testutil/vectors.h"
#include "util/endian.h"

namespace bitloom {
namespace {

constexpr MessageStart REGTEST{0xfa, 0xbf, 0xb5, 0xda};

Uint256 hash_of(std::uint8_t n) {
    Uint256 hash;
    for (std::size_t i = 0; i < Uint256::size(); ++i) {
        hash.data()[i] = static_cast<std::uint8_t>(n + i);
    }
    return hash;
}

BlockHeader sample_header(std::uint32_t nonce) {
    BlockHeader header;
    header.version = 0x20000000;
    header.prev_block = hash_of(1);
    header.merkle_root = hash_of(2);
    header.time = 1700000000;
    header.bits = 0x207fffff;
    header.nonce = nonce;
    return header;
}

// A transaction with a witness, so the BIP144 encoding is exercised.
TransactionRef witness_tx(std::uint8_t seed) {
    MutableTransaction tx;
    tx.inputs.push_back(TxIn{OutPoint{hash_of(seed), 1}, Script(), 0xfffffffd,
                             ScriptWitness{{Bytes(71, seed), Bytes(33, 0x02)}}});
    tx.outputs.push_back(TxOut{50000, Script(Bytes{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                   12, 13, 14, 15, 16, 17, 18, 19, 20})});
    return make_transaction_ref(std::move(tx));
}

Bytes prefix(const Bytes& bytes, std::size_t n) {
    return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts) append(out, part);
    return out;
}

Bytes compact_size(std::uint64_t n) {
    Bytes out;
    Writer(out).write_compact_size(n);
    return out;
}

NetService service(std::string_view text) {
    auto parsed = NetService::parse(text, 8333);
    EXPECT_TRUE(parsed) << text;
    return parsed.value_or(NetService{});
}

// ---- version ----

// Built field by field from Core's layout.
const char* const VERSION_HEX =
    "80110100"                          // version 70016
    "0904000000000000"                  // services NETWORK | WITNESS | NETWORK_LIMITED
    "00f1536500000000"                  // time 1700000000
    "0000000000000000"                  // addr_recv services
    "00000000000000000000ffff7f000001"  // addr_recv ::ffff:127.0.0.1
    "480c"                              // port 18444, big-endian
    "0904000000000000"                  // addr_from services
    "00000000000000000000000000000000"  // addr_from ::
    "0000"                              // port 0
    "0807060504030201"                  // nonce
    "10" "2f5361746f7368693a32372e302e302f"  // "/Satoshi:27.0.0/"
    "c8000000"                          // start_height 200
    "01";                               // relay

TEST(Messages, decodes_a_version_payload_laid_out_as_core_does) {
    const Bytes payload = testutil::hex(VERSION_HEX);
    ASSERT_EQ(payload.size(), 102u);
    const auto version = decode_version(payload);
    ASSERT_TRUE(version) << to_string(version.error());
    EXPECT_EQ(version->version, 70016);
    EXPECT_EQ(version->services, services::NODE_NETWORK | services::NODE_WITNESS |
                                     services::NODE_NETWORK_LIMITED);
    EXPECT_EQ(version->time, 1700000000);
    EXPECT_EQ(version->addr_recv_services, 0u);
    EXPECT_TRUE(version->addr_recv.address.is_ipv4());
    EXPECT_EQ(version->addr_recv.address.to_string(), "127.0.0.1");
    EXPECT_EQ(version->addr_recv.port, 18444);
    EXPECT_EQ(version->addr_from_services, 0x409u);
    EXPECT_EQ(version->addr_from, NetService{});
    EXPECT_EQ(version->nonce, 0x0102030405060708u);
    EXPECT_EQ(version->user_agent, "/Satoshi:27.0.0/");
    EXPECT_EQ(version->start_height, 200);
    EXPECT_TRUE(version->relay);
    EXPECT_EQ(encode_version(*version), payload);
}

TEST(Messages, version_fields_after_addr_recv_are_optional_as_in_core) {
    const Bytes payload = testutil::hex(VERSION_HEX);
    // The lengths at which Core stops reading: after addr_recv, nonce, user_agent, start_height.
    const std::vector<std::size_t> boundaries{46, 80, 97, 101, 102};
    for (std::size_t n = 0; n <= payload.size(); ++n) {
        const auto version = decode_version(prefix(payload, n));
        const bool boundary =
            std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
        ASSERT_EQ(version.has_value(), boundary) << "length " << n;
    }
    const auto short_version = decode_version(prefix(payload, 46));
    EXPECT_EQ(short_version->addr_recv.port, 18444);
    EXPECT_EQ(short_version->nonce, 1u);
    EXPECT_EQ(short_version->user_agent, "");
    EXPECT_EQ(short_version->start_height, -1);
    EXPECT_TRUE(short_version->relay);
    const auto no_relay = decode_version(prefix(payload, 101));
    EXPECT_EQ(no_relay->start_height, 200);
    EXPECT_TRUE(no_relay->relay);
}

TEST(Messages, version_relay_zero_means_no_relay_and_trailing_bytes_are_ignored) {
    Bytes payload = testutil::hex(VERSION_HEX);
    payload.back() = 0x00;
    EXPECT_FALSE(decode_version(payload)->relay);
    payload.back() = 0x02;
    EXPECT_TRUE(decode_version(payload)->relay);
    payload.push_back(0x77);
    EXPECT_TRUE(decode_version(payload));
}

TEST(Messages, version_user_agent_over_256_bytes_is_rejected) {
    VersionMessage message;
    message.user_agent = std::string(256, 'a');
    const Bytes at_limit = encode_version(message);
    ASSERT_TRUE(decode_version(at_limit));
    EXPECT_EQ(decode_version(at_limit)->user_agent, message.user_agent);
    Bytes over = prefix(at_limit, 80);
    append(over, compact_size(257));
    append(over, Bytes(257, 'a'));
    append(over, Bytes(5, 0));
    EXPECT_EQ(decode_version(over).error(), MessageError::user_agent_too_long);
}

TEST(Messages, version_reads_a_torv2_address_as_the_placeholder_and_keeps_its_port) {
    Bytes payload = testutil::hex(VERSION_HEX);
    const Bytes torv2 = testutil::hex("fd87d87eeb43" "00112233445566778899");
    std::copy(torv2.begin(), torv2.end(), payload.begin() + 28);
    const auto version = decode_version(payload);
    ASSERT_TRUE(version);
    EXPECT_EQ(version->addr_recv.address, NetAddress());
    EXPECT_EQ(version->addr_recv.port, 18444);
}

TEST(Messages, version_round_trips_with_ipv6_and_writes_other_networks_as_zeros) {
    VersionMessage message;
    message.version = 70016;
    message.services = services::NODE_NETWORK;
    message.time = -5;
    message.addr_recv = service("[2001:db8::1]:8333");
    message.addr_from = service("1.2.3.4:1");
    message.nonce = 42;
    message.start_height = 800000;
    message.relay = false;
    EXPECT_EQ(decode_version(encode_version(message)), message);

    const auto onion = NetAddress::from_bip155(4, Bytes(32, 0x5a));
    ASSERT_TRUE(onion);
    message.addr_recv = NetService{*onion, 9050};
    const Bytes payload = encode_version(message);
    EXPECT_EQ(Bytes(payload.begin() + 28, payload.begin() + 44), Bytes(16, 0));
}

// ---- ping, pong, feefilter, sendcmpct ----

TEST(Messages, ping_nonce_is_eight_little_endian_bytes) {
    EXPECT_EQ(encode_nonce(0x1122334455667788), testutil::hex("8877665544332211"));
    EXPECT_EQ(decode_nonce(testutil::hex("8877665544332211")), 0x1122334455667788u);
    EXPECT_EQ(decode_nonce(testutil::hex("88776655443322")).error(), MessageError::truncated);
}

TEST(Messages, feefilter_is_a_signed_rate) {
    EXPECT_EQ(encode_feefilter(1000), testutil::hex("e803000000000000"));
    EXPECT_EQ(decode_feefilter(testutil::hex("ffffffffffffffff")), -1);
    EXPECT_EQ(decode_feefilter(encode_feefilter(123456789)), 123456789);
}

TEST(Messages, sendcmpct_is_announce_then_version) {
    EXPECT_EQ(encode_sendcmpct({true, 2}), testutil::hex("01" "0200000000000000"));
    EXPECT_EQ(decode_sendcmpct(testutil::hex("00" "0100000000000000")),
              (SendCmpctMessage{false, 1}));
}

// ---- addr, addrv2 ----

TEST(Messages, addr_entry_layout_and_round_trip) {
    const std::vector<PeerAddress> addresses{
        PeerAddress{service("1.2.3.4:8333"), services::NODE_NETWORK, 0x61000000},
        PeerAddress{service("[2001:db8::5]:18444"), services::NODE_WITNESS, 7},
    };
    const Bytes payload = encode_addr(addresses);
    EXPECT_EQ(prefix(payload, 31), testutil::hex("02" "00000061" "0100000000000000"
                                                 "00000000000000000000ffff01020304" "208d"));
    EXPECT_EQ(decode_addr(payload), addresses);
}

TEST(Messages, addr_skips_torv2_and_writes_unsupported_networks_as_zeros) {
    const Bytes payload = concat({testutil::hex("01" "01000000" "0000000000000000"
                                                "fd87d87eeb43" "00112233445566778899" "0001")});
    const auto decoded = decode_addr(payload);
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->empty());

    const auto i2p = NetAddress::from_bip155(5, Bytes(32, 0x33));
    ASSERT_TRUE(i2p);
    const Bytes written = encode_addr({PeerAddress{NetService{*i2p, 0}, 0, 0}});
    EXPECT_EQ(Bytes(written.begin() + 13, written.begin() + 29), Bytes(16, 0));
}

TEST(Messages, addrv2_round_trips_every_network) {
    Bytes cjdns(16, 0x21);
    cjdns[0] = 0xfc;
    std::vector<PeerAddress> addresses{
        PeerAddress{service("1.2.3.4:8333"), services::NODE_NETWORK, 1},
        PeerAddress{service("[2001:db8::5]:18444"), 0xffffffffffffffff, 2},
        PeerAddress{NetService{*NetAddress::from_bip155(4, Bytes(32, 0x44)), 9050}, 0x409, 3},
        PeerAddress{NetService{*NetAddress::from_bip155(5, Bytes(32, 0x55)), 0}, 0, 4},
        PeerAddress{NetService{*NetAddress::from_bip155(6, cjdns), 8333}, 1, 5},
    };
    const Bytes payload = encode_addrv2(addresses);
    EXPECT_EQ(prefix(payload, 14),
              testutil::hex("05" "01000000" "01" "01" "04" "01020304" "208d"));
    EXPECT_EQ(decode_addrv2(payload), addresses);
}

TEST(Messages, addrv2_skips_unknown_networks_and_invalid_ipv6_as_core_does) {
    const Bytes ipv4 = testutil::hex("01000000" "01" "01" "04" "0a000001" "208d");
    const Bytes payload = concat({
        testutil::hex("06"),
        testutil::hex("01000000" "00" "03" "0a" "00112233445566778899" "0001"),  // TorV2
        testutil::hex("01000000" "00" "2a" "03" "aabbcc" "0001"),                // id 42
        testutil::hex("01000000" "00" "02" "10" "00000000000000000000ffff01020304" "0001"),
        testutil::hex("01000000" "00" "06" "10" "fd000000000000000000000000000001" "0001"),
        testutil::hex("01000000" "00" "2a" "00" "0001"),                         // empty
        ipv4,
    });
    const auto decoded = decode_addrv2(payload);
    ASSERT_TRUE(decoded) << to_string(decoded.error());
    ASSERT_EQ(decoded->size(), 1u);
    EXPECT_EQ((*decoded)[0].service.to_string(), "10.0.0.1:8333");
}

TEST(Messages, addrv2_rejects_wrong_lengths_and_long_addresses) {
    EXPECT_EQ(decode_addrv2(testutil::hex("01" "01000000" "00" "01" "05" "0102030405" "0001"))
                  .error(),
              MessageError::address_size_mismatch);
    EXPECT_EQ(decode_addrv2(testutil::hex("01" "01000000" "00" "04" "10"
                                          "00112233445566778899aabbccddeeff" "0001"))
                  .error(),
              MessageError::address_size_mismatch);
    Bytes long_address = testutil::hex("01" "01000000" "00" "2a");
    append(long_address, compact_size(513));
    append(long_address, Bytes(513 + 2, 0));
    EXPECT_EQ(decode_addrv2(long_address).error(), MessageError::address_too_long);
    Bytes longest = testutil::hex("01" "01000000" "00" "2a");
    append(longest, compact_size(512));
    append(longest, Bytes(512 + 2, 0));
    EXPECT_TRUE(decode_addrv2(longest));
}

// ---- inv, getdata, notfound ----

TEST(Messages, inv_entry_is_type_then_hash) {
    const std::vector<InvEntry> entries{{inv_type::MSG_WITNESS_TX, hash_of(9)},
                                        {inv_type::MSG_CMPCT_BLOCK, hash_of(3)},
                                        {0x12345678, hash_of(4)}};
    const Bytes payload = encode_inv(entries);
    ASSERT_EQ(payload.size(), 1 + 3 * 36u);
    EXPECT_EQ(prefix(payload, 5), testutil::hex("03" "01000040"));
    EXPECT_EQ(inv_type::MSG_WITNESS_BLOCK, 0x40000002u);
    EXPECT_EQ(inv_type::MSG_WTX, 5u);
    EXPECT_EQ(decode_inv(payload), entries);
}

TEST(Messages, inv_of_50000_is_accepted_and_50001_rejected) {
    std::vector<InvEntry> entries(MAX_INV_SZ, InvEntry{inv_type::MSG_TX, hash_of(1)});
    EXPECT_EQ(decode_inv(encode_inv(entries))->size(), MAX_INV_SZ);
    Bytes over = compact_size(MAX_INV_SZ + 1);
    append(over, Bytes((MAX_INV_SZ + 1) * 36, 0x01));
    EXPECT_EQ(decode_inv(over).error(), MessageError::too_many_entries);
}

// ---- getheaders, getblocks, headers ----

TEST(Messages, locator_round_trips_and_is_limited_to_101_hashes) {
    BlockLocatorMessage message{70016, {hash_of(1), hash_of(2)}, hash_of(3)};
    const Bytes payload = encode_block_locator(message);
    ASSERT_EQ(payload.size(), 4 + 1 + 3 * 32u);
    EXPECT_EQ(prefix(payload, 5), testutil::hex("80110100" "02"));
    EXPECT_EQ(decode_block_locator(payload), message);
    message.locator.assign(MAX_LOCATOR_SZ, hash_of(5));
    EXPECT_EQ(decode_block_locator(encode_block_locator(message)), message);
    Bytes over = testutil::hex("80110100");
    append(over, compact_size(MAX_LOCATOR_SZ + 1));
    append(over, Bytes((MAX_LOCATOR_SZ + 2) * 32, 0));
    EXPECT_EQ(decode_block_locator(over).error(), MessageError::too_many_entries);
}

TEST(Messages, headers_are_followed_by_a_zero_tx_count) {
    const std::vector<BlockHeader> headers{sample_header(1), sample_header(2)};
    const Bytes payload = encode_headers(headers);
    ASSERT_EQ(payload.size(), 1 + 2 * 81u);
    EXPECT_EQ(payload[81], 0x00);
    EXPECT_EQ(payload[162], 0x00);
    EXPECT_EQ(decode_headers(payload), headers);
}

TEST(Messages, headers_tx_count_is_ignored_as_core_does) {
    Bytes payload = encode_headers({sample_header(1)});
    payload.back() = 0x05;
    EXPECT_EQ(decode_headers(payload), std::vector<BlockHeader>{sample_header(1)});
    payload.back() = 0xfd;  // a CompactSize that then runs out of bytes
    EXPECT_EQ(decode_headers(payload).error(), MessageError::truncated);
}

TEST(Messages, headers_of_2000_are_accepted_and_2001_rejected) {
    const std::vector<BlockHeader> headers(MAX_HEADERS_RESULTS, sample_header(7));
    EXPECT_EQ(decode_headers(encode_headers(headers))->size(), MAX_HEADERS_RESULTS);
    Bytes over = compact_size(MAX_HEADERS_RESULTS + 1);
    for (std::size_t i = 0; i <= MAX_HEADERS_RESULTS; ++i) {
        const auto header = sample_header(7).encode();
        over.insert(over.end(), header.begin(), header.end());
        over.push_back(0);
    }
    EXPECT_EQ(decode_headers(over).error(), MessageError::too_many_entries);
}

TEST(Messages, addr_of_1000_is_accepted_and_1001_rejected) {
    const std::vector<PeerAddress> addresses(MAX_ADDR_TO_SEND,
                                             PeerAddress{service("8.8.8.8:8333"), 1, 2});
    EXPECT_EQ(decode_addr(encode_addr(addresses))->size(), MAX_ADDR_TO_SEND);
    EXPECT_EQ(decode_addrv2(encode_addrv2(addresses))->size(), MAX_ADDR_TO_SEND);
    Bytes over = compact_size(MAX_ADDR_TO_SEND + 1);
    append(over, Bytes((MAX_ADDR_TO_SEND + 1) * 30, 0));
    EXPECT_EQ(decode_addr(over).error(), MessageError::too_many_entries);
    EXPECT_EQ(decode_addrv2(over).error(), MessageError::too_many_entries);
}

// ---- block, tx ----

TEST(Messages, block_413567_round_trips_through_a_block_message) {
    const Bytes raw =
        testutil::read_file_bytes(testutil::vector_path("bitcoin-core/block413567.raw"));
    ASSERT_GT(raw.size(), 80u);
    const auto block = decode_block_message(raw);
    ASSERT_TRUE(block) << to_string(block.error());
    EXPECT_EQ(block->hash().to_string(),
              "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069");
    EXPECT_EQ(block->transactions.size(), 1557u);
    const Bytes payload = encode_block_message(*block);
    EXPECT_EQ(payload, raw);

    // Framed, fed in uneven chunks, and decoded again.
    const Bytes message = encode_message(REGTEST, command::BLOCK, payload);
    MessageDecoder decoder(REGTEST);
    std::optional<DecoderEvent> event;
    for (std::size_t at = 0; at < message.size(); at += 1000) {
        ByteSpan data =
            ByteSpan(message).subspan(at, std::min<std::size_t>(1000, message.size() - at));
        while (!data.empty()) {
            auto step = decoder.feed(data);
            ASSERT_TRUE(step);
            if (*step) event = std::move(**step);
        }
    }
    ASSERT_TRUE(event);
    const auto& received = std::get<ReceivedMessage>(*event);
    EXPECT_EQ(received.command, "block");
    const auto again = decode_block_message(received.payload);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->hash(), block->hash());
    EXPECT_EQ(again->transactions.size(), block->transactions.size());
}

TEST(Messages, tx_message_carries_the_witness) {
    const TransactionRef tx = witness_tx(3);
    const Bytes payload = encode_tx_message(*tx);
    EXPECT_EQ(Bytes(payload.begin() + 4, payload.begin() + 6), testutil::hex("0001"));
    const auto decoded = decode_tx_message(payload);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->wtxid(), tx->wtxid());
    EXPECT_TRUE(decoded->has_witness());
}

// ---- compact blocks ----

TEST(Messages, short_ids_are_siphash_of_the_wtxid_keyed_by_sha256_of_header_and_nonce) {
    const BlockHeader header = sample_header(11);
    const std::uint64_t nonce = 0x0123456789abcdef;
    Bytes preimage;
    const auto header_bytes = header.encode();
    preimage.insert(preimage.end(), header_bytes.begin(), header_bytes.end());
    append(preimage, testutil::hex("efcdab8967452301"));
    const Uint256 key_hash = sha256(preimage);
    const ShortIdKeys keys = short_id_keys(header, nonce);
    EXPECT_EQ(keys.k0, read_le64(key_hash.data()));
    EXPECT_EQ(keys.k1, read_le64(key_hash.data() + 8));
    const Uint256 wtxid = hash_of(77);
    const std::uint64_t expected =
        SipHasher(keys.k0, keys.k1).write(wtxid.span()).finalize() & 0xffffffffffff;
    EXPECT_EQ(short_id(keys, wtxid), expected);
    EXPECT_LT(short_id(keys, wtxid), std::uint64_t{1} << 48);
}

CompactBlockMessage sample_compact_block() {
    CompactBlockMessage message;
    message.header = sample_header(5);
    message.nonce = 9;
    message.short_ids = {0x0000010203040506, 0x0000ffffffffffff, 0};
    message.prefilled = {{0, witness_tx(1)}, {5, witness_tx(2)}, {6, witness_tx(3)}};
    return message;
}

void expect_same(const CompactBlockMessage& a, const CompactBlockMessage& b) {
    EXPECT_EQ(a.header, b.header);
    EXPECT_EQ(a.nonce, b.nonce);
    EXPECT_EQ(a.short_ids, b.short_ids);
    ASSERT_EQ(a.prefilled.size(), b.prefilled.size());
    for (std::size_t i = 0; i < a.prefilled.size(); ++i) {
        EXPECT_EQ(a.prefilled[i].index, b.prefilled[i].index);
        EXPECT_EQ(*a.prefilled[i].tx, *b.prefilled[i].tx);
    }
}

TEST(Messages, cmpctblock_writes_six_byte_ids_and_differential_indexes) {
    const CompactBlockMessage message = sample_compact_block();
    const Bytes payload = encode_cmpctblock(message);
    EXPECT_EQ(Bytes(payload.begin() + 88, payload.begin() + 107),
              testutil::hex("03" "060504030201" "ffffffffffff" "000000000000"));
    EXPECT_EQ(payload[107], 3);  // prefilled count
    EXPECT_EQ(payload[108], 0);  // index 0
    const std::size_t tx_size = encode_tx_message(*witness_tx(1)).size();
    EXPECT_EQ(payload[109 + tx_size], 4);           // 5 - 0 - 1
    EXPECT_EQ(payload[110 + 2 * tx_size], 0);       // 6 - 5 - 1
    const auto decoded = decode_cmpctblock(payload);
    ASSERT_TRUE(decoded) << to_string(decoded.error());
    expect_same(*decoded, message);
}

TEST(Messages, cmpctblock_of_block_413567_round_trips) {
    const Bytes raw =
        testutil::read_file_bytes(testutil::vector_path("bitcoin-core/block413567.raw"));
    const auto block = decode_block_message(raw);
    ASSERT_TRUE(block);
    CompactBlockMessage message;
    message.header = block->header;
    message.nonce = 0xfeedface;
    const ShortIdKeys keys = short_id_keys(message.header, message.nonce);
    message.prefilled.push_back({0, block->transactions[0]});
    for (std::size_t i = 1; i < block->transactions.size(); ++i) {
        message.short_ids.push_back(short_id(keys, block->transactions[i]->wtxid()));
    }
    const auto decoded = decode_cmpctblock(encode_cmpctblock(message));
    ASSERT_TRUE(decoded);
    expect_same(*decoded, message);
    testutil::report_cases("block413567 short ids", message.short_ids.size());
    EXPECT_GT(message.short_ids.size(), 0u);
}

TEST(Messages, cmpctblock_indexes_beyond_sixteen_bits_are_rejected) {
    const Bytes head = concat({Bytes(80, 0), Bytes(8, 0), testutil::hex("00" "01")});
    const Bytes tx = encode_tx_message(*witness_tx(1));
    EXPECT_TRUE(decode_cmpctblock(concat({head, compact_size(0xffff), tx})));
    EXPECT_EQ(decode_cmpctblock(concat({head, compact_size(0x10000), tx})).error(),
              MessageError::index_overflow);
    const Bytes two = concat({Bytes(80, 0), Bytes(8, 0), testutil::hex("00" "02")});
    EXPECT_EQ(decode_cmpctblock(concat({two, compact_size(0xfffe), tx, compact_size(1), tx}))
                  .error(),
              MessageError::index_overflow);
    // 65535 short ids plus one prefilled transaction: 65536 transactions in all.
    Bytes many = concat({Bytes(80, 0), Bytes(8, 0), compact_size(0xffff)});
    append(many, Bytes(0xffff * SHORT_ID_SIZE, 0x01));
    append(many, concat({testutil::hex("01" "00"), tx}));
    EXPECT_EQ(decode_cmpctblock(many).error(), MessageError::index_overflow);
}

TEST(Messages, getblocktxn_indexes_are_differential) {
    const BlockTxnRequest request{hash_of(8), {0, 1, 3, 7, 0xffff}};
    const Bytes payload = encode_getblocktxn(request);
    const Uint256 hash = hash_of(8);
    Bytes expected(hash.begin(), hash.end());
    append(expected, testutil::hex("05" "00" "00" "01" "03" "fdf7ff"));
    EXPECT_EQ(payload, expected);
    EXPECT_EQ(decode_getblocktxn(payload), request);
    Bytes overflow(32, 0);
    append(overflow, testutil::hex("02" "fdffff" "00"));
    EXPECT_EQ(decode_getblocktxn(overflow).error(), MessageError::index_overflow);
}

TEST(Messages, blocktxn_round_trips) {
    const BlockTxnMessage message{hash_of(6), {witness_tx(1), witness_tx(2)}};
    const auto decoded = decode_blocktxn(encode_blocktxn(message));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->block_hash, message.block_hash);
    ASSERT_EQ(decoded->transactions.size(), 2u);
    EXPECT_EQ(*decoded->transactions[1], *message.transactions[1]);
}

// ---- every message through the framing, every truncation, random inputs ----

struct Sample {
    std::string_view command;
    Bytes payload;
    // Decodes the payload; nullptr for messages without a payload.
    std::function<bool(ByteSpan)> decode;
};

template <typename F>
std::function<bool(ByteSpan)> decoder_of(F f) {
    return [f](ByteSpan bytes) { return f(bytes).has_value(); };
}

std::vector<Sample> samples() {
    VersionMessage version;
    version.user_agent = "/bitloom:0.1/";
    version.addr_recv = service("1.2.3.4:8333");
    std::vector<Sample> out{
        {command::VERSION, encode_version(version), decoder_of(decode_version)},
        {command::VERACK, {}, nullptr},
        {command::PING, encode_nonce(1), decoder_of(decode_nonce)},
        {command::PONG, encode_nonce(2), decoder_of(decode_nonce)},
        {command::GETADDR, {}, nullptr},
        {command::ADDR, encode_addr({PeerAddress{service("1.2.3.4:8333"), 1, 2}}),
         decoder_of(decode_addr)},
        {command::ADDRV2,
         encode_addrv2({PeerAddress{service("[2001:db8::1]:1"), 1, 2},
                        PeerAddress{NetService{*NetAddress::from_bip155(4, Bytes(32, 1)), 3}, 0,
                                    0}}),
         decoder_of(decode_addrv2)},
        {command::SENDADDRV2, {}, nullptr},
        {command::INV, encode_inv({{inv_type::MSG_WTX, hash_of(1)}}), decoder_of(decode_inv)},
        {command::GETDATA, encode_inv({{inv_type::MSG_WITNESS_BLOCK, hash_of(2)}}),
         decoder_of(decode_inv)},
        {command::NOTFOUND, encode_inv({{inv_type::MSG_TX, hash_of(3)}}), decoder_of(decode_inv)},
        {command::GETHEADERS, encode_block_locator({70016, {hash_of(1)}, Uint256()}),
         decoder_of(decode_block_locator)},
        {command::GETBLOCKS, encode_block_locator({70016, {hash_of(1), hash_of(2)}, hash_of(3)}),
         decoder_of(decode_block_locator)},
        {command::HEADERS, encode_headers({sample_header(1), sample_header(2)}),
         decoder_of(decode_headers)},
        {command::TX, encode_tx_message(*witness_tx(4)), decoder_of(decode_tx_message)},
        {command::SENDHEADERS, {}, nullptr},
        {command::FEEFILTER, encode_feefilter(1000), decoder_of(decode_feefilter)},
        {command::WTXIDRELAY, {}, nullptr},
        {command::SENDCMPCT, encode_sendcmpct({true, 2}), decoder_of(decode_sendcmpct)},
        {command::CMPCTBLOCK, encode_cmpctblock(sample_compact_block()),
         decoder_of(decode_cmpctblock)},
        {command::GETBLOCKTXN, encode_getblocktxn({hash_of(1), {1, 2}}),
         decoder_of(decode_getblocktxn)},
        {command::BLOCKTXN, encode_blocktxn({hash_of(1), {witness_tx(5)}}),
         decoder_of(decode_blocktxn)},
        {command::MEMPOOL, {}, nullptr},
    };
    Block block;
    block.header = sample_header(3);
    block.transactions = {witness_tx(6), witness_tx(7)};
    out.push_back({command::BLOCK, encode_block_message(block), decoder_of(decode_block_message)});
    return out;
}

TEST(Messages, every_message_round_trips_through_the_framing) {
    Bytes stream;
    const auto all = samples();
    for (const auto& sample : all) {
        append(stream, encode_message(REGTEST, sample.command, sample.payload));
    }
    MessageDecoder decoder(REGTEST);
    ByteSpan data = stream;
    std::size_t index = 0;
    while (!data.empty()) {
        auto event = decoder.feed(data);
        ASSERT_TRUE(event);
        if (!*event) continue;
        ASSERT_LT(index, all.size());
        const auto& message = std::get<ReceivedMessage>(**event);
        EXPECT_EQ(message.command, all[index].command);
        EXPECT_EQ(message.payload, all[index].payload);
        if (all[index].decode) {
            EXPECT_TRUE(all[index].decode(message.payload)) << message.command;
        }
        ++index;
    }
    EXPECT_EQ(index, all.size());
    testutil::report_cases("framed messages", index);
}

TEST(Messages, every_truncation_of_every_message_is_rejected) {
    std::size_t cases = 0;
    for (const auto& sample : samples()) {
        if (!sample.decode) continue;
        ASSERT_TRUE(sample.decode(sample.payload)) << sample.command;
        for (std::size_t n = 0; n < sample.payload.size(); ++n) {
            const bool version_boundary =
                sample.command == command::VERSION && (n == 46 || n == 80 || n == 94 || n == 98);
            EXPECT_EQ(sample.decode(prefix(sample.payload, n)), version_boundary)
                << sample.command << " cut to " << n;
            ++cases;
        }
    }
    testutil::report_cases("truncations", cases);
    EXPECT_GT(cases, 0u);
}

TEST(Messages, huge_counts_with_few_bytes_fail_without_allocating) {
    const Bytes max_size = compact_size(MAX_SIZE);
    const Bytes hash(32, 0);
    EXPECT_EQ(decode_blocktxn(concat({hash, max_size})).error(), MessageError::truncated);
    EXPECT_EQ(decode_getblocktxn(concat({hash, max_size})).error(), MessageError::truncated);
    EXPECT_EQ(decode_cmpctblock(concat({Bytes(88, 0), max_size})).error(), MessageError::truncated);
    EXPECT_EQ(decode_inv(compact_size(MAX_INV_SZ)).error(), MessageError::truncated);
    EXPECT_EQ(decode_block_message(concat({Bytes(80, 0), max_size})).error(),
              MessageError::truncated);
    EXPECT_EQ(decode_inv(compact_size(MAX_SIZE + 1)).error(), MessageError::size_too_large);
    EXPECT_EQ(decode_inv(testutil::hex("fd0100")).error(),
              MessageError::non_canonical_compact_size);
}

TEST(Messages, random_inputs_never_crash_any_reader) {
    std::mt19937_64 rng(7);
    std::size_t cases = 0;
    for (const auto& sample : samples()) {
        if (!sample.decode) continue;
        for (int round = 0; round < 3000; ++round) {
            Bytes input;
            if (round % 2 == 0) {
                input.resize(rng() % 200);
                for (auto& byte : input) byte = static_cast<std::uint8_t>(rng());
            } else {
                input = sample.payload;
                const int flips = 1 + static_cast<int>(rng() % 4);
                for (int f = 0; f < flips && !input.empty(); ++f) {
                    input[rng() % input.size()] = static_cast<std::uint8_t>(rng());
                }
                if (rng() % 3 == 0) input.resize(rng() % (input.size() + 1));
            }
            (void)sample.decode(input);
            ++cases;
        }
    }
    testutil::report_cases("random payloads", cases);
    EXPECT_GT(cases, 0u);
}

}  // namespace
}  // namespace bitloom
