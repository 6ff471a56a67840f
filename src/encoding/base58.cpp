#include "encoding/base58.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "crypto/hash.h"

namespace bitloom {
namespace {

constexpr std::string_view ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
// The characters Bitcoin Core's IsSpace() accepts around Base58 text.
constexpr std::string_view SPACES = " \t\n\v\f\r";

// Digit value of each byte, -1 for bytes outside the alphabet.
constexpr std::array<std::int8_t, 256> DIGIT_VALUES = [] {
    std::array<std::int8_t, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < ALPHABET.size(); ++i) {
        values[static_cast<std::uint8_t>(ALPHABET[i])] = static_cast<std::int8_t>(i);
    }
    return values;
}();

}  // namespace

std::string_view to_string(Base58Error error) {
    switch (error) {
        case Base58Error::invalid_character: return "Invalid Base58 character";
        case Base58Error::too_long: return "Base58 data too long";
        case Base58Error::missing_checksum: return "Base58Check data shorter than its checksum";
        case Base58Error::bad_checksum: return "Invalid Base58Check checksum";
    }
    return "Unknown Base58 error";
}

std::string encode_base58(ByteSpan data) {
    const std::size_t zeros = static_cast<std::size_t>(
        std::find_if(data.begin(), data.end(), [](std::uint8_t b) { return b != 0; }) -
        data.begin());
    // Base-58 digits of the number after the zero bytes, least significant first.
    // log(256) / log(58) < 1.366, so this never reallocates.
    std::vector<std::uint8_t> digits;
    digits.reserve((data.size() - zeros) * 1366 / 1000 + 1);
    for (std::size_t i = zeros; i < data.size(); ++i) {
        unsigned carry = data[i];
        for (std::uint8_t& digit : digits) {
            carry += static_cast<unsigned>(digit) << 8;
            digit = static_cast<std::uint8_t>(carry % 58);
            carry /= 58;
        }
        while (carry != 0) {
            digits.push_back(static_cast<std::uint8_t>(carry % 58));
            carry /= 58;
        }
    }
    std::string text(zeros, ALPHABET[0]);
    text.reserve(zeros + digits.size());
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) text.push_back(ALPHABET[*it]);
    return text;
}

Result<Bytes, Base58Error> decode_base58(std::string_view text, std::size_t max_size) {
    const std::size_t first = text.find_first_not_of(SPACES);
    if (first == std::string_view::npos) return Bytes{};
    const std::size_t last = text.find_last_not_of(SPACES);
    const std::string_view digits = text.substr(first, last - first + 1);

    std::size_t zeros = 0;
    while (zeros < digits.size() && digits[zeros] == ALPHABET[0]) {
        if (++zeros > max_size) return fail(Base58Error::too_long);
    }
    // The number after the '1's in base 256, least significant byte first. It never holds
    // more than max_size - zeros bytes: the loop stops as soon as it would.
    Bytes value;
    for (std::size_t i = zeros; i < digits.size(); ++i) {
        const int digit = DIGIT_VALUES[static_cast<std::uint8_t>(digits[i])];
        if (digit < 0) return fail(Base58Error::invalid_character);
        unsigned carry = static_cast<unsigned>(digit);
        for (std::uint8_t& byte : value) {
            carry += static_cast<unsigned>(byte) * 58;
            byte = static_cast<std::uint8_t>(carry);
            carry >>= 8;
        }
        while (carry != 0) {
            if (zeros + value.size() >= max_size) return fail(Base58Error::too_long);
            value.push_back(static_cast<std::uint8_t>(carry));
            carry >>= 8;
        }
    }
    Bytes out(zeros, 0);
    out.insert(out.end(), value.rbegin(), value.rend());
    return out;
}

std::string encode_base58check(ByteSpan payload) {
    Bytes data(payload.begin(), payload.end());
    const Uint256 hash = hash256(payload);
    data.insert(data.end(), hash.begin(), hash.begin() + BASE58_CHECKSUM_SIZE);
    return encode_base58(data);
}

Result<Bytes, Base58Error> decode_base58check(std::string_view text, std::size_t max_payload_size) {
    const std::size_t max_size =
        max_payload_size > std::numeric_limits<std::size_t>::max() - BASE58_CHECKSUM_SIZE
            ? std::numeric_limits<std::size_t>::max()
            : max_payload_size + BASE58_CHECKSUM_SIZE;
    auto data = decode_base58(text, max_size);
    if (!data) return data;
    if (data->size() < BASE58_CHECKSUM_SIZE) return fail(Base58Error::missing_checksum);
    const std::size_t payload_size = data->size() - BASE58_CHECKSUM_SIZE;
    const Uint256 hash = hash256(ByteSpan(*data).first(payload_size));
    if (std::memcmp(hash.data(), data->data() + payload_size, BASE58_CHECKSUM_SIZE) != 0) {
        return fail(Base58Error::bad_checksum);
    }
    data->resize(payload_size);
    return data;
}

}  // namespace bitloom
