#include "util/hex.h"

#include <array>

namespace bitloom {
namespace {

constexpr char DIGITS[] = "0123456789abcdef";

constexpr std::array<signed char, 256> make_decode_table() {
    std::array<signed char, 256> table{};
    for (auto& entry : table) entry = -1;
    for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<signed char>(i);
    for (int i = 0; i < 6; ++i) {
        table['a' + i] = static_cast<signed char>(10 + i);
        table['A' + i] = static_cast<signed char>(10 + i);
    }
    return table;
}
constexpr auto DECODE = make_decode_table();

}  // namespace

std::string to_hex(ByteSpan data) {
    std::string out(data.size() * 2, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) {
        out[2 * i] = DIGITS[data[i] >> 4];
        out[2 * i + 1] = DIGITS[data[i] & 0x0f];
    }
    return out;
}

std::optional<Bytes> parse_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    Bytes out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = DECODE[static_cast<unsigned char>(text[2 * i])];
        const int low = DECODE[static_cast<unsigned char>(text[2 * i + 1])];
        if (high < 0 || low < 0) return std::nullopt;
        out[i] = static_cast<std::uint8_t>((high << 4) | low);
    }
    return out;
}

bool is_hex(std::string_view text) { return !text.empty() && parse_hex(text).has_value(); }

}  // namespace bitloom
