// `bitloom simnet`: runs a simulated Bitcoin network (crawler/simnet.h) on loopback until
// Ctrl-C, for crawling tests and benchmarks.
#pragma once

#include <CLI/CLI.hpp>

// Adds the `simnet` subcommand to `app`. Its callback runs the network and exits the process
// with its status when the network stops (Ctrl-C, SIGTERM) or cannot start.
void add_simnet_command(CLI::App& app);
