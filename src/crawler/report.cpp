#include "crawler/report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

namespace bitloom {

namespace {

// ---- Text ----

constexpr char32_t REPLACEMENT = 0xFFFD;

// The code point at `pos` (advanced past it), or nullopt for an invalid sequence (pos advanced
// by one byte). Rejects overlong forms, surrogates and values above U+10FFFF.
std::optional<char32_t> decode_utf8(std::string_view text, std::size_t& pos) {
    auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    std::uint8_t first = byte(pos);
    if (first < 0x80) {
        ++pos;
        return first;
    }
    std::size_t length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if ((first & 0xE0) == 0xC0) {
        length = 2, value = first & 0x1F, minimum = 0x80;
    } else if ((first & 0xF0) == 0xE0) {
        length = 3, value = first & 0x0F, minimum = 0x800;
    } else if ((first & 0xF8) == 0xF0) {
        length = 4, value = first & 0x07, minimum = 0x10000;
    } else {
        ++pos;
        return std::nullopt;
    }
    if (pos + length > text.size()) {
        ++pos;
        return std::nullopt;
    }
    for (std::size_t i = 1; i < length; ++i) {
        std::uint8_t next = byte(pos + i);
        if ((next & 0xC0) != 0x80) {
            ++pos;
            return std::nullopt;
        }
        value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        ++pos;
        return std::nullopt;
    }
    pos += length;
    return value;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Control characters, and the bidirectional overrides and isolates that would let a name
// reorder the text around it.
bool is_unprintable(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

std::string format_double(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string format_time(std::int64_t time) {
    if (time <= 0) return "-";
    std::time_t t = static_cast<std::time_t>(time);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return std::to_string(time);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
    return buffer;
}

std::string hex_services(std::uint64_t services) {
    char buffer[20];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(services));
    return buffer;
}

// A cell of untrusted text in CSV: quoted as needed, and kept from being read as a formula.
std::string csv_text(std::string_view text) {
    if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) {
        return csv_field("'" + std::string(text));
    }
    return csv_field(text);
}

// ---- Aggregates ----

using Counts = std::vector<std::pair<std::string, std::uint64_t>>;

struct NodeRow {
    const NodeRecord* record = nullptr;
    GeoInfo geo;
    bool reachable = false;
    bool good = false;
};

struct Table {
    std::string name;   // stable key in CSV and JSON
    Counts rows;
};

struct Aggregates {
    std::uint64_t known = 0;
    std::uint64_t tried = 0;
    std::uint64_t reachable = 0;
    std::uint64_t good = 0;
    std::int32_t best_height = 0;
    bool has_geo = false;
    bool has_asn = false;
    std::vector<std::pair<std::int64_t, std::uint64_t>> over_time;
    Table networks_known{"networks_known", {}};
    Table networks_reachable{"networks_reachable", {}};
    Table user_agents{"user_agents", {}};
    Table protocol_versions{"protocol_versions", {}};
    Table services{"services", {}};
    Table heights{"heights", {}};
    Table ping{"ping", {}};
    Table countries{"countries", {}};
    Table asns{"asns", {}};
    Table hosting{"hosting", {}};
    Table hosting_providers{"hosting_providers", {}};
    Table errors{"errors", {}};

    std::vector<const Table*> tables() const {
        std::vector<const Table*> all = {&networks_known, &networks_reachable, &user_agents,
                                         &protocol_versions, &services, &heights, &ping};
        if (has_geo) all.push_back(&countries);
        if (has_asn) {
            all.push_back(&asns);
            all.push_back(&hosting);
            all.push_back(&hosting_providers);
        }
        all.push_back(&errors);
        return all;
    }
};

struct ReportData {
    std::vector<NodeRecord> nodes;
    std::vector<NodeRow> rows;
    Aggregates aggregates;
};

// The `top_n` largest counts (ties by key), then the rest summed as "(other)".
Counts top_counts(const std::map<std::string, std::uint64_t>& counts, std::size_t top_n) {
    Counts sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() > top_n) {
        std::uint64_t rest = 0;
        for (std::size_t i = top_n; i < sorted.size(); ++i) rest += sorted[i].second;
        sorted.resize(top_n);
        sorted.emplace_back("(other)", rest);
    }
    return sorted;
}

struct NamedBit {
    int bit;
    std::string_view name;
};
constexpr std::array<NamedBit, 6> NAMED_SERVICE_BITS = {{
    {0, "NODE_NETWORK"},
    {2, "NODE_BLOOM"},
    {3, "NODE_WITNESS"},
    {6, "NODE_COMPACT_FILTERS"},
    {10, "NODE_NETWORK_LIMITED"},
    {11, "NODE_P2P_V2"},
}};

constexpr std::array<std::string_view, 7> HEIGHT_BUCKETS = {
    "at best", "1-6", "7-144", "145-1008", "1009-52560", "> 52560", "above best"};
std::size_t height_bucket(std::int64_t behind) {
    if (behind < 0) return 6;
    if (behind == 0) return 0;
    if (behind <= 6) return 1;
    if (behind <= 144) return 2;
    if (behind <= 1008) return 3;
    if (behind <= 52560) return 4;
    return 5;
}

constexpr std::array<std::int64_t, 8> PING_EDGES = {0, 25, 50, 100, 200, 400, 800, 1600};
std::string ping_bucket_name(std::size_t i) {
    if (i + 1 == PING_EDGES.size()) return ">= " + std::to_string(PING_EDGES[i]) + " ms";
    return std::to_string(PING_EDGES[i]) + "-" + std::to_string(PING_EDGES[i + 1]) + " ms";
}

std::int32_t estimate_best_height(const std::vector<NodeRow>& rows) {
    std::map<std::int32_t, int> reported;
    for (const NodeRow& row : rows) {
        if (row.reachable) ++reported[row.record->handshake.start_height];
    }
    if (reported.empty()) return 0;
    for (auto it = reported.rbegin(); it != reported.rend(); ++it) {
        if (it->second >= 2) return it->first;
    }
    return reported.rbegin()->first;
}

Result<ReportData, std::string> collect(CrawlStore& store, const ReportOptions& options) {
    ReportData data;
    auto nodes = store.load_nodes();
    if (!nodes) return fail("cannot read nodes: " + nodes.error().message);
    auto runs = store.load_runs();
    if (!runs) return fail("cannot read runs: " + runs.error().message);
    data.nodes = std::move(*nodes);

    const std::size_t cap = options.max_text_chars;
    Aggregates& agg = data.aggregates;
    agg.has_geo = options.geo != nullptr && options.geo->has_country_database();
    agg.has_asn = options.geo != nullptr && options.geo->has_mmdb();
    data.rows.reserve(data.nodes.size());
    for (const NodeRecord& record : data.nodes) {
        NodeRow row;
        row.record = &record;
        row.reachable = record.last_try > 0 && record.last_success == record.last_try;
        row.good = is_good(record, options.good);
        if (options.geo != nullptr) row.geo = options.geo->lookup(record.service.address);
        data.rows.push_back(std::move(row));
    }
    agg.best_height = options.best_height ? *options.best_height : estimate_best_height(data.rows);

    for (const CrawlRun& run : *runs) agg.over_time.emplace_back(run.start_time, run.successes);
    std::sort(agg.over_time.begin(), agg.over_time.end());

    std::array<std::uint64_t, NETWORK_COUNT> known_by_network{};
    std::array<std::uint64_t, NETWORK_COUNT> reachable_by_network{};
    std::map<std::string, std::uint64_t> user_agents, countries, asns, providers;
    std::map<std::int32_t, std::uint64_t> versions;
    std::array<std::uint64_t, 64> service_bits{};
    std::array<std::uint64_t, HEIGHT_BUCKETS.size()> heights{};
    std::array<std::uint64_t, PING_EDGES.size()> pings{};
    std::uint64_t hosting = 0, not_hosting = 0, unknown_as = 0;
    std::map<CrawlError, std::uint64_t> errors;

    for (const NodeRow& row : data.rows) {
        const NodeRecord& record = *row.record;
        ++agg.known;
        std::size_t net = network_index(record.network());
        ++known_by_network[net];
        if (record.last_try > 0) ++agg.tried;
        if (row.good) ++agg.good;
        if (!row.reachable) {
            if (record.last_try > 0) ++errors[record.last_error];
            continue;
        }
        ++agg.reachable;
        ++reachable_by_network[net];
        const HandshakeInfo& hs = record.handshake;
        ++user_agents[printable_text(hs.user_agent, cap)];
        ++versions[hs.protocol_version];
        for (int bit = 0; bit < 64; ++bit) {
            if ((hs.services >> bit) & 1) ++service_bits[static_cast<std::size_t>(bit)];
        }
        ++heights[height_bucket(std::int64_t{agg.best_height} - hs.start_height)];
        if (hs.ping_ms >= 0) {
            std::size_t bucket = PING_EDGES.size() - 1;
            while (bucket > 0 && hs.ping_ms < PING_EDGES[bucket]) --bucket;
            ++pings[bucket];
        }
        if (agg.has_geo) {
            ++countries[row.geo.country.empty() ? "(unknown)" : printable_text(row.geo.country, 8)];
        }
        if (agg.has_asn) {
            if (row.geo.asn == 0) {
                ++asns["(unknown)"];
                ++unknown_as;
            } else {
                std::string key = "AS" + std::to_string(row.geo.asn);
                if (!row.geo.organization.empty()) {
                    key += " " + printable_text(row.geo.organization, cap);
                }
                ++asns[key];
                ++(row.geo.hosting ? hosting : not_hosting);
                if (auto provider = hosting_provider(row.geo.asn)) ++providers[std::string(*provider)];
            }
        }
    }

    for (Network network : {Network::ipv4, Network::ipv6, Network::onion, Network::i2p,
                            Network::cjdns}) {
        std::size_t i = network_index(network);
        std::string name(to_string(network));
        agg.networks_known.rows.emplace_back(name, known_by_network[i]);
        agg.networks_reachable.rows.emplace_back(name, reachable_by_network[i]);
    }
    agg.user_agents.rows = top_counts(user_agents, options.top_n);
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        agg.protocol_versions.rows.emplace_back(std::to_string(it->first), it->second);
    }
    for (int bit = 0; bit < 64; ++bit) {
        auto named = std::ranges::find(NAMED_SERVICE_BITS, bit, &NamedBit::bit);
        std::uint64_t count = service_bits[static_cast<std::size_t>(bit)];
        if (named != NAMED_SERVICE_BITS.end()) {
            agg.services.rows.emplace_back(std::string(named->name), count);
        } else if (count > 0) {
            agg.services.rows.emplace_back("bit " + std::to_string(bit), count);
        }
    }
    for (std::size_t i = 0; i < HEIGHT_BUCKETS.size(); ++i) {
        agg.heights.rows.emplace_back(std::string(HEIGHT_BUCKETS[i]), heights[i]);
    }
    for (std::size_t i = 0; i < PING_EDGES.size(); ++i) {
        agg.ping.rows.emplace_back(ping_bucket_name(i), pings[i]);
    }
    agg.countries.rows = top_counts(countries, options.top_n);
    agg.asns.rows = top_counts(asns, options.top_n);
    agg.hosting.rows = {{"hosting provider", hosting},
                        {"other AS", not_hosting},
                        {"unknown AS", unknown_as}};
    agg.hosting_providers.rows = top_counts(providers, options.top_n);
    for (auto [error, count] : errors) {
        agg.errors.rows.emplace_back(std::string(to_string(error)), count);
    }
    return data;
}

// ---- SVG charts ----

constexpr int CHART_WIDTH = 800;

// 1, 2 or 5 times a power of ten, at least `value` (and at least 1).
std::uint64_t nice_ceiling(std::uint64_t value) {
    std::uint64_t step = 1;
    while (true) {
        for (std::uint64_t m : {1u, 2u, 5u}) {
            if (step * m >= value) return step * m;
        }
        step *= 10;
    }
}

std::string num(double value) { return format_double(value, 1); }

std::string svg_open(int height, std::string_view label) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" +
           std::to_string(CHART_WIDTH) + "\" height=\"" + std::to_string(height) +
           "\" viewBox=\"0 0 " + std::to_string(CHART_WIDTH) + " " + std::to_string(height) +
           "\" role=\"img\" aria-label=\"" + html_escape(label) + "\">\n";
}

std::string svg_text(double x, double y, std::string_view text, std::string_view anchor,
                     std::string_view css_class = "label") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" +
           std::string(anchor) + "\" class=\"" + std::string(css_class) + "\">" +
           html_escape(text) + "</text>\n";
}

std::string svg_empty(std::string_view label, std::string_view message) {
    return svg_open(40, label) + svg_text(10, 25, message, "start") + "</svg>\n";
}

// Horizontal bars, one row per entry; labels at the left (cut to fit), values at the bar end.
std::string bar_chart(std::string_view label, const Counts& rows) {
    std::uint64_t total = 0, max = 0;
    for (const auto& [key, value] : rows) total += value, max = std::max(max, value);
    if (rows.empty() || total == 0) return svg_empty(label, "No data.");
    constexpr int ROW = 22, TOP = 10, LABEL_WIDTH = 300, VALUE_ROOM = 70;
    const int height = TOP * 2 + ROW * static_cast<int>(rows.size());
    const double scale = static_cast<double>(CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM) /
                         static_cast<double>(nice_ceiling(max));
    std::string svg = svg_open(height, label);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& [key, value] = rows[i];
        const double y = TOP + ROW * static_cast<double>(i);
        const double width = std::max(1.0, scale * static_cast<double>(value));
        svg += "<g><title>" + html_escape(key) + ": " + std::to_string(value) + "</title>\n";
        svg += svg_text(LABEL_WIDTH - 8, y + 15, printable_text(key, 36), "end");
        svg += "<rect x=\"" + std::to_string(LABEL_WIDTH) + "\" y=\"" + num(y + 3) +
               "\" width=\"" + num(value == 0 ? 0 : width) + "\" height=\"" +
               std::to_string(ROW - 6) + "\" class=\"bar\"/>\n";
        svg += svg_text(LABEL_WIDTH + (value == 0 ? 0 : width) + 6, y + 15,
                        std::to_string(value), "start", "value");
        svg += "</g>\n";
    }
    svg += "<line x1=\"" + std::to_string(LABEL_WIDTH) + "\" y1=\"" + std::to_string(TOP) +
           "\" x2=\"" + std::to_string(LABEL_WIDTH) + "\" y2=\"" +
           std::to_string(height - TOP) + "\" class=\"axis\"/>\n";
    svg += "</svg>\n";
    return svg;
}

// Vertical bars over ordered buckets, with a value axis.
std::string histogram(std::string_view label, const Counts& buckets) {
    std::uint64_t total = 0, max = 0;
    for (const auto& [key, value] : buckets) total += value, max = std::max(max, value);
    if (buckets.empty() || total == 0) return svg_empty(label, "No data.");
    constexpr int HEIGHT = 280, LEFT = 60, RIGHT = 20, TOP = 20, BOTTOM = 50;
    const double plot_width = CHART_WIDTH - LEFT - RIGHT;
    const double plot_height = HEIGHT - TOP - BOTTOM;
    const std::uint64_t top = nice_ceiling(max);
    const double slot = plot_width / static_cast<double>(buckets.size());
    std::string svg = svg_open(HEIGHT, label);
    for (int tick = 0; tick <= 4; ++tick) {
        const double value = static_cast<double>(top) * tick / 4.0;
        const double y = TOP + plot_height - plot_height * tick / 4.0;
        svg += "<line x1=\"" + std::to_string(LEFT) + "\" y1=\"" + num(y) + "\" x2=\"" +
               num(LEFT + plot_width) + "\" y2=\"" + num(y) + "\" class=\"grid\"/>\n";
        svg += svg_text(LEFT - 6, y + 4, format_double(value, value == std::floor(value) ? 0 : 1),
                        "end", "value");
    }
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const auto& [key, value] = buckets[i];
        const double height = plot_height * static_cast<double>(value) / static_cast<double>(top);
        const double x = LEFT + slot * static_cast<double>(i);
        svg += "<g><title>" + html_escape(key) + ": " + std::to_string(value) + "</title>\n";
        svg += "<rect x=\"" + num(x + slot * 0.1) + "\" y=\"" + num(TOP + plot_height - height) +
               "\" width=\"" + num(slot * 0.8) + "\" height=\"" + num(height) +
               "\" class=\"bar\"/>\n";
        svg += svg_text(x + slot / 2, TOP + plot_height + 18, printable_text(key, 14), "middle");
        svg += "</g>\n";
    }
    svg += "<line x1=\"" + std::to_string(LEFT) + "\" y1=\"" + num(TOP + plot_height) +
           "\" x2=\"" + num(LEFT + plot_width) + "\" y2=\"" + num(TOP + plot_height) +
           "\" class=\"axis\"/>\n";
    svg += "</svg>\n";
    return svg;
}

// A line over time with a dot per point; time on the horizontal axis.
std::string line_chart(std::string_view label,
                       const std::vector<std::pair<std::int64_t, std::uint64_t>>& points) {
    if (points.empty()) return svg_empty(label, "No crawl runs recorded.");
    constexpr int HEIGHT = 300, LEFT = 60, RIGHT = 30, TOP = 20, BOTTOM = 50;
    const double plot_width = CHART_WIDTH - LEFT - RIGHT;
    const double plot_height = HEIGHT - TOP - BOTTOM;
    std::uint64_t max = 0;
    for (const auto& point : points) max = std::max(max, point.second);
    const std::uint64_t top = nice_ceiling(max);
    const std::int64_t t0 = points.front().first, t1 = points.back().first;
    auto x_of = [&](std::int64_t t) {
        if (t1 == t0) return LEFT + plot_width / 2;
        return LEFT + plot_width * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
    };
    auto y_of = [&](std::uint64_t v) {
        return TOP + plot_height - plot_height * static_cast<double>(v) / static_cast<double>(top);
    };
    std::string svg = svg_open(HEIGHT, label);
    for (int tick = 0; tick <= 4; ++tick) {
        const double value = static_cast<double>(top) * tick / 4.0;
        const double y = TOP + plot_height - plot_height * tick / 4.0;
        svg += "<line x1=\"" + std::to_string(LEFT) + "\" y1=\"" + num(y) + "\" x2=\"" +
               num(LEFT + plot_width) + "\" y2=\"" + num(y) + "\" class=\"grid\"/>\n";
        svg += svg_text(LEFT - 6, y + 4, format_double(value, value == std::floor(value) ? 0 : 1),
                        "end", "value");
    }
    svg += "<line x1=\"" + std::to_string(LEFT) + "\" y1=\"" + num(TOP + plot_height) +
           "\" x2=\"" + num(LEFT + plot_width) + "\" y2=\"" + num(TOP + plot_height) +
           "\" class=\"axis\"/>\n";
    svg += svg_text(x_of(t0), TOP + plot_height + 20, format_time(t0), t1 == t0 ? "middle" : "start");
    if (t1 != t0) {
        svg += svg_text(x_of(t1), TOP + plot_height + 20, format_time(t1), "end");
        if (points.size() > 2) {
            const std::int64_t mid = t0 + (t1 - t0) / 2;
            svg += svg_text(x_of(mid), TOP + plot_height + 20, format_time(mid), "middle");
        }
    }
    std::string path;
    for (const auto& [t, v] : points) {
        path += (path.empty() ? "" : " ") + num(x_of(t)) + "," + num(y_of(v));
    }
    svg += "<polyline points=\"" + path + "\" class=\"line\"/>\n";
    for (const auto& [t, v] : points) {
        svg += "<circle cx=\"" + num(x_of(t)) + "\" cy=\"" + num(y_of(v)) +
               "\" r=\"3\" class=\"dot\"><title>" + html_escape(format_time(t)) + ": " +
               std::to_string(v) + "</title></circle>\n";
    }
    svg += "</svg>\n";
    return svg;
}

// ---- HTML ----

constexpr std::string_view STYLE = R"(
body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; max-width: 900px; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: left; overflow-wrap: anywhere; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #555; }
svg.chart { display: block; margin: 8px 0; }
svg .label { font-size: 12px; fill: #222; }
svg .value { font-size: 11px; fill: #555; }
svg .bar { fill: #3b73b9; }
svg .axis { stroke: #444; stroke-width: 1; }
svg .grid { stroke: #e3e3e3; stroke-width: 1; }
svg .line { fill: none; stroke: #d2691e; stroke-width: 2; }
svg .dot { fill: #d2691e; }
)";

std::string share(std::uint64_t part, std::uint64_t whole) {
    if (whole == 0) return "-";
    return format_double(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1) + "%";
}

std::string counts_table(const Counts& rows, std::string_view key_header,
                         std::string_view value_header) {
    std::uint64_t total = 0;
    for (const auto& row : rows) total += row.second;
    std::string html = "<table><tr><th>" + html_escape(key_header) + "</th><th>" +
                       html_escape(value_header) + "</th><th>share</th></tr>\n";
    for (const auto& [key, value] : rows) {
        html += "<tr><td>" + html_escape(key) + "</td><td class=\"n\">" + std::to_string(value) +
                "</td><td class=\"n\">" + share(value, total) + "</td></tr>\n";
    }
    html += "</table>\n";
    return html;
}

std::string section(std::string_view id, std::string_view heading, std::string_view body) {
    return "<section id=\"" + std::string(id) + "\">\n<h2>" + html_escape(heading) + "</h2>\n" +
           std::string(body) + "</section>\n";
}

std::string html_page(const ReportData& data, const ReportOptions& options) {
    const Aggregates& agg = data.aggregates;
    const std::string title = printable_text(options.title, options.max_text_chars);
    std::string html;
    html.reserve(64 * 1024);
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
    html += "<title>" + html_escape(title) + "</title>\n<style>" + std::string(STYLE) +
            "</style>\n</head>\n<body>\n";
    html += "<h1>" + html_escape(title) + "</h1>\n";
    html += "<p class=\"meta\">Generated " + html_escape(format_time(options.now)) +
            " UTC. Reachable: the last attempt on the node succeeded.</p>\n";

    std::string summary = "<table>\n";
    auto summary_row = [&](std::string_view key, std::string value) {
        summary += "<tr><th>" + html_escape(key) + "</th><td class=\"n\">" + html_escape(value) +
                   "</td></tr>\n";
    };
    summary_row("Known nodes", std::to_string(agg.known));
    summary_row("Tried nodes", std::to_string(agg.tried));
    summary_row("Reachable nodes", std::to_string(agg.reachable));
    summary_row("Good nodes (seed criteria)", std::to_string(agg.good));
    summary_row("Best height", std::to_string(agg.best_height) +
                                   (options.best_height ? "" : " (estimated from the nodes)"));
    summary_row("Crawl runs", std::to_string(agg.over_time.size()));
    summary += "</table>\n";
    html += section("summary", "Summary", summary);

    std::string over_time = line_chart("Reachable nodes over time", agg.over_time);
    if (!agg.over_time.empty()) {
        over_time += "<table><tr><th>run start (UTC)</th><th>successful handshakes</th></tr>\n";
        for (const auto& [t, v] : agg.over_time) {
            over_time += "<tr><td>" + html_escape(format_time(t)) + "</td><td class=\"n\">" +
                         std::to_string(v) + "</td></tr>\n";
        }
        over_time += "</table>\n";
    }
    html += section("reachable-over-time", "Reachable nodes over time", over_time);

    std::string networks = bar_chart("Reachable nodes per network", agg.networks_reachable.rows);
    networks += "<table><tr><th>network</th><th>known</th><th>reachable</th></tr>\n";
    for (std::size_t i = 0; i < agg.networks_known.rows.size(); ++i) {
        networks += "<tr><td>" + html_escape(agg.networks_known.rows[i].first) +
                    "</td><td class=\"n\">" + std::to_string(agg.networks_known.rows[i].second) +
                    "</td><td class=\"n\">" +
                    std::to_string(agg.networks_reachable.rows[i].second) + "</td></tr>\n";
    }
    networks += "</table>\n";
    html += section("networks", "Networks", networks);

    html += section("user-agents", "User agents",
                    bar_chart("Reachable nodes per user agent", agg.user_agents.rows) +
                        counts_table(agg.user_agents.rows, "user agent", "nodes"));
    html += section("protocol-versions", "Protocol versions",
                    bar_chart("Reachable nodes per protocol version", agg.protocol_versions.rows) +
                        counts_table(agg.protocol_versions.rows, "protocol version", "nodes"));
    std::string services = bar_chart("Reachable nodes per service flag", agg.services.rows);
    services += "<table><tr><th>service flag</th><th>nodes</th><th>share of reachable</th></tr>\n";
    for (const auto& [key, value] : agg.services.rows) {
        services += "<tr><td>" + html_escape(key) + "</td><td class=\"n\">" +
                    std::to_string(value) + "</td><td class=\"n\">" + share(value, agg.reachable) +
                    "</td></tr>\n";
    }
    services += "</table>\n";
    html += section("services", "Service flags", services);
    html += section("start-heights", "Start heights against the best height",
                    "<p>Blocks below the best height " + std::to_string(agg.best_height) +
                        " at the handshake.</p>\n" +
                        histogram("Start heights below the best height", agg.heights.rows) +
                        counts_table(agg.heights.rows, "blocks behind", "nodes"));
    html += section("ping", "Round-trip time",
                    histogram("Ping round trip histogram", agg.ping.rows) +
                        counts_table(agg.ping.rows, "round trip", "nodes"));

    if (agg.has_geo) {
        html += section("countries", "Countries",
                        bar_chart("Reachable nodes per country", agg.countries.rows) +
                            counts_table(agg.countries.rows, "country", "nodes"));
    } else {
        html += section("countries", "Countries",
                        "<p>No geolocation database was given.</p>\n");
    }
    if (agg.has_asn) {
        html += section("asns", "Autonomous systems",
                        bar_chart("Reachable nodes per autonomous system", agg.asns.rows) +
                            counts_table(agg.asns.rows, "AS", "nodes") +
                            counts_table(agg.hosting.rows, "hosting", "nodes") +
                            counts_table(agg.hosting_providers.rows, "hosting provider", "nodes"));
    } else {
        html += section("asns", "Autonomous systems",
                        "<p>No MaxMind-format (.mmdb) ASN database was given.</p>\n");
    }
    html += section("errors", "Errors by kind",
                    bar_chart("Unreachable nodes per error of the last attempt", agg.errors.rows) +
                        counts_table(agg.errors.rows, "error", "nodes"));
    html += "</body>\n</html>\n";
    return html;
}

// ---- CSV and JSON ----

constexpr std::array<std::string_view, 36> NODE_COLUMNS = {
    "address", "network", "port", "country", "city", "asn", "organization", "hosting",
    "first_seen", "last_seen", "last_try", "last_success", "attempts", "successes",
    "consecutive_failures", "last_error", "reachable", "good", "protocol_version", "services",
    "user_agent", "start_height", "relay", "connect_ms", "handshake_ms", "ping_ms", "uptime_2h",
    "uptime_8h", "uptime_1d", "uptime_1w", "uptime_30d", "adv_ipv4", "adv_ipv6", "adv_onion",
    "adv_i2p", "adv_cjdns"};

// A node's cells in NODE_COLUMNS order: text (untrusted or not) or a number already formatted.
struct Cell {
    std::string value;
    bool text = false;
};

std::vector<Cell> node_cells(const NodeRow& row, std::size_t cap) {
    const NodeRecord& r = *row.record;
    const HandshakeInfo& hs = r.handshake;
    auto text = [&](std::string_view value) { return Cell{printable_text(value, cap), true}; };
    auto number = [](std::int64_t value) { return Cell{std::to_string(value), false}; };
    auto unsigned_number = [](std::uint64_t value) { return Cell{std::to_string(value), false}; };
    std::vector<Cell> cells = {
        text(r.service.address.to_string()),
        text(to_string(r.network())),
        number(r.service.port),
        text(row.geo.country),
        text(row.geo.city),
        unsigned_number(row.geo.asn),
        text(row.geo.organization),
        number(row.geo.hosting ? 1 : 0),
        number(r.first_seen),
        number(r.last_seen),
        number(r.last_try),
        number(r.last_success),
        unsigned_number(r.attempts),
        unsigned_number(r.successes),
        unsigned_number(r.consecutive_failures),
        text(to_string(r.last_error)),
        number(row.reachable ? 1 : 0),
        number(row.good ? 1 : 0),
        number(hs.protocol_version),
        text(hex_services(hs.services)),
        text(hs.user_agent),
        number(hs.start_height),
        number(hs.relay ? 1 : 0),
        number(hs.connect_ms),
        number(hs.handshake_ms),
        number(hs.ping_ms),
    };
    for (const ReliabilityWindow& window : r.windows) {
        cells.push_back(Cell{format_double(window.reliability, 4), false});
    }
    for (std::uint64_t count : r.advertised) cells.push_back(unsigned_number(count));
    return cells;
}

std::string csv_nodes(const ReportData& data, const ReportOptions& options) {
    std::string csv;
    for (std::size_t i = 0; i < NODE_COLUMNS.size(); ++i) {
        csv += (i ? "," : "") + std::string(NODE_COLUMNS[i]);
    }
    csv += "\r\n";
    for (const NodeRow& row : data.rows) {
        std::vector<Cell> cells = node_cells(row, options.max_text_chars);
        for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i) csv += ",";
            csv += cells[i].text ? csv_text(cells[i].value) : cells[i].value;
        }
        csv += "\r\n";
    }
    return csv;
}

std::string csv_aggregates(const ReportData& data) {
    const Aggregates& agg = data.aggregates;
    std::string csv = "table,key,value\r\n";
    auto line = [&](std::string_view table, std::string_view key, std::uint64_t value) {
        csv += std::string(table) + "," + csv_text(key) + "," + std::to_string(value) + "\r\n";
    };
    line("summary", "known", agg.known);
    line("summary", "tried", agg.tried);
    line("summary", "reachable", agg.reachable);
    line("summary", "good", agg.good);
    line("summary", "best_height", static_cast<std::uint64_t>(std::max(0, agg.best_height)));
    for (const auto& [t, v] : agg.over_time) line("reachable_over_time", std::to_string(t), v);
    for (const Table* table : agg.tables()) {
        for (const auto& [key, value] : table->rows) line(table->name, key, value);
    }
    return csv;
}

std::string json_document(const ReportData& data, const ReportOptions& options) {
    const Aggregates& agg = data.aggregates;
    std::string json = "{\n\"generated\": " + std::to_string(options.now) +
                       ",\n\"best_height\": " + std::to_string(agg.best_height) +
                       ",\n\"summary\": {\"known\": " + std::to_string(agg.known) +
                       ", \"tried\": " + std::to_string(agg.tried) +
                       ", \"reachable\": " + std::to_string(agg.reachable) +
                       ", \"good\": " + std::to_string(agg.good) + "},\n\"aggregates\": {\n";
    json += "\"reachable_over_time\": [";
    for (std::size_t i = 0; i < agg.over_time.size(); ++i) {
        json += (i ? ", [" : "[") + std::to_string(agg.over_time[i].first) + ", " +
                std::to_string(agg.over_time[i].second) + "]";
    }
    json += "]";
    for (const Table* table : agg.tables()) {
        json += ",\n" + json_string(table->name) + ": [";
        for (std::size_t i = 0; i < table->rows.size(); ++i) {
            json += (i ? ", [" : "[") + json_string(table->rows[i].first) + ", " +
                    std::to_string(table->rows[i].second) + "]";
        }
        json += "]";
    }
    json += "\n},\n\"nodes\": [";
    for (std::size_t n = 0; n < data.rows.size(); ++n) {
        std::vector<Cell> cells = node_cells(data.rows[n], options.max_text_chars);
        json += n ? ",\n{" : "\n{";
        for (std::size_t i = 0; i < cells.size(); ++i) {
            json += (i ? ", " : "") + json_string(NODE_COLUMNS[i]) + ": " +
                    (cells[i].text ? json_string(cells[i].value) : cells[i].value);
        }
        json += "}";
    }
    json += "\n]\n}\n";
    return json;
}

Result<void, std::string> write_file(const std::string& path, const std::string& content) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) return fail(temporary + ": cannot create");
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            return fail(temporary + ": write failed");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        return fail(path + ": cannot replace: " + error.message());
    }
    return {};
}

}  // namespace

std::string printable_text(std::string_view untrusted, std::size_t max_chars) {
    std::string out;
    out.reserve(std::min(untrusted.size(), max_chars * 4) + 3);
    std::size_t pos = 0, count = 0;
    while (pos < untrusted.size()) {
        if (count == max_chars) {
            out += "...";
            break;
        }
        auto cp = decode_utf8(untrusted, pos);
        append_utf8(out, !cp || is_unprintable(*cp) ? REPLACEMENT : *cp);
        ++count;
    }
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (byte < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", byte);
                out += buffer;
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
    return out;
}

std::string_view to_string(ReportFormat format) {
    switch (format) {
    case ReportFormat::html: return "html";
    case ReportFormat::csv: return "csv";
    case ReportFormat::json: return "json";
    }
    return "unknown";
}

std::optional<ReportFormat> parse_report_format(std::string_view text) {
    for (ReportFormat format : {ReportFormat::html, ReportFormat::csv, ReportFormat::json}) {
        if (text == to_string(format)) return format;
    }
    return std::nullopt;
}

Result<std::string, std::string> render_html_report(CrawlStore& store,
                                                    const ReportOptions& options) {
    auto data = collect(store, options);
    if (!data) return fail(data.error());
    return html_page(*data, options);
}

Result<std::string, std::string> render_csv(CrawlStore& store, const ReportOptions& options) {
    auto data = collect(store, options);
    if (!data) return fail(data.error());
    return csv_nodes(*data, options);
}

Result<std::string, std::string> render_csv_aggregates(CrawlStore& store,
                                                       const ReportOptions& options) {
    auto data = collect(store, options);
    if (!data) return fail(data.error());
    return csv_aggregates(*data);
}

Result<std::string, std::string> render_json(CrawlStore& store, const ReportOptions& options) {
    auto data = collect(store, options);
    if (!data) return fail(data.error());
    return json_document(*data, options);
}

std::string aggregates_csv_path(const std::string& path) {
    std::filesystem::path p(path);
    std::filesystem::path name = p.stem();
    name += "-aggregates";
    name += p.extension();
    return (p.parent_path() / name).string();
}

Result<void, std::string> write_report(CrawlStore& store, const ReportOptions& options,
                                       const std::string& path) {
    auto data = collect(store, options);
    if (!data) return fail(data.error());
    switch (options.format) {
    case ReportFormat::html: return write_file(path, html_page(*data, options));
    case ReportFormat::json: return write_file(path, json_document(*data, options));
    case ReportFormat::csv: {
        auto nodes = write_file(path, csv_nodes(*data, options));
        if (!nodes) return nodes;
        return write_file(aggregates_csv_path(path), csv_aggregates(*data));
    }
    }
    return fail(std::string("unknown report format"));
}

}  // namespace bitloom
