// Payloads of the P2P messages, as Bitcoin Core writes and reads them.
//
// Format (integers little-endian unless marked BE; compact_size, size, vector<T>, header and
// tx as in primitives/serialize.h, block.h and transaction.h; tx always with BIP144 witness):
//   version      := version:i32 services:u64 time:i64
//                   addr_recv:net_addr addr_from:net_addr nonce:u64
//                   user_agent:var_bytes start_height:i32 [relay:u8]
//     net_addr   := services:u64 ip:byte[16] port:u16BE
//     user_agent is at most 256 bytes; relay is optional (absent means true, any non-zero
//     byte is true). Like Core, a reader stops at the end of the payload after addr_recv:
//     each later field, in order, may be missing and then takes its default (addr_from ::0,
//     nonce 1, user_agent "", start_height -1, relay true). An ip with the IPv4-mapped
//     prefix ::ffff:0:0/96 is read as IPv4; one with the TorV2 prefix fd87:d87e:eb43::/48 is
//     read as :: (Core's placeholder). Networks without a legacy form are written as ::.
//   verack | getaddr | sendaddrv2 | sendheaders | wtxidrelay | mempool := (empty)
//   ping | pong  := nonce:u64
//   addr         := count:size addr_entry[count]                          count <= 1000
//     addr_entry := time:u32 services:u64 ip:byte[16] port:u16BE
//   addrv2       := count:size addrv2_entry[count]                        count <= 1000
//     addrv2_entry := time:u32 services:compact_size net_address_v2 port:u16BE
//       net_address_v2 as in net_address.h; an address longer than 512 bytes, or of a known
//       network with the wrong length, fails the whole message. Entries of unknown networks
//       (including TorV2) and IPv6 entries that embed IPv4, TorV2 or Core's internal prefix
//       are skipped, as Core reads them as invalid placeholders that are never used.
//   inv | getdata | notfound := count:size inv_entry[count]               count <= 50000
//     inv_entry  := type:u32 hash:byte[32]
//   getheaders | getblocks := version:u32 count:size hash:byte[32][count] stop:byte[32]
//                                                                          count <= 101
//   headers      := count:size (header tx_count:compact_size)[count]      count <= 2000
//     tx_count is read and ignored, as Core does (senders write 0).
//   block        := block
//   tx           := tx
//   feefilter    := fee_rate:i64       (satoshis per 1000 virtual bytes)
//   sendcmpct    := announce:u8 version:u64
//   cmpctblock   := header nonce:u64 count:size short_id[count]
//                   prefilled_count:size (index_delta:compact_size tx)[prefilled_count]
//     short_id   := 6 bytes, a little-endian 48-bit integer
//     index_delta: the first is the index itself; each later one is the index minus the
//     previous index minus 1. Every index fits 16 bits, and so does count + prefilled_count.
//   getblocktxn  := block_hash:byte[32] count:size index_delta:compact_size[count]
//     index_delta as in cmpctblock; every index fits 16 bits.
//   blocktxn     := block_hash:byte[32] count:size tx[count]
//
// Readers never throw, never crash, and reserve no more elements than the remaining bytes
// can hold (each count is checked against the remaining input, and against the message's
// limit, before anything is allocated). As in Core, bytes after the last field are ignored
// (the version message depends on this to stay extensible); writers never produce any.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/net_address.h"
#include "primitives/block.h"
#include "primitives/serialize.h"
#include "primitives/transaction.h"
#include "util/bytes.h"
#include "util/result.h"
#include "util/uint256.h"

namespace bitloom {

// Command names (the `command` of protocol.h's header).
namespace command {
inline constexpr std::string_view VERSION = "version";
inline constexpr std::string_view VERACK = "verack";
inline constexpr std::string_view PING = "ping";
inline constexpr std::string_view PONG = "pong";
inline constexpr std::string_view GETADDR = "getaddr";
inline constexpr std::string_view ADDR = "addr";
inline constexpr std::string_view ADDRV2 = "addrv2";
inline constexpr std::string_view SENDADDRV2 = "sendaddrv2";
inline constexpr std::string_view INV = "inv";
inline constexpr std::string_view GETDATA = "getdata";
inline constexpr std::string_view NOTFOUND = "notfound";
inline constexpr std::string_view GETHEADERS = "getheaders";
inline constexpr std::string_view GETBLOCKS = "getblocks";
inline constexpr std::string_view HEADERS = "headers";
inline constexpr std::string_view BLOCK = "block";
inline constexpr std::string_view TX = "tx";
inline constexpr std::string_view SENDHEADERS = "sendheaders";
inline constexpr std::string_view FEEFILTER = "feefilter";
inline constexpr std::string_view WTXIDRELAY = "wtxidrelay";
inline constexpr std::string_view SENDCMPCT = "sendcmpct";
inline constexpr std::string_view CMPCTBLOCK = "cmpctblock";
inline constexpr std::string_view GETBLOCKTXN = "getblocktxn";
inline constexpr std::string_view BLOCKTXN = "blocktxn";
inline constexpr std::string_view MEMPOOL = "mempool";
}  // namespace command

// Core's limits.
inline constexpr std::size_t MAX_SUBVERSION_LENGTH = 256;
inline constexpr std::size_t MAX_ADDR_TO_SEND = 1000;
inline constexpr std::size_t MAX_INV_SZ = 50000;
inline constexpr std::size_t MAX_HEADERS_RESULTS = 2000;
inline constexpr std::size_t MAX_LOCATOR_SZ = 101;
inline constexpr std::size_t MAX_ADDRV2_ADDRESS_SIZE = 512;
inline constexpr std::size_t SHORT_ID_SIZE = 6;

enum class MessageError {
    truncated,                   // the payload ends inside a field
    non_canonical_compact_size,  // a CompactSize not in its shortest form
    size_too_large,              // a length or count above MAX_SIZE
    bad_transaction,             // a transaction's BIP144 witness encoding is invalid
    too_many_entries,            // a count above the message's limit
    user_agent_too_long,         // version's user_agent above MAX_SUBVERSION_LENGTH
    address_too_long,            // an addrv2 address above MAX_ADDRV2_ADDRESS_SIZE bytes
    address_size_mismatch,       // an addrv2 address of a known network with a wrong length
    index_overflow,              // a cmpctblock/getblocktxn index beyond 16 bits
};
std::string_view to_string(MessageError error);
// Maps a primitives reader's error onto the message errors.
MessageError to_message_error(DecodeError error);

struct VersionMessage {
    std::int32_t version = 0;
    std::uint64_t services = 0;
    std::int64_t time = 0;
    std::uint64_t addr_recv_services = 0;
    NetService addr_recv;  // IPv4, IPv6 (legacy form); others are sent as ::
    std::uint64_t addr_from_services = 0;
    NetService addr_from;
    std::uint64_t nonce = 1;
    std::string user_agent;
    std::int32_t start_height = -1;
    bool relay = true;
    friend bool operator==(const VersionMessage&, const VersionMessage&) = default;
};

// Inventory types (Core's GetDataMsg); the witness flag may be or-ed into them.
namespace inv_type {
inline constexpr std::uint32_t MSG_TX = 1;
inline constexpr std::uint32_t MSG_BLOCK = 2;
inline constexpr std::uint32_t MSG_FILTERED_BLOCK = 3;
inline constexpr std::uint32_t MSG_CMPCT_BLOCK = 4;
inline constexpr std::uint32_t MSG_WTX = 5;
inline constexpr std::uint32_t MSG_WITNESS_FLAG = 1u << 30;
inline constexpr std::uint32_t MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG;
inline constexpr std::uint32_t MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG;
}  // namespace inv_type

// One inventory entry. Unknown types are carried as they are (Core ignores them later).
struct InvEntry {
    std::uint32_t type = 0;
    Uint256 hash;
    friend bool operator==(const InvEntry&, const InvEntry&) = default;
};

// getheaders and getblocks.
struct BlockLocatorMessage {
    std::uint32_t version = 0;
    std::vector<Uint256> locator;  // at most MAX_LOCATOR_SZ hashes
    Uint256 stop_hash;
    friend bool operator==(const BlockLocatorMessage&, const BlockLocatorMessage&) = default;
};

struct SendCmpctMessage {
    bool announce = false;
    std::uint64_t version = 0;
    friend bool operator==(const SendCmpctMessage&, const SendCmpctMessage&) = default;
};

// A transaction sent in full inside a compact block, at its absolute index in the block.
struct PrefilledTransaction {
    std::uint16_t index = 0;
    TransactionRef tx;  // never null
};

// BIP152 compact block. `prefilled` is in strictly increasing index order.
struct CompactBlockMessage {
    BlockHeader header;
    std::uint64_t nonce = 0;
    std::vector<std::uint64_t> short_ids;  // each below 2^48
    std::vector<PrefilledTransaction> prefilled;
};

// BIP152 short id keys: k0, k1 are the first two little-endian u64 of SHA256(header || nonce).
struct ShortIdKeys {
    std::uint64_t k0 = 0;
    std::uint64_t k1 = 0;
};
ShortIdKeys short_id_keys(const BlockHeader& header, std::uint64_t nonce);
// SipHash-2-4 of the wtxid under `keys`, keeping the low 48 bits.
std::uint64_t short_id(const ShortIdKeys& keys, const Uint256& wtxid);

// getblocktxn: indexes in strictly increasing order.
struct BlockTxnRequest {
    Uint256 block_hash;
    std::vector<std::uint16_t> indexes;
    friend bool operator==(const BlockTxnRequest&, const BlockTxnRequest&) = default;
};

// blocktxn.
struct BlockTxnMessage {
    Uint256 block_hash;
    std::vector<TransactionRef> transactions;  // never null
};

// Writers: the payload bytes (without the header; see protocol.h's encode_message). The
// structures must satisfy their documented invariants (counts within the limits, indexes
// increasing, short ids below 2^48): breaking them is a programmer error (asserted).
Bytes encode_version(const VersionMessage& message);
Bytes encode_nonce(std::uint64_t nonce);  // ping, pong
Bytes encode_addr(const std::vector<PeerAddress>& addresses);
Bytes encode_addrv2(const std::vector<PeerAddress>& addresses);
Bytes encode_inv(const std::vector<InvEntry>& entries);  // inv, getdata, notfound
Bytes encode_block_locator(const BlockLocatorMessage& message);  // getheaders, getblocks
Bytes encode_headers(const std::vector<BlockHeader>& headers);
Bytes encode_block_message(const Block& block);
Bytes encode_tx_message(const Transaction& tx);
Bytes encode_feefilter(std::int64_t fee_rate);
Bytes encode_sendcmpct(const SendCmpctMessage& message);
Bytes encode_cmpctblock(const CompactBlockMessage& message);
Bytes encode_getblocktxn(const BlockTxnRequest& message);
Bytes encode_blocktxn(const BlockTxnMessage& message);
// verack, getaddr, sendaddrv2, sendheaders, wtxidrelay and mempool have an empty payload.

// Readers of payloads received from peers. In addr, a legacy address with the TorV2 prefix is
// skipped like addrv2's invalid entries; IPv4-mapped addresses become IPv4.
Result<VersionMessage, MessageError> decode_version(ByteSpan payload);
Result<std::uint64_t, MessageError> decode_nonce(ByteSpan payload);  // ping, pong
Result<std::vector<PeerAddress>, MessageError> decode_addr(ByteSpan payload);
Result<std::vector<PeerAddress>, MessageError> decode_addrv2(ByteSpan payload);
Result<std::vector<InvEntry>, MessageError> decode_inv(ByteSpan payload);
Result<BlockLocatorMessage, MessageError> decode_block_locator(ByteSpan payload);
Result<std::vector<BlockHeader>, MessageError> decode_headers(ByteSpan payload);
Result<Block, MessageError> decode_block_message(ByteSpan payload);
Result<Transaction, MessageError> decode_tx_message(ByteSpan payload);
Result<std::int64_t, MessageError> decode_feefilter(ByteSpan payload);
Result<SendCmpctMessage, MessageError> decode_sendcmpct(ByteSpan payload);
Result<CompactBlockMessage, MessageError> decode_cmpctblock(ByteSpan payload);
Result<BlockTxnRequest, MessageError> decode_getblocktxn(ByteSpan payload);
Result<BlockTxnMessage, MessageError> decode_blocktxn(ByteSpan payload);

}  // namespace bitloom
