#include "primitives/block.h"

#include <algorithm>

#include "crypto/sha256.h"
#include "util/endian.h"

namespace bitloom {

std::array<std::uint8_t, BlockHeader::SIZE> BlockHeader::encode() const {
    std::array<std::uint8_t, SIZE> out;
    write_le32(out.data(), static_cast<std::uint32_t>(version));
    std::copy(prev_block.begin(), prev_block.end(), out.begin() + 4);
    std::copy(merkle_root.begin(), merkle_root.end(), out.begin() + 36);
    write_le32(out.data() + 68, time);
    write_le32(out.data() + 72, bits);
    write_le32(out.data() + 76, nonce);
    return out;
}

Uint256 BlockHeader::hash() const {
    const auto bytes = encode();
    return sha256d(bytes);
}

std::size_t Block::total_size() const {
    std::size_t size = BlockHeader::SIZE + compact_size_length(transactions.size());
    for (const auto& tx : transactions) size += tx->total_size();
    return size;
}

std::size_t Block::stripped_size() const {
    std::size_t size = BlockHeader::SIZE + compact_size_length(transactions.size());
    for (const auto& tx : transactions) size += tx->stripped_size();
    return size;
}

std::size_t Block::weight() const {
    return stripped_size() * (WITNESS_SCALE_FACTOR - 1) + total_size();
}

template <ByteSink S>
void serialize(S& sink, const BlockHeader& header) {
    const auto bytes = header.encode();
    sink.write_bytes(bytes);
}

template <ByteSink S>
void serialize(S& sink, const Block& block, TxFormat format) {
    serialize(sink, block.header);
    sink.write_compact_size(block.transactions.size());
    for (const auto& tx : block.transactions) serialize(sink, *tx, format);
}

template void serialize(Writer&, const BlockHeader&);
template void serialize(SizeCounter&, const BlockHeader&);
template void serialize(HashWriter&, const BlockHeader&);
template void serialize(Writer&, const Block&, TxFormat);
template void serialize(SizeCounter&, const Block&, TxFormat);
template void serialize(HashWriter&, const Block&, TxFormat);

Bytes encode(const Block& block, TxFormat format) {
    Bytes out;
    out.reserve(format == TxFormat::with_witness ? block.total_size() : block.stripped_size());
    Writer writer(out);
    serialize(writer, block, format);
    return out;
}

Result<BlockHeader, DecodeError> read_block_header(Reader& reader) {
    const auto bytes = reader.read_span(BlockHeader::SIZE);
    if (!bytes) return fail(bytes.error());
    const std::uint8_t* p = bytes->data();
    BlockHeader header;
    header.version = static_cast<std::int32_t>(read_le32(p));
    header.prev_block = Uint256(bytes->subspan(4, 32));
    header.merkle_root = Uint256(bytes->subspan(36, 32));
    header.time = read_le32(p + 68);
    header.bits = read_le32(p + 72);
    header.nonce = read_le32(p + 76);
    return header;
}

Result<Block, DecodeError> read_block(Reader& reader) {
    Block block;
    const auto header = read_block_header(reader);
    if (!header) return fail(header.error());
    block.header = *header;
    const auto count = reader.read_count(MIN_TRANSACTION_SIZE);
    if (!count) return fail(count.error());
    block.transactions.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        auto tx = read_transaction(reader, TxFormat::with_witness);
        if (!tx) return fail(tx.error());
        block.transactions.push_back(make_transaction_ref(std::move(*tx)));
    }
    return block;
}

Result<BlockHeader, DecodeError> decode_block_header(ByteSpan bytes) {
    Reader reader(bytes);
    auto header = read_block_header(reader);
    if (!header) return header;
    if (auto ok = reader.expect_end(); !ok) return fail(ok.error());
    return header;
}

Result<Block, DecodeError> decode_block(ByteSpan bytes) {
    Reader reader(bytes);
    auto block = read_block(reader);
    if (!block) return block;
    if (auto ok = reader.expect_end(); !ok) return fail(ok.error());
    return block;
}

}  // namespace bitloom
