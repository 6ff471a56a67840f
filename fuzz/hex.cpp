// parse_hex. Parsed text is the lower-case hex of the bytes; is_hex agrees with parse_hex.
#include <cctype>

#include "fuzz/fuzz_check.h"
#include "util/hex.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    auto bytes = parse_hex(text);
    check(is_hex(text) == (bytes.has_value() && !text.empty()));
    if (!bytes) return 0;
    check(bytes->size() * 2 == text.size());
    std::string lower(text);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    check(to_hex(*bytes) == lower);
    return 0;
}
