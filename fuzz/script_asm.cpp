// parse_script_asm on arbitrary text.
#include "fuzz/fuzz_check.h"
#include "primitives/script_asm.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    std::string bad_token;
    auto script = parse_script_asm(text, &bad_token);
    if (script) {
        (void)script_to_asm(*script);
    } else {
        // The offending token is a piece of the text.
        check(!bad_token.empty() && text.find(bad_token) != std::string_view::npos);
    }
    return 0;
}
