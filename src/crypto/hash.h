// The composite hashes Bitcoin uses, built from SHA-256 and RIPEMD-160.
#pragma once

#include <string_view>

#include "util/bytes.h"
#include "util/uint256.h"

namespace bitloom {

// SHA256d: block hashes, txids, merkle nodes, checksums.
Uint256 hash256(ByteSpan data);
// RIPEMD160(SHA256(data)): public key and script hashes in P2PKH, P2SH and P2WPKH.
Uint160 hash160(ByteSpan data);
// BIP340 tagged hash: SHA256(SHA256(tag) || SHA256(tag) || data).
Uint256 tagged_hash(std::string_view tag, ByteSpan data);
// A SHA-256 writer already fed with the two SHA256(tag) prefixes, for incremental tagged hashing.
class Sha256;
Sha256 tagged_hasher(std::string_view tag);

}  // namespace bitloom
