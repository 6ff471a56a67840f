#include "encoding/wif.h"

#include <utility>

#include "encoding/base58.h"

namespace bitloom {
namespace {

constexpr std::uint8_t COMPRESSED_FLAG = 0x01;
constexpr std::size_t MAX_PAYLOAD_SIZE = 1 + PrivateKey::SIZE + 1;

// Overwrites secret material in a way the optimiser may not drop.
void wipe(std::uint8_t* data, std::size_t size) {
    volatile std::uint8_t* p = data;
    for (std::size_t i = 0; i < size; ++i) p[i] = 0;
}

// Owns a decoded payload and wipes it on every way out.
struct WipedBytes {
    Bytes bytes;
    ~WipedBytes() { wipe(bytes.data(), bytes.size()); }
};

}  // namespace

std::string_view to_string(WifError error) {
    switch (error) {
        case WifError::invalid_encoding: return "Invalid private key encoding (not Base58)";
        case WifError::bad_checksum: return "Invalid private key checksum";
        case WifError::wrong_length: return "Invalid private key length";
        case WifError::wrong_prefix: return "Invalid private key prefix for this network";
        case WifError::invalid_compression_flag: return "Invalid private key compression flag";
        case WifError::invalid_secret: return "Private key out of range";
    }
    return "Invalid private key";
}

std::string encode_wif(const PrivateKey& key, const AddressPrefixes& prefixes) {
    WipedBytes payload;
    payload.bytes.reserve(MAX_PAYLOAD_SIZE);
    payload.bytes.push_back(prefixes.secret_key);
    append(payload.bytes, key.secret());
    if (key.is_compressed()) payload.bytes.push_back(COMPRESSED_FLAG);
    return encode_base58check(payload.bytes);
}

Result<PrivateKey, WifError> decode_wif(std::string_view text, const AddressPrefixes& prefixes) {
    auto decoded = decode_base58check(text, MAX_PAYLOAD_SIZE);
    if (!decoded) {
        switch (decoded.error()) {
            case Base58Error::invalid_character: return fail(WifError::invalid_encoding);
            case Base58Error::bad_checksum: return fail(WifError::bad_checksum);
            case Base58Error::too_long:
            case Base58Error::missing_checksum: return fail(WifError::wrong_length);
        }
        return fail(WifError::invalid_encoding);
    }
    WipedBytes payload{std::move(*decoded)};
    const Bytes& data = payload.bytes;
    if (data.size() != MAX_PAYLOAD_SIZE - 1 && data.size() != MAX_PAYLOAD_SIZE) {
        return fail(WifError::wrong_length);
    }
    if (data[0] != prefixes.secret_key) return fail(WifError::wrong_prefix);
    const bool compressed = data.size() == MAX_PAYLOAD_SIZE;
    if (compressed && data.back() != COMPRESSED_FLAG) {
        return fail(WifError::invalid_compression_flag);
    }
    auto key = PrivateKey::from_bytes(ByteSpan(data).subspan(1, PrivateKey::SIZE), compressed);
    if (!key) return fail(WifError::invalid_secret);
    return std::move(*key);
}

}  // namespace bitloom
