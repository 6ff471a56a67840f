#include "util/args.h"

#include <algorithm>
#include <charconv>

namespace bitloom {

std::string_view to_string(ArgsError error) {
    switch (error) {
        case ArgsError::unknown_option: return "Invalid parameter";
        case ArgsError::missing_value: return "Missing value for parameter";
        case ArgsError::unexpected_value: return "Parameter takes no value";
        case ArgsError::bad_negation: return "Negated parameter takes no value";
    }
    return "Invalid parameter";
}

std::string ArgsFailure::message() const {
    return std::string(to_string(error)) + " " + option;
}

void ArgsParser::add_option(std::string name, Kind kind, std::string help, std::string value_hint,
                            std::string category) {
    options_.push_back({std::move(name), kind, std::move(help), std::move(value_hint),
                        std::move(category)});
}

const ArgsParser::Option* ArgsParser::find(std::string_view name) const {
    for (const auto& option : options_)
        if (option.name == name) return &option;
    return nullptr;
}

Result<void, ArgsFailure> ArgsParser::parse(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-') {
            if (arg == "-") return fail(ArgsFailure{ArgsError::unknown_option, std::string(arg)});
            for (int j = i; j < argc; ++j) positional_.emplace_back(argv[j]);
            break;
        }
        std::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
        std::optional<std::string_view> value;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            value = body.substr(eq + 1);
            body = body.substr(0, eq);
        }
        const Option* option = find(body);
        bool negated = false;
        if (option == nullptr && body.starts_with("no")) {
            option = find(body.substr(2));
            negated = option != nullptr;
        }
        if (option == nullptr) return fail(ArgsFailure{ArgsError::unknown_option, std::string(arg)});
        auto& slot = values_[option->name];
        if (negated) {
            // -nofoo means foo=0; -nofoo=0 means foo=1, as in Bitcoin Core.
            if (value && *value != "0" && *value != "1")
                return fail(ArgsFailure{ArgsError::bad_negation, std::string(arg)});
            slot.emplace_back(value && *value == "0" ? "1" : "0");
            continue;
        }
        if (!value) {
            if (option->kind == Kind::value)
                return fail(ArgsFailure{ArgsError::missing_value, std::string(arg)});
            slot.emplace_back("1");
        } else {
            slot.emplace_back(*value);
        }
    }
    return {};
}

bool ArgsParser::is_set(std::string_view name) const { return values_.contains(name); }

std::optional<std::string> ArgsParser::get(std::string_view name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ArgsParser::get_all(std::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool ArgsParser::get_bool(std::string_view name, bool fallback) const {
    auto value = get(name);
    if (!value) return fallback;
    // Bitcoin Core reads an empty value as true and any number by its value.
    if (value->empty()) return true;
    long long number = 0;
    std::from_chars(value->data(), value->data() + value->size(), number);
    return number != 0;
}

std::string ArgsParser::get_or(std::string_view name, std::string fallback) const {
    auto value = get(name);
    return value ? *value : fallback;
}

std::string ArgsParser::help_text() const {
    std::vector<std::string> categories;
    for (const auto& option : options_)
        if (std::find(categories.begin(), categories.end(), option.category) == categories.end())
            categories.push_back(option.category);
    std::string out;
    for (const auto& category : categories) {
        out += category + ":\n\n";
        for (const auto& option : options_) {
            if (option.category != category) continue;
            out += "  -" + option.name;
            if (!option.value_hint.empty()) out += "=" + option.value_hint;
            out += "\n";
            // Wrap the help paragraph at 79 columns with a 7-space indent.
            std::string line = "       ";
            std::size_t start = 0;
            const std::string& text = option.help;
            while (start < text.size()) {
                std::size_t end = text.find(' ', start);
                if (end == std::string::npos) end = text.size();
                std::string word = text.substr(start, end - start);
                if (line.size() + word.size() + 1 > 79 && line.size() > 7) {
                    out += line + "\n";
                    line = "       ";
                }
                if (line.size() > 7) line += " ";
                line += word;
                start = end + 1;
            }
            out += line + "\n\n";
        }
    }
    return out;
}

}  // namespace bitloom
