// decode_bech32. A valid string re-encodes to itself in lower case, and has no located errors.
#include <cctype>

#include "encoding/bech32.h"
#include "fuzz/fuzz_check.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    auto decoded = decode_bech32(text);
    const auto errors = locate_bech32_errors(text);
    for (std::size_t at : errors) check(at < text.size());
    if (!decoded) return 0;
    check(errors.empty());
    for (std::uint8_t value : decoded->data) check(value < 32);
    std::string lower(text);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    check(encode_bech32(decoded->encoding, decoded->hrp, decoded->data) == lower);
    if (auto bytes = bytes_from_5bit(decoded->data)) {
        check(bytes_to_5bit(*bytes).size() >= decoded->data.size());
    }
    return 0;
}
