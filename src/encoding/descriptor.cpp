#include "encoding/descriptor.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <cstdint>
#include <optional>
#include <vector>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "crypto/pubkey.h"
#include "crypto/sha256.h"
#include "encoding/address.h"
#include "encoding/wif.h"
#include "util/hex.h"

namespace bitloom {

std::string_view to_string(DescriptorError error) {
    switch (error) {
        case DescriptorError::bad_checksum: return "bad checksum";
        case DescriptorError::invalid_function: return "invalid function";
        case DescriptorError::invalid_context: return "function not allowed here";
        case DescriptorError::invalid_key: return "invalid key";
        case DescriptorError::unsupported_key: return "unsupported key";
        case DescriptorError::invalid_multisig: return "invalid multisig";
        case DescriptorError::invalid_address: return "invalid address";
        case DescriptorError::invalid_hex: return "invalid hex";
    }
    return "unknown";
}

namespace {

// The BIP380 character set: position & 31 is the symbol, position >> 5 its group.
constexpr std::string_view INPUT_CHARSET =
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    "ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
constexpr std::string_view CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// One step of the BCH code over GF(32) that BIP380 defines (degree 8 generator).
std::uint64_t poly_mod(std::uint64_t c, unsigned value) {
    const auto top = static_cast<std::uint8_t>(c >> 35);
    c = ((c & 0x7ffffffffULL) << 5) ^ value;
    if (top & 1) c ^= 0xf5dee51989ULL;
    if (top & 2) c ^= 0xa9fdca3312ULL;
    if (top & 4) c ^= 0x1bab10e32dULL;
    if (top & 8) c ^= 0x3706b1677aULL;
    if (top & 16) c ^= 0x644d626ffdULL;
    return c;
}

// Concatenates text pieces (numbers go through std::to_string first).
std::string cat(std::initializer_list<std::string_view> pieces) {
    std::string out;
    for (const auto piece : pieces) out.append(piece);
    return out;
}

using Failure = DescriptorFailure;
using ScriptResult = Result<Script, Failure>;

std::unexpected<Failure> failure(DescriptorError error, std::string message) {
    return fail(Failure{error, std::move(message)});
}

// Where an expression sits, which decides what it may be and which keys it accepts.
enum class Context { top, p2sh, p2wpkh, p2wsh, p2tr };

// The argument list of `name(...)` when `expr` is exactly that call.
std::optional<std::string_view> call_arguments(std::string_view name, std::string_view expr) {
    if (expr.size() < name.size() + 2 || !expr.starts_with(name) || expr[name.size()] != '(' ||
        expr.back() != ')') {
        return std::nullopt;
    }
    return expr.substr(name.size() + 1, expr.size() - name.size() - 2);
}

// Splits at the commas that are outside every parenthesis or brace. Unbalanced closing
// characters make the whole list invalid (nullopt).
std::optional<std::vector<std::string_view>> split_arguments(std::string_view args) {
    std::vector<std::string_view> parts;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const char c = args[i];
        if (c == '(' || c == '{') {
            ++depth;
        } else if (c == ')' || c == '}') {
            if (--depth < 0) return std::nullopt;
        } else if (c == ',' && depth == 0) {
            parts.push_back(args.substr(start, i - start));
            start = i + 1;
        }
    }
    if (depth != 0) return std::nullopt;
    parts.push_back(args.substr(start));
    return parts;
}

std::optional<std::uint32_t> parse_uint32(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Checks a "[fingerprint/path...]" origin (without the brackets' content being used).
Result<void, Failure> check_origin(std::string_view origin) {
    if (origin.empty() || origin.front() != '[') {
        return failure(DescriptorError::invalid_key,
                       cat({"Key origin start '[ character expected but not found, got '",
                            origin.empty() ? std::string_view{} : origin.substr(0, 1),
                            "' instead"}));
    }
    origin.remove_prefix(1);
    std::size_t slash = origin.find('/');
    const std::string_view fingerprint = origin.substr(0, slash);
    if (fingerprint.size() != 8) {
        return failure(DescriptorError::invalid_key,
                       cat({"Fingerprint is not 4 bytes (", std::to_string(fingerprint.size()),
                            " characters instead of 8 characters)"}));
    }
    if (!is_hex(fingerprint)) {
        return failure(DescriptorError::invalid_key,
                       cat({"Fingerprint '", fingerprint, "' is not hex"}));
    }
    while (slash != std::string_view::npos) {
        origin.remove_prefix(slash + 1);
        slash = origin.find('/');
        std::string_view element = origin.substr(0, slash);
        const std::string_view shown = element;
        bool hardened = false;
        if (!element.empty() && (element.back() == '\'' || element.back() == 'h')) {
            hardened = true;
            element.remove_suffix(1);
        }
        const auto index = parse_uint32(element);
        if (!index) {
            return failure(DescriptorError::invalid_key,
                           cat({"Key path value '", shown, "' is not a valid uint32"}));
        }
        if (hardened && *index >= 0x80000000U) {
            return failure(DescriptorError::invalid_key,
                           cat({"Key path value ", std::to_string(*index), " is out of range"}));
        }
    }
    return {};
}

// A parsed key: the encoding a script pushes (33 or 65 bytes), or an x-only key inside tr().
struct ParsedKey {
    Bytes encoding;
};

Result<ParsedKey, Failure> parse_key(std::string_view text, Context context,
                                     const AddressPrefixes& prefixes) {
    const std::size_t close = text.find(']');
    if (close != std::string_view::npos) {
        if (text.find(']', close + 1) != std::string_view::npos) {
            return failure(DescriptorError::invalid_key,
                           "Multiple ']' characters found for a single pubkey");
        }
        if (auto origin = check_origin(text.substr(0, close)); !origin) {
            return fail(origin.error());
        }
        text.remove_prefix(close + 1);
    }
    const bool permit_uncompressed = context == Context::top || context == Context::p2sh;

    if (text.find('/') != std::string_view::npos || text.find('*') != std::string_view::npos ||
        text.starts_with("xpub") || text.starts_with("xprv") || text.starts_with("tpub") ||
        text.starts_with("tprv")) {
        return failure(DescriptorError::unsupported_key,
                       cat({"key '", text, "': ranged and extended keys are not supported yet"}));
    }
    if (is_hex(text)) {
        const auto bytes = parse_hex(text);
        if (context == Context::p2tr && bytes->size() == XOnlyPublicKey::SIZE) {
            if (XOnlyPublicKey::parse(*bytes)) return ParsedKey{*bytes};
            return failure(DescriptorError::invalid_key,
                           cat({"Pubkey '", text, "' is invalid"}));
        }
        auto key = PublicKey::parse(*bytes);
        if (!key) {
            return failure(DescriptorError::invalid_key,
                           cat({"Pubkey '", text, "' is invalid"}));
        }
        const std::uint8_t prefix = key->serialize()[0];
        if (prefix == 0x06 || prefix == 0x07) {
            return failure(DescriptorError::invalid_key, "Hybrid public keys are not allowed");
        }
        if (!key->is_compressed() && !permit_uncompressed) {
            return failure(DescriptorError::invalid_key, "Uncompressed keys are not allowed");
        }
        if (context == Context::p2tr) {
            const XOnlyPublicKey x_only = key->x_only();
            return ParsedKey{Bytes(x_only.bytes().begin(), x_only.bytes().end())};
        }
        const auto encoding = key->serialize();
        return ParsedKey{Bytes(encoding.begin(), encoding.end())};
    }
    if (auto secret = decode_wif(text, prefixes)) {
        if (!secret->is_compressed() && !permit_uncompressed) {
            return failure(DescriptorError::invalid_key, "Uncompressed keys are not allowed");
        }
        if (context == Context::p2tr) {
            const XOnlyPublicKey x_only = secret->x_only_public_key();
            return ParsedKey{Bytes(x_only.bytes().begin(), x_only.bytes().end())};
        }
        const PublicKey public_key = secret->public_key();
        const auto encoding = public_key.serialize();
        return ParsedKey{Bytes(encoding.begin(), encoding.end())};
    }
    return failure(DescriptorError::invalid_key, cat({"key '", text, "' is not valid"}));
}

ScriptResult multisig_script(std::string_view args, bool sorted, Context context,
                             const AddressPrefixes& prefixes) {
    const auto parts = split_arguments(args);
    if (!parts) {
        return failure(DescriptorError::invalid_function,
                       cat({"Invalid expression '", args, "'"}));
    }
    const auto threshold = parse_uint32((*parts)[0]);
    if (!threshold) {
        return failure(DescriptorError::invalid_multisig,
                       cat({"Multi threshold '", (*parts)[0], "' is not valid"}));
    }
    std::vector<Bytes> keys;
    for (std::size_t i = 1; i < parts->size(); ++i) {
        auto key = parse_key((*parts)[i], context, prefixes);
        if (!key) return fail(key.error());
        keys.push_back(std::move(key->encoding));
    }
    if (keys.empty() || keys.size() > MAX_PUBKEYS_PER_MULTISIG) {
        return failure(DescriptorError::invalid_multisig,
                       cat({"Cannot have ", std::to_string(keys.size()),
                            " keys in multisig; must have between 1 and ",
                            std::to_string(MAX_PUBKEYS_PER_MULTISIG), " keys, inclusive"}));
    }
    if (*threshold < 1) {
        return failure(DescriptorError::invalid_multisig,
                       cat({"Multisig threshold cannot be ", std::to_string(*threshold),
                            ", must be at least 1"}));
    }
    if (*threshold > keys.size()) {
        return failure(DescriptorError::invalid_multisig,
                       cat({"Multisig threshold cannot be larger than the number of keys; "
                            "threshold is ",
                            std::to_string(*threshold), " but only ", std::to_string(keys.size()),
                            " keys specified"}));
    }
    if (context == Context::top && keys.size() > 3) {
        return failure(DescriptorError::invalid_multisig,
                       cat({"Cannot have ", std::to_string(keys.size()),
                            " pubkeys in bare multisig; only at most 3 pubkeys"}));
    }
    if (sorted) std::sort(keys.begin(), keys.end());
    Script script;
    script.push_int(*threshold);
    for (const auto& key : keys) script.push_data(key);
    script.push_int(static_cast<std::int64_t>(keys.size()));
    script.push_opcode(OP_CHECKMULTISIG);
    if (context == Context::p2sh && script.size() > MAX_SCRIPT_ELEMENT_SIZE) {
        return failure(DescriptorError::invalid_multisig,
                       cat({"P2SH script is too large, ", std::to_string(script.size()),
                            " bytes is larger than ", std::to_string(MAX_SCRIPT_ELEMENT_SIZE),
                            " bytes"}));
    }
    return script;
}

ScriptResult parse_script(std::string_view expr, Context context,
                          const AddressPrefixes& prefixes) {
    const auto context_error = [](std::string message) {
        return failure(DescriptorError::invalid_context, std::move(message));
    };

    if (auto args = call_arguments("pk", expr)) {
        auto key = parse_key(*args, context, prefixes);
        if (!key) return fail(key.error());
        Script script;
        script.push_data(key->encoding).push_opcode(OP_CHECKSIG);
        return script;
    }
    if (auto args = call_arguments("pkh", expr)) {
        auto key = parse_key(*args, context, prefixes);
        if (!key) return fail(key.error());
        return script_for_destination(PubKeyHash{hash160(key->encoding)});
    }
    if (auto args = call_arguments("combo", expr)) {
        if (context != Context::top) return context_error("Can only have combo() at top level");
        return failure(DescriptorError::invalid_function,
                       "combo() describes several scripts; it is not supported here");
    }
    const bool sorted = call_arguments("sortedmulti", expr).has_value();
    if (auto args = sorted ? call_arguments("sortedmulti", expr) : call_arguments("multi", expr)) {
        return multisig_script(*args, sorted, context, prefixes);
    }
    if (auto args = call_arguments("wpkh", expr)) {
        if (context != Context::top && context != Context::p2sh) {
            return context_error("Can only have wpkh() at top level or inside sh()");
        }
        auto key = parse_key(*args, Context::p2wpkh, prefixes);
        if (!key) return fail(key.error());
        return script_for_destination(WitnessV0KeyHash{hash160(key->encoding)});
    }
    if (auto args = call_arguments("sh", expr)) {
        if (context != Context::top) return context_error("Can only have sh() at top level");
        auto inner = parse_script(*args, Context::p2sh, prefixes);
        if (!inner) return inner;
        return script_for_destination(ScriptHash{hash160(inner->span())});
    }
    if (auto args = call_arguments("wsh", expr)) {
        if (context != Context::top && context != Context::p2sh) {
            return context_error("Can only have wsh() at top level or inside sh()");
        }
        auto inner = parse_script(*args, Context::p2wsh, prefixes);
        if (!inner) return inner;
        return script_for_destination(WitnessV0ScriptHash{sha256(inner->span())});
    }
    if (auto args = call_arguments("addr", expr)) {
        if (context != Context::top) return context_error("Can only have addr() at top level");
        auto destination = decode_address(*args, prefixes);
        if (!destination) {
            return failure(DescriptorError::invalid_address, "Address is not valid");
        }
        return script_for_destination(*destination);
    }
    if (auto args = call_arguments("tr", expr)) {
        if (context != Context::top) return context_error("Can only have tr at top level");
        const auto parts = split_arguments(*args);
        if (!parts) {
            return failure(DescriptorError::invalid_function,
                           cat({"Invalid expression '", *args, "'"}));
        }
        if (parts->size() > 1) {
            return failure(DescriptorError::unsupported_key,
                           "tr() script trees are not supported yet");
        }
        auto key = parse_key(*args, Context::p2tr, prefixes);
        if (!key) return fail(key.error());
        const auto internal = XOnlyPublicKey::parse(key->encoding);
        if (!internal) {
            return failure(DescriptorError::invalid_key,
                           cat({"Pubkey '", *args, "' is invalid"}));
        }
        const auto tweaked = internal->create_tap_tweak(std::nullopt);
        if (!tweaked) {
            return failure(DescriptorError::invalid_key,
                           cat({"Pubkey '", *args, "' cannot be tweaked"}));
        }
        return script_for_destination(WitnessV1Taproot{tweaked->key.bytes()});
    }
    if (auto args = call_arguments("raw", expr)) {
        if (context != Context::top) return context_error("Can only have raw() at top level");
        const auto bytes = is_hex(*args) ? parse_hex(*args) : std::nullopt;
        if (!bytes) return failure(DescriptorError::invalid_hex, "Raw script is not hex");
        return Script(ByteSpan(*bytes));
    }
    if (context == Context::p2sh) {
        return failure(DescriptorError::invalid_function, "A function is needed within P2SH");
    }
    if (context == Context::p2wsh) {
        return failure(DescriptorError::invalid_function, "A function is needed within P2WSH");
    }
    return failure(DescriptorError::invalid_function,
                   cat({"'", expr, "' is not a valid descriptor function"}));
}

}  // namespace

std::string descriptor_checksum(std::string_view descriptor) {
    std::uint64_t c = 1;
    unsigned group = 0;
    int group_count = 0;
    for (const char ch : descriptor) {
        const std::size_t position = INPUT_CHARSET.find(ch);
        if (position == std::string_view::npos) return {};
        c = poly_mod(c, static_cast<unsigned>(position & 31));
        group = group * 3 + static_cast<unsigned>(position >> 5);
        if (++group_count == 3) {
            c = poly_mod(c, group);
            group = 0;
            group_count = 0;
        }
    }
    if (group_count > 0) c = poly_mod(c, group);
    for (int i = 0; i < 8; ++i) c = poly_mod(c, 0);
    c ^= 1;
    std::string checksum(8, ' ');
    for (int i = 0; i < 8; ++i) checksum[i] = CHECKSUM_CHARSET[(c >> (5 * (7 - i))) & 31];
    return checksum;
}

std::string add_descriptor_checksum(std::string_view descriptor) {
    const std::string checksum = descriptor_checksum(descriptor);
    if (checksum.empty()) return {};
    return std::string(descriptor) + "#" + checksum;
}

Result<Script, DescriptorFailure> parse_descriptor(std::string_view descriptor,
                                                   const AddressPrefixes& prefixes,
                                                   bool require_checksum) {
    const std::size_t hash = descriptor.find('#');
    std::string_view body = descriptor.substr(0, hash);
    if (hash != std::string_view::npos) {
        const std::string_view provided = descriptor.substr(hash + 1);
        if (provided.find('#') != std::string_view::npos) {
            return failure(DescriptorError::bad_checksum, "Multiple '#' symbols");
        }
        if (provided.size() != 8) {
            return failure(DescriptorError::bad_checksum,
                           cat({"Expected 8 character checksum, not ",
                                std::to_string(provided.size()),
                                " characters"}));
        }
        const std::string computed = descriptor_checksum(body);
        if (computed.empty()) {
            return failure(DescriptorError::bad_checksum, "Invalid characters in payload");
        }
        if (computed != provided) {
            return failure(DescriptorError::bad_checksum,
                           cat({"Provided checksum '", provided,
                                "' does not match computed checksum '", computed, "'"}));
        }
    } else {
        if (require_checksum) return failure(DescriptorError::bad_checksum, "Missing checksum");
        if (descriptor_checksum(body).empty()) {
            return failure(DescriptorError::bad_checksum, "Invalid characters in payload");
        }
    }
    return parse_script(body, Context::top, prefixes);
}

}  // namespace bitloom
