// A DNS message codec for a seed server (RFC 1035), pure: bytes in, bytes out.
//
// Query (what parse_dns_query accepts):
//   message  := header question (rest ignored: additional records such as EDNS0 OPT)
//   header   := id:u16 flags:u16 qdcount:u16 ancount:u16 nscount:u16 arcount:u16  (big-endian)
//     flags  := QR:1 OPCODE:4 AA:1 TC:1 RD:1 RA:1 Z:3 RCODE:4   (most significant bit first)
//   question := qname qtype:u16 qclass:u16
//   qname    := (length:u8 byte[length])* 0x00   1 <= length <= 63 (a larger length byte has a
//               nonzero label type); the whole name in wire form at most 255 bytes. Length bytes with the top bits 11 (compression pointers) are
//               rejected in a query, as are the reserved 01 and 10 label types.
// Response (what build_dns_response writes):
//   header (QR=1, opcode 0, AA, TC, RD copied, RA=0, rcode) question (copied from the query)
//   answer*  := 0xC0 0x0C type:u16 class:u16 ttl:u32 rdlength:u16 rdata
//     the name is a compression pointer to the question's name at offset 12;
//     A rdata is 4 bytes, AAAA 16; NS rdata is a name, SOA rdata is
//     mname rname serial:u32 refresh:u32 retry:u32 expire:u32 minimum:u32 (names uncompressed).
// A response never exceeds the size limit (512 bytes for plain UDP): address records that do
// not fit are left out and TC is set.
//
// Seed names: the zone apex ("seed.example.com") answers with nodes having the default
// services; "x<hex>.seed.example.com" asks for nodes having every bit of <hex> (1 to 16 hex
// digits, either case), as in sipa's bitcoin-seeder ("x9" = NODE_NETWORK | NODE_WITNESS).
//
// Nothing here throws or reads out of bounds on any input.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

namespace dns_type {
inline constexpr std::uint16_t A = 1;
inline constexpr std::uint16_t NS = 2;
inline constexpr std::uint16_t SOA = 6;
inline constexpr std::uint16_t AAAA = 28;
inline constexpr std::uint16_t ANY = 255;
}  // namespace dns_type

namespace dns_class {
inline constexpr std::uint16_t IN = 1;
inline constexpr std::uint16_t ANY = 255;
}  // namespace dns_class

enum class DnsRcode : std::uint8_t {
    no_error = 0,
    format_error = 1,
    server_failure = 2,
    name_error = 3,  // NXDOMAIN
    not_implemented = 4,
    refused = 5,
};

enum class DnsParseError : std::uint8_t {
    too_short,             // fewer than 12 bytes
    not_a_query,           // QR set: a response, never answered
    not_implemented,       // an opcode other than QUERY
    bad_question_count,    // qdcount != 1
    truncated,             // the question runs past the end
    name_too_long,         // a name over 255 bytes in wire form
    compression_in_query,  // a compression pointer in the question
    bad_label_type,        // the reserved label types 01 and 10 (so any length byte over 63)
};
std::string_view to_string(DnsParseError error);

struct DnsQuery {
    std::uint16_t id = 0;
    bool recursion_desired = false;
    std::vector<std::string> labels;  // as sent (case kept); the root name has none
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    Bytes question;  // the question's wire bytes (name, type, class), echoed in responses
};

Result<DnsQuery, DnsParseError> parse_dns_query(ByteSpan packet);

// Records to put in the answer section.
struct DnsAnswers {
    std::vector<std::array<std::uint8_t, 4>> ipv4;   // A records
    std::vector<std::array<std::uint8_t, 16>> ipv6;  // AAAA records
    std::vector<std::string> ns;                      // NS records: dotted host names
    struct Soa {
        std::string mname;  // primary name server, dotted
        std::string rname;  // responsible mailbox with '@' written as '.'
        std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
    };
    std::optional<Soa> soa;
    std::uint32_t ttl = 60;
};

// The standard and largest plain-UDP message size.
inline constexpr std::size_t DNS_UDP_MAX = 512;

// A response to `query` (one parse_dns_query returned) with `rcode` and `answers` (in the order
// SOA, NS, A, AAAA), at most `max_size` bytes (clamped to >= 512). NS and SOA records whose
// names are not valid dotted names (labels 1..63 bytes, at most 255 in all) are left out.
Bytes build_dns_response(const DnsQuery& query, DnsRcode rcode, const DnsAnswers& answers,
                         std::size_t max_size = DNS_UDP_MAX, bool authoritative = true);

// The answer to a packet that did not parse: a bare header echoing the id (and RD) with
// FORMERR, or NOTIMP for an unknown opcode; empty (send nothing) when the packet is shorter
// than a header or is itself a response.
Bytes build_dns_error(ByteSpan packet, DnsParseError error);

// Dotted name -> labels; nullopt for an empty label (other than one trailing dot), a label
// over 63 bytes, or a name over 255 bytes in wire form. "" and "." are the root (no labels).
std::optional<std::vector<std::string>> split_dns_name(std::string_view name);

// Whether `labels` names the zone itself, a service filter inside it, or something else.
struct SeedNameMatch {
    enum class Kind : std::uint8_t {
        outside_zone,       // not at or under the zone: REFUSED
        apex,               // the zone name: default services
        service_filter,     // x<hex>.<zone>
        unknown_subdomain,  // anything else under the zone: NXDOMAIN
    };
    Kind kind = Kind::outside_zone;
    std::uint64_t required_services = 0;  // for apex and service_filter
};
// Compares case-insensitively (ASCII).
SeedNameMatch match_seed_name(const std::vector<std::string>& labels,
                              const std::vector<std::string>& zone,
                              std::uint64_t default_services);
// "x9" -> 9, "x40d" -> 0x40d; nullopt for anything else (no digits, over 16 digits, non-hex).
std::optional<std::uint64_t> parse_service_filter_label(std::string_view label);

// A seed server's fixed configuration.
struct SeedZone {
    std::vector<std::string> zone;        // e.g. {"seed", "example", "com"}
    std::string name_server;              // dotted; answered to NS queries ("" = none)
    std::string mailbox;                  // dotted; with name_server, answered to SOA queries
    std::uint32_t serial = 1;
    std::uint32_t ttl = 60;
    std::uint64_t default_services = 0x9;  // NODE_NETWORK | NODE_WITNESS
};

// The nodes to hand out for `required_services` (the caller picks and shuffles them).
using SeedLookup = std::function<DnsAnswers(std::uint64_t required_services)>;

// The whole server step: parses `packet` and answers it. Bad packets get build_dns_error;
// a class other than IN/ANY or a name outside the zone gets REFUSED; an unknown name under
// the zone NXDOMAIN; A, AAAA and ANY at the apex or a filter name the looked-up addresses of
// the right family; NS and SOA at the apex the configured records; other types NOERROR with
// no answers.
Bytes answer_seed_query(ByteSpan packet, const SeedZone& zone, const SeedLookup& lookup,
                        std::size_t max_size = DNS_UDP_MAX);

}  // namespace bitloom
