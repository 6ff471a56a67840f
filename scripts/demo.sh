#!/usr/bin/env bash
# `make run`: shows what bitloom can do today, using the freshly built executables.
set -euo pipefail
build_dir=${1:-build}
bin="$build_dir/bin"
vectors="$(realpath -m "$(dirname "$0")/../../shared/test-vectors")"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

"$bin/bitloom" --version
step "Self-test: hash implementations and keys" "$bin/bitloom" selftest
step "Networks and their genesis blocks" "$bin/bitloom" chains
if [ -f "$vectors/bitcoin-core/block413567.raw" ]; then
  step "Parse and check mainnet block 413567" "$bin/bitloom" block "$vectors/bitcoin-core/block413567.raw"
fi
step "A new regtest key and its addresses" "$bin/bitloom" key new --chain regtest
step "Decode an address" "$bin/bitloom" address bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0

# A regtest node in ./data/regtest-demo, mining blocks and answering RPC, and a second node in
# ./data/regtest-demo-peer that follows it over P2P on loopback.
datadir="data/regtest-demo"
peerdir="data/regtest-demo-peer"
rpcport="${DEMO_RPC_PORT:-18443}"
p2pport="${DEMO_P2P_PORT:-18444}"
peer_rpcport="${DEMO_PEER_RPC_PORT:-18453}"
mkdir -p "$datadir" "$peerdir"
cli() { "$bin/bitloom-cli" -regtest -datadir="$datadir" -rpcport="$rpcport" "$@"; }
peer_cli() { "$bin/bitloom-cli" -regtest -datadir="$peerdir" -rpcport="$peer_rpcport" "$@"; }
step "Start a regtest node in $datadir" "$bin/bitloomd" -regtest -datadir="$datadir" -rpcport="$rpcport" -port="$p2pport" -bind=127.0.0.1 -connect=0 -listen=1 -daemonwait -printtoconsole=0
trap 'cli stop >/dev/null 2>&1 || true; peer_cli stop >/dev/null 2>&1 || true' EXIT
address=$("$bin/bitloom" key new --chain regtest | sed -n 's/.*"p2wpkh": "\(.*\)".*/\1/p')
step "Mine 101 blocks to $address" cli generatetoaddress 101 "$address"
step "Chain state" cli getblockchaininfo
step "The UTXO set" cli gettxoutsetinfo
step "The newest block" cli getblock "$(cli getbestblockhash)"
step "Start a second node that connects to the first over P2P" "$bin/bitloomd" -regtest -datadir="$peerdir" -rpcport="$peer_rpcport" -connect=127.0.0.1:"$p2pport" -listen=0 -daemonwait -printtoconsole=0
for _ in $(seq 1 50); do
  [ "$(peer_cli getblockcount)" = "$(cli getblockcount)" ] && break
  sleep 0.2
done
step "The second node synced the chain from the first" peer_cli getblockchaininfo
step "Its peer" peer_cli getpeerinfo
step "Stop the second node" peer_cli stop
if [ -t 0 ]; then
  printf '\nThe node keeps mining a block every 10 seconds; press Ctrl-C to stop it.\n'
  trap 'printf "\nStopping the node\n"; cli stop; exit 0' INT
  while true; do
    sleep 10
    hash=$(cli generatetoaddress 1 "$address" | tr -d ' "[]\n')
    printf 'height %s  %s\n' "$(cli getblockcount)" "$hash"
  done
fi
step "Stop the node" cli stop
trap - EXIT
printf '\nExecutables are in %s: bitloom (tools), bitloomd (node), bitloom-cli (RPC client).\nThe demo node keeps its chain in %s; start it again with:\n  %s/bitloomd -regtest -datadir=%s\n' "$bin" "$datadir" "$bin" "$datadir"
