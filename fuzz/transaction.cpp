// decode_transaction in both formats. A decoded transaction must re-encode to exactly the
// input (CompactSizes are canonical, a witness flag implies a non-empty witness), and its
// cached ids and sizes must match a fresh encoding.
#include "crypto/hash.h"
#include "fuzz/fuzz_check.h"
#include "primitives/transaction.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteSpan bytes(data, size);
    for (TxFormat format : {TxFormat::with_witness, TxFormat::no_witness}) {
        auto tx = decode_transaction(bytes, format);
        if (!tx) continue;
        const Bytes encoded = encode(*tx, format);
        check(encoded == Bytes(bytes.begin(), bytes.end()));
        const Bytes stripped = encode(*tx, TxFormat::no_witness);
        const Bytes full = encode(*tx, TxFormat::with_witness);
        check(tx->txid() == hash256(stripped));
        check(tx->wtxid() == hash256(full));
        check(tx->stripped_size() == stripped.size());
        check(tx->total_size() == full.size());
        if (format == TxFormat::no_witness) check(!tx->has_witness());
        // The BIP144 encoding reads back, except that a legacy transaction with no inputs and
        // some outputs looks like a marker and flag (a known ambiguity of the format).
        if (!tx->inputs().empty() || tx->outputs().empty()) {
            auto again = decode_transaction(full);
            check(again.has_value() && again->txid() == tx->txid() &&
                  again->wtxid() == tx->wtxid());
        }
    }
    return 0;
}
