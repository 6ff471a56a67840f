#include "p2p/messages.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>

#include "crypto/sha256.h"
#include "crypto/siphash.h"
#include "util/endian.h"

namespace bitloom {

namespace {

constexpr std::size_t LEGACY_ADDRESS_SIZE = 16;
constexpr std::size_t ADDR_ENTRY_SIZE = 4 + 8 + LEGACY_ADDRESS_SIZE + 2;
constexpr std::size_t MIN_ADDRV2_ENTRY_SIZE = 4 + 1 + 1 + 1 + 2;
constexpr std::size_t INV_ENTRY_SIZE = 4 + 32;
constexpr std::size_t HEADERS_ENTRY_MIN_SIZE = BlockHeader::SIZE + 1;
constexpr std::uint64_t SHORT_ID_MASK = (std::uint64_t{1} << 48) - 1;

constexpr std::array<std::uint8_t, 12> IPV4_IN_IPV6_PREFIX{
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr std::array<std::uint8_t, 6> TORV2_IN_IPV6_PREFIX{0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43};
constexpr std::array<std::uint8_t, 6> INTERNAL_IN_IPV6_PREFIX{0xfd, 0x6b, 0x88, 0xc0, 0x87, 0x24};

template <std::size_t N>
bool has_prefix(ByteSpan bytes, const std::array<std::uint8_t, N>& prefix) {
    return bytes.size() >= N && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

// BIP155 network ids this codec knows, with their address lengths (0: unknown id).
std::size_t bip155_size(std::uint8_t network_id) {
    switch (network_id) {
    case 1: return 4;
    case 2: return 16;
    case 4: return 32;
    case 5: return 32;
    case 6: return 16;
    default: return 0;
    }
}

// Shorthand: unwrap a primitives read or return its error mapped.
#define TRY_READ(var, expr)                                   \
    auto var = (expr);                                        \
    if (!var) return fail(to_message_error(var.error()))

// A count that must not exceed `limit` and whose elements (each >= min_element_size bytes)
// must fit in what remains.
Result<std::size_t, MessageError> read_limited_count(Reader& reader, std::size_t min_element_size,
                                                     std::size_t limit) {
    TRY_READ(count, reader.read_size());
    if (*count > limit) return fail(MessageError::too_many_entries);
    if (*count > reader.remaining() / min_element_size) return fail(MessageError::truncated);
    return *count;
}

void write_port(Writer& writer, std::uint16_t port) {
    writer.write_u8(static_cast<std::uint8_t>(port >> 8));
    writer.write_u8(static_cast<std::uint8_t>(port & 0xff));
}

Result<std::uint16_t, MessageError> read_port(Reader& reader) {
    TRY_READ(bytes, reader.read_span(2));
    return static_cast<std::uint16_t>(((*bytes)[0] << 8) | (*bytes)[1]);
}

// Core writes networks that have no legacy form as 16 zero bytes.
void write_legacy_service(Writer& writer, const NetService& service) {
    const auto legacy = service.address.legacy_bytes();
    std::array<std::uint8_t, LEGACY_ADDRESS_SIZE> bytes{};
    if (legacy) bytes = *legacy;
    writer.write_bytes(bytes);
    write_port(writer, service.port);
}

// A legacy address as Core reads it: IPv4-mapped becomes IPv4, and the TorV2 prefix becomes
// the placeholder :: (flagged, so that addr can skip it).
struct LegacyService {
    NetService service;
    bool placeholder = false;
};

Result<LegacyService, MessageError> read_legacy_service(Reader& reader) {
    TRY_READ(bytes, reader.read_span(LEGACY_ADDRESS_SIZE));
    auto port = read_port(reader);
    if (!port) return fail(port.error());
    if (has_prefix(*bytes, TORV2_IN_IPV6_PREFIX)) return LegacyService{NetService{{}, *port}, true};
    std::array<std::uint8_t, LEGACY_ADDRESS_SIZE> array;
    std::copy(bytes->begin(), bytes->end(), array.begin());
    return LegacyService{NetService{NetAddress::ipv6(array), *port}, false};
}

Result<Transaction, MessageError> read_tx(Reader& reader) {
    auto tx = read_transaction(reader, TxFormat::with_witness);
    if (!tx) return fail(to_message_error(tx.error()));
    return std::move(*tx);
}

// Reads one differentially encoded index (BIP152); `next` is the previous index + 1 (0 at
// first) and is advanced.
Result<std::uint16_t, MessageError> read_index(Reader& reader, std::uint64_t& next) {
    TRY_READ(delta, reader.read_size());
    const std::uint64_t index = next + *delta;  // no overflow: delta <= MAX_SIZE, next <= 2^16
    if (index > std::numeric_limits<std::uint16_t>::max()) {
        return fail(MessageError::index_overflow);
    }
    next = index + 1;
    return static_cast<std::uint16_t>(index);
}

void write_index(Writer& writer, std::uint16_t index, std::uint64_t& next) {
    assert(index >= next);
    writer.write_compact_size(index - next);
    next = std::uint64_t{index} + 1;
}

}  // namespace

std::string_view to_string(MessageError error) {
    switch (error) {
    case MessageError::truncated: return "truncated";
    case MessageError::non_canonical_compact_size: return "non-canonical compact size";
    case MessageError::size_too_large: return "size too large";
    case MessageError::bad_transaction: return "bad transaction";
    case MessageError::too_many_entries: return "too many entries";
    case MessageError::user_agent_too_long: return "user agent too long";
    case MessageError::address_too_long: return "address too long";
    case MessageError::address_size_mismatch: return "address size mismatch";
    case MessageError::index_overflow: return "index overflow";
    }
    return "unknown message error";
}

MessageError to_message_error(DecodeError error) {
    switch (error) {
    case DecodeError::truncated: return MessageError::truncated;
    case DecodeError::non_canonical_compact_size: return MessageError::non_canonical_compact_size;
    case DecodeError::size_too_large: return MessageError::size_too_large;
    case DecodeError::trailing_data:  // top-level decoders are not used here
    case DecodeError::superfluous_witness:
    case DecodeError::unknown_witness_flag: return MessageError::bad_transaction;
    }
    return MessageError::bad_transaction;
}

// ---- version ----

Bytes encode_version(const VersionMessage& message) {
    assert(message.user_agent.size() <= MAX_SUBVERSION_LENGTH);
    Bytes out;
    Writer writer(out);
    writer.write_i32(message.version);
    writer.write_u64(message.services);
    writer.write_i64(message.time);
    writer.write_u64(message.addr_recv_services);
    write_legacy_service(writer, message.addr_recv);
    writer.write_u64(message.addr_from_services);
    write_legacy_service(writer, message.addr_from);
    writer.write_u64(message.nonce);
    writer.write_var_bytes(as_bytes(message.user_agent));
    writer.write_i32(message.start_height);
    writer.write_u8(message.relay ? 1 : 0);
    return out;
}

Result<VersionMessage, MessageError> decode_version(ByteSpan payload) {
    Reader reader(payload);
    VersionMessage message;
    TRY_READ(version, reader.read_i32());
    TRY_READ(services, reader.read_u64());
    TRY_READ(time, reader.read_i64());
    TRY_READ(recv_services, reader.read_u64());
    auto recv = read_legacy_service(reader);
    if (!recv) return fail(recv.error());
    message.version = *version;
    message.services = *services;
    message.time = *time;
    message.addr_recv_services = *recv_services;
    message.addr_recv = recv->service;
    if (reader.at_end()) return message;

    TRY_READ(from_services, reader.read_u64());
    auto from = read_legacy_service(reader);
    if (!from) return fail(from.error());
    TRY_READ(nonce, reader.read_u64());
    message.addr_from_services = *from_services;
    message.addr_from = from->service;
    message.nonce = *nonce;
    if (reader.at_end()) return message;

    TRY_READ(length, reader.read_size());
    if (*length > MAX_SUBVERSION_LENGTH) return fail(MessageError::user_agent_too_long);
    TRY_READ(agent, reader.read_span(*length));
    message.user_agent.assign(agent->begin(), agent->end());
    if (reader.at_end()) return message;

    TRY_READ(height, reader.read_i32());
    message.start_height = *height;
    if (reader.at_end()) return message;

    TRY_READ(relay, reader.read_u8());
    message.relay = *relay != 0;
    return message;
}

// ---- ping / pong / feefilter / sendcmpct ----

Bytes encode_nonce(std::uint64_t nonce) {
    Bytes out;
    Writer(out).write_u64(nonce);
    return out;
}

Result<std::uint64_t, MessageError> decode_nonce(ByteSpan payload) {
    Reader reader(payload);
    TRY_READ(nonce, reader.read_u64());
    return *nonce;
}

Bytes encode_feefilter(std::int64_t fee_rate) {
    Bytes out;
    Writer(out).write_i64(fee_rate);
    return out;
}

Result<std::int64_t, MessageError> decode_feefilter(ByteSpan payload) {
    Reader reader(payload);
    TRY_READ(fee_rate, reader.read_i64());
    return *fee_rate;
}

Bytes encode_sendcmpct(const SendCmpctMessage& message) {
    Bytes out;
    Writer writer(out);
    writer.write_u8(message.announce ? 1 : 0);
    writer.write_u64(message.version);
    return out;
}

Result<SendCmpctMessage, MessageError> decode_sendcmpct(ByteSpan payload) {
    Reader reader(payload);
    TRY_READ(announce, reader.read_u8());
    TRY_READ(version, reader.read_u64());
    return SendCmpctMessage{*announce != 0, *version};
}

// ---- addr / addrv2 ----

Bytes encode_addr(const std::vector<PeerAddress>& addresses) {
    assert(addresses.size() <= MAX_ADDR_TO_SEND);
    Bytes out;
    Writer writer(out);
    writer.write_compact_size(addresses.size());
    for (const auto& address : addresses) {
        writer.write_u32(address.time);
        writer.write_u64(address.services);
        write_legacy_service(writer, address.service);
    }
    return out;
}

Result<std::vector<PeerAddress>, MessageError> decode_addr(ByteSpan payload) {
    Reader reader(payload);
    auto count = read_limited_count(reader, ADDR_ENTRY_SIZE, MAX_ADDR_TO_SEND);
    if (!count) return fail(count.error());
    std::vector<PeerAddress> out;
    out.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TRY_READ(time, reader.read_u32());
        TRY_READ(services, reader.read_u64());
        auto service = read_legacy_service(reader);
        if (!service) return fail(service.error());
        if (!service->placeholder) out.push_back(PeerAddress{service->service, *services, *time});
    }
    return out;
}

Bytes encode_addrv2(const std::vector<PeerAddress>& addresses) {
    assert(addresses.size() <= MAX_ADDR_TO_SEND);
    Bytes out;
    Writer writer(out);
    writer.write_compact_size(addresses.size());
    for (const auto& address : addresses) {
        writer.write_u32(address.time);
        writer.write_compact_size(address.services);
        const NetAddress& host = address.service.address;
        writer.write_u8(static_cast<std::uint8_t>(host.network()));
        writer.write_var_bytes(host.bytes());
        write_port(writer, address.service.port);
    }
    return out;
}

Result<std::vector<PeerAddress>, MessageError> decode_addrv2(ByteSpan payload) {
    Reader reader(payload);
    auto count = read_limited_count(reader, MIN_ADDRV2_ENTRY_SIZE, MAX_ADDR_TO_SEND);
    if (!count) return fail(count.error());
    std::vector<PeerAddress> out;
    out.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TRY_READ(time, reader.read_u32());
        TRY_READ(services, reader.read_compact_size());
        TRY_READ(network_id, reader.read_u8());
        TRY_READ(length, reader.read_size());
        if (*length > MAX_ADDRV2_ADDRESS_SIZE) return fail(MessageError::address_too_long);
        const std::size_t expected = bip155_size(*network_id);
        if (expected != 0 && *length != expected) return fail(MessageError::address_size_mismatch);
        TRY_READ(bytes, reader.read_span(*length));
        auto port = read_port(reader);
        if (!port) return fail(port.error());
        if (expected == 0) continue;  // unknown network
        if (*network_id == 2 && (has_prefix(*bytes, IPV4_IN_IPV6_PREFIX) ||
                                 has_prefix(*bytes, TORV2_IN_IPV6_PREFIX) ||
                                 has_prefix(*bytes, INTERNAL_IN_IPV6_PREFIX))) {
            continue;
        }
        const auto address = NetAddress::from_bip155(*network_id, *bytes);
        if (!address) continue;  // e.g. CJDNS without its fc prefix
        out.push_back(PeerAddress{NetService{*address, *port}, *services, *time});
    }
    return out;
}

// ---- inv / getdata / notfound ----

Bytes encode_inv(const std::vector<InvEntry>& entries) {
    assert(entries.size() <= MAX_INV_SZ);
    Bytes out;
    out.reserve(compact_size_length(entries.size()) + entries.size() * INV_ENTRY_SIZE);
    Writer writer(out);
    writer.write_compact_size(entries.size());
    for (const auto& entry : entries) {
        writer.write_u32(entry.type);
        writer.write_uint256(entry.hash);
    }
    return out;
}

Result<std::vector<InvEntry>, MessageError> decode_inv(ByteSpan payload) {
    Reader reader(payload);
    auto count = read_limited_count(reader, INV_ENTRY_SIZE, MAX_INV_SZ);
    if (!count) return fail(count.error());
    std::vector<InvEntry> out;
    out.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TRY_READ(type, reader.read_u32());
        TRY_READ(hash, reader.read_uint256());
        out.push_back(InvEntry{*type, *hash});
    }
    return out;
}

// ---- getheaders / getblocks / headers ----

Bytes encode_block_locator(const BlockLocatorMessage& message) {
    assert(message.locator.size() <= MAX_LOCATOR_SZ);
    Bytes out;
    Writer writer(out);
    writer.write_u32(message.version);
    writer.write_compact_size(message.locator.size());
    for (const auto& hash : message.locator) writer.write_uint256(hash);
    writer.write_uint256(message.stop_hash);
    return out;
}

Result<BlockLocatorMessage, MessageError> decode_block_locator(ByteSpan payload) {
    Reader reader(payload);
    BlockLocatorMessage message;
    TRY_READ(version, reader.read_u32());
    message.version = *version;
    auto count = read_limited_count(reader, 32, MAX_LOCATOR_SZ);
    if (!count) return fail(count.error());
    message.locator.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TRY_READ(hash, reader.read_uint256());
        message.locator.push_back(*hash);
    }
    TRY_READ(stop, reader.read_uint256());
    message.stop_hash = *stop;
    return message;
}

Bytes encode_headers(const std::vector<BlockHeader>& headers) {
    assert(headers.size() <= MAX_HEADERS_RESULTS);
    Bytes out;
    out.reserve(compact_size_length(headers.size()) + headers.size() * HEADERS_ENTRY_MIN_SIZE);
    Writer writer(out);
    writer.write_compact_size(headers.size());
    for (const auto& header : headers) {
        serialize(writer, header);
        writer.write_compact_size(0);
    }
    return out;
}

Result<std::vector<BlockHeader>, MessageError> decode_headers(ByteSpan payload) {
    Reader reader(payload);
    auto count = read_limited_count(reader, HEADERS_ENTRY_MIN_SIZE, MAX_HEADERS_RESULTS);
    if (!count) return fail(count.error());
    std::vector<BlockHeader> out;
    out.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TRY_READ(header, read_block_header(reader));
        TRY_READ(tx_count, reader.read_size());  // ignored, as Core does
        out.push_back(*header);
    }
    return out;
}

// ---- block / tx ----

Bytes encode_block_message(const Block& block) { return encode(block, TxFormat::with_witness); }

Result<Block, MessageError> decode_block_message(ByteSpan payload) {
    Reader reader(payload);
    TRY_READ(block, read_block(reader));
    return std::move(*block);
}

Bytes encode_tx_message(const Transaction& tx) { return encode(tx, TxFormat::with_witness); }

Result<Transaction, MessageError> decode_tx_message(ByteSpan payload) {
    Reader reader(payload);
    return read_tx(reader);
}

// ---- compact blocks (BIP152) ----

ShortIdKeys short_id_keys(const BlockHeader& header, std::uint64_t nonce) {
    Bytes data;
    Writer writer(data);
    serialize(writer, header);
    writer.write_u64(nonce);
    const Uint256 hash = sha256(data);
    return ShortIdKeys{read_le64(hash.data()), read_le64(hash.data() + 8)};
}

std::uint64_t short_id(const ShortIdKeys& keys, const Uint256& wtxid) {
    return siphash_uint256(keys.k0, keys.k1, wtxid) & SHORT_ID_MASK;
}

Bytes encode_cmpctblock(const CompactBlockMessage& message) {
    assert(message.short_ids.size() + message.prefilled.size() <=
           std::numeric_limits<std::uint16_t>::max());
    Bytes out;
    Writer writer(out);
    serialize(writer, message.header);
    writer.write_u64(message.nonce);
    writer.write_compact_size(message.short_ids.size());
    for (const std::uint64_t id : message.short_ids) {
        assert(id <= SHORT_ID_MASK);
        writer.write_u32(static_cast<std::uint32_t>(id));
        writer.write_u16(static_cast<std::uint16_t>(id >> 32));
    }
    writer.write_compact_size(message.prefilled.size());
    std::uint64_t next = 0;
    for (const auto& prefilled : message.prefilled) {
        assert(prefilled.tx);
        write_index(writer, prefilled.index, next);
        serialize(writer, *prefilled.tx, TxFormat::with_witness);
    }
    return out;
}

Result<CompactBlockMessage, MessageError> decode_cmpctblock(ByteSpan payload) {
    Reader reader(payload);
    CompactBlockMessage message;
    TRY_READ(header, read_block_header(reader));
    TRY_READ(nonce, reader.read_u64());
    message.header = *header;
    message.nonce = *nonce;

    TRY_READ(id_count, reader.read_count(SHORT_ID_SIZE));
    message.short_ids.reserve(*id_count);
    for (std::size_t i = 0; i < *id_count; ++i) {
        TRY_READ(low, reader.read_u32());
        TRY_READ(high, reader.read_u16());
        message.short_ids.push_back(std::uint64_t{*low} | (std::uint64_t{*high} << 32));
    }

    TRY_READ(prefilled_count, reader.read_count(1 + MIN_TRANSACTION_SIZE));
    message.prefilled.reserve(*prefilled_count);
    std::uint64_t next = 0;
    for (std::size_t i = 0; i < *prefilled_count; ++i) {
        auto index = read_index(reader, next);
        if (!index) return fail(index.error());
        auto tx = read_tx(reader);
        if (!tx) return fail(tx.error());
        message.prefilled.push_back(
            PrefilledTransaction{*index, make_transaction_ref(std::move(*tx))});
    }
    if (message.short_ids.size() + message.prefilled.size() >
        std::numeric_limits<std::uint16_t>::max()) {
        return fail(MessageError::index_overflow);
    }
    return message;
}

Bytes encode_getblocktxn(const BlockTxnRequest& message) {
    Bytes out;
    Writer writer(out);
    writer.write_uint256(message.block_hash);
    writer.write_compact_size(message.indexes.size());
    std::uint64_t next = 0;
    for (const std::uint16_t index : message.indexes) write_index(writer, index, next);
    return out;
}

Result<BlockTxnRequest, MessageError> decode_getblocktxn(ByteSpan payload) {
    Reader reader(payload);
    BlockTxnRequest message;
    TRY_READ(hash, reader.read_uint256());
    message.block_hash = *hash;
    TRY_READ(count, reader.read_count(1));
    message.indexes.reserve(*count);
    std::uint64_t next = 0;
    for (std::size_t i = 0; i < *count; ++i) {
        auto index = read_index(reader, next);
        if (!index) return fail(index.error());
        message.indexes.push_back(*index);
    }
    return message;
}

Bytes encode_blocktxn(const BlockTxnMessage& message) {
    Bytes out;
    Writer writer(out);
    writer.write_uint256(message.block_hash);
    writer.write_compact_size(message.transactions.size());
    for (const auto& tx : message.transactions) {
        assert(tx);
        serialize(writer, *tx, TxFormat::with_witness);
    }
    return out;
}

Result<BlockTxnMessage, MessageError> decode_blocktxn(ByteSpan payload) {
    Reader reader(payload);
    BlockTxnMessage message;
    TRY_READ(hash, reader.read_uint256());
    message.block_hash = *hash;
    TRY_READ(count, reader.read_count(MIN_TRANSACTION_SIZE));
    message.transactions.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        auto tx = read_tx(reader);
        if (!tx) return fail(tx.error());
        message.transactions.push_back(make_transaction_ref(std::move(*tx)));
    }
    return message;
}

#undef TRY_READ

}  // namespace bitloom
