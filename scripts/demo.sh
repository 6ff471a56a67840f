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
printf '\nExecutables are in %s: bitloom (tools above), bitloomd (node), bitloom-cli (RPC client).\nTry: %s/bitloom --help\n' "$bin" "$bin"
