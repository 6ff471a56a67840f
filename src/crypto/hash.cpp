#include "crypto/hash.h"

#include "crypto/ripemd160.h"
#include "crypto/sha256.h"

namespace bitloom {

Uint256 hash256(ByteSpan data) { return sha256d(data); }

Uint160 hash160(ByteSpan data) {
    const Uint256 inner = sha256(data);
    return ripemd160(inner.span());
}

Sha256 tagged_hasher(std::string_view tag) {
    const Uint256 tag_hash = sha256(as_bytes(tag));
    Sha256 hasher;
    hasher.write(tag_hash.span()).write(tag_hash.span());
    return hasher;
}

Uint256 tagged_hash(std::string_view tag, ByteSpan data) {
    return tagged_hasher(tag).write(data).finalize();
}

}  // namespace bitloom
