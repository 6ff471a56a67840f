// Subcommands of the `bitloom` tool that live in their own files.
#pragma once

#include <CLI/CLI.hpp>

namespace bitloom {

// `bitloom crawl`: map a Bitcoin network and record every node (apps/crawl_command.cpp).
void add_crawl_command(CLI::App& app);

}  // namespace bitloom
