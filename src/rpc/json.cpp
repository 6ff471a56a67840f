#include "rpc/json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace bitloom {

Json amount_to_json(std::int64_t sats) {
    std::vector<std::uint8_t> bytes(8);
    const auto value = static_cast<std::uint64_t>(sats);
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
    return Json::binary(std::move(bytes), AMOUNT_SUBTYPE);
}

bool is_json_amount(const Json& value) {
    if (!value.is_binary()) return false;
    const auto& bin = value.get_binary();
    return bin.has_subtype() && bin.subtype() == AMOUNT_SUBTYPE && bin.size() == 8;
}

namespace {

std::int64_t amount_of(const Json& value) {
    const auto& bin = value.get_binary();
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(bin[i]) << (8 * i);
    return static_cast<std::int64_t>(v);
}

std::string format_amount(std::int64_t sats) {
    const bool negative = sats < 0;
    const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(sats)
                                       : static_cast<std::uint64_t>(sats);
    char buffer[48];
    std::snprintf(buffer, sizeof(buffer), "%s%llu.%08llu", negative ? "-" : "",
                  static_cast<unsigned long long>(abs / COIN),
                  static_cast<unsigned long long>(abs % COIN));
    return buffer;
}

std::string format_double(double value) {
    if (!std::isfinite(value)) return "null";
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.16g", value);
    return buffer;
}

// Core's ParseFixedPoint for 8 decimals, on the JSON number text.
std::optional<std::int64_t> parse_fixed_point8(std::string_view text) {
    std::size_t i = 0;
    bool negative = false;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    std::uint64_t integer = 0;
    std::size_t int_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (int_digits >= 18) return std::nullopt;
        integer = integer * 10 + static_cast<std::uint64_t>(text[i] - '0');
        ++int_digits;
        ++i;
    }
    std::uint64_t fraction = 0;
    int frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (frac_digits >= 8) {
                if (text[i] != '0') return std::nullopt;  // more than 8 significant decimals
            } else {
                fraction = fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
                ++frac_digits;
            }
            ++i;
        }
    }
    if (int_digits == 0 && frac_digits == 0) return std::nullopt;
    long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        std::size_t exp_digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (exponent > 1000) return std::nullopt;
            exponent = exponent * 10 + (text[i] - '0');
            ++exp_digits;
            ++i;
        }
        if (exp_digits == 0) return std::nullopt;
        if (exp_negative) exponent = -exponent;
    }
    if (i != text.size()) return std::nullopt;
    for (int d = frac_digits; d < 8; ++d) fraction *= 10;
    // value = (integer * 1e8 + fraction) * 10^exponent, in satoshis
    unsigned __int128 units = static_cast<unsigned __int128>(integer) * COIN + fraction;
    const unsigned __int128 limit = static_cast<unsigned __int128>(1) << 100;
    for (; exponent > 0; --exponent) {
        units *= 10;
        if (units > limit) return std::nullopt;
    }
    for (; exponent < 0; ++exponent) {
        if (units % 10 != 0) return std::nullopt;
        units /= 10;
    }
    if (units > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
    const auto result = static_cast<std::int64_t>(units);
    return negative ? -result : result;
}

void escape_string(std::string_view text, std::string& out) {
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (byte < 0x20 || byte == 0x7f) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof(buffer), "\\u%04x", byte);
                    out += buffer;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void indent_to(std::string& out, int indent, int level) {
    out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(level), ' ');
}

// UniValue::write(prettyIndent, indentLevel): containers' members at `level`, the closing
// bracket at level - 1.
void write_value(const Json& value, int indent, int level, std::string& out) {
    switch (value.type()) {
        case Json::value_t::null:
        case Json::value_t::discarded: out += "null"; return;
        case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
        case Json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); return;
        case Json::value_t::number_unsigned:
            out += std::to_string(value.get<std::uint64_t>());
            return;
        case Json::value_t::number_float: out += format_double(value.get<double>()); return;
        case Json::value_t::string: escape_string(value.get_ref<const std::string&>(), out); return;
        case Json::value_t::binary:
            out += is_json_amount(value) ? format_amount(amount_of(value)) : "null";
            return;
        case Json::value_t::array: {
            out += '[';
            if (indent) out += '\n';
            std::size_t i = 0;
            for (const auto& element : value) {
                if (indent) indent_to(out, indent, level);
                write_value(element, indent, level + 1, out);
                if (++i != value.size()) out += ',';
                if (indent) out += '\n';
            }
            if (indent) indent_to(out, indent, level - 1);
            out += ']';
            return;
        }
        case Json::value_t::object: {
            out += '{';
            if (indent) out += '\n';
            std::size_t i = 0;
            for (const auto& [key, element] : value.items()) {
                if (indent) indent_to(out, indent, level);
                escape_string(key, out);
                out += indent ? ": " : ":";
                write_value(element, indent, level + 1, out);
                if (++i != value.size()) out += ',';
                if (indent) out += '\n';
            }
            if (indent) indent_to(out, indent, level - 1);
            out += '}';
            return;
        }
    }
}

// Depth of nesting outside strings; stops early past the limit.
bool nesting_within_limit(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > MAX_JSON_DEPTH) return false;
        } else if (c == ']' || c == '}') --depth;
    }
    return true;
}

// --- Raw text scanning ---------------------------------------------------------------------

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void skip_space(std::string_view text, std::size_t& i) {
    while (i < text.size() && is_space(text[i])) ++i;
}

// Skips a string starting at text[i] == '"'; false when unterminated.
bool skip_string(std::string_view text, std::size_t& i) {
    ++i;
    while (i < text.size()) {
        if (text[i] == '\\') {
            i += 2;
            continue;
        }
        if (text[i] == '"') {
            ++i;
            return true;
        }
        ++i;
    }
    return false;
}

// Skips one value (without validating literals deeply); false on malformed structure.
bool skip_value(std::string_view text, std::size_t& i, int depth) {
    if (depth > MAX_JSON_DEPTH) return false;
    skip_space(text, i);
    if (i >= text.size()) return false;
    const char c = text[i];
    if (c == '"') return skip_string(text, i);
    if (c == '[' || c == '{') {
        const char close = c == '[' ? ']' : '}';
        ++i;
        skip_space(text, i);
        if (i < text.size() && text[i] == close) {
            ++i;
            return true;
        }
        while (true) {
            if (c == '{') {
                skip_space(text, i);
                if (i >= text.size() || text[i] != '"' || !skip_string(text, i)) return false;
                skip_space(text, i);
                if (i >= text.size() || text[i] != ':') return false;
                ++i;
            }
            if (!skip_value(text, i, depth + 1)) return false;
            skip_space(text, i);
            if (i >= text.size()) return false;
            if (text[i] == ',') {
                ++i;
                continue;
            }
            if (text[i] == close) {
                ++i;
                return true;
            }
            return false;
        }
    }
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != ',' && text[i] != ']' &&
           text[i] != '}' && text[i] != ':')
        ++i;
    return i > start;
}

bool pretty_value(std::string_view text, std::size_t& i, int indent, int level, std::string& out) {
    skip_space(text, i);
    if (i >= text.size()) return false;
    const char c = text[i];
    if (c == '[' || c == '{') {
        const char close = c == '[' ? ']' : '}';
        out += c;
        if (indent) out += '\n';
        ++i;
        skip_space(text, i);
        if (i < text.size() && text[i] == close) {
            ++i;
        } else {
            while (true) {
                if (indent) indent_to(out, indent, level);
                if (c == '{') {
                    skip_space(text, i);
                    const std::size_t key_start = i;
                    if (i >= text.size() || text[i] != '"' || !skip_string(text, i)) return false;
                    out.append(text.substr(key_start, i - key_start));
                    skip_space(text, i);
                    if (i >= text.size() || text[i] != ':') return false;
                    ++i;
                    out += indent ? ": " : ":";
                }
                if (!pretty_value(text, i, indent, level + 1, out)) return false;
                skip_space(text, i);
                if (i >= text.size()) return false;
                if (text[i] == ',') {
                    ++i;
                    out += ',';
                    if (indent) out += '\n';
                    continue;
                }
                if (text[i] != close) return false;
                ++i;
                if (indent) out += '\n';
                break;
            }
        }
        if (indent) indent_to(out, indent, level - 1);
        out += close;
        return true;
    }
    const std::size_t start = i;
    if (!skip_value(text, i, 0)) return false;
    out.append(text.substr(start, i - start));
    return true;
}

}  // namespace

std::string_view to_string(AmountError error) {
    switch (error) {
        case AmountError::not_number_or_string: return "Amount is not a number or string";
        case AmountError::invalid_amount: return "Invalid amount";
        case AmountError::out_of_range: return "Amount out of range";
    }
    return "Invalid amount";
}

Result<std::int64_t, AmountError> amount_from_json(const Json& value) {
    std::optional<std::int64_t> sats;
    if (is_json_amount(value)) {
        sats = amount_of(value);
    } else if (value.is_number()) {
        sats = parse_fixed_point8(write_json(value));
    } else if (value.is_string()) {
        sats = parse_fixed_point8(value.get_ref<const std::string&>());
    } else {
        return fail(AmountError::not_number_or_string);
    }
    if (!sats) return fail(AmountError::invalid_amount);
    if (*sats < 0 || *sats > MAX_MONEY) return fail(AmountError::out_of_range);
    return *sats;
}

std::optional<Json> parse_json(std::string_view text) {
    if (!nesting_within_limit(text)) return std::nullopt;
    Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return std::nullopt;
    return value;
}

std::string write_json(const Json& value, int indent) {
    std::string out;
    write_value(value, indent, 1, out);
    return out;
}

std::string_view json_type_name(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
        case Json::value_t::discarded: return "null";
        case Json::value_t::boolean: return "bool";
        case Json::value_t::object: return "object";
        case Json::value_t::array: return "array";
        case Json::value_t::string: return "string";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float: return "number";
        case Json::value_t::binary: return is_json_amount(value) ? "number" : "null";
    }
    return "null";
}

std::optional<std::string_view> json_raw_member(std::string_view text, std::string_view key) {
    std::size_t i = 0;
    skip_space(text, i);
    if (i >= text.size() || text[i] != '{') return std::nullopt;
    ++i;
    skip_space(text, i);
    if (i < text.size() && text[i] == '}') return std::nullopt;
    while (true) {
        skip_space(text, i);
        const std::size_t key_start = i;
        if (i >= text.size() || text[i] != '"' || !skip_string(text, i)) return std::nullopt;
        const auto parsed_key = parse_json(text.substr(key_start, i - key_start));
        skip_space(text, i);
        if (i >= text.size() || text[i] != ':') return std::nullopt;
        ++i;
        skip_space(text, i);
        const std::size_t value_start = i;
        if (!skip_value(text, i, 1)) return std::nullopt;
        if (parsed_key && parsed_key->is_string() && parsed_key->get<std::string>() == key)
            return text.substr(value_start, i - value_start);
        skip_space(text, i);
        if (i >= text.size() || text[i] != ',') return std::nullopt;
        ++i;
    }
}

std::optional<std::string> pretty_json_text(std::string_view text, int indent) {
    if (!parse_json(text)) return std::nullopt;
    std::string out;
    std::size_t i = 0;
    if (!pretty_value(text, i, indent, 1, out)) return std::nullopt;
    return out;
}

}  // namespace bitloom
