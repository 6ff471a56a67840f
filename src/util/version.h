// The project's version and user-agent strings.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace bitloom {

// "0.1.0"
std::string_view version_string();
// Version line printed by every executable's --version, e.g. "bitloomd version v0.1.0".
std::string version_line(std::string_view program);
// The P2P user agent, BIP14 style: "/bitloom:0.1.0/", or with -uacomment values
// "/bitloom:0.1.0(first; second)/".
std::string user_agent();
std::string user_agent(std::span<const std::string> comments);

}  // namespace bitloom
