#include "consensus/script_flags.h"

#include <array>
#include <utility>

namespace bitloom {
namespace {

constexpr std::array<std::pair<std::string_view, ScriptFlags>, 21> FLAG_NAMES{{
    {"P2SH", script_flags::P2SH},
    {"STRICTENC", script_flags::STRICTENC},
    {"DERSIG", script_flags::DERSIG},
    {"LOW_S", script_flags::LOW_S},
    {"NULLDUMMY", script_flags::NULLDUMMY},
    {"SIGPUSHONLY", script_flags::SIGPUSHONLY},
    {"MINIMALDATA", script_flags::MINIMALDATA},
    {"DISCOURAGE_UPGRADABLE_NOPS", script_flags::DISCOURAGE_UPGRADABLE_NOPS},
    {"CLEANSTACK", script_flags::CLEANSTACK},
    {"CHECKLOCKTIMEVERIFY", script_flags::CHECKLOCKTIMEVERIFY},
    {"CHECKSEQUENCEVERIFY", script_flags::CHECKSEQUENCEVERIFY},
    {"WITNESS", script_flags::WITNESS},
    {"DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
     script_flags::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM},
    {"MINIMALIF", script_flags::MINIMALIF},
    {"NULLFAIL", script_flags::NULLFAIL},
    {"WITNESS_PUBKEYTYPE", script_flags::WITNESS_PUBKEYTYPE},
    {"CONST_SCRIPTCODE", script_flags::CONST_SCRIPTCODE},
    {"TAPROOT", script_flags::TAPROOT},
    {"DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
     script_flags::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION},
    {"DISCOURAGE_OP_SUCCESS", script_flags::DISCOURAGE_OP_SUCCESS},
    {"DISCOURAGE_UPGRADABLE_PUBKEYTYPE", script_flags::DISCOURAGE_UPGRADABLE_PUBKEYTYPE},
}};

}  // namespace

std::optional<ScriptFlags> parse_script_flags(std::string_view text, std::string* unknown) {
    ScriptFlags flags = script_flags::NONE;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view word = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (word.empty() || word == "NONE") continue;
        bool found = false;
        for (const auto& [name, flag] : FLAG_NAMES) {
            if (name == word) {
                flags |= flag;
                found = true;
                break;
            }
        }
        if (!found) {
            if (unknown) *unknown = std::string(word);
            return std::nullopt;
        }
    }
    return flags;
}

std::string format_script_flags(ScriptFlags flags) {
    std::string out;
    for (const auto& [name, flag] : FLAG_NAMES) {
        if ((flags & flag) == 0) continue;
        if (!out.empty()) out += ',';
        out += name;
    }
    return out.empty() ? std::string("NONE") : out;
}

}  // namespace bitloom
