#include "crawler/seeds_dump.h"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace bitloom {

std::string_view to_string(SeedsDumpError error) {
    switch (error) {
        case SeedsDumpError::too_few_fields: return "too few fields";
        case SeedsDumpError::bad_address: return "bad address";
        case SeedsDumpError::bad_good: return "bad good flag";
        case SeedsDumpError::bad_last_success: return "bad last success time";
        case SeedsDumpError::bad_uptime: return "bad uptime percentage";
        case SeedsDumpError::bad_blocks: return "bad block count";
        case SeedsDumpError::bad_services: return "bad services";
        case SeedsDumpError::bad_version: return "bad version";
        case SeedsDumpError::bad_user_agent: return "bad user agent";
    }
    return "unknown";
}

std::string_view seeds_dump_header() {
    return "# address                                        good  lastSuccess    %(2h)   %(8h)"
           "   %(1d)   %(7d)  %(30d)  blocks      svcs  version";
}

SeedsDumpEntry seeds_dump_entry(const NodeRecord& record, const GoodCriteria& criteria) {
    SeedsDumpEntry entry;
    entry.service = record.service;
    entry.good = is_good(record, criteria);
    entry.last_success = record.last_success;
    for (std::size_t i = 0; i < WINDOW_COUNT; ++i) entry.uptime[i] = record.windows[i].reliability;
    entry.blocks = record.handshake.start_height;
    entry.services = record.handshake.services;
    entry.version = record.handshake.protocol_version;
    entry.user_agent = record.handshake.user_agent;
    return entry;
}

namespace {

bool is_safe_agent_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view(".,;-_/:?@()").find(c) != std::string_view::npos;
}

std::string sanitize_agent(std::string_view agent) {
    std::string out;
    for (char c : agent) {
        if (is_safe_agent_char(c)) out.push_back(c);
    }
    return out;
}

// NaN and out-of-range fractions are printed as 0 and clamped so every line parses back.
double percent_of(double fraction) {
    if (!std::isfinite(fraction)) return 0;
    return 100.0 * std::clamp(fraction, 0.0, 1.0);
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

template <typename Int>
bool parse_int(std::string_view text, Int& out, int base = 10) {
    if (text.empty()) return false;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
    return ec == std::errc() && ptr == end;
}

}  // namespace

std::string format_seeds_dump_line(const SeedsDumpEntry& entry) {
    const std::string address = entry.service.to_string();
    const std::string agent = sanitize_agent(entry.user_agent);
    // The address is at most 68 characters (a Tor v3 name with its port), so the fixed
    // columns fit the buffer; the agent is appended separately.
    char buffer[256];
    const int n = std::snprintf(
        buffer, sizeof buffer,
        "%-47s  %4d  %11" PRId64 "  %6.2f%% %6.2f%% %6.2f%% %6.2f%% %6.2f%%  %6" PRId32
        "  %08" PRIx64 "  %5" PRId32 " \"",
        address.c_str(), entry.good ? 1 : 0, entry.last_success, percent_of(entry.uptime[0]),
        percent_of(entry.uptime[1]), percent_of(entry.uptime[2]), percent_of(entry.uptime[3]),
        percent_of(entry.uptime[4]), entry.blocks, entry.services, entry.version);
    std::string line(buffer, static_cast<std::size_t>(std::clamp(n, 0, int{sizeof buffer} - 1)));
    line += agent;
    line += '"';
    return line;
}

std::string write_seeds_dump(std::span<const SeedsDumpEntry> entries) {
    std::string out(seeds_dump_header());
    out += '\n';
    for (const auto& entry : entries) {
        out += format_seeds_dump_line(entry);
        out += '\n';
    }
    return out;
}

Result<SeedsDumpEntry, SeedsDumpError> parse_seeds_dump_line(std::string_view line) {
    const auto fields = split_fields(line);
    if (fields.size() < 12) return fail(SeedsDumpError::too_few_fields);
    SeedsDumpEntry entry;

    const auto service = NetService::parse(fields[0], 0);
    if (!service || service->port == 0) return fail(SeedsDumpError::bad_address);
    entry.service = *service;

    if (fields[1] == "1") {
        entry.good = true;
    } else if (fields[1] != "0") {
        return fail(SeedsDumpError::bad_good);
    }
    if (!parse_int(fields[2], entry.last_success)) return fail(SeedsDumpError::bad_last_success);

    for (std::size_t i = 0; i < WINDOW_COUNT; ++i) {
        std::string_view text = fields[3 + i];
        if (text.size() < 2 || text.back() != '%') return fail(SeedsDumpError::bad_uptime);
        text.remove_suffix(1);
        double percent = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] =
            std::from_chars(text.data(), end, percent, std::chars_format::fixed);
        if (ec != std::errc() || ptr != end || !(percent >= 0.0 && percent <= 100.0)) {
            return fail(SeedsDumpError::bad_uptime);
        }
        entry.uptime[i] = percent / 100.0;
    }

    if (!parse_int(fields[8], entry.blocks)) return fail(SeedsDumpError::bad_blocks);

    std::string_view svcs = fields[9];
    if (svcs.size() > 2 && svcs[0] == '0' && (svcs[1] == 'x' || svcs[1] == 'X')) svcs.remove_prefix(2);
    if (svcs.size() > 16 || svcs.find_first_of("+-") != std::string_view::npos ||
        !parse_int(svcs, entry.services, 16)) {
        return fail(SeedsDumpError::bad_services);
    }
    if (!parse_int(fields[10], entry.version)) return fail(SeedsDumpError::bad_version);

    // The agent: from the opening quote of field 11 to the closing quote of the last field.
    const std::string_view first = fields[11];
    const std::string_view last = fields.back();
    if (first.front() != '"' || last.back() != '"' || (fields.size() == 12 && first.size() < 2)) {
        return fail(SeedsDumpError::bad_user_agent);
    }
    std::string agent;
    for (std::size_t i = 11; i < fields.size(); ++i) {
        if (i > 11) agent += ' ';
        agent += fields[i];
    }
    agent = agent.substr(1, agent.size() - 2);
    if (agent.find('"') != std::string::npos) return fail(SeedsDumpError::bad_user_agent);
    entry.user_agent = std::move(agent);
    return entry;
}

ParsedSeedsDump parse_seeds_dump(std::string_view text) {
    ParsedSeedsDump parsed;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#') continue;
        if (auto entry = parse_seeds_dump_line(line)) {
            parsed.entries.push_back(std::move(*entry));
        } else {
            ++parsed.rejected_lines;
        }
    }
    return parsed;
}

std::vector<SeedsDumpEntry> select_good_seeds(std::span<const SeedsDumpEntry> entries,
                                              double min_uptime_30d,
                                              std::uint64_t required_services) {
    std::vector<SeedsDumpEntry> out;
    for (const auto& entry : entries) {
        if (!entry.good) continue;
        if (!(entry.uptime[4] >= min_uptime_30d)) continue;
        if ((entry.services & required_services) != required_services) continue;
        out.push_back(entry);
    }
    std::stable_sort(out.begin(), out.end(), [](const SeedsDumpEntry& a, const SeedsDumpEntry& b) {
        if (a.uptime[4] != b.uptime[4]) return a.uptime[4] > b.uptime[4];
        return a.service < b.service;
    });
    return out;
}

}  // namespace bitloom
