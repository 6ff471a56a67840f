// decode_block_header and decode_block. A decoded block re-encodes to exactly the input, its
// header to the first 80 bytes, and its sizes match the encodings.
#include "fuzz/fuzz_check.h"
#include "primitives/block.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteSpan bytes(data, size);
    auto header = decode_block_header(bytes.first(std::min(size, BlockHeader::SIZE)));
    check(header.has_value() == (size >= BlockHeader::SIZE));
    if (header) {
        const auto encoded = header->encode();
        check(std::equal(encoded.begin(), encoded.end(), bytes.begin()));
    }
    check(!(size != BlockHeader::SIZE && decode_block_header(bytes).has_value()));

    auto block = decode_block(bytes);
    if (!block) return 0;
    check(block->header == *header);
    const Bytes full = encode(*block);
    check(full == Bytes(bytes.begin(), bytes.end()));
    check(block->total_size() == full.size());
    check(block->stripped_size() == encode(*block, TxFormat::no_witness).size());
    check(block->weight() == block->stripped_size() * (WITNESS_SCALE_FACTOR - 1) +
                                 block->total_size());
    return 0;
}
