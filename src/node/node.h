// The composition root of bitloomd: reads the settings, takes the data directory, starts the
// logger, the RPC server and the chain state, waits for a shutdown request (SIGINT, SIGTERM
// or the `stop` RPC) and takes everything down in reverse order (Bitcoin Core's AppInit /
// Shutdown).
//
// Start-up order: settings -> -daemon fork -> data directory lock -> logger -> RPC server in
// warm-up ("Loading block index…" to every call) -> chain state (load, reindex, activate) ->
// block verification (-checkblocks/-checklevel) -> RPC open for calls. Shutdown: RPC server
// stopped (in-flight calls finish) -> chain state flushed and closed -> cookie, PID file and
// lock released.
#pragma once

#include <string>
#include <vector>

namespace bitloom {

// Runs the node until shutdown; returns the process exit status (0 after a clean shutdown,
// 1 when start-up failed, with "Error: <message>" on stderr and in the log).
int run_node(int argc, const char* const* argv);

// Whether `peer` ("1.2.3.4:5678" or "[::1]:5678") falls in one of `allowed` (Core's -rpcallowip
// syntax: an address, address/prefix-length or address/netmask; IPv4 or IPv6). Malformed
// entries match nothing; check them with valid_allow_entry first.
bool peer_allowed(const std::string& peer, const std::vector<std::string>& allowed);
bool valid_allow_entry(const std::string& entry);

}  // namespace bitloom
