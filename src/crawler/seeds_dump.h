// The text dump of a crawl in the format of sipa's bitcoin-seeder (`dnsseed.dump`), the input
// of Bitcoin Core's contrib/seeds/makeseeds.py.
//
// Format (one header line, then one line per node; fields separated by runs of spaces):
//   dump   := header "\n" (line "\n")*
//   header := "# address                                        good  lastSuccess    %(2h)"
//             "   %(8h)   %(1d)   %(7d)  %(30d)  blocks      svcs  version"
//   line   := address (padded with spaces to 47 columns) "  " good (%4d) "  "
//             last_success (%11d, Unix seconds) "  " pct(2h) " " pct(8h) " " pct(1d) " "
//             pct(7d) " " pct(30d) "  " blocks (%6d) "  " services (%08x: lower-case hex,
//             at least 8 digits, no 0x) "  " version (%5d) " " '"' user_agent '"'
//   pct    := %6.2f of 100 * uptime, followed by '%'
//   address := NetService text: "1.2.3.4:8333", "[2001:db8::1]:8333", "<name>.onion:8333"
// makeseeds.py splits each line on whitespace and reads field 0 address, 1 good, 2 last
// success, 3..7 the uptimes (dropping the '%'), 8 blocks, 9 services (int(x, 16)), 10 version,
// 11 the user agent with its first and last characters (the quotes) dropped. So that field 11
// is the whole agent, the writer keeps only the characters of Core's SanitizeString default
// set minus the space (letters, digits and ".,;-_/:?@()"); other characters are dropped.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/node_stats.h"
#include "p2p/net_address.h"
#include "util/result.h"

namespace bitloom {

// One line of the dump.
struct SeedsDumpEntry {
    NetService service;
    bool good = false;
    std::int64_t last_success = 0;
    std::array<double, WINDOW_COUNT> uptime{};  // fractions 0..1, window order of node_stats.h
    std::int32_t blocks = 0;
    std::uint64_t services = 0;
    std::int32_t version = 0;
    std::string user_agent;
};

enum class SeedsDumpError : std::uint8_t {
    too_few_fields,
    bad_address,
    bad_good,
    bad_last_success,
    bad_uptime,
    bad_blocks,
    bad_services,
    bad_version,
    bad_user_agent,
};
std::string_view to_string(SeedsDumpError error);

// The header line, without a line break.
std::string_view seeds_dump_header();

// The entry for `record`: good per `criteria`, uptimes from the windows' reliability, the
// handshake's start height, services, version and user agent.
SeedsDumpEntry seeds_dump_entry(const NodeRecord& record, const GoodCriteria& criteria);

// One line, without a line break. The user agent is sanitized as the file comment says.
std::string format_seeds_dump_line(const SeedsDumpEntry& entry);
// The header and every line, each ending in "\n".
std::string write_seeds_dump(std::span<const SeedsDumpEntry> entries);

// Reads one line as makeseeds.py does (whitespace-separated, at least 12 fields), but strictly:
// the address must carry a port, good is 0 or 1, uptimes end in '%' and lie in 0..100,
// services are hex (an optional "0x" is accepted), the user agent is quoted (a quoted agent
// containing spaces, spread over several fields, is joined back with single spaces).
Result<SeedsDumpEntry, SeedsDumpError> parse_seeds_dump_line(std::string_view line);

struct ParsedSeedsDump {
    std::vector<SeedsDumpEntry> entries;
    std::size_t rejected_lines = 0;  // non-comment, non-blank lines that did not parse
};
// Every line; lines starting with '#' and blank lines are skipped.
ParsedSeedsDump parse_seeds_dump(std::string_view text);

// The entries marked good, with at least `min_uptime_30d` (fraction) in the 30-day window and
// every bit of `required_services`, sorted by 30-day uptime (highest first), then address.
std::vector<SeedsDumpEntry> select_good_seeds(std::span<const SeedsDumpEntry> entries,
                                              double min_uptime_30d,
                                              std::uint64_t required_services);

}  // namespace bitloom
