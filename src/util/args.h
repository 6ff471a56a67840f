// Command-line options in Bitcoin Core's syntax: `-name`, `-name=value`, `--name=value`,
// `-noname` (same as `-name=0`); a lone `-` ends nothing and is an error. Parsing stops at the
// first argument that does not start with '-' (the rest are positional: RPC method and params).
// Options must be registered first; an unknown option is an error naming it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace bitloom {

enum class ArgsError { unknown_option, missing_value, unexpected_value, bad_negation };
std::string_view to_string(ArgsError error);

struct ArgsFailure {
    ArgsError error;
    std::string option;  // the offending argument as written
    std::string message() const;
};

class ArgsParser {
public:
    enum class Kind { flag, value };

    // `name` without the dash; `help` one paragraph; `value_hint` e.g. "<dir>" for value options.
    void add_option(std::string name, Kind kind, std::string help, std::string value_hint = {},
                    std::string category = "Options");

    // Parses argv[1..]. Later occurrences of an option override earlier ones, except that
    // every value is kept for get_all (e.g. repeated -addnode).
    Result<void, ArgsFailure> parse(int argc, const char* const* argv);

    bool is_set(std::string_view name) const;
    // Last value given; flags given without a value read as "1", negated as "0".
    std::optional<std::string> get(std::string_view name) const;
    std::vector<std::string> get_all(std::string_view name) const;
    bool get_bool(std::string_view name, bool fallback) const;
    std::string get_or(std::string_view name, std::string fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }

    // The option list, grouped by category, wrapped to 79 columns.
    std::string help_text() const;

private:
    struct Option {
        std::string name;
        Kind kind;
        std::string help;
        std::string value_hint;
        std::string category;
    };
    const Option* find(std::string_view name) const;

    std::vector<Option> options_;
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    std::vector<std::string> positional_;
};

}  // namespace bitloom
