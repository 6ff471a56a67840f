// parse_der_lax, PublicKey::parse and XOnlyPublicKey::parse on arbitrary bytes.
#include <algorithm>

#include "crypto/pubkey.h"
#include "fuzz/fuzz_check.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteSpan bytes(data, size);
    (void)parse_der_lax(bytes);

    if (auto key = PublicKey::parse(bytes)) {
        check(std::ranges::equal(key->serialize(), bytes));
        const PublicKey compressed = key->compressed();
        const PublicKey uncompressed = key->uncompressed();
        check(compressed.serialize().size() == PublicKey::COMPRESSED_SIZE);
        check(uncompressed.serialize().size() == PublicKey::UNCOMPRESSED_SIZE);
        auto reparsed = PublicKey::parse(compressed.serialize());
        check(reparsed.has_value() && reparsed->uncompressed() == uncompressed);
        if (size == PublicKey::COMPRESSED_SIZE) check(compressed == *key);
        // The x coordinate of a valid point is a valid x-only key.
        check(XOnlyPublicKey::parse(compressed.serialize().subspan(1)).has_value());
    }
    if (auto xonly = XOnlyPublicKey::parse(bytes)) {
        check(std::ranges::equal(xonly->span(), bytes));
    }
    return 0;
}
