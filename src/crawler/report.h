// The crawl report: what a crawl database says about the network, as one self-contained HTML
// page (charts drawn inline as SVG, no scripts, no external resources: it opens offline), or
// as CSV or JSON exports of the node table and the aggregates.
//
// Aggregates (a node is reachable when its last attempt succeeded: last_success == last_try > 0;
// the handshake fields counted are those of reachable nodes):
//   summary            known, tried, reachable and good nodes (GoodCriteria), best height
//   reachable_over_time  one point per crawl run: (start_time, successes)
//   networks           known and reachable nodes per network
//   user_agents        reachable nodes per user agent (the top `top_n`, then "(other)")
//   protocol_versions  reachable nodes per protocol version
//   services           reachable nodes with each service bit set (named bits and "bit N")
//   heights            reachable nodes per distance of their start height below the best height:
//                      "at best", "1-6", "7-144", "145-1008", "1009-52560", "> 52560", "above best"
//   ping               histogram of ping round trips of reachable nodes (those with one), keys
//                      "0-25 ms" "25-50 ms" ... "800-1600 ms" ">= 1600 ms" (lower bound included)
//   countries          reachable nodes per country (top `top_n`, "(unknown)"), with a GeoLookup
//                      that has a country source
//   asns               reachable nodes per AS (top `top_n`), with a GeoLookup that has an .mmdb
//   hosting            reachable nodes in a hosting provider's AS, in another AS, in an unknown
//                      AS (with a GeoLookup that has an .mmdb file, as asns)
//   hosting_providers  reachable nodes per hosting provider (hosting_provider(asn))
//   errors             tried nodes whose last attempt failed, per CrawlError
//
// Untrusted text (user agents, organisation and city names) is made printable before use:
// invalid UTF-8, control characters (NUL included), bidirectional overrides and isolates and
// U+FEFF become U+FFFD, and text longer than `max_text_chars` code points is cut and ends in
// "...". It is then escaped for its output:
// HTML (& < > " '), CSV (RFC 4180 quoting; a text cell that begins with = + - @ gets a
// leading ' so spreadsheets do not run it as a formula), JSON (RFC 8259 string escapes).
//
// CSV, node table: one header line, then one line per node in store order; columns
//   address,network,port,country,city,asn,organization,hosting,first_seen,last_seen,last_try,
//   last_success,attempts,successes,consecutive_failures,last_error,reachable,good,
//   protocol_version,services,user_agent,start_height,relay,connect_ms,handshake_ms,ping_ms,
//   uptime_2h,uptime_8h,uptime_1d,uptime_1w,uptime_30d,adv_ipv4,adv_ipv6,adv_onion,adv_i2p,
//   adv_cjdns
// (services as 16 hex digits; times in seconds since the epoch; geo columns empty without a
// GeoLookup; booleans 0/1). Line ends are CRLF, as RFC 4180 says.
// CSV, aggregates: header "table,key,value", one line per aggregate entry, tables named as above.
// JSON: {"generated": time, "best_height": n, "summary": {...}, "aggregates": {table: [[key,
//   value], ...], "reachable_over_time": [[time, count], ...]}, "nodes": [{column: value, ...}]}
// with the node table's columns as keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/geo.h"
#include "crawler/node_stats.h"
#include "crawler/store.h"
#include "util/result.h"

namespace bitloom {

enum class ReportFormat : std::uint8_t { html, csv, json };
// "html", "csv", "json".
std::string_view to_string(ReportFormat format);
std::optional<ReportFormat> parse_report_format(std::string_view text);

struct ReportOptions {
    ReportFormat format = ReportFormat::html;
    std::string title = "Bitcoin network crawl";  // untrusted-safe: escaped like any text
    std::int64_t now = 0;                  // when the report is made (shown, and in JSON)
    // The chain tip to compare start heights with; nullopt: the highest start height that at
    // least two reachable nodes report (the highest reported by one, with a single node).
    std::optional<std::int32_t> best_height;
    GoodCriteria good;                     // what counts as a good node
    const GeoLookup* geo = nullptr;        // not owned; null: no countries or ASNs
    std::size_t top_n = 20;                // rows in the user agent, country and AS tables
    std::size_t max_text_chars = 120;      // cap on untrusted text, in code points
};

// The whole page. Fails only when the store cannot be read (the StoreFailure's message).
Result<std::string, std::string> render_html_report(CrawlStore& store, const ReportOptions& options);
// The node table as CSV.
Result<std::string, std::string> render_csv(CrawlStore& store, const ReportOptions& options);
// The aggregates as CSV (table,key,value).
Result<std::string, std::string> render_csv_aggregates(CrawlStore& store,
                                                       const ReportOptions& options);
// Everything as one JSON document.
Result<std::string, std::string> render_json(CrawlStore& store, const ReportOptions& options);

// Renders in options.format and writes `path` (replacing it through a temporary file beside
// it). For csv it writes the node table to `path` and the aggregates to the same name with
// "-aggregates" before the extension (report.csv -> report-aggregates.csv). Fails with a
// message naming the file on a store or file error.
Result<void, std::string> write_report(CrawlStore& store, const ReportOptions& options,
                                       const std::string& path);
// The aggregates file's name for `path` in csv format.
std::string aggregates_csv_path(const std::string& path);

// The text made printable and capped as described above (exposed for its tests).
std::string printable_text(std::string_view untrusted, std::size_t max_chars);
// Escapes for HTML text and attribute values: & < > " '.
std::string html_escape(std::string_view text);
// One CSV field, quoted when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view text);
// A JSON string literal, quotes included.
std::string json_string(std::string_view text);

}  // namespace bitloom
