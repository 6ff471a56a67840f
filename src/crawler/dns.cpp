#include "crawler/dns.h"

#include <algorithm>

namespace bitloom {

std::string_view to_string(DnsParseError error) {
    switch (error) {
        case DnsParseError::too_short: return "shorter than a header";
        case DnsParseError::not_a_query: return "not a query";
        case DnsParseError::not_implemented: return "opcode not implemented";
        case DnsParseError::bad_question_count: return "question count is not 1";
        case DnsParseError::truncated: return "truncated question";
        case DnsParseError::name_too_long: return "name over 255 bytes";
        case DnsParseError::compression_in_query: return "compression pointer in query";
        case DnsParseError::bad_label_type: return "reserved label type";
    }
    return "unknown";
}

namespace {

constexpr std::size_t HEADER_SIZE = 12;
constexpr std::size_t MAX_LABEL = 63;
constexpr std::size_t MAX_NAME = 255;

std::uint16_t read_u16(ByteSpan bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

void put_u16(Bytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

void put_u32(Bytes& out, std::uint32_t value) {
    put_u16(out, static_cast<std::uint16_t>(value >> 16));
    put_u16(out, static_cast<std::uint16_t>(value));
}

void set_u16(Bytes& out, std::size_t at, std::uint16_t value) {
    out[at] = static_cast<std::uint8_t>(value >> 8);
    out[at + 1] = static_cast<std::uint8_t>(value);
}

// The wire form of a dotted name; nullopt when it is not a valid name.
std::optional<Bytes> encode_name(std::string_view dotted) {
    const auto labels = split_dns_name(dotted);
    if (!labels) return std::nullopt;
    Bytes out;
    for (const auto& label : *labels) {
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
    }
    out.push_back(0);
    return out;
}

// Header: id, flags, qdcount = 1 (0 for a bare error), other counts 0 (patched later).
Bytes header(std::uint16_t id, bool rd, bool authoritative, DnsRcode rcode, bool with_question) {
    Bytes out;
    put_u16(out, id);
    std::uint16_t flags = 0x8000;  // QR
    if (authoritative) flags |= 0x0400;
    if (rd) flags |= 0x0100;
    flags |= static_cast<std::uint16_t>(rcode);
    put_u16(out, flags);
    put_u16(out, with_question ? 1 : 0);
    put_u16(out, 0);
    put_u16(out, 0);
    put_u16(out, 0);
    return out;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

}  // namespace

Result<DnsQuery, DnsParseError> parse_dns_query(ByteSpan packet) {
    if (packet.size() < HEADER_SIZE) return fail(DnsParseError::too_short);
    const std::uint16_t flags = read_u16(packet, 2);
    if ((flags & 0x8000) != 0) return fail(DnsParseError::not_a_query);
    if (((flags >> 11) & 0xF) != 0) return fail(DnsParseError::not_implemented);
    if (read_u16(packet, 4) != 1) return fail(DnsParseError::bad_question_count);

    DnsQuery query;
    query.id = read_u16(packet, 0);
    query.recursion_desired = (flags & 0x0100) != 0;
    std::size_t at = HEADER_SIZE;
    std::size_t name_size = 0;
    while (true) {
        if (at >= packet.size()) return fail(DnsParseError::truncated);
        const std::uint8_t length = packet[at];
        if ((length & 0xC0) == 0xC0) return fail(DnsParseError::compression_in_query);
        if ((length & 0xC0) != 0) return fail(DnsParseError::bad_label_type);
        name_size += 1 + length;
        if (name_size > MAX_NAME) return fail(DnsParseError::name_too_long);
        ++at;
        if (length == 0) break;
        if (packet.size() - at < length) return fail(DnsParseError::truncated);
        query.labels.emplace_back(reinterpret_cast<const char*>(packet.data() + at), length);
        at += length;
    }
    if (packet.size() - at < 4) return fail(DnsParseError::truncated);
    query.qtype = read_u16(packet, at);
    query.qclass = read_u16(packet, at + 2);
    at += 4;
    query.question.assign(packet.begin() + HEADER_SIZE, packet.begin() + static_cast<std::ptrdiff_t>(at));
    return query;
}

Bytes build_dns_response(const DnsQuery& query, DnsRcode rcode, const DnsAnswers& answers,
                         std::size_t max_size, bool authoritative) {
    max_size = std::max(max_size, DNS_UDP_MAX);
    Bytes out = header(query.id, query.recursion_desired, authoritative, rcode,
                       !query.question.empty());
    out.insert(out.end(), query.question.begin(), query.question.end());
    std::uint16_t count = 0;
    bool truncated = false;

    // Appends one record if it fits; `rdata` follows the fixed part.
    const auto add = [&](std::uint16_t type, const Bytes& rdata) {
        const std::size_t size = 2 + 10 + rdata.size();
        if (truncated || out.size() + size > max_size || count == 0xFFFF) {
            truncated = true;
            return;
        }
        out.push_back(0xC0);
        out.push_back(static_cast<std::uint8_t>(HEADER_SIZE));
        put_u16(out, type);
        put_u16(out, dns_class::IN);
        put_u32(out, answers.ttl);
        put_u16(out, static_cast<std::uint16_t>(rdata.size()));
        out.insert(out.end(), rdata.begin(), rdata.end());
        ++count;
    };

    if (answers.soa) {
        const auto mname = encode_name(answers.soa->mname);
        const auto rname = encode_name(answers.soa->rname);
        if (mname && rname) {
            Bytes rdata = *mname;
            rdata.insert(rdata.end(), rname->begin(), rname->end());
            put_u32(rdata, answers.soa->serial);
            put_u32(rdata, answers.soa->refresh);
            put_u32(rdata, answers.soa->retry);
            put_u32(rdata, answers.soa->expire);
            put_u32(rdata, answers.soa->minimum);
            add(dns_type::SOA, rdata);
        }
    }
    for (const auto& ns : answers.ns) {
        if (const auto name = encode_name(ns)) add(dns_type::NS, *name);
    }
    for (const auto& ip : answers.ipv4) add(dns_type::A, Bytes(ip.begin(), ip.end()));
    for (const auto& ip : answers.ipv6) add(dns_type::AAAA, Bytes(ip.begin(), ip.end()));

    set_u16(out, 6, count);
    if (truncated) out[2] |= 0x02;  // TC
    return out;
}

Bytes build_dns_error(ByteSpan packet, DnsParseError error) {
    if (error == DnsParseError::too_short || error == DnsParseError::not_a_query) return {};
    if (packet.size() < HEADER_SIZE || (packet[2] & 0x80) != 0) return {};
    const DnsRcode rcode = error == DnsParseError::not_implemented ? DnsRcode::not_implemented
                                                                   : DnsRcode::format_error;
    Bytes out = header(read_u16(packet, 0), (packet[2] & 0x01) != 0, false, rcode, false);
    out[2] |= static_cast<std::uint8_t>(packet[2] & 0x78);  // echo the opcode
    return out;
}

std::optional<std::vector<std::string>> split_dns_name(std::string_view name) {
    std::vector<std::string> labels;
    if (name.empty() || name == ".") return labels;
    if (name.back() == '.') name.remove_suffix(1);
    std::size_t wire = 1;
    while (true) {
        const std::size_t dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        if (label.empty() || label.size() > MAX_LABEL) return std::nullopt;
        wire += 1 + label.size();
        if (wire > MAX_NAME) return std::nullopt;
        labels.emplace_back(label);
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    return labels;
}

std::optional<std::uint64_t> parse_service_filter_label(std::string_view label) {
    if (label.size() < 2 || label.size() > 17 || ascii_lower(label[0]) != 'x') return std::nullopt;
    std::uint64_t value = 0;
    for (char c : label.substr(1)) {
        const char lower = ascii_lower(c);
        int digit = 0;
        if (lower >= '0' && lower <= '9') {
            digit = lower - '0';
        } else if (lower >= 'a' && lower <= 'f') {
            digit = lower - 'a' + 10;
        } else {
            return std::nullopt;
        }
        value = (value << 4) | static_cast<std::uint64_t>(digit);
    }
    return value;
}

SeedNameMatch match_seed_name(const std::vector<std::string>& labels,
                              const std::vector<std::string>& zone,
                              std::uint64_t default_services) {
    SeedNameMatch match;
    if (labels.size() < zone.size()) return match;
    const std::size_t extra = labels.size() - zone.size();
    for (std::size_t i = 0; i < zone.size(); ++i) {
        if (!equal_ignoring_case(labels[extra + i], zone[i])) return match;
    }
    if (extra == 0) {
        match.kind = SeedNameMatch::Kind::apex;
        match.required_services = default_services;
        return match;
    }
    if (extra == 1) {
        if (const auto filter = parse_service_filter_label(labels[0])) {
            match.kind = SeedNameMatch::Kind::service_filter;
            match.required_services = *filter;
            return match;
        }
    }
    match.kind = SeedNameMatch::Kind::unknown_subdomain;
    return match;
}

Bytes answer_seed_query(ByteSpan packet, const SeedZone& zone, const SeedLookup& lookup,
                        std::size_t max_size) {
    const auto query = parse_dns_query(packet);
    if (!query) return build_dns_error(packet, query.error());
    DnsAnswers none;
    none.ttl = zone.ttl;
    if (query->qclass != dns_class::IN && query->qclass != dns_class::ANY) {
        return build_dns_response(*query, DnsRcode::refused, none, max_size, false);
    }
    const auto match = match_seed_name(query->labels, zone.zone, zone.default_services);
    switch (match.kind) {
        case SeedNameMatch::Kind::outside_zone:
            return build_dns_response(*query, DnsRcode::refused, none, max_size, false);
        case SeedNameMatch::Kind::unknown_subdomain:
            return build_dns_response(*query, DnsRcode::name_error, none, max_size);
        case SeedNameMatch::Kind::apex:
        case SeedNameMatch::Kind::service_filter: break;
    }

    DnsAnswers answers;
    answers.ttl = zone.ttl;
    const std::uint16_t qtype = query->qtype;
    if (qtype == dns_type::A || qtype == dns_type::AAAA || qtype == dns_type::ANY) {
        DnsAnswers found = lookup ? lookup(match.required_services) : DnsAnswers{};
        if (qtype != dns_type::AAAA) answers.ipv4 = std::move(found.ipv4);
        if (qtype != dns_type::A) answers.ipv6 = std::move(found.ipv6);
    }
    const bool apex = match.kind == SeedNameMatch::Kind::apex;
    if (apex && !zone.name_server.empty() && (qtype == dns_type::NS || qtype == dns_type::ANY)) {
        answers.ns.push_back(zone.name_server);
    }
    if (apex && !zone.name_server.empty() && !zone.mailbox.empty() &&
        (qtype == dns_type::SOA || qtype == dns_type::ANY)) {
        answers.soa = DnsAnswers::Soa{zone.name_server, zone.mailbox, zone.serial,
                                      604800, 86400, 2592000, zone.ttl};
    }
    return build_dns_response(*query, DnsRcode::no_error, answers, max_size);
}

}  // namespace bitloom
