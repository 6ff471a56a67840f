#include "chain/coin_codec.h"

#include <algorithm>
#include <cstring>

#include "crypto/pubkey.h"

namespace bitloom {

std::uint64_t compress_amount(std::uint64_t amount) {
    if (amount == 0) return 0;
    std::uint64_t exponent = 0;
    while (amount % 10 == 0 && exponent < 9) {
        amount /= 10;
        ++exponent;
    }
    if (exponent < 9) {
        const std::uint64_t last_digit = amount % 10;  // 1..9
        amount /= 10;
        return 1 + (amount * 9 + last_digit - 1) * 10 + exponent;
    }
    return 1 + (amount - 1) * 10 + 9;
}

std::uint64_t decompress_amount(std::uint64_t compressed) {
    if (compressed == 0) return 0;
    --compressed;
    std::uint64_t exponent = compressed % 10;
    compressed /= 10;
    std::uint64_t amount;
    if (exponent < 9) {
        const std::uint64_t last_digit = compressed % 9 + 1;
        compressed /= 9;
        amount = compressed * 10 + last_digit;
    } else {
        amount = compressed + 1;
    }
    for (; exponent > 0; --exponent) amount *= 10;
    return amount;
}

namespace {

CompressedScript special(std::uint8_t kind, ByteSpan payload) {
    CompressedScript out;
    out.bytes[0] = kind;
    std::copy(payload.begin(), payload.end(), out.bytes.begin() + 1);
    out.size = static_cast<std::uint8_t>(1 + payload.size());
    return out;
}

}  // namespace

std::optional<CompressedScript> compress_script(const Script& script) {
    const ByteSpan s = script.span();
    if (script.is_p2pkh()) return special(0x00, s.subspan(3, 20));
    if (script.is_p2sh()) return special(0x01, s.subspan(2, 20));
    if (s.size() == 35 && s[0] == 33 && s[34] == OP_CHECKSIG && (s[1] == 0x02 || s[1] == 0x03)) {
        return special(s[1], s.subspan(2, 32));
    }
    if (s.size() == 67 && s[0] == 65 && s[66] == OP_CHECKSIG && s[1] == 0x04) {
        // Only a key that decompresses again can be stored by its x coordinate.
        if (!PublicKey::parse(s.subspan(1, 65))) return std::nullopt;
        return special(static_cast<std::uint8_t>(0x04 | (s[65] & 0x01)), s.subspan(2, 32));
    }
    return std::nullopt;
}

std::optional<Script> decompress_script(std::uint32_t kind, ByteSpan payload) {
    assert(payload.size() == special_script_payload_size(kind));
    Script script;
    switch (kind) {
    case 0x00:
        script.push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(payload);
        script.push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
        return script;
    case 0x01:
        script.push_opcode(OP_HASH160).push_data(payload).push_opcode(OP_EQUAL);
        return script;
    case 0x02:
    case 0x03: {
        std::uint8_t key[33];
        key[0] = static_cast<std::uint8_t>(kind);
        std::memcpy(key + 1, payload.data(), 32);
        script.push_data(ByteSpan(key, 33)).push_opcode(OP_CHECKSIG);
        return script;
    }
    default: {  // 0x04, 0x05: the parity of y is kind & 1, as in a compressed key's 0x02/0x03
        std::uint8_t compressed[33];
        compressed[0] = static_cast<std::uint8_t>(kind - 2);
        std::memcpy(compressed + 1, payload.data(), 32);
        const auto key = PublicKey::parse(ByteSpan(compressed, 33));
        if (!key) return std::nullopt;
        script.push_data(key->uncompressed().serialize()).push_opcode(OP_CHECKSIG);
        return script;
    }
    }
}

Result<Script, DecodeError> read_compressed_script(Reader& reader) {
    const auto code = read_varint_u32(reader);
    if (!code) return fail(code.error());
    if (*code < SPECIAL_SCRIPT_COUNT) {
        const auto payload = reader.read_span(special_script_payload_size(*code));
        if (!payload) return fail(payload.error());
        // Like Core, a payload that does not decompress leaves the script empty.
        return decompress_script(*code, *payload).value_or(Script());
    }
    const std::uint32_t size = *code - SPECIAL_SCRIPT_COUNT;
    const auto bytes = reader.read_span(size);
    if (!bytes) return fail(bytes.error());
    if (size > MAX_SCRIPT_SIZE) return Script().push_opcode(OP_RETURN);
    return Script(*bytes);
}

Result<TxOut, DecodeError> read_compressed_txout(Reader& reader) {
    const auto amount = read_varint(reader);
    if (!amount) return fail(amount.error());
    auto script = read_compressed_script(reader);
    if (!script) return fail(script.error());
    return TxOut{static_cast<Amount>(decompress_amount(*amount)), std::move(*script)};
}

Result<Coin, DecodeError> read_coin(Reader& reader) {
    const auto code = read_varint_u32(reader);
    if (!code) return fail(code.error());
    auto output = read_compressed_txout(reader);
    if (!output) return fail(output.error());
    return Coin{std::move(*output), *code >> 1, (*code & 1) != 0};
}

Bytes encode_coin(const Coin& coin) {
    Bytes out;
    Writer writer(out);
    write_coin(writer, coin);
    return out;
}

Result<Coin, DecodeError> decode_coin(ByteSpan bytes) {
    Reader reader(bytes);
    auto coin = read_coin(reader);
    if (!coin) return fail(coin.error());
    if (auto end = reader.expect_end(); !end) return fail(end.error());
    return coin;
}

Bytes coin_key(const OutPoint& outpoint) {
    Bytes out;
    out.reserve(1 + 32 + 5);
    Writer writer(out);
    writer.write_u8(COIN_KEY_PREFIX);
    writer.write_uint256(outpoint.txid);
    write_varint(writer, outpoint.index);
    return out;
}

std::optional<OutPoint> decode_coin_key(ByteSpan key) {
    Reader reader(key);
    const auto prefix = reader.read_u8();
    if (!prefix || *prefix != COIN_KEY_PREFIX) return std::nullopt;
    const auto txid = reader.read_uint256();
    if (!txid) return std::nullopt;
    const auto index = read_varint_u32(reader);
    if (!index || !reader.at_end()) return std::nullopt;
    return OutPoint{*txid, *index};
}

}  // namespace bitloom
