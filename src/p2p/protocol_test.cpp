// Message framing: the header layout, Core's command rule, and the streaming decoder fed in
// every chunking, with each fatal error and each dropped-message event.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "p2p/protocol.h"
#include "testutil/vectors.h"

namespace bitloom {
namespace {

constexpr MessageStart MAINNET{0xf9, 0xbe, 0xb4, 0xd9};
constexpr MessageStart REGTEST{0xfa, 0xbf, 0xb5, 0xda};

// Everything a decoder produces from `chunks`, stopping at a fatal error.
struct Decoded {
    std::vector<DecoderEvent> events;
    std::optional<FramingError> error;
};

Decoded decode_chunks(const MessageStart& magic, const std::vector<Bytes>& chunks) {
    MessageDecoder decoder(magic);
    Decoded out;
    for (const auto& chunk : chunks) {
        ByteSpan data = chunk;
        while (!data.empty()) {
            auto event = decoder.feed(data);
            if (!event) {
                out.error = event.error();
                return out;
            }
            if (*event) out.events.push_back(std::move(**event));
        }
    }
    return out;
}

Decoded decode_whole(const MessageStart& magic, const Bytes& stream) {
    return decode_chunks(magic, {stream});
}

Decoded decode_bytewise(const MessageStart& magic, const Bytes& stream) {
    std::vector<Bytes> chunks;
    for (const std::uint8_t byte : stream) chunks.push_back(Bytes{byte});
    return decode_chunks(magic, chunks);
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts) append(out, part);
    return out;
}

ReceivedMessage received(std::string command, Bytes payload) {
    return ReceivedMessage{std::move(command), std::move(payload)};
}

TEST(Protocol, checksum_is_the_first_four_bytes_of_sha256d) {
    const auto checksum = message_checksum({});
    EXPECT_EQ(Bytes(checksum.begin(), checksum.end()), testutil::hex("5df6e0e2"));
}

TEST(Protocol, encodes_a_mainnet_verack_as_core_does) {
    EXPECT_EQ(encode_message(MAINNET, "verack", {}),
              testutil::hex("f9beb4d9" "76657261636b000000000000" "00000000" "5df6e0e2"));
}

TEST(Protocol, encodes_header_fields_then_payload) {
    const Bytes payload = testutil::hex("0102030405060708");
    const Bytes message = encode_message(REGTEST, "ping", payload);
    ASSERT_EQ(message.size(), MESSAGE_HEADER_SIZE + payload.size());
    EXPECT_EQ(Bytes(message.begin(), message.begin() + 4), Bytes(REGTEST.begin(), REGTEST.end()));
    EXPECT_EQ(Bytes(message.begin() + 4, message.begin() + 16),
              testutil::hex("70696e670000000000000000"));
    EXPECT_EQ(Bytes(message.begin() + 16, message.begin() + 20), testutil::hex("08000000"));
    const auto checksum = message_checksum(payload);
    EXPECT_EQ(Bytes(message.begin() + 20, message.begin() + 24),
              Bytes(checksum.begin(), checksum.end()));
    EXPECT_EQ(Bytes(message.begin() + 24, message.end()), payload);
}

TEST(Protocol, command_rule_is_printables_then_only_nuls) {
    auto check = [](std::string_view text) {
        std::array<std::uint8_t, COMMAND_SIZE> bytes{};
        for (std::size_t i = 0; i < text.size() && i < COMMAND_SIZE; ++i) {
            bytes[i] = static_cast<std::uint8_t>(text[i]);
        }
        return is_valid_command(bytes);
    };
    EXPECT_TRUE(check("version"));
    EXPECT_TRUE(check(""));                   // twelve NULs
    EXPECT_TRUE(check("abcdefghijkl"));       // no NUL at all
    EXPECT_TRUE(check(" ~"));                 // the printable range's ends
    EXPECT_FALSE(check(std::string("ver\0ack", 7)));
    EXPECT_FALSE(check("ver\x1f"));
    EXPECT_FALSE(check("ver\x7f"));
    EXPECT_FALSE(check("\x80"));
    EXPECT_TRUE(is_valid_command_name("sendaddrv2"));
    EXPECT_TRUE(is_valid_command_name(""));
    EXPECT_FALSE(is_valid_command_name("thirteen_char"));
    EXPECT_FALSE(is_valid_command_name("tab\there"));
}

TEST(Protocol, decoder_yields_messages_from_one_chunk) {
    const Bytes stream = concat({encode_message(MAINNET, "verack", {}),
                                 encode_message(MAINNET, "ping", testutil::hex("0807060504030201")),
                                 encode_message(MAINNET, "abcdefghijkl", testutil::hex("ff"))});
    const auto decoded = decode_whole(MAINNET, stream);
    ASSERT_FALSE(decoded.error);
    ASSERT_EQ(decoded.events.size(), 3u);
    EXPECT_EQ(decoded.events[0], DecoderEvent(received("verack", {})));
    EXPECT_EQ(decoded.events[1], DecoderEvent(received("ping", testutil::hex("0807060504030201"))));
    EXPECT_EQ(decoded.events[2], DecoderEvent(received("abcdefghijkl", testutil::hex("ff"))));
}

TEST(Protocol, decoder_gives_the_same_messages_fed_one_byte_at_a_time) {
    Bytes big(100'000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
    const Bytes stream = concat({encode_message(REGTEST, "block", big),
                                 encode_message(REGTEST, "verack", {}),
                                 encode_message(REGTEST, "pong",
                                                testutil::hex("0100000000000000"))});
    const auto decoded = decode_bytewise(REGTEST, stream);
    ASSERT_FALSE(decoded.error);
    ASSERT_EQ(decoded.events.size(), 3u);
    EXPECT_EQ(decoded.events[0], DecoderEvent(received("block", big)));
    EXPECT_EQ(decoded.events[1], DecoderEvent(received("verack", {})));
    EXPECT_EQ(decoded.events[2], DecoderEvent(received("pong", testutil::hex("0100000000000000"))));
}

TEST(Protocol, decoder_gives_the_same_messages_split_at_every_position) {
    const Bytes stream = concat({encode_message(MAINNET, "inv", Bytes(37, 0x11)),
                                 encode_message(MAINNET, "getaddr", {})});
    const auto expected = decode_whole(MAINNET, stream);
    ASSERT_EQ(expected.events.size(), 2u);
    std::size_t cases = 0;
    for (std::size_t a = 0; a <= stream.size(); ++a) {
        for (std::size_t b = a; b <= stream.size(); b += 5) {
            const auto decoded = decode_chunks(
                MAINNET, {Bytes(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(a)),
                          Bytes(stream.begin() + static_cast<std::ptrdiff_t>(a),
                                stream.begin() + static_cast<std::ptrdiff_t>(b)),
                          Bytes(stream.begin() + static_cast<std::ptrdiff_t>(b), stream.end())});
            ASSERT_FALSE(decoded.error);
            ASSERT_EQ(decoded.events, expected.events) << "split at " << a << ", " << b;
            ++cases;
        }
    }
    testutil::report_cases("framing splits", cases);
    EXPECT_GT(cases, 0u);
}

TEST(Protocol, decoder_stops_at_the_end_of_each_message) {
    const Bytes first = encode_message(MAINNET, "verack", {});
    const Bytes stream = concat({first, encode_message(MAINNET, "getaddr", {})});
    MessageDecoder decoder(MAINNET);
    ByteSpan data = stream;
    auto event = decoder.feed(data);
    ASSERT_TRUE(event && *event);
    EXPECT_EQ(data.size(), stream.size() - first.size());
    EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(Protocol, wrong_magic_is_fatal) {
    const Bytes stream = concat({encode_message(REGTEST, "verack", {}),
                                 encode_message(MAINNET, "verack", {})});
    const auto decoded = decode_whole(MAINNET, stream);
    ASSERT_TRUE(decoded.error);
    EXPECT_EQ(*decoded.error, FramingError::wrong_magic);
    EXPECT_TRUE(decoded.events.empty());
}

TEST(Protocol, error_is_sticky_and_consumes_nothing_more) {
    MessageDecoder decoder(MAINNET);
    const Bytes garbage(24, 0x00);
    ByteSpan data = garbage;
    ASSERT_FALSE(decoder.feed(data));
    EXPECT_TRUE(data.empty());
    const Bytes good = encode_message(MAINNET, "verack", {});
    data = good;
    const auto again = decoder.feed(data);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), FramingError::wrong_magic);
    EXPECT_EQ(data.size(), good.size());
    EXPECT_EQ(decoder.error(), FramingError::wrong_magic);
}

TEST(Protocol, oversize_length_is_fatal_before_any_payload_is_read) {
    Bytes header = encode_message(MAINNET, "block", {});
    header[16] = 0x01;  // length 4,000,001 = 0x003d0901
    header[17] = 0x09;
    header[18] = 0x3d;
    header[19] = 0x00;
    Bytes stream = header;
    stream.push_back(0xaa);  // a payload byte that must not be consumed
    MessageDecoder decoder(MAINNET);
    ByteSpan data = stream;
    const auto event = decoder.feed(data);
    ASSERT_FALSE(event);
    EXPECT_EQ(event.error(), FramingError::message_too_large);
    EXPECT_EQ(data.size(), 1u);
}

TEST(Protocol, largest_length_is_accepted_and_buffered_only_as_it_arrives) {
    Bytes header = encode_message(MAINNET, "block", {});
    header[16] = 0x00;  // length 4,000,000 = 0x003d0900
    header[17] = 0x09;
    header[18] = 0x3d;
    header[19] = 0x00;
    MessageDecoder decoder(MAINNET);
    ByteSpan data = header;
    const auto event = decoder.feed(data);
    ASSERT_TRUE(event);
    EXPECT_FALSE(*event);
    EXPECT_TRUE(data.empty());
    EXPECT_EQ(decoder.buffered(), MESSAGE_HEADER_SIZE);
    const Bytes some(1000, 0x01);
    data = some;
    ASSERT_TRUE(decoder.feed(data));
    EXPECT_EQ(decoder.buffered(), MESSAGE_HEADER_SIZE + some.size());
}

TEST(Protocol, bad_checksum_drops_only_that_message) {
    Bytes bad = encode_message(MAINNET, "ping", testutil::hex("0102030405060708"));
    bad[20] ^= 0x01;
    const Bytes stream = concat({bad, encode_message(MAINNET, "verack", {})});
    for (const auto& decoded : {decode_whole(MAINNET, stream), decode_bytewise(MAINNET, stream)}) {
        ASSERT_FALSE(decoded.error);
        ASSERT_EQ(decoded.events.size(), 2u);
        EXPECT_EQ(decoded.events[0],
                  DecoderEvent(DroppedMessage{"ping", 8, DropReason::bad_checksum}));
        EXPECT_EQ(decoded.events[1], DecoderEvent(received("verack", {})));
    }
}

TEST(Protocol, invalid_command_drops_only_that_message) {
    Bytes bad = encode_message(MAINNET, "verack", testutil::hex("00"));
    bad[4 + 3] = 0x00;  // "ver\0ck": a printable after a NUL
    Bytes control = encode_message(MAINNET, "ping", {});
    control[4 + 1] = 0x07;
    const Bytes stream = concat({bad, control, encode_message(MAINNET, "", {})});
    const auto decoded = decode_whole(MAINNET, stream);
    ASSERT_FALSE(decoded.error);
    ASSERT_EQ(decoded.events.size(), 3u);
    EXPECT_EQ(decoded.events[0],
              DecoderEvent(DroppedMessage{"ver", 1, DropReason::invalid_command}));
    EXPECT_EQ(decoded.events[1],
              DecoderEvent(DroppedMessage{"p\x07ng", 0, DropReason::invalid_command}));
    EXPECT_EQ(decoded.events[2], DecoderEvent(received("", {})));
}

TEST(Protocol, checksum_is_judged_before_the_command) {
    Bytes bad = encode_message(MAINNET, "ping", {});
    bad[4 + 1] = 0x07;
    bad[23] ^= 0x80;
    const auto decoded = decode_whole(MAINNET, bad);
    ASSERT_EQ(decoded.events.size(), 1u);
    EXPECT_EQ(std::get<DroppedMessage>(decoded.events[0]).reason, DropReason::bad_checksum);
}

TEST(Protocol, decoder_survives_random_streams) {
    std::mt19937_64 rng(20261122);
    std::size_t cases = 0;
    for (int round = 0; round < 4000; ++round) {
        Bytes stream;
        const int parts = static_cast<int>(rng() % 4);
        for (int p = 0; p < parts; ++p) {
            if (rng() % 2) {
                Bytes payload(rng() % 64);
                for (auto& byte : payload) byte = static_cast<std::uint8_t>(rng());
                Bytes message = encode_message(MAINNET, "tx", payload);
                // Flip one byte somewhere (possibly nowhere harmful).
                if (rng() % 2) {
                    message[rng() % message.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
                }
                append(stream, message);
            } else {
                Bytes junk(rng() % 40);
                for (auto& byte : junk) byte = static_cast<std::uint8_t>(rng());
                if (junk.size() >= 4 && rng() % 2) {
                    std::copy(MAINNET.begin(), MAINNET.end(), junk.begin());
                }
                append(stream, junk);
            }
        }
        const auto whole = decode_whole(MAINNET, stream);
        const auto bytewise = decode_bytewise(MAINNET, stream);
        ASSERT_EQ(whole.error, bytewise.error);
        ASSERT_EQ(whole.events, bytewise.events);
        ++cases;
    }
    testutil::report_cases("random framing streams", cases);
    EXPECT_GT(cases, 0u);
}

}  // namespace
}  // namespace bitloom
