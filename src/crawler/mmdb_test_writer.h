// Tests only: writes small MaxMind DB (.mmdb) files, since libmaxminddb only reads them.
// Format (MaxMind DB 2.0, IPv4 tree, 24-bit records):
//   file     := search_tree data_separator data_section metadata_marker metadata
//   tree     := node[node_count]; node := left:u24 right:u24 (record_size 24, big-endian)
//   record   := < node_count: next node; == node_count: no data;
//               > node_count: data at offset (record - node_count - 16) in data_section
//   data_separator := 16 zero bytes; metadata_marker := AB CD EF "MaxMind.com"
//   value    := control byte (type << 5 | size), extended types as 0 then (type - 7)
#pragma once

#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bitloom::mmdb_test {

struct MmdbValue;
using MmdbMap = std::vector<std::pair<std::string, MmdbValue>>;
struct MmdbUint {
    int type;  // 5 uint16, 6 uint32, 9 uint64
    std::uint64_t value;
};
struct MmdbValue {
    std::variant<std::string, MmdbUint, MmdbMap, std::vector<std::string>> value;
};

inline void put_control(std::string& out, int type, std::size_t size) {
    std::uint8_t first = 0;
    std::string extra;
    if (size < 29) {
        first = static_cast<std::uint8_t>(size);
    } else if (size < 29 + 256) {
        first = 29;
        extra.push_back(static_cast<char>(size - 29));
    } else {
        first = 30;
        std::size_t rest = size - 285;
        extra.push_back(static_cast<char>(rest >> 8));
        extra.push_back(static_cast<char>(rest & 0xff));
    }
    if (type <= 7) {
        out.push_back(static_cast<char>((type << 5) | first));
    } else {
        out.push_back(static_cast<char>(first));
        out.push_back(static_cast<char>(type - 7));
    }
    out += extra;
}

inline void encode(std::string& out, const MmdbValue& value);

inline void encode_string(std::string& out, const std::string& text) {
    put_control(out, 2, text.size());
    out += text;
}

inline void encode(std::string& out, const MmdbValue& value) {
    if (auto* text = std::get_if<std::string>(&value.value)) {
        encode_string(out, *text);
    } else if (auto* number = std::get_if<MmdbUint>(&value.value)) {
        std::string bytes;
        for (std::uint64_t v = number->value; v != 0; v >>= 8) {
            bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
        }
        put_control(out, number->type, bytes.size());
        out += bytes;
    } else if (auto* map = std::get_if<MmdbMap>(&value.value)) {
        put_control(out, 7, map->size());
        for (const auto& [key, item] : *map) {
            encode_string(out, key);
            encode(out, item);
        }
    } else {
        const auto& array = std::get<std::vector<std::string>>(value.value);
        put_control(out, 11, array.size());
        for (const auto& item : array) encode_string(out, item);
    }
}

inline MmdbValue str(std::string text) { return MmdbValue{std::move(text)}; }
inline MmdbValue u16(std::uint64_t v) { return MmdbValue{MmdbUint{5, v}}; }
inline MmdbValue u32(std::uint64_t v) { return MmdbValue{MmdbUint{6, v}}; }
inline MmdbValue u64(std::uint64_t v) { return MmdbValue{MmdbUint{9, v}}; }
inline MmdbValue map(MmdbMap entries) { return MmdbValue{std::move(entries)}; }

struct MmdbNetwork {
    std::array<std::uint8_t, 4> prefix;
    int length;
    MmdbValue data;
};

// Writes an IPv4 database (ip_version 4) holding `networks` to `path`.
inline void write_mmdb(const std::string& path, const std::vector<MmdbNetwork>& networks) {
    constexpr std::int64_t EMPTY = -1;
    struct Node {
        std::int64_t child[2] = {EMPTY, EMPTY};  // >= 0: node index; <= -2: data -(offset + 2)
    };
    std::vector<Node> nodes(1);
    std::string data;
    for (const auto& network : networks) {
        std::int64_t offset = static_cast<std::int64_t>(data.size());
        encode(data, network.data);
        std::size_t node = 0;
        for (int bit = 0; bit < network.length; ++bit) {
            int side = (network.prefix[bit / 8] >> (7 - bit % 8)) & 1;
            if (bit == network.length - 1) {
                nodes[node].child[side] = -(offset + 2);
            } else {
                if (nodes[node].child[side] == EMPTY) {
                    nodes[node].child[side] = static_cast<std::int64_t>(nodes.size());
                    nodes.emplace_back();
                }
                node = static_cast<std::size_t>(nodes[node].child[side]);
            }
        }
    }
    const std::uint64_t node_count = nodes.size();
    std::string file;
    for (const Node& node : nodes) {
        for (std::int64_t child : node.child) {
            std::uint64_t record = child == EMPTY ? node_count
                                   : child >= 0   ? static_cast<std::uint64_t>(child)
                                                  : node_count + 16 + static_cast<std::uint64_t>(-child - 2);
            file.push_back(static_cast<char>(record >> 16));
            file.push_back(static_cast<char>(record >> 8));
            file.push_back(static_cast<char>(record));
        }
    }
    file.append(16, '\0');
    file += data;
    file += "\xAB\xCD\xEF" "MaxMind.com";
    MmdbValue languages{std::vector<std::string>{"en"}};
    encode(file, map({{"binary_format_major_version", u16(2)},
                      {"binary_format_minor_version", u16(0)},
                      {"build_epoch", u64(1'700'000'000)},
                      {"database_type", str("bitloom-test")},
                      {"description", map({{"en", str("bitloom test database")}})},
                      {"ip_version", u16(4)},
                      {"languages", languages},
                      {"node_count", u32(node_count)},
                      {"record_size", u16(24)}}));
    std::ofstream out(path, std::ios::binary);
    out.write(file.data(), static_cast<std::streamsize>(file.size()));
}

}  // namespace bitloom::mmdb_test
