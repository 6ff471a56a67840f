#include "chain/undo.h"

namespace bitloom {

Result<Coin, DecodeError> read_coin_undo(Reader& reader) {
    const auto code = read_varint_u32(reader);
    if (!code) return fail(code.error());
    const std::uint32_t height = *code >> 1;
    if (height > 0) {
        const auto version = read_varint_u32(reader);
        if (!version) return fail(version.error());
    }
    auto output = read_compressed_txout(reader);
    if (!output) return fail(output.error());
    return Coin{std::move(*output), height, (*code & 1) != 0};
}

Result<TxUndo, DecodeError> read_tx_undo(Reader& reader) {
    auto spent = reader.read_vector<Coin>(MIN_COIN_UNDO_SIZE, read_coin_undo);
    if (!spent) return fail(spent.error());
    return TxUndo{std::move(*spent)};
}

Result<BlockUndo, DecodeError> read_block_undo(Reader& reader) {
    auto transactions = reader.read_vector<TxUndo>(MIN_TX_UNDO_SIZE, read_tx_undo);
    if (!transactions) return fail(transactions.error());
    return BlockUndo{std::move(*transactions)};
}

Bytes encode_block_undo(const BlockUndo& undo) {
    SizeCounter counter;
    write_block_undo(counter, undo);
    Bytes out;
    out.reserve(counter.size());
    Writer writer(out);
    write_block_undo(writer, undo);
    return out;
}

Result<BlockUndo, DecodeError> decode_block_undo(ByteSpan bytes) {
    Reader reader(bytes);
    auto undo = read_block_undo(reader);
    if (!undo) return fail(undo.error());
    if (auto end = reader.expect_end(); !end) return fail(end.error());
    return undo;
}

}  // namespace bitloom
