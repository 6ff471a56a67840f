#include "encoding/bech32.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace bitloom {
namespace {

constexpr std::string_view CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::array<std::uint32_t, 5> GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                                    0x2a1462b3};
constexpr std::uint32_t BECH32_CONSTANT = 1;
constexpr std::uint32_t BECH32M_CONSTANT = 0x2bc830a3;
constexpr std::size_t MAX_HRP_LENGTH = 83;

// Symbol value of each byte (either case), -1 outside the charset.
constexpr std::array<std::int8_t, 256> SYMBOL_VALUES = [] {
    std::array<std::int8_t, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < CHARSET.size(); ++i) {
        const auto c = static_cast<std::uint8_t>(CHARSET[i]);
        values[c] = static_cast<std::int8_t>(i);
        if (c >= 'a' && c <= 'z') values[c - 'a' + 'A'] = static_cast<std::int8_t>(i);
    }
    return values;
}();

std::uint32_t encoding_constant(Bech32Encoding encoding) {
    return encoding == Bech32Encoding::bech32 ? BECH32_CONSTANT : BECH32M_CONSTANT;
}

// One step of the BCH checksum: multiply by x and add `value`, modulo the generator.
// With value 0 the step is linear over GF(2), which the error locator relies on.
constexpr std::uint32_t polymod_step(std::uint32_t checksum, std::uint8_t value) {
    const std::uint32_t top = checksum >> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (std::size_t i = 0; i < GENERATOR.size(); ++i) {
        if ((top >> i) & 1) checksum ^= GENERATOR[i];
    }
    return checksum;
}

// Checksum state after the expanded hrp: high bits of each character, 0, low bits of each.
std::uint32_t polymod_hrp(std::string_view hrp) {
    std::uint32_t checksum = 1;
    for (char c : hrp) checksum = polymod_step(checksum, static_cast<std::uint8_t>(c) >> 5);
    checksum = polymod_step(checksum, 0);
    for (char c : hrp) checksum = polymod_step(checksum, static_cast<std::uint8_t>(c) & 31);
    return checksum;
}

std::uint32_t polymod(std::string_view hrp, ByteSpan values) {
    std::uint32_t checksum = polymod_hrp(hrp);
    for (std::uint8_t v : values) checksum = polymod_step(checksum, v);
    return checksum;
}

// Data parts up to this many symbols (every string within the 90-character limit) get their
// errors located; within it the code's distance is at least 5, so a set of at most two
// substitutions that explains a checksum residue is unique.
constexpr std::size_t LOCATABLE_DATA_SIZE = 89;

// The change to the checksum residue caused by each possible single-symbol substitution.
// Substituting value v by v ^ e at distance d from the end of the data part changes the residue
// by S^d(e), where S is the linear step polymod_step(., 0): it depends on neither the hrp nor
// the other symbols, so one table serves every string.
class SubstitutionTable {
public:
    struct Substitution {
        std::size_t distance;  // from the end of the data part
        unsigned error;        // 1..31, xored into the symbol
    };

    SubstitutionTable() {
        std::array<std::uint32_t, 5> basis = {1, 2, 4, 8, 16};
        for (std::size_t d = 0; d < LOCATABLE_DATA_SIZE; ++d) {
            for (unsigned e = 1; e < 32; ++e) {
                std::uint32_t change = 0;
                for (unsigned bit = 0; bit < 5; ++bit) {
                    if ((e >> bit) & 1) change ^= basis[bit];
                }
                effect_[d][e] = change;
                insert(change, static_cast<std::uint16_t>(1 + d * 32 + e));
            }
            for (auto& b : basis) b = polymod_step(b, 0);
        }
    }

    std::uint32_t effect(std::size_t distance, unsigned error) const {
        return effect_[distance][error];
    }

    // The substitution whose effect is `change`, if any.
    std::optional<Substitution> find(std::uint32_t change) const {
        for (std::size_t slot = bucket(change);; slot = (slot + 1) % BUCKETS) {
            if (entries_[slot] == 0) return std::nullopt;
            if (keys_[slot] == change) {
                const unsigned packed = entries_[slot] - 1u;
                return Substitution{packed / 32, packed % 32};
            }
        }
    }

private:
    static constexpr std::size_t BUCKETS = 8192;  // > 2 * 89 * 31: short probe chains

    static std::size_t bucket(std::uint32_t change) { return (change * 0x9e3779b1u) >> (32 - 13); }
    void insert(std::uint32_t change, std::uint16_t entry) {
        std::size_t slot = bucket(change);
        while (entries_[slot] != 0) slot = (slot + 1) % BUCKETS;
        keys_[slot] = change;
        entries_[slot] = entry;
    }

    std::array<std::array<std::uint32_t, 32>, LOCATABLE_DATA_SIZE> effect_{};
    std::array<std::uint32_t, BUCKETS> keys_{};
    std::array<std::uint16_t, BUCKETS> entries_{};  // 0: empty, else 1 + distance * 32 + error
};

const SubstitutionTable& substitution_table() {
    static const SubstitutionTable table;
    return table;
}

// Finds the 1 or 2 symbol substitutions among `length` data symbols that would cancel
// `syndrome` (the checksum residue xor the encoding's constant). Returns their indices into
// the data part, ascending, or nothing when there is no such substitution (or the data part is
// too long to say).
std::vector<std::size_t> locate_substitutions(std::uint32_t syndrome, std::size_t length) {
    if (length > LOCATABLE_DATA_SIZE) return {};
    const SubstitutionTable& table = substitution_table();
    if (const auto single = table.find(syndrome); single && single->distance < length) {
        return {length - 1 - single->distance};
    }
    for (std::size_t d1 = 0; d1 < length; ++d1) {
        for (unsigned e1 = 1; e1 < 32; ++e1) {
            const auto other = table.find(syndrome ^ table.effect(d1, e1));
            if (other && other->distance < length && other->distance != d1) {
                const std::size_t a = length - 1 - d1;
                const std::size_t b = length - 1 - other->distance;
                return {std::min(a, b), std::max(a, b)};
            }
        }
    }
    return {};
}

struct Analysis {
    std::optional<Bech32Error> error;
    std::vector<std::size_t> positions;  // filled only when asked for
    Bech32Decoded decoded;
};

Analysis analyse(std::string_view text, std::size_t max_length, bool want_positions) {
    Analysis result;
    auto fail_with = [&](Bech32Error error) {
        result.error = error;
        return std::move(result);
    };

    if (text.size() > max_length) {
        if (want_positions) {
            for (std::size_t i = max_length; i < text.size(); ++i) result.positions.push_back(i);
        }
        return fail_with(Bech32Error::too_long);
    }

    bool has_lower = false;
    bool has_upper = false;
    bool out_of_range = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        bool bad = false;
        if (c >= 'a' && c <= 'z') {
            bad = has_upper;
            has_lower = has_lower || !has_upper;
        } else if (c >= 'A' && c <= 'Z') {
            bad = has_lower;
            has_upper = has_upper || !has_lower;
        } else if (c < 33 || c > 126) {
            bad = true;
            out_of_range = true;
        }
        if (bad) result.positions.push_back(i);
    }
    if (!result.positions.empty()) {
        if (!want_positions) result.positions.clear();
        return fail_with(out_of_range ? Bech32Error::invalid_character : Bech32Error::mixed_case);
    }

    const std::size_t separator = text.rfind('1');
    if (separator == std::string_view::npos) return fail_with(Bech32Error::missing_separator);
    if (separator == 0 || separator + BECH32_CHECKSUM_SIZE >= text.size() ||
        separator > MAX_HRP_LENGTH) {
        if (want_positions) result.positions.push_back(separator);
        return fail_with(Bech32Error::invalid_separator_position);
    }

    std::string hrp(text.substr(0, separator));
    for (char& c : hrp) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    Bytes values;
    values.reserve(text.size() - separator - 1);
    for (std::size_t i = separator + 1; i < text.size(); ++i) {
        const int value = SYMBOL_VALUES[static_cast<unsigned char>(text[i])];
        if (value < 0) {
            if (want_positions) result.positions.push_back(i);
            return fail_with(Bech32Error::invalid_data_character);
        }
        values.push_back(static_cast<std::uint8_t>(value));
    }

    const std::uint32_t residue = polymod(hrp, values);
    if (residue == BECH32_CONSTANT || residue == BECH32M_CONSTANT) {
        result.decoded.encoding =
            residue == BECH32_CONSTANT ? Bech32Encoding::bech32 : Bech32Encoding::bech32m;
        values.resize(values.size() - BECH32_CHECKSUM_SIZE);
        result.decoded.data = std::move(values);
        result.decoded.hrp = std::move(hrp);
        return result;
    }

    // Name the encoding whose nearest codeword needs the fewest substitutions; on a tie, or
    // when only one has any, Bech32 wins, as in Bitcoin Core.
    std::vector<std::size_t> best;
    Bech32Error error = Bech32Error::invalid_checksum;
    for (Bech32Encoding encoding : {Bech32Encoding::bech32, Bech32Encoding::bech32m}) {
        auto found = locate_substitutions(residue ^ encoding_constant(encoding), values.size());
        if (!found.empty() && (best.empty() || found.size() < best.size())) {
            best = std::move(found);
            error = encoding == Bech32Encoding::bech32 ? Bech32Error::invalid_bech32_checksum
                                                       : Bech32Error::invalid_bech32m_checksum;
        }
    }
    if (want_positions) {
        for (std::size_t k : best) result.positions.push_back(separator + 1 + k);
    }
    return fail_with(error);
}

}  // namespace

std::string_view to_string(Bech32Error error) {
    switch (error) {
        case Bech32Error::too_long: return "Bech32 string too long";
        case Bech32Error::invalid_character:
        case Bech32Error::mixed_case: return "Invalid character or mixed case";
        case Bech32Error::missing_separator: return "Missing separator";
        case Bech32Error::invalid_separator_position: return "Invalid separator position";
        case Bech32Error::invalid_data_character: return "Invalid Base 32 character";
        case Bech32Error::invalid_checksum: return "Invalid checksum";
        case Bech32Error::invalid_bech32_checksum: return "Invalid Bech32 checksum";
        case Bech32Error::invalid_bech32m_checksum: return "Invalid Bech32m checksum";
    }
    return "Unknown Bech32 error";
}

std::string encode_bech32(Bech32Encoding encoding, std::string_view hrp, ByteSpan values) {
    assert(!hrp.empty() && hrp.size() <= MAX_HRP_LENGTH);
    assert(std::all_of(hrp.begin(), hrp.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 33 && u <= 126 && !(u >= 'A' && u <= 'Z');
    }));
    std::uint32_t checksum = polymod_hrp(hrp);
    std::string text(hrp);
    text.reserve(hrp.size() + 1 + values.size() + BECH32_CHECKSUM_SIZE);
    text.push_back('1');
    for (std::uint8_t v : values) {
        assert(v < 32);
        checksum = polymod_step(checksum, v);
        text.push_back(CHARSET[v & 31]);
    }
    for (std::size_t i = 0; i < BECH32_CHECKSUM_SIZE; ++i) checksum = polymod_step(checksum, 0);
    checksum ^= encoding_constant(encoding);
    for (std::size_t i = 0; i < BECH32_CHECKSUM_SIZE; ++i) {
        text.push_back(CHARSET[(checksum >> (5 * (BECH32_CHECKSUM_SIZE - 1 - i))) & 31]);
    }
    return text;
}

Result<Bech32Decoded, Bech32Error> decode_bech32(std::string_view text, std::size_t max_length) {
    Analysis analysis = analyse(text, max_length, false);
    if (analysis.error) return fail(*analysis.error);
    return std::move(analysis.decoded);
}

std::vector<std::size_t> locate_bech32_errors(std::string_view text, std::size_t max_length) {
    return analyse(text, max_length, true).positions;
}

std::optional<Bytes> convert_bits(ByteSpan values, unsigned from_bits, unsigned to_bits, bool pad) {
    assert(from_bits >= 1 && from_bits <= 8 && to_bits >= 1 && to_bits <= 8);
    const std::uint32_t out_mask = (1u << to_bits) - 1;
    std::uint32_t accumulator = 0;  // holds fewer than to_bits pending bits between values
    unsigned pending = 0;
    Bytes out;
    out.reserve(values.size() * from_bits / to_bits + 1);
    for (std::uint8_t value : values) {
        if ((value >> from_bits) != 0) return std::nullopt;
        accumulator = (accumulator << from_bits) | value;
        pending += from_bits;
        while (pending >= to_bits) {
            pending -= to_bits;
            out.push_back(static_cast<std::uint8_t>((accumulator >> pending) & out_mask));
        }
        accumulator &= (1u << pending) - 1;
    }
    if (pad) {
        if (pending > 0) {
            out.push_back(
                static_cast<std::uint8_t>((accumulator << (to_bits - pending)) & out_mask));
        }
    } else if (pending >= from_bits || accumulator != 0) {
        return std::nullopt;
    }
    return out;
}

Bytes bytes_to_5bit(ByteSpan bytes) { return *convert_bits(bytes, 8, 5, true); }

std::optional<Bytes> bytes_from_5bit(ByteSpan values) { return convert_bits(values, 5, 8, false); }

}  // namespace bitloom
