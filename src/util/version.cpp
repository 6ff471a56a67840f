#include "util/version.h"

#ifndef BITLOOM_VERSION
#error "BITLOOM_VERSION must be defined by the build"
#endif

namespace bitloom {

std::string_view version_string() { return BITLOOM_VERSION; }

std::string version_line(std::string_view program) {
    return std::string(program) + " version v" + std::string(version_string());
}

std::string user_agent() { return "/bitloom:" + std::string(version_string()) + "/"; }

std::string user_agent(std::span<const std::string> comments) {
    std::string out = "/bitloom:" + std::string(version_string());
    if (!comments.empty()) {
        out += '(';
        for (std::size_t i = 0; i < comments.size(); ++i) {
            if (i > 0) out += "; ";
            out += comments[i];
        }
        out += ')';
    }
    out += '/';
    return out;
}

}  // namespace bitloom
