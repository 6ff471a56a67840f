// ArgsParser::parse on an argv made by splitting the input at NUL bytes.
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "util/args.h"

using namespace bitloom;
using bitloom::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> words{"bitloomd"};
    std::string word;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            words.push_back(std::move(word));
            word.clear();
        } else {
            word.push_back(char(data[i]));
        }
    }
    words.push_back(std::move(word));
    std::vector<const char*> argv;
    for (const std::string& w : words) argv.push_back(w.c_str());
    argv.push_back(nullptr);

    ArgsParser parser;
    parser.add_option("datadir", ArgsParser::Kind::value, "Data directory", "<dir>");
    parser.add_option("regtest", ArgsParser::Kind::flag, "Use regtest");
    parser.add_option("addnode", ArgsParser::Kind::value, "Add a node", "<ip>", "Connection");
    parser.add_option("debug", ArgsParser::Kind::flag, "Debug output");
    auto result = parser.parse(int(words.size()), argv.data());
    if (!result) {
        (void)result.error().message();
        return 0;
    }
    for (const char* name : {"datadir", "regtest", "addnode", "debug"}) {
        check(parser.get(name).has_value() == parser.is_set(name));
        (void)parser.get_all(name);
        (void)parser.get_bool(name, false);
    }
    // Value options keep every value; the last one is what get returns.
    for (const char* name : {"datadir", "addnode"}) {
        const auto all = parser.get_all(name);
        if (!all.empty()) check(parser.get(name) == all.back());
    }
    check(parser.positional().size() < words.size());
    (void)parser.help_text();
    return 0;
}
