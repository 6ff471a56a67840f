// decode_wif with each network's prefixes. A decoded key re-encodes to WIF that decodes to
// the same secret and compression flag.
#include <algorithm>

#include "encoding/prefixes.h"
#include "encoding/wif.h"
#include "fuzz/fuzz_check.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::as_text(data, size);
    for (const AddressPrefixes* prefixes : {&MAINNET_ADDRESS_PREFIXES, &TESTNET_ADDRESS_PREFIXES}) {
        auto key = decode_wif(text, *prefixes);
        if (!key) continue;
        check(PrivateKey::is_valid_secret(key->secret()));
        auto again = decode_wif(encode_wif(*key, *prefixes), *prefixes);
        check(again.has_value() && again->is_compressed() == key->is_compressed() &&
              std::ranges::equal(again->secret(), key->secret()));
    }
    return 0;
}
