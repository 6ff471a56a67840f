// decode_base58check (and decode_base58) with a bound taken from the input.
#include "encoding/base58.h"
#include "fuzz/fuzz_check.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t max_size = data[0];
    const std::string_view text = fuzz::as_text(data + 1, size - 1);

    if (auto payload = decode_base58check(text, max_size)) {
        check(payload->size() <= max_size);
        auto again = decode_base58check(encode_base58check(*payload), max_size);
        check(again.has_value() && *again == *payload);
    }
    if (auto bytes = decode_base58(text, max_size)) {
        check(bytes->size() <= max_size);
        auto again = decode_base58(encode_base58(*bytes), max_size);
        check(again.has_value() && *again == *bytes);
    }
    return 0;
}
