#include "encoding/address.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "encoding/base58.h"
#include "encoding/bech32.h"

namespace bitloom {
namespace {

constexpr std::size_t BASE58_ADDRESS_PAYLOAD_SIZE = 1 + Uint160::SIZE;
// Bitcoin Core retries failed Base58Check text as plain Base58 of up to 100 bytes to tell a
// bad checksum from text that is not Base58 at all.
constexpr std::size_t BASE58_RETRY_MAX_SIZE = 100;

// Why decoding failed, with the details Core puts into its messages.
struct DecodeFailure {
    AddressError error;
    std::size_t program_size = 0;  // for the program-size errors
    std::string hrp;               // for bech32_wrong_hrp
};

std::unexpected<DecodeFailure> failure(AddressError error, std::size_t program_size = 0,
                                       std::string hrp = {}) {
    return std::unexpected(DecodeFailure{error, program_size, std::move(hrp)});
}

AddressError from_bech32_error(Bech32Error error) {
    switch (error) {
        case Bech32Error::too_long: return AddressError::bech32_too_long;
        case Bech32Error::invalid_character:
        case Bech32Error::mixed_case: return AddressError::bech32_invalid_character;
        case Bech32Error::missing_separator: return AddressError::bech32_missing_separator;
        case Bech32Error::invalid_separator_position:
            return AddressError::bech32_invalid_separator_position;
        case Bech32Error::invalid_data_character:
            return AddressError::bech32_invalid_data_character;
        case Bech32Error::invalid_checksum: return AddressError::bech32_invalid_checksum;
        case Bech32Error::invalid_bech32_checksum:
            return AddressError::bech32_invalid_bech32_checksum;
        case Bech32Error::invalid_bech32m_checksum:
            return AddressError::bech32_invalid_bech32m_checksum;
    }
    return AddressError::bech32_invalid_checksum;
}

bool starts_with_hrp(std::string_view text, std::string_view hrp) {
    if (text.size() < hrp.size()) return false;
    return std::equal(hrp.begin(), hrp.end(), text.begin(), [](char h, char c) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return h == c;
    });
}

Result<Destination, DecodeFailure> decode_base58_address(std::string_view text,
                                                         const AddressPrefixes& prefixes) {
    auto payload = decode_base58check(text, BASE58_ADDRESS_PAYLOAD_SIZE);
    if (!payload) {
        if (decode_base58(text, BASE58_RETRY_MAX_SIZE)) {
            return failure(AddressError::base58_checksum_or_length);
        }
        return failure(AddressError::invalid_encoding);
    }
    const Bytes& data = *payload;
    const bool pubkey_prefix = !data.empty() && data[0] == prefixes.pubkey_hash;
    const bool script_prefix = !data.empty() && data[0] == prefixes.script_hash;
    if (data.size() == BASE58_ADDRESS_PAYLOAD_SIZE) {
        const Uint160 hash(ByteSpan(data).subspan(1));
        if (pubkey_prefix) return PubKeyHash{hash};
        if (script_prefix) return ScriptHash{hash};
    }
    if (pubkey_prefix || script_prefix) {
        return failure(AddressError::base58_wrong_length);
    }
    return failure(AddressError::base58_wrong_prefix);
}

Result<Destination, DecodeFailure> decode_segwit_address(std::string_view text,
                                                         const AddressPrefixes& prefixes) {
    auto decoded = decode_bech32(text);
    if (!decoded) return failure(from_bech32_error(decoded.error()));
    if (decoded->data.empty()) return failure(AddressError::bech32_empty_data);
    if (decoded->hrp != prefixes.bech32_hrp) {
        return failure(AddressError::bech32_wrong_hrp, 0, decoded->hrp);
    }
    const unsigned version = decoded->data[0];
    if (version == 0 && decoded->encoding != Bech32Encoding::bech32) {
        return failure(AddressError::v0_requires_bech32);
    }
    if (version != 0 && decoded->encoding != Bech32Encoding::bech32m) {
        return failure(AddressError::v1_plus_requires_bech32m);
    }
    auto program = bytes_from_5bit(ByteSpan(decoded->data).subspan(1));
    if (!program) return failure(AddressError::invalid_padding);
    const std::size_t size = program->size();

    if (version == 0) {
        if (size == Uint160::SIZE) return WitnessV0KeyHash{Uint160(*program)};
        if (size == Uint256::SIZE) return WitnessV0ScriptHash{Uint256(*program)};
        return failure(AddressError::v0_wrong_program_size, size);
    }
    if (version == 1 && size == 32) {
        WitnessV1Taproot taproot;
        std::copy(program->begin(), program->end(), taproot.output_key.begin());
        return taproot;
    }
    if (version == 1 && std::ranges::equal(*program, PAY_TO_ANCHOR_PROGRAM)) return PayToAnchor{};
    if (version > 16) return failure(AddressError::invalid_witness_version);
    if (size < WITNESS_PROGRAM_MIN_SIZE || size > WITNESS_PROGRAM_MAX_SIZE) {
        return failure(AddressError::wrong_program_size, size);
    }
    return WitnessUnknown{version, std::move(*program)};
}

Result<Destination, DecodeFailure> decode_with_details(std::string_view text,
                                                       const AddressPrefixes& prefixes) {
    // Text that is valid Bech32 for another network still goes the Base58 way, and fails
    // there: Core does the same.
    if (!starts_with_hrp(text, prefixes.bech32_hrp)) return decode_base58_address(text, prefixes);
    return decode_segwit_address(text, prefixes);
}

std::string segwit_address(const AddressPrefixes& prefixes, unsigned version, ByteSpan program) {
    Bytes values{static_cast<std::uint8_t>(version)};
    append(values, bytes_to_5bit(program));
    return encode_bech32(version == 0 ? Bech32Encoding::bech32 : Bech32Encoding::bech32m,
                         prefixes.bech32_hrp, values);
}

std::string base58_address(std::uint8_t prefix, const Uint160& hash) {
    Bytes payload{prefix};
    append(payload, hash.span());
    return encode_base58check(payload);
}

bool is_encodable_witness_unknown(const WitnessUnknown& unknown) {
    return unknown.version >= 1 && unknown.version <= 16 &&
           unknown.program.size() >= WITNESS_PROGRAM_MIN_SIZE &&
           unknown.program.size() <= WITNESS_PROGRAM_MAX_SIZE;
}

std::string plural_bytes(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

}  // namespace

std::string_view to_string(AddressError error) {
    switch (error) {
        case AddressError::invalid_encoding:
            return "Invalid or unsupported Segwit (Bech32) or Base58 encoding.";
        case AddressError::base58_checksum_or_length:
            return "Invalid checksum or length of Base58 address (P2PKH or P2SH)";
        case AddressError::base58_wrong_length:
            return "Invalid length for Base58 address (P2PKH or P2SH)";
        case AddressError::base58_wrong_prefix: return "Invalid or unsupported Base58-encoded address.";
        case AddressError::bech32_too_long: return to_string(Bech32Error::too_long);
        case AddressError::bech32_invalid_character:
            return to_string(Bech32Error::invalid_character);
        case AddressError::bech32_missing_separator:
            return to_string(Bech32Error::missing_separator);
        case AddressError::bech32_invalid_separator_position:
            return to_string(Bech32Error::invalid_separator_position);
        case AddressError::bech32_invalid_data_character:
            return to_string(Bech32Error::invalid_data_character);
        case AddressError::bech32_invalid_checksum: return to_string(Bech32Error::invalid_checksum);
        case AddressError::bech32_invalid_bech32_checksum:
            return to_string(Bech32Error::invalid_bech32_checksum);
        case AddressError::bech32_invalid_bech32m_checksum:
            return to_string(Bech32Error::invalid_bech32m_checksum);
        case AddressError::bech32_empty_data: return "Empty Bech32 data section";
        case AddressError::bech32_wrong_hrp:
            return "Invalid or unsupported prefix for Segwit (Bech32) address";
        case AddressError::v0_requires_bech32:
            return "Version 0 witness address must use Bech32 checksum";
        case AddressError::v1_plus_requires_bech32m:
            return "Version 1+ witness address must use Bech32m checksum";
        case AddressError::invalid_padding: return "Invalid padding in Bech32 data section";
        case AddressError::v0_wrong_program_size:
            return "Invalid Bech32 v0 address program size, per BIP141";
        case AddressError::invalid_witness_version: return "Invalid Bech32 address witness version";
        case AddressError::wrong_program_size: return "Invalid Bech32 address program size";
    }
    return "Invalid address";
}

Result<Destination, AddressError> decode_address(std::string_view text,
                                                 const AddressPrefixes& prefixes) {
    auto decoded = decode_with_details(text, prefixes);
    if (!decoded) return fail(decoded.error().error);
    return std::move(*decoded);
}

std::optional<AddressErrorReport> describe_address_error(std::string_view text,
                                                         const AddressPrefixes& prefixes) {
    auto decoded = decode_with_details(text, prefixes);
    if (decoded) return std::nullopt;
    const DecodeFailure& failure = decoded.error();
    AddressErrorReport report{failure.error, std::string(to_string(failure.error)), {}};
    switch (failure.error) {
        case AddressError::bech32_wrong_hrp:
            report.message =
                "Invalid or unsupported prefix for Segwit (Bech32) address (expected " +
                std::string(prefixes.bech32_hrp) + ", got " + failure.hrp + ").";
            break;
        case AddressError::v0_wrong_program_size:
            report.message = "Invalid Bech32 v0 address program size (" +
                             plural_bytes(failure.program_size) + "), per BIP141";
            break;
        case AddressError::wrong_program_size:
            report.message =
                "Invalid Bech32 address program size (" + plural_bytes(failure.program_size) + ")";
            break;
        case AddressError::bech32_too_long:
        case AddressError::bech32_invalid_character:
        case AddressError::bech32_missing_separator:
        case AddressError::bech32_invalid_separator_position:
        case AddressError::bech32_invalid_data_character:
        case AddressError::bech32_invalid_checksum:
        case AddressError::bech32_invalid_bech32_checksum:
        case AddressError::bech32_invalid_bech32m_checksum:
            report.error_locations = locate_bech32_errors(text);
            break;
        default: break;
    }
    return report;
}

std::optional<std::string> encode_address(const Destination& destination,
                                          const AddressPrefixes& prefixes) {
    return std::visit(
        [&](const auto& dest) -> std::optional<std::string> {
            using T = std::decay_t<decltype(dest)>;
            if constexpr (std::is_same_v<T, PubKeyHash>) {
                return base58_address(prefixes.pubkey_hash, dest.hash);
            } else if constexpr (std::is_same_v<T, ScriptHash>) {
                return base58_address(prefixes.script_hash, dest.hash);
            } else if constexpr (std::is_same_v<T, WitnessV0KeyHash> ||
                                 std::is_same_v<T, WitnessV0ScriptHash>) {
                return segwit_address(prefixes, 0, dest.hash.span());
            } else if constexpr (std::is_same_v<T, WitnessV1Taproot>) {
                return segwit_address(prefixes, 1, dest.output_key);
            } else if constexpr (std::is_same_v<T, PayToAnchor>) {
                return segwit_address(prefixes, 1, PAY_TO_ANCHOR_PROGRAM);
            } else if constexpr (std::is_same_v<T, WitnessUnknown>) {
                if (!is_encodable_witness_unknown(dest)) return std::nullopt;
                return segwit_address(prefixes, dest.version, dest.program);
            } else {
                static_assert(std::is_same_v<T, NoDestination> ||
                              std::is_same_v<T, PubKeyDestination>);
                return std::nullopt;
            }
        },
        destination);
}

bool has_address(const Destination& destination) {
    if (const auto* unknown = std::get_if<WitnessUnknown>(&destination)) {
        return is_encodable_witness_unknown(*unknown);
    }
    return !std::holds_alternative<NoDestination>(destination) &&
           !std::holds_alternative<PubKeyDestination>(destination);
}

Script script_for_destination(const Destination& destination) {
    Script script;
    std::visit(
        [&](const auto& dest) {
            using T = std::decay_t<decltype(dest)>;
            if constexpr (std::is_same_v<T, PubKeyDestination>) {
                script.push_data(dest.public_key).push_opcode(OP_CHECKSIG);
            } else if constexpr (std::is_same_v<T, PubKeyHash>) {
                script.push_opcode(OP_DUP)
                    .push_opcode(OP_HASH160)
                    .push_data(dest.hash.span())
                    .push_opcode(OP_EQUALVERIFY)
                    .push_opcode(OP_CHECKSIG);
            } else if constexpr (std::is_same_v<T, ScriptHash>) {
                script.push_opcode(OP_HASH160).push_data(dest.hash.span()).push_opcode(OP_EQUAL);
            } else if constexpr (std::is_same_v<T, WitnessV0KeyHash> ||
                                 std::is_same_v<T, WitnessV0ScriptHash>) {
                script.push_opcode(OP_0).push_data(dest.hash.span());
            } else if constexpr (std::is_same_v<T, WitnessV1Taproot>) {
                script.push_opcode(OP_1).push_data(dest.output_key);
            } else if constexpr (std::is_same_v<T, PayToAnchor>) {
                script.push_opcode(OP_1).push_data(PAY_TO_ANCHOR_PROGRAM);
            } else if constexpr (std::is_same_v<T, WitnessUnknown>) {
                if (dest.version <= 16) {
                    script.push_opcode(encode_op_n(static_cast<int>(dest.version)))
                        .push_data(dest.program);
                }
            } else {
                static_assert(std::is_same_v<T, NoDestination>);
            }
        },
        destination);
    return script;
}

Destination extract_destination(const Script& script) {
    const ByteSpan s = script.span();
    // P2PK: one push of a key whose first byte fits its length (Core's CPubKey::ValidSize).
    if (s.size() == 35 && s[0] == 33 && s[34] == OP_CHECKSIG && (s[1] == 0x02 || s[1] == 0x03)) {
        return PubKeyDestination{Bytes(s.begin() + 1, s.end() - 1)};
    }
    if (s.size() == 67 && s[0] == 65 && s[66] == OP_CHECKSIG &&
        (s[1] == 0x04 || s[1] == 0x06 || s[1] == 0x07)) {
        return PubKeyDestination{Bytes(s.begin() + 1, s.end() - 1)};
    }
    if (script.is_p2pkh()) return PubKeyHash{Uint160(s.subspan(3, Uint160::SIZE))};
    if (script.is_p2sh()) return ScriptHash{Uint160(s.subspan(2, Uint160::SIZE))};
    const auto witness = script.witness_program();
    if (!witness) return NoDestination{};
    const ByteSpan program = witness->program;
    if (witness->version == 0) {
        if (program.size() == Uint160::SIZE) return WitnessV0KeyHash{Uint160(program)};
        if (program.size() == Uint256::SIZE) return WitnessV0ScriptHash{Uint256(program)};
        return NoDestination{};
    }
    if (witness->version == 1 && program.size() == 32) {
        WitnessV1Taproot taproot;
        std::copy(program.begin(), program.end(), taproot.output_key.begin());
        return taproot;
    }
    if (witness->version == 1 && std::ranges::equal(program, PAY_TO_ANCHOR_PROGRAM)) {
        return PayToAnchor{};
    }
    return WitnessUnknown{static_cast<unsigned>(witness->version),
                          Bytes(program.begin(), program.end())};
}

}  // namespace bitloom
