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

}  // namespace bitloom
