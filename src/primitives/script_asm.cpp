#include "primitives/script_asm.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include "util/hex.h"

namespace bitloom {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

std::optional<Opcode> opcode_by_name(std::string_view name) {
    if (name.starts_with("OP_")) name.remove_prefix(3);
    if (name == "NOP2") return OP_CHECKLOCKTIMEVERIFY;
    if (name == "NOP3") return OP_CHECKSEQUENCEVERIFY;
    auto matches = [&](Opcode op) {
        std::string_view full = opcode_name(op);
        return full.starts_with("OP_") && full.substr(3) == name;
    };
    if (matches(OP_RESERVED)) return OP_RESERVED;
    for (int value = OP_NOP; value <= OP_CHECKSIGADD; ++value) {
        const auto op = static_cast<Opcode>(value);
        if (opcode_name(op) != "OP_UNKNOWN" && matches(op)) return op;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(ScriptAsmError error) {
    switch (error) {
    case ScriptAsmError::unknown_token: return "unknown token";
    case ScriptAsmError::number_out_of_range:
        return "decimal number outside -0xffffffff..0xffffffff";
    }
    return "unknown error";
}

Result<Script, ScriptAsmError> parse_script_asm(std::string_view text, std::string* bad_token) {
    Script script;
    std::size_t pos = 0;
    auto reject = [&](ScriptAsmError error, std::string_view token) {
        if (bad_token) *bad_token = std::string(token);
        return fail(error);
    };
    while (pos < text.size()) {
        if (is_space(text[pos])) {
            ++pos;
            continue;
        }
        std::size_t end = pos;
        while (end < text.size() && !is_space(text[end])) ++end;
        const std::string_view word = text.substr(pos, end - pos);
        pos = end;

        const bool negative = word.front() == '-';
        const std::string_view digits = negative ? word.substr(1) : word;
        if (!digits.empty() && std::all_of(digits.begin(), digits.end(), is_digit)) {
            std::uint64_t magnitude = 0;
            const auto [ptr, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
            if (ec != std::errc{} || ptr != digits.data() + digits.size() ||
                magnitude > 0xffffffffULL) {
                return reject(ScriptAsmError::number_out_of_range, word);
            }
            const auto value = static_cast<std::int64_t>(magnitude);
            script.push_int(negative ? -value : value);
            continue;
        }
        if (word.size() > 2 && word.starts_with("0x")) {
            if (auto bytes = parse_hex(word.substr(2))) {
                script.append(*bytes);
                continue;
            }
            return reject(ScriptAsmError::unknown_token, word);
        }
        if (word.size() >= 2 && word.front() == '\'' && word.back() == '\'') {
            script.push_data(as_bytes(word.substr(1, word.size() - 2)));
            continue;
        }
        if (const auto op = opcode_by_name(word)) {
            script.push_opcode(*op);
            continue;
        }
        return reject(ScriptAsmError::unknown_token, word);
    }
    return script;
}

std::string script_to_asm(const Script& script) { return script_to_asm(script, AsmPushFormatter()); }

std::string script_to_asm(const Script& script, const AsmPushFormatter& long_push) {
    std::string out;
    std::size_t pc = 0;
    while (pc < script.size()) {
        if (!out.empty()) out += ' ';
        const auto op = script.get_op(pc);
        if (!op) {
            out += "[error]";
            break;
        }
        if (op->opcode <= OP_PUSHDATA4) {
            if (op->data.size() <= 4) {
                // Decimal script number (lenient: no minimality requirement).
                std::int64_t value = 0;
                for (std::size_t i = 0; i < op->data.size(); ++i) {
                    value |= static_cast<std::int64_t>(op->data[i]) << (8 * i);
                }
                if (!op->data.empty() && (op->data.back() & 0x80) != 0) {
                    value &= ~(std::int64_t{0x80} << (8 * (op->data.size() - 1)));
                    value = -value;
                }
                out += std::to_string(value);
            } else if (auto custom = long_push ? long_push(op->data) : std::nullopt) {
                out += *custom;
            } else {
                out += to_hex(op->data);
            }
        } else if (op->opcode == OP_1NEGATE) {
            out += "-1";
        } else if (op->opcode >= OP_1 && op->opcode <= OP_16) {
            out += std::to_string(decode_op_n(op->opcode));
        } else {
            out += opcode_name(op->opcode);
        }
    }
    return out;
}

}  // namespace bitloom
