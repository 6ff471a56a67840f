// The crawl report: aggregates over a hand-made store, escaping of hostile text, well-formed
// HTML (xmllint), CSV and JSON exports, and a screenshot in headless Chromium to see the
// charts drawn.
#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/mmdb_test_writer.h"
#include "crawler/report.h"

namespace bitloom {
namespace {

constexpr std::int64_t T0 = 1'700'000'000;

class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("bitloom-report-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

bool command_exists(const std::string& name) {
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

bool valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = byte < 0x80 ? 1 : (byte & 0xE0) == 0xC0 ? 2 : (byte & 0xF0) == 0xE0 ? 3
                                           : (byte & 0xF8) == 0xF0   ? 4 : 0;
        if (length == 0 || i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        if (length == 2 && byte < 0xC2) return false;  // overlong
        i += length;
    }
    return true;
}

std::size_t count_of(std::string_view text, std::string_view needle) {
    std::size_t count = 0;
    for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
         pos = text.find(needle, pos + 1)) {
        ++count;
    }
    return count;
}

const std::string SCRIPT_AGENT = "/Evil:1.0/<script>alert('x')</script>";
const std::string QUOTE_AGENT = "/Quote\"s:2.0/ & 'apostrophe' =cmd|' /C calc'!A0";
const std::string NUL_AGENT = std::string("/Nul:3.0/\0\x01\x1b[31m", 16);
const std::string BAD_UTF8_AGENT = "/Bad:\xff\xfe\xc0\xaf\xed\xa0\x80:4.0/";
const std::string LONG_AGENT = "/Long:" + std::string(5000, 'A') + "/";
const std::string BIDI_AGENT = "/Bidi:\u202Egnp.exe/";

NetService v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
              std::uint16_t port = 8333) {
    return NetService{NetAddress::ipv4({a, b, c, d}), port};
}

AttemptOutcome success(std::string user_agent, std::int32_t version, std::int32_t height,
                       std::int64_t ping_ms, std::uint64_t services) {
    AttemptOutcome outcome;
    outcome.success = true;
    outcome.handshake.protocol_version = version;
    outcome.handshake.services = services;
    outcome.handshake.user_agent = std::move(user_agent);
    outcome.handshake.start_height = height;
    outcome.handshake.relay = true;
    outcome.handshake.connect_ms = 30;
    outcome.handshake.handshake_ms = 80;
    outcome.handshake.ping_ms = ping_ms;
    return outcome;
}

AttemptOutcome failure(CrawlError error) {
    AttemptOutcome outcome;
    outcome.error = error;
    return outcome;
}

constexpr std::uint64_t FULL = services::NODE_NETWORK | services::NODE_WITNESS;

// A store with 14 reachable nodes (6 hostile user agents among them), 5 failing nodes and 3
// never tried, over three crawl runs.
struct Fixture {
    TempDir dir;
    CrawlStore store = open();

    CrawlStore open() {
        auto opened = CrawlStore::open(dir.file("crawl.db"));
        if (!opened) {
            ADD_FAILURE() << opened.error().message;
            std::abort();
        }
        return std::move(*opened);
    }

    void add(const NetService& service, const AttemptOutcome& outcome, int times = 1) {
        NodeRecord record = new_node_record(service, T0);
        for (int i = 0; i < times; ++i) {
            std::int64_t when = T0 + 3600 * (i + 1);
            record_attempt(record, when, outcome);
            ASSERT_TRUE(store.upsert_node(record).has_value());
            ASSERT_TRUE(store.add_attempt(service, when, outcome).has_value());
        }
    }

    Fixture() { populate(); }

    void populate() {
        const std::int32_t best = 900'000;
        add(v4(8, 8, 8, 8), success("/Satoshi:27.0.0/", 70016, best, 12, FULL | services::NODE_P2P_V2), 3);
        add(v4(5, 9, 1, 1), success("/Satoshi:27.0.0/", 70016, best, 40, FULL), 3);
        add(v4(81, 2, 69, 142), success("/Satoshi:26.0.0/", 70016, best - 3, 90, FULL));
        add(v4(194, 25, 0, 60), success("/Satoshi:25.0.0/", 70016, best - 100, 150, FULL));
        add(v4(1, 1, 1, 1), success("/Satoshi:24.0.1/", 70015, best - 5000, 300, services::NODE_NETWORK_LIMITED | services::NODE_WITNESS));
        add(v4(9, 9, 9, 9), success("/btcd:0.24.0/", 70016, best, 700, FULL | services::NODE_BLOOM));
        add(v4(4, 4, 4, 4), success("/Satoshi:27.0.0/", 70016, best + 1, 2000, FULL));
        add(NetService{*NetAddress::parse("2001:4860:4860::8888"), 8333},
            success("/Satoshi:27.0.0/", 70016, best, 55, FULL));
        add(v4(11, 0, 0, 1), success(SCRIPT_AGENT, 70016, best, 20, FULL | (1ull << 27)));
        add(v4(11, 0, 0, 2), success(QUOTE_AGENT, 70016, best, 20, FULL));
        add(v4(11, 0, 0, 3), success(NUL_AGENT, 70016, best, 20, FULL));
        add(v4(11, 0, 0, 4), success(BAD_UTF8_AGENT, 70016, best, 20, FULL));
        add(v4(11, 0, 0, 5), success(LONG_AGENT, 70016, best, 20, FULL));
        add(v4(11, 0, 0, 6), success(BIDI_AGENT, 70016, best, 20, FULL));

        add(v4(12, 0, 0, 1), failure(CrawlError::timeout));
        add(v4(12, 0, 0, 2), failure(CrawlError::timeout));
        add(v4(12, 0, 0, 3), failure(CrawlError::refused));
        add(v4(12, 0, 0, 4), failure(CrawlError::wrong_network));
        add(v4(12, 0, 0, 5), failure(CrawlError::protocol_error));
        for (std::uint8_t i = 1; i <= 3; ++i) {
            ASSERT_TRUE(store.upsert_node(new_node_record(v4(13, 0, 0, i), T0)).has_value());
        }
        std::uint64_t reachable[] = {9, 12, 14};
        for (int run = 0; run < 3; ++run) {
            auto id = store.begin_run(T0 + 3600 * run);
            ASSERT_TRUE(id.has_value());
            CrawlRun totals{*id, T0 + 3600 * run, T0 + 3600 * run + 600, 22, reachable[run], 3};
            ASSERT_TRUE(store.finish_run(totals).has_value());
        }
    }
};

ReportOptions options_at_best() {
    ReportOptions options;
    options.now = T0 + 86400;
    options.best_height = 900'000;
    return options;
}

// ---- Text helpers ----

TEST(ReportText, printable_text_replaces_controls_and_invalid_utf8) {
    EXPECT_EQ(printable_text(std::string("a\0b", 3), 100), "a\uFFFDb");
    EXPECT_EQ(printable_text("x\ny\x7f", 100), "x\uFFFDy\uFFFD");
    EXPECT_EQ(printable_text("\xff", 100), "\uFFFD");
    EXPECT_EQ(printable_text("\xc0\xaf", 100), "\uFFFD\uFFFD");          // overlong '/'
    EXPECT_EQ(printable_text("\xed\xa0\x80", 100), "\uFFFD\uFFFD\uFFFD");  // a surrogate
    EXPECT_EQ(printable_text("\xe2\x82", 100), "\uFFFD\uFFFD");          // truncated
    EXPECT_EQ(printable_text("caf\u00e9 \u20ac \U0001F600", 100), "caf\u00e9 \u20ac \U0001F600");
    EXPECT_EQ(printable_text("a\u202Eb", 100), "a\uFFFDb");  // right-to-left override
    EXPECT_TRUE(valid_utf8(printable_text(BAD_UTF8_AGENT, 100)));
}

TEST(ReportText, printable_text_caps_length_in_code_points) {
    EXPECT_EQ(printable_text("abcdef", 3), "abc...");
    EXPECT_EQ(printable_text("abc", 3), "abc");
    EXPECT_EQ(printable_text("\u00e9\u00e9\u00e9\u00e9", 2), "\u00e9\u00e9...");
    EXPECT_EQ(printable_text(LONG_AGENT, 120).size(), 123u);
}

TEST(ReportText, html_escape_escapes_markup_characters) {
    EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"),
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(html_escape("plain"), "plain");
}

TEST(ReportText, csv_field_quotes_only_when_needed) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\r\nlines"), "\"two\r\nlines\"");
}

TEST(ReportText, json_string_escapes_quotes_backslashes_and_controls) {
    EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_string(std::string("\n\t\x01\0", 4)), "\"\\n\\t\\u0001\\u0000\"");
    EXPECT_EQ(json_string("</script>"), "\"</script>\"");
}

TEST(ReportText, report_formats_parse_by_name) {
    EXPECT_EQ(parse_report_format("html"), ReportFormat::html);
    EXPECT_EQ(parse_report_format("csv"), ReportFormat::csv);
    EXPECT_EQ(parse_report_format("json"), ReportFormat::json);
    EXPECT_FALSE(parse_report_format("xml").has_value());
    EXPECT_EQ(aggregates_csv_path("/tmp/out/report.csv"), "/tmp/out/report-aggregates.csv");
}

// ---- HTML ----

// Runs xmllint on `path` in XML mode: the page is written as well-formed XML (XHTML syntax),
// which a strict XML parser checks more thoroughly than an HTML parser would.
void expect_well_formed(const std::string& path) {
    ASSERT_TRUE(command_exists("xmllint")) << "install libxml2-utils (scripts/install-deps.sh)";
    std::string log = path + ".xmllint";
    int status = std::system(("xmllint --noout '" + path + "' >'" + log + "' 2>&1").c_str());
    EXPECT_EQ(status, 0) << read_file(log);
}

TEST(ReportHtml, page_is_well_formed_and_has_every_section) {
    Fixture fixture;
    auto html = render_html_report(fixture.store, options_at_best());
    ASSERT_TRUE(html.has_value()) << html.error();
    std::string path = fixture.dir.file("report.html");
    std::ofstream(path, std::ios::binary) << *html;
    expect_well_formed(path);
    for (std::string_view id : {"summary", "reachable-over-time", "networks", "user-agents",
                                "protocol-versions", "services", "start-heights", "ping",
                                "countries", "asns", "errors"}) {
        EXPECT_NE(html->find("<section id=\"" + std::string(id) + "\">"), std::string::npos) << id;
    }
    EXPECT_GE(count_of(*html, "<svg "), 8u);
    EXPECT_NE(html->find("<polyline "), std::string::npos);  // the line chart
    EXPECT_NE(html->find("No geolocation database was given."), std::string::npos);
}

TEST(ReportHtml, page_is_self_contained) {
    Fixture fixture;
    auto html = render_html_report(fixture.store, options_at_best());
    ASSERT_TRUE(html.has_value()) << html.error();
    EXPECT_EQ(html->find("<script"), std::string::npos);
    EXPECT_EQ(html->find("<link"), std::string::npos);
    EXPECT_EQ(html->find("<img"), std::string::npos);
    EXPECT_EQ(html->find("src="), std::string::npos);
    EXPECT_EQ(html->find("href="), std::string::npos);
    EXPECT_EQ(html->find("url("), std::string::npos);
    // The only URL is the SVG namespace name.
    EXPECT_EQ(count_of(*html, "http"), count_of(*html, "http://www.w3.org/2000/svg"));
}

TEST(ReportHtml, hostile_user_agents_are_escaped_and_capped) {
    Fixture fixture;
    auto html = render_html_report(fixture.store, options_at_best());
    ASSERT_TRUE(html.has_value()) << html.error();
    EXPECT_EQ(html->find("<script>"), std::string::npos);
    EXPECT_NE(html->find("/Evil:1.0/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
              std::string::npos);
    EXPECT_NE(html->find("/Quote&quot;s:2.0/ &amp; &#39;apostrophe&#39;"), std::string::npos);
    EXPECT_EQ(html->find('\0'), std::string::npos);
    EXPECT_EQ(html->find('\x1b'), std::string::npos);
    EXPECT_NE(html->find("/Nul:3.0/\uFFFD\uFFFD\uFFFD[31m"), std::string::npos);
    EXPECT_EQ(html->find("\u202E"), std::string::npos);
    EXPECT_TRUE(valid_utf8(*html));
    EXPECT_EQ(html->find(std::string(121, 'A')), std::string::npos);  // capped at 120 chars
    EXPECT_NE(html->find("/Long:" + std::string(114, 'A') + "..."), std::string::npos);
}

TEST(ReportHtml, counts_match_the_store) {
    Fixture fixture;
    auto html = render_html_report(fixture.store, options_at_best());
    ASSERT_TRUE(html.has_value()) << html.error();
    EXPECT_NE(html->find("<tr><th>Known nodes</th><td class=\"n\">22</td></tr>"), std::string::npos);
    EXPECT_NE(html->find("<tr><th>Tried nodes</th><td class=\"n\">19</td></tr>"), std::string::npos);
    EXPECT_NE(html->find("<tr><th>Reachable nodes</th><td class=\"n\">14</td></tr>"),
              std::string::npos);
    EXPECT_NE(html->find("<tr><td>timeout</td><td class=\"n\">2</td>"), std::string::npos);
    EXPECT_NE(html->find("<tr><td>/Satoshi:27.0.0/</td><td class=\"n\">4</td>"), std::string::npos);
    EXPECT_NE(html->find("<tr><td>ipv6</td><td class=\"n\">1</td><td class=\"n\">1</td></tr>"),
              std::string::npos);
    EXPECT_NE(html->find("<tr><td>NODE_P2P_V2</td><td class=\"n\">1</td>"), std::string::npos);
    EXPECT_NE(html->find("<tr><td>bit 27</td><td class=\"n\">1</td>"), std::string::npos);
    EXPECT_NE(html->find("<tr><td>above best</td><td class=\"n\">1</td>"), std::string::npos);
    EXPECT_NE(html->find("<tr><td>&gt;= 1600 ms</td><td class=\"n\">1</td>"), std::string::npos);
}

TEST(ReportHtml, best_height_is_estimated_from_two_agreeing_nodes) {
    Fixture fixture;
    ReportOptions options;
    options.now = T0;
    auto html = render_html_report(fixture.store, options);
    ASSERT_TRUE(html.has_value()) << html.error();
    // One node claims 900,001; many claim 900,000.
    EXPECT_NE(html->find("900000 (estimated from the nodes)"), std::string::npos);
}

TEST(ReportHtml, countries_appear_with_the_debian_database) {
    Fixture fixture;
    auto geo = GeoLookup::open(debian_geo_options());
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    ReportOptions options = options_at_best();
    options.geo = &*geo;
    auto html = render_html_report(fixture.store, options);
    ASSERT_TRUE(html.has_value()) << html.error();
    EXPECT_EQ(html->find("No geolocation database was given."), std::string::npos);
    EXPECT_NE(html->find("<tr><td>US</td>"), std::string::npos);
    EXPECT_NE(html->find("<tr><td>DE</td>"), std::string::npos);
    EXPECT_NE(html->find("No MaxMind-format (.mmdb) ASN database was given."), std::string::npos);
}

// RFC 4180 records of `text`; nullopt when a quote is unbalanced.
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field.push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field.push_back(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            record.push_back(std::move(field));
            field.clear();
            records.push_back(std::move(record));
            record.clear();
            ++i;
        } else {
            field.push_back(c);
        }
    }
    if (quoted || !record.empty() || !field.empty()) return std::nullopt;
    return records;
}

// An ASN file in the GeoLite2-ASN layout; one organisation name is hostile markup.
std::string write_asn_database(const TempDir& dir) {
    using namespace mmdb_test;
    auto as = [](std::uint32_t number, std::string organization) {
        return map({{"autonomous_system_number", u32(number)},
                    {"autonomous_system_organization", str(std::move(organization))}});
    };
    std::string path = dir.file("asn.mmdb");
    write_mmdb(path, {{{8, 8, 8, 0}, 24, as(15169, "GOOGLE")},
                      {{5, 9, 0, 0}, 16, as(24940, "Hetzner Online GmbH")},
                      {{81, 2, 69, 0}, 24, as(3215, "Orange S.A.")},
                      {{9, 9, 9, 0}, 24, as(19281, "<img src=x onerror=alert(1)>Quad9")}});
    return path;
}

TEST(ReportHtml, autonomous_systems_and_hosting_appear_with_an_mmdb_file) {
    Fixture fixture;
    GeoOptions geo_options = debian_geo_options();
    geo_options.mmdb_files = {write_asn_database(fixture.dir)};
    auto geo = GeoLookup::open(geo_options);
    ASSERT_TRUE(geo.has_value()) << geo.error().message;
    ReportOptions options = options_at_best();
    options.geo = &*geo;
    std::string path = fixture.dir.file("asn.html");
    ASSERT_TRUE(write_report(fixture.store, options, path).has_value());
    expect_well_formed(path);
    std::string html = read_file(path);
    EXPECT_NE(html.find("<tr><td>AS15169 GOOGLE</td><td class=\"n\">1</td>"), std::string::npos);
    EXPECT_NE(html.find("<tr><td>AS24940 Hetzner Online GmbH</td>"), std::string::npos);
    EXPECT_NE(html.find("<tr><td>hosting provider</td><td class=\"n\">2</td>"), std::string::npos);
    EXPECT_NE(html.find("<tr><td>other AS</td><td class=\"n\">2</td>"), std::string::npos);
    EXPECT_NE(html.find("<tr><td>Hetzner</td><td class=\"n\">1</td>"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_NE(html.find("AS19281 &lt;img src=x onerror=alert(1)&gt;Quad9"), std::string::npos);

    options.format = ReportFormat::csv;
    auto csv = render_csv(fixture.store, options);
    ASSERT_TRUE(csv.has_value()) << csv.error();
    auto records = parse_csv(*csv);
    ASSERT_TRUE(records.has_value());
    const auto& google = (*records)[1];  // 8.8.8.8, the first node stored
    EXPECT_EQ(google[3], "US");
    EXPECT_EQ(google[5], "15169");
    EXPECT_EQ(google[6], "GOOGLE");
    EXPECT_EQ(google[7], "1");
}

TEST(ReportHtml, an_empty_store_renders_a_well_formed_page) {
    TempDir dir;
    auto store = CrawlStore::open(dir.file("empty.db"));
    ASSERT_TRUE(store.has_value());
    std::string path = dir.file("empty.html");
    ReportOptions options;
    options.title = "<b>Empty</b> & \"bare\"";
    ASSERT_TRUE(write_report(*store, options, path).has_value());
    expect_well_formed(path);
    std::string html = read_file(path);
    EXPECT_NE(html.find("No crawl runs recorded."), std::string::npos);
    EXPECT_NE(html.find("<title>&lt;b&gt;Empty&lt;/b&gt; &amp; &quot;bare&quot;</title>"),
              std::string::npos);
}

// ---- CSV ----

TEST(ReportCsv, node_table_has_one_row_per_node_with_every_column) {
    Fixture fixture;
    auto csv = render_csv(fixture.store, options_at_best());
    ASSERT_TRUE(csv.has_value()) << csv.error();
    auto records = parse_csv(*csv);
    ASSERT_TRUE(records.has_value());
    ASSERT_EQ(records->size(), 1u + 22u);
    const auto& header = records->front();
    ASSERT_EQ(header.size(), 36u);
    EXPECT_EQ(header[0], "address");
    EXPECT_EQ(header[20], "user_agent");
    for (const auto& record : *records) EXPECT_EQ(record.size(), header.size());
    EXPECT_EQ((*records)[1][0], "8.8.8.8");
    EXPECT_EQ((*records)[1][19], "0000000000000809");  // NODE_NETWORK | WITNESS | P2P_V2
    EXPECT_EQ((*records)[1][16], "1");                 // reachable
    EXPECT_TRUE(valid_utf8(*csv));
    EXPECT_EQ(csv->find('\0'), std::string::npos);
}

TEST(ReportCsv, hostile_text_stays_inside_its_cell) {
    Fixture fixture;
    auto csv = render_csv(fixture.store, options_at_best());
    ASSERT_TRUE(csv.has_value()) << csv.error();
    auto records = parse_csv(*csv);
    ASSERT_TRUE(records.has_value());
    std::vector<std::string> agents;
    for (std::size_t i = 1; i < records->size(); ++i) agents.push_back((*records)[i][20]);
    EXPECT_NE(std::ranges::find(agents, SCRIPT_AGENT), agents.end());
    EXPECT_NE(std::ranges::find(agents, QUOTE_AGENT), agents.end());
    EXPECT_NE(std::ranges::find(agents, "/Nul:3.0/\uFFFD\uFFFD\uFFFD[31m"), agents.end());
}

TEST(ReportCsv, a_cell_that_looks_like_a_formula_is_defused) {
    TempDir dir;
    auto store = CrawlStore::open(dir.file("f.db"));
    ASSERT_TRUE(store.has_value());
    NodeRecord record = new_node_record(v4(8, 8, 4, 4), T0);
    record_attempt(record, T0 + 10, success("=HYPERLINK(\"http://x\",\"y\")", 70016, 1, 1, FULL));
    ASSERT_TRUE(store->upsert_node(record).has_value());
    auto csv = render_csv(*store, options_at_best());
    ASSERT_TRUE(csv.has_value()) << csv.error();
    auto records = parse_csv(*csv);
    ASSERT_TRUE(records.has_value());
    ASSERT_EQ(records->size(), 2u);
    EXPECT_EQ((*records)[1][20], "'=HYPERLINK(\"http://x\",\"y\")");
}

TEST(ReportCsv, aggregates_list_every_table) {
    Fixture fixture;
    auto csv = render_csv_aggregates(fixture.store, options_at_best());
    ASSERT_TRUE(csv.has_value()) << csv.error();
    auto records = parse_csv(*csv);
    ASSERT_TRUE(records.has_value());
    ASSERT_GT(records->size(), 20u);
    EXPECT_EQ(records->front(), (std::vector<std::string>{"table", "key", "value"}));
    std::set<std::string> tables;
    for (const auto& record : *records) {
        ASSERT_EQ(record.size(), 3u);
        tables.insert(record[0]);
    }
    for (std::string table : {"summary", "reachable_over_time", "networks_known",
                              "networks_reachable", "user_agents", "protocol_versions",
                              "services", "heights", "ping", "errors"}) {
        EXPECT_TRUE(tables.contains(table)) << table;
    }
    EXPECT_NE(csv->find("summary,reachable,14\r\n"), std::string::npos);
    EXPECT_NE(csv->find("reachable_over_time," + std::to_string(T0 + 7200) + ",14\r\n"),
              std::string::npos);
    EXPECT_NE(csv->find("errors,timeout,2\r\n"), std::string::npos);
}

// ---- JSON ----

// A strict RFC 8259 syntax check.
class JsonChecker {
public:
    explicit JsonChecker(std::string_view text) : text_(text) {}
    bool document() {
        skip();
        if (!value()) return false;
        skip();
        return pos_ == text_.size();
    }

private:
    void skip() {
        while (pos_ < text_.size() && std::string_view(" \t\r\n").find(text_[pos_]) !=
                                          std::string_view::npos) {
            ++pos_;
        }
    }
    bool eat(char c) {
        skip();
        if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
        return false;
    }
    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }
    bool string() {
        if (!eat('"')) return false;
        while (pos_ < text_.size()) {
            auto c = static_cast<unsigned char>(text_[pos_++]);
            if (c == '"') return true;
            if (c < 0x20) return false;
            if (c == '\\') {
                if (pos_ >= text_.size()) return false;
                char e = text_[pos_++];
                if (e == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        if (pos_ >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_++]))) return false;
                    }
                } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
                    return false;
                }
            }
        }
        return false;
    }
    bool number() {
        std::size_t start = pos_;
        if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
        while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                       text_[pos_] == '.' || text_[pos_] == 'e' ||
                                       text_[pos_] == 'E' || text_[pos_] == '+')) {
            ++pos_;
        }
        return pos_ > start && std::isdigit(static_cast<unsigned char>(text_[pos_ - 1]));
    }
    bool value() {
        skip();
        if (pos_ >= text_.size()) return false;
        char c = text_[pos_];
        if (c == '{') {
            ++pos_;
            if (eat('}')) return true;
            do {
                if (!string() || !eat(':') || !value()) return false;
            } while (eat(','));
            return eat('}');
        }
        if (c == '[') {
            ++pos_;
            if (eat(']')) return true;
            do {
                if (!value()) return false;
            } while (eat(','));
            return eat(']');
        }
        if (c == '"') return string();
        if (c == 't') return literal("true");
        if (c == 'f') return literal("false");
        if (c == 'n') return literal("null");
        return number();
    }
    std::string_view text_;
    std::size_t pos_ = 0;
};

TEST(ReportJson, document_is_valid_json_with_nodes_and_aggregates) {
    Fixture fixture;
    auto json = render_json(fixture.store, options_at_best());
    ASSERT_TRUE(json.has_value()) << json.error();
    EXPECT_TRUE(JsonChecker(*json).document()) << json->substr(0, 2000);
    EXPECT_FALSE(JsonChecker("{\"a\": \"x\ny\"}").document());  // the checker can fail
    EXPECT_TRUE(valid_utf8(*json));
    EXPECT_NE(json->find("\"summary\": {\"known\": 22, \"tried\": 19, \"reachable\": 14, \"good\": "),
              std::string::npos);
    EXPECT_NE(json->find("\"user_agent\": \"/Evil:1.0/<script>alert('x')</script>\""),
              std::string::npos);
    EXPECT_NE(json->find("\"user_agent\": \"/Quote\\\"s:2.0/"), std::string::npos);
    EXPECT_EQ(count_of(*json, "\"address\": "), 22u);
    EXPECT_NE(json->find("[\"timeout\", 2]"), std::string::npos);
}

// ---- Files ----

TEST(ReportFiles, write_report_writes_each_format) {
    Fixture fixture;
    ReportOptions options = options_at_best();
    std::string html = fixture.dir.file("out.html");
    ASSERT_TRUE(write_report(fixture.store, options, html).has_value());
    EXPECT_NE(read_file(html).find("<!DOCTYPE html>"), std::string::npos);

    options.format = ReportFormat::csv;
    std::string csv = fixture.dir.file("out.csv");
    ASSERT_TRUE(write_report(fixture.store, options, csv).has_value());
    EXPECT_EQ(read_file(csv).rfind("address,network,port,", 0), 0u);
    EXPECT_EQ(read_file(fixture.dir.file("out-aggregates.csv")).rfind("table,key,value", 0), 0u);

    options.format = ReportFormat::json;
    std::string json = fixture.dir.file("out.json");
    ASSERT_TRUE(write_report(fixture.store, options, json).has_value());
    EXPECT_TRUE(JsonChecker(read_file(json)).document());
    EXPECT_FALSE(std::filesystem::exists(json + ".tmp"));
}

TEST(ReportFiles, write_report_names_the_file_it_cannot_write) {
    Fixture fixture;
    auto written = write_report(fixture.store, options_at_best(), "/nonexistent-dir/r.html");
    ASSERT_FALSE(written.has_value());
    EXPECT_NE(written.error().find("/nonexistent-dir/r.html"), std::string::npos);
}

// ---- Screenshot ----

struct Image {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::vector<std::uint8_t> rgb;  // 3 bytes per pixel
};

std::uint32_t be32(const std::string& data, std::size_t pos) {
    return (std::uint32_t{static_cast<std::uint8_t>(data[pos])} << 24) |
           (std::uint32_t{static_cast<std::uint8_t>(data[pos + 1])} << 16) |
           (std::uint32_t{static_cast<std::uint8_t>(data[pos + 2])} << 8) |
           std::uint32_t{static_cast<std::uint8_t>(data[pos + 3])};
}

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
std::optional<Image> decode_png(const std::string& data) {
    if (data.size() < 8 || data.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return std::nullopt;
    Image image;
    int channels = 0;
    std::string compressed;
    for (std::size_t pos = 8; pos + 12 <= data.size();) {
        std::uint32_t length = be32(data, pos);
        std::string type = data.substr(pos + 4, 4);
        if (pos + 12 + length > data.size()) return std::nullopt;
        if (type == "IHDR") {
            image.width = be32(data, pos + 8);
            image.height = be32(data, pos + 12);
            auto depth = static_cast<std::uint8_t>(data[pos + 16]);
            auto color = static_cast<std::uint8_t>(data[pos + 17]);
            auto interlace = static_cast<std::uint8_t>(data[pos + 20]);
            if (depth != 8 || interlace != 0 || (color != 2 && color != 6)) return std::nullopt;
            channels = color == 2 ? 3 : 4;
        } else if (type == "IDAT") {
            compressed += data.substr(pos + 8, length);
        }
        pos += 12 + length;
    }
    if (channels == 0 || image.width == 0 || image.height == 0) return std::nullopt;
    const std::size_t stride = std::size_t{image.width} * static_cast<std::size_t>(channels);
    std::vector<std::uint8_t> raw((stride + 1) * image.height);
    uLongf raw_size = raw.size();
    if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                   compressed.size()) != Z_OK ||
        raw_size != raw.size()) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> previous(stride, 0), current(stride);
    image.rgb.reserve(std::size_t{image.width} * image.height * 3);
    for (std::uint32_t y = 0; y < image.height; ++y) {
        const std::uint8_t* line = raw.data() + y * (stride + 1);
        const std::uint8_t filter = line[0];
        for (std::size_t i = 0; i < stride; ++i) {
            const int a = i >= static_cast<std::size_t>(channels) ? current[i - channels] : 0;
            const int b = previous[i];
            const int c = i >= static_cast<std::size_t>(channels) ? previous[i - channels] : 0;
            int predictor = 0;
            switch (filter) {
            case 0: predictor = 0; break;
            case 1: predictor = a; break;
            case 2: predictor = b; break;
            case 3: predictor = (a + b) / 2; break;
            case 4: {
                const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b),
                          pc = std::abs(p - c);
                predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                break;
            }
            default: return std::nullopt;
            }
            current[i] = static_cast<std::uint8_t>(line[1 + i] + predictor);
        }
        for (std::uint32_t x = 0; x < image.width; ++x) {
            for (int k = 0; k < 3; ++k) image.rgb.push_back(current[x * static_cast<std::size_t>(channels) + static_cast<std::size_t>(k)]);
        }
        std::swap(previous, current);
    }
    return image;
}

// Pixels within `tolerance` of the colour on every channel.
std::size_t count_colour(const Image& image, int r, int g, int b, int tolerance) {
    std::size_t count = 0;
    for (std::size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
        if (std::abs(image.rgb[i] - r) <= tolerance && std::abs(image.rgb[i + 1] - g) <= tolerance &&
            std::abs(image.rgb[i + 2] - b) <= tolerance) {
            ++count;
        }
    }
    return count;
}

// Takes a 1200x2000 screenshot of `html_path` with headless Chromium into `png_path`.
void screenshot(const TempDir& dir, const std::string& html_path, const std::string& png_path) {
    ASSERT_TRUE(command_exists("chromium")) << "install chromium (scripts/install-deps.sh)";
    std::string log = dir.file("chromium.log");
    std::string command = "timeout 180 chromium --headless --no-sandbox --disable-gpu "
                          "--disable-dev-shm-usage --hide-scrollbars --no-first-run "
                          "--user-data-dir='" + dir.file("profile") + "' --screenshot='" +
                          png_path + "' --window-size=1200,2000 'file://" + html_path + "' >'" +
                          log + "' 2>&1";
    int status = std::system(command.c_str());
    ASSERT_EQ(status, 0) << read_file(log);
    ASSERT_TRUE(std::filesystem::exists(png_path)) << read_file(log);
}

TEST(ReportScreenshot, chromium_draws_the_charts) {
    Fixture fixture;
    std::string html = fixture.dir.file("report.html");
    ASSERT_TRUE(write_report(fixture.store, options_at_best(), html).has_value());
    std::string png = fixture.dir.file("report.png");
    screenshot(fixture.dir, html, png);
    if (HasFatalFailure()) return;
    if (const char* keep = std::getenv("BITLOOM_TEST_ARTIFACTS")) {  // to look at by hand
        std::error_code ignored;
        std::filesystem::copy_file(html, std::filesystem::path(keep) / "crawl-report.html",
                                   std::filesystem::copy_options::overwrite_existing, ignored);
        std::filesystem::copy_file(png, std::filesystem::path(keep) / "crawl-report.png",
                                   std::filesystem::copy_options::overwrite_existing, ignored);
    }
    auto image = decode_png(read_file(png));
    ASSERT_TRUE(image.has_value()) << "not a PNG this test can read";
    EXPECT_EQ(image->width, 1200u);
    EXPECT_EQ(image->height, 2000u);
    const std::size_t pixels = std::size_t{image->width} * image->height;
    const std::size_t white = count_colour(*image, 255, 255, 255, 0);
    std::printf("screenshot: %zu of %zu pixels not white\n", pixels - white, pixels);
    EXPECT_GT(pixels - white, pixels / 50);  // text, tables and charts: not a blank page
    // The bars (#3b73b9) and the line over time (#d2691e) are drawn.
    const std::size_t bars = count_colour(*image, 0x3b, 0x73, 0xb9, 8);
    const std::size_t line = count_colour(*image, 0xd2, 0x69, 0x1e, 8);
    std::printf("screenshot: %zu bar pixels, %zu line pixels\n", bars, line);
    EXPECT_GT(bars, 5000u);
    EXPECT_GT(line, 300u);
}

TEST(ReportScreenshot, a_blank_page_has_no_chart_pixels) {
    // The checks above can fail: a page without charts shows none of their colours.
    TempDir dir;
    std::string html = dir.file("blank.html");
    std::ofstream(html) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>x</title>"
                           "</head><body></body></html>";
    std::string png = dir.file("blank.png");
    screenshot(dir, html, png);
    if (HasFatalFailure()) return;
    auto image = decode_png(read_file(png));
    ASSERT_TRUE(image.has_value());
    EXPECT_EQ(count_colour(*image, 0x3b, 0x73, 0xb9, 8), 0u);
    EXPECT_LT(std::size_t{image->width} * image->height - count_colour(*image, 255, 255, 255, 0),
              std::size_t{image->width} * image->height / 50);
}

}  // namespace
}  // namespace bitloom
