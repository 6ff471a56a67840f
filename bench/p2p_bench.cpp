// P2P message reading: a stream of framed messages through MessageDecoder (header checks and
// payload checksum), then the payload's decoder, as a node reads what a peer sends. Reported
// as messages per second (items/s) and bytes per second, for the typical payloads of a
// sync: ping, inv of 500 entries, headers of 2,000, and a full block (mainnet 413567).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench_vectors.h"
#include "consensus/chainparams.h"
#include "p2p/messages.h"
#include "p2p/protocol.h"
#include "primitives/block.h"

namespace {

using namespace bitloom;

const MessageStart& magic() { return chain_params(ChainType::main).message_start; }

// `count` copies of one framed message, back to back.
Bytes stream_of(std::string_view command, const Bytes& payload, int count) {
    const Bytes one = encode_message(magic(), command, payload);
    Bytes out;
    out.reserve(one.size() * static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) out.insert(out.end(), one.begin(), one.end());
    return out;
}

// Feeds `stream` to a fresh decoder in 64 KiB reads (a socket's typical chunk) and decodes each
// payload with `decode`; returns the number of messages read, 0 on any error.
template <typename Decode>
std::int64_t read_stream(const Bytes& stream, Decode decode) {
    constexpr std::size_t CHUNK = 64 * 1024;
    MessageDecoder decoder(magic());
    std::int64_t messages = 0;
    for (std::size_t offset = 0; offset < stream.size(); offset += CHUNK) {
        ByteSpan data(stream.data() + offset, std::min(CHUNK, stream.size() - offset));
        while (!data.empty()) {
            auto event = decoder.feed(data);
            if (!event) return 0;
            if (!*event) continue;
            const auto* message = std::get_if<ReceivedMessage>(&**event);
            if (message == nullptr || !decode(message->payload)) return 0;
            ++messages;
        }
    }
    return messages;
}

template <typename Decode>
void run(benchmark::State& state, const Bytes& stream, int per_stream, Decode decode) {
    for (auto _ : state) {
        const std::int64_t read = read_stream(stream, decode);
        if (read != per_stream) {
            state.SkipWithError("a message did not decode");
            return;
        }
        benchmark::DoNotOptimize(read);
    }
    state.SetItemsProcessed(state.iterations() * per_stream);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}

void P2pReadPing(benchmark::State& state) {
    constexpr int COUNT = 10'000;
    const Bytes stream = stream_of(command::PING, encode_nonce(0x1122334455667788ULL), COUNT);
    run(state, stream, COUNT, [](ByteSpan payload) { return decode_nonce(payload).has_value(); });
}
BENCHMARK(P2pReadPing);

void P2pReadInv500(benchmark::State& state) {
    constexpr int COUNT = 200;
    std::vector<InvEntry> entries(500);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        entries[i].type = inv_type::MSG_WTX;
        entries[i].hash.data()[0] = static_cast<std::uint8_t>(i);
        entries[i].hash.data()[1] = static_cast<std::uint8_t>(i >> 8);
    }
    const Bytes stream = stream_of(command::INV, encode_inv(entries), COUNT);
    run(state, stream, COUNT, [](ByteSpan payload) {
        auto inv = decode_inv(payload);
        return inv.has_value() && inv->size() == 500;
    });
}
BENCHMARK(P2pReadInv500);

void P2pReadHeaders2000(benchmark::State& state) {
    constexpr int COUNT = 20;
    std::vector<BlockHeader> headers;
    BlockHeader header = chain_params(ChainType::regtest).genesis.header;
    for (int i = 0; i < 2000; ++i) {
        header.prev_block = header.hash();
        header.time += 600;
        headers.push_back(header);
    }
    const Bytes stream = stream_of(command::HEADERS, encode_headers(headers), COUNT);
    run(state, stream, COUNT, [](ByteSpan payload) {
        auto decoded = decode_headers(payload);
        return decoded.has_value() && decoded->size() == 2000;
    });
}
BENCHMARK(P2pReadHeaders2000);

void P2pReadBlock(benchmark::State& state) {
    const Bytes& raw = bench::block413567();
    if (raw.empty()) {
        state.SkipWithError("block413567.raw not found (set BITLOOM_TEST_VECTORS)");
        return;
    }
    constexpr int COUNT = 4;
    const Bytes stream = stream_of(command::BLOCK, raw, COUNT);
    run(state, stream, COUNT, [](ByteSpan payload) { return decode_block_message(payload).has_value(); });
}
BENCHMARK(P2pReadBlock)->Unit(benchmark::kMillisecond);

}  // namespace
