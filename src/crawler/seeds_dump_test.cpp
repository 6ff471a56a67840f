// The seeder's dnsseed.dump format: exact columns, what makeseeds.py reads back, round trips
// and the good-seed selection.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "crawler/seeds_dump.h"

namespace bitloom {
namespace {

SeedsDumpEntry sample_entry() {
    SeedsDumpEntry entry;
    entry.service = *NetService::parse("1.2.3.4:8333", 8333);
    entry.good = true;
    entry.last_success = 1'700'000'123;
    entry.uptime = {1.0, 0.9876, 0.5, 0.25, 0.001};
    entry.blocks = 870'000;
    entry.services = 0x409;
    entry.version = 70016;
    entry.user_agent = "/Satoshi:27.0.0/";
    return entry;
}

// Splits on whitespace, as Python's str.split() does.
std::vector<std::string> python_split(const std::string& line) {
    std::vector<std::string> out;
    std::string current;
    for (char c : line) {
        if (c == ' ' || c == '\t') {
            if (!current.empty()) out.push_back(current);
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

TEST(SeedsDumpHeader, matches_the_seeder_exactly) {
    EXPECT_EQ(seeds_dump_header(),
              "# address                                        good  lastSuccess    %(2h)   "
              "%(8h)   %(1d)   %(7d)  %(30d)  blocks      svcs  version");
}

TEST(SeedsDumpLine, is_written_in_the_seeder_columns) {
    // %-47s, %4d, %11d, five %6.2f%%, %6d, %08x, %5d, then the quoted agent.
    const std::string expected = "1.2.3.4:8333" + std::string(47 - 12, ' ') + "  " + "   1" +
                                 "  " + " 1700000123" + "  " + "100.00%" + " " + " 98.76%" +
                                 " " + " 50.00%" + " " + " 25.00%" + " " + "  0.10%" + "  " +
                                 "870000" + "  " + "00000409" + "  " + "70016" + " " +
                                 "\"/Satoshi:27.0.0/\"";
    EXPECT_EQ(format_seeds_dump_line(sample_entry()), expected);
}

TEST(SeedsDumpLine, gives_makeseeds_the_fields_it_reads) {
    SeedsDumpEntry entry = sample_entry();
    entry.service = *NetService::parse("[2001:4860::8888]:8333", 8333);
    entry.services = 0xC0000000D;
    const auto fields = python_split(format_seeds_dump_line(entry));
    ASSERT_EQ(fields.size(), 12u);
    EXPECT_EQ(fields[0], "[2001:4860::8888]:8333");
    EXPECT_EQ(fields[1], "1");
    EXPECT_EQ(std::stoll(fields[2]), 1'700'000'123);
    EXPECT_EQ(fields[7], "0.10%");
    EXPECT_EQ(std::stod(fields[7].substr(0, fields[7].size() - 1)), 0.10);
    EXPECT_EQ(std::stoi(fields[8]), 870'000);
    EXPECT_EQ(std::stoull(fields[9], nullptr, 16), 0xC0000000Dull);
    EXPECT_EQ(std::stoi(fields[10]), 70016);
    EXPECT_EQ(fields[11].substr(1, fields[11].size() - 2), "/Satoshi:27.0.0/");
}

TEST(SeedsDumpLine, drops_agent_characters_that_would_split_the_field) {
    SeedsDumpEntry entry = sample_entry();
    entry.user_agent = "/Evil \"agent\"\n\t:1.0/";
    const std::string line = format_seeds_dump_line(entry);
    EXPECT_EQ(python_split(line).size(), 12u);
    EXPECT_NE(line.find("\"/Evilagent:1.0/\""), std::string::npos);
}

TEST(SeedsDumpLine, clamps_uptimes_outside_zero_to_one) {
    SeedsDumpEntry entry = sample_entry();
    entry.uptime = {1.5, -0.2, std::nan(""), 0.0, 1.0};
    const auto parsed = parse_seeds_dump_line(format_seeds_dump_line(entry));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->uptime[0], 1.0);
    EXPECT_EQ(parsed->uptime[1], 0.0);
    EXPECT_EQ(parsed->uptime[2], 0.0);
}

TEST(SeedsDumpParse, reads_a_line_as_the_seeder_wrote_it) {
    const auto entry = parse_seeds_dump_line(
        "5.6.7.8:8333                                        0   1690000000   12.34%  "
        "56.78%  90.00%  99.99%  100.00%  800000  00000009  70015 \"/Satoshi:25.0.0/\"");
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->service.to_string(), "5.6.7.8:8333");
    EXPECT_FALSE(entry->good);
    EXPECT_EQ(entry->last_success, 1'690'000'000);
    EXPECT_DOUBLE_EQ(entry->uptime[0], 0.1234);
    EXPECT_DOUBLE_EQ(entry->uptime[4], 1.0);
    EXPECT_EQ(entry->blocks, 800'000);
    EXPECT_EQ(entry->services, 9u);
    EXPECT_EQ(entry->version, 70015);
    EXPECT_EQ(entry->user_agent, "/Satoshi:25.0.0/");
}

TEST(SeedsDumpParse, accepts_a_0x_prefix_and_an_agent_with_spaces) {
    const auto entry = parse_seeds_dump_line(
        "5.6.7.8:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% 1 0x409 70016 \"/a b/\"");
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->services, 0x409u);
    EXPECT_EQ(entry->user_agent, "/a b/");
}

TEST(SeedsDumpParse, rejects_each_malformed_field) {
    const std::string good_tail = " 1.00% 1.00% 1.00% 1.00% 1.00% 1 00000009 70016 \"/x/\"";
    const std::pair<std::string, SeedsDumpError> cases[] = {
        {"1.2.3.4:8333 1 1 1.00%", SeedsDumpError::too_few_fields},
        {"1.2.3.4 1 1" + good_tail, SeedsDumpError::bad_address},
        {"nonsense:8333 1 1" + good_tail, SeedsDumpError::bad_address},
        {"1.2.3.4:8333 2 1" + good_tail, SeedsDumpError::bad_good},
        {"1.2.3.4:8333 1 x1" + good_tail, SeedsDumpError::bad_last_success},
        {"1.2.3.4:8333 1 1 1.00 1.00% 1.00% 1.00% 1.00% 1 9 1 \"/x/\"",
         SeedsDumpError::bad_uptime},
        {"1.2.3.4:8333 1 1 101.00% 1.00% 1.00% 1.00% 1.00% 1 9 1 \"/x/\"",
         SeedsDumpError::bad_uptime},
        {"1.2.3.4:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% b 9 1 \"/x/\"",
         SeedsDumpError::bad_blocks},
        {"1.2.3.4:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% 1 zz 1 \"/x/\"",
         SeedsDumpError::bad_services},
        {"1.2.3.4:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% 1 11112222333344445 1 \"/x/\"",
         SeedsDumpError::bad_services},
        {"1.2.3.4:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% 1 9 v \"/x/\"",
         SeedsDumpError::bad_version},
        {"1.2.3.4:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% 1 9 1 /x/",
         SeedsDumpError::bad_user_agent},
        {"1.2.3.4:8333 1 1 1.00% 1.00% 1.00% 1.00% 1.00% 1 9 1 \"",
         SeedsDumpError::bad_user_agent},
    };
    int run = 0;
    for (const auto& [line, error] : cases) {
        const auto parsed = parse_seeds_dump_line(line);
        ASSERT_FALSE(parsed.has_value()) << line;
        EXPECT_EQ(parsed.error(), error) << line << ": " << to_string(parsed.error());
        ++run;
    }
    std::printf("malformed dump lines: %d\n", run);
    EXPECT_GT(run, 0);
}

TEST(SeedsDump, round_trips_random_entries_through_write_and_parse) {
    std::mt19937_64 rng(12345);
    const char* addresses[] = {"8.8.8.8:8333", "[2a01:4f8::1]:8333", "203.0.114.9:18333",
                               "[::ffff:1.2.3.4]:1"};
    std::vector<SeedsDumpEntry> entries;
    for (int i = 0; i < 500; ++i) {
        SeedsDumpEntry entry;
        entry.service = *NetService::parse(addresses[i % 4], 8333);
        entry.service.port = static_cast<std::uint16_t>(1 + rng() % 65535);
        entry.good = (rng() & 1) != 0;
        entry.last_success = static_cast<std::int64_t>(rng() % 4'000'000'000ull);
        for (auto& u : entry.uptime) u = static_cast<double>(rng() % 10001) / 10000.0;
        entry.blocks = static_cast<std::int32_t>(rng() % 2'000'000);
        entry.services = rng();
        entry.version = static_cast<std::int32_t>(rng() % 80'000);
        entry.user_agent = "/Satoshi:" + std::to_string(rng() % 30) + ".0.0(x;y)/";
        entries.push_back(entry);
    }
    const std::string text = write_seeds_dump(entries);
    const auto parsed = parse_seeds_dump(text);
    ASSERT_EQ(parsed.rejected_lines, 0u);
    ASSERT_EQ(parsed.entries.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& a = entries[i];
        const auto& b = parsed.entries[i];
        EXPECT_EQ(a.service, b.service);
        EXPECT_EQ(a.good, b.good);
        EXPECT_EQ(a.last_success, b.last_success);
        for (std::size_t w = 0; w < WINDOW_COUNT; ++w) EXPECT_NEAR(a.uptime[w], b.uptime[w], 5e-5);
        EXPECT_EQ(a.blocks, b.blocks);
        EXPECT_EQ(a.services, b.services);
        EXPECT_EQ(a.version, b.version);
        EXPECT_EQ(a.user_agent, b.user_agent);
    }
    std::printf("round-tripped dump entries: %zu\n", parsed.entries.size());
    EXPECT_GT(parsed.entries.size(), 0u);
}

TEST(SeedsDumpParse, never_crashes_on_mutated_lines) {
    std::mt19937_64 rng(99);
    const std::string valid = format_seeds_dump_line(sample_entry());
    const std::string alphabet = " \t\"%.:[]0123456789abcdefx-+#\r\n";
    constexpr int CASES = 50'000;
    int accepted = 0;
    for (int i = 0; i < CASES; ++i) {
        std::string line = valid;
        const int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits && !line.empty(); ++e) {
            const std::size_t at = rng() % line.size();
            switch (rng() % 3) {
                case 0: line[at] = alphabet[rng() % alphabet.size()]; break;
                case 1: line.erase(at, 1 + rng() % 8); break;
                default: line.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            }
        }
        if (const auto entry = parse_seeds_dump_line(line)) {
            ++accepted;
            // Whatever parses must write a line that parses to the same entry.
            const auto again = parse_seeds_dump_line(format_seeds_dump_line(*entry));
            ASSERT_TRUE(again.has_value()) << line;
            EXPECT_EQ(again->service, entry->service);
            EXPECT_EQ(again->services, entry->services);
        }
        (void)parse_seeds_dump(line);
    }
    std::printf("mutated dump lines: %d, accepted: %d\n", CASES, accepted);
    EXPECT_GT(accepted, 0);
}

TEST(SeedsDump, skips_comments_and_blank_lines_and_counts_bad_ones) {
    const auto parsed = parse_seeds_dump(std::string(seeds_dump_header()) + "\n\n   \n" +
                                         format_seeds_dump_line(sample_entry()) +
                                         "\r\ngarbage line\n");
    EXPECT_EQ(parsed.entries.size(), 1u);
    EXPECT_EQ(parsed.rejected_lines, 1u);
}

TEST(SeedsDumpEntry, is_built_from_a_node_record) {
    NodeRecord record = new_node_record(*NetService::parse("8.8.8.8:8333", 8333), 1000);
    AttemptOutcome outcome;
    outcome.success = true;
    outcome.handshake.protocol_version = 70016;
    outcome.handshake.services = 0x409;
    outcome.handshake.start_height = 870'000;
    outcome.handshake.user_agent = "/Satoshi:27.0.0/";
    record_attempt(record, 5000, outcome);
    const auto entry = seeds_dump_entry(record, GoodCriteria{});
    EXPECT_TRUE(entry.good);
    EXPECT_EQ(entry.last_success, 5000);
    EXPECT_EQ(entry.blocks, 870'000);
    EXPECT_EQ(entry.services, 0x409u);
    EXPECT_DOUBLE_EQ(entry.uptime[0], record.window(Window::hours2).reliability);
}

TEST(SelectGoodSeeds, keeps_good_reliable_entries_with_the_services_best_first) {
    std::vector<SeedsDumpEntry> entries(4, sample_entry());
    entries[0].uptime[4] = 0.6;
    entries[1].uptime[4] = 0.9;
    entries[1].service.port = 1;
    entries[2].good = false;
    entries[3].services = 1;
    const auto selected = select_good_seeds(entries, 0.5, 0x9);
    ASSERT_EQ(selected.size(), 2u);
    EXPECT_EQ(selected[0].uptime[4], 0.9);
    EXPECT_EQ(selected[1].uptime[4], 0.6);
    EXPECT_TRUE(select_good_seeds(entries, 0.95, 0x9).empty());
}

}  // namespace
}  // namespace bitloom
