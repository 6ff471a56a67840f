#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz harnesses from the reference test vectors.

    fuzz/make_seeds.py <test-vectors dir> <output dir>

Writes <output dir>/<target>/<n> files, one input each, and prints how many each target got.
Nothing binary is committed: the seeds are made at run time from ../shared/test-vectors.
"""
import json
import pathlib
import re
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def opcode_table():
    """Opcode names and values, read from the Opcode enum in src/primitives/script.h."""
    text = (ROOT / "src/primitives/script.h").read_text()
    return {m.group(1): int(m.group(2), 0)
            for m in re.finditer(r"\b(OP_[A-Z0-9_]+)\s*=\s*(0x[0-9a-fA-F]+|\d+)", text)}


def push(data):
    n = len(data)
    if n < 0x4c:
        return bytes([n]) + data
    if n <= 0xff:
        return b"\x4c" + bytes([n]) + data
    if n <= 0xffff:
        return b"\x4d" + struct.pack("<H", n) + data
    return b"\x4e" + struct.pack("<I", n) + data


def script_number(n):
    out, negative, n = bytearray(), n < 0, abs(n)
    while n:
        out.append(n & 0xff)
        n >>= 8
    if out and out[-1] & 0x80:
        out.append(0x80 if negative else 0)
    elif out and negative:
        out[-1] |= 0x80
    return bytes(out)


def assemble(asm, opcodes):
    """Script assembly as the vectors write it; None for text this simple parser rejects."""
    out = bytearray()
    for token in asm.split():
        if re.fullmatch(r"-?\d+", token):
            n = int(token)
            if n == 0:
                out.append(0)
            elif n == -1 or 1 <= n <= 16:
                out.append(0x4f if n == -1 else 0x50 + n)
            else:
                out += push(script_number(n))
        elif token.startswith("0x"):
            try:
                out += bytes.fromhex(token[2:])
            except ValueError:
                return None
        elif len(token) >= 2 and token[0] == token[-1] == "'":
            out += push(token[1:-1].encode())
        else:
            name = token if token.startswith("OP_") else "OP_" + token
            if name not in opcodes:
                return None
            out.append(opcodes[name])
    return bytes(out)


def piece(data):
    return struct.pack("<H", len(data)) + data


def main():
    vectors, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    core, regtest = vectors / "bitcoin-core", vectors / "regtest-chain-1"
    opcodes = opcode_table()
    seeds = {name: [] for name in ("block", "transaction", "script", "script_asm", "address",
                                   "base58", "bech32", "wif", "pubkey", "interpreter", "hex",
                                   "args")}

    # Blocks: the mainnet block, the regtest chain, the rejected blocks.
    seeds["block"].append((core / "block413567.raw").read_bytes())
    block_lines = (regtest / "blocks.hex").read_text().split()
    seeds["block"] += [bytes.fromhex(line) for line in block_lines]
    invalid = json.loads((regtest / "invalid_blocks.json").read_text())
    seeds["block"] += [bytes.fromhex(v) for v in re.findall(r'"([0-9a-f]{160,})"', json.dumps(invalid))]
    seeds["hex"] += [line.encode() for line in block_lines[:8]]

    # Transactions and scripts from tx_valid / tx_invalid, and the mempool cases.
    for name in ("tx_valid.json", "tx_invalid.json"):
        for row in json.loads((core / name).read_text()):
            if len(row) < 2 or not isinstance(row[0], list):
                continue
            seeds["transaction"].append(bytes.fromhex(row[1]))
            seeds["hex"].append(row[1].encode())
            for prevout in row[0]:
                seeds["script_asm"].append(prevout[2].encode())
                script = assemble(prevout[2], opcodes)
                if script is not None:
                    seeds["script"].append(script)
    for case in json.loads((regtest / "mempool_cases.json").read_text()):
        seeds["transaction"].append(bytes.fromhex(case["hex"]))

    # Interpreter inputs from script_tests: flags, selector, scriptSig, scriptPubKey, witness.
    flag_bits = ["P2SH", "STRICTENC", "DERSIG", "LOW_S", "NULLDUMMY", "SIGPUSHONLY",
                 "MINIMALDATA", "DISCOURAGE_UPGRADABLE_NOPS", "CLEANSTACK",
                 "CHECKLOCKTIMEVERIFY", "CHECKSEQUENCEVERIFY", "WITNESS",
                 "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM", "MINIMALIF", "NULLFAIL",
                 "WITNESS_PUBKEYTYPE", "CONST_SCRIPTCODE", "TAPROOT"]
    for row in json.loads((core / "script_tests.json").read_text()):
        if len(row) < 4:
            continue
        witness = []
        if isinstance(row[0], list):
            items = row[0][:-1]
            row = row[1:]
            if not all(re.fullmatch(r"([0-9a-fA-F]{2})*", item) for item in items):
                continue  # taproot placeholders (#SCRIPT#, #CONTROLBLOCK#)
            witness = [bytes.fromhex(item) for item in items]
        script_sig, script_pubkey = assemble(row[0], opcodes), assemble(row[1], opcodes)
        seeds["script_asm"] += [row[0].encode(), row[1].encode()]
        if script_sig is None or script_pubkey is None:
            continue
        flags = sum(1 << flag_bits.index(f) for f in row[2].split(",") if f in flag_bits)
        seeds["interpreter"].append(
            struct.pack("<I", flags) + b"\x00" + piece(script_sig) + piece(script_pubkey) +
            bytes([len(witness)]) + b"".join(piece(item) for item in witness))
        seeds["script"].append(script_pubkey)
        for token in (row[0] + " " + row[1]).split():
            if token.startswith("0x") and len(token) > 60:
                raw = bytes.fromhex(token[2:]) if len(token) % 2 == 0 else b""
                seeds["pubkey"] += [raw[1:], raw[1:-1]]  # without the push byte; without sighash

    # Addresses, WIF keys and their scripts.
    for name in ("key_io_valid.json", "key_io_invalid.json"):
        for row in json.loads((core / name).read_text()):
            text = row[0].encode()
            seeds["address"].append(text)
            seeds["wif"].append(text)
            seeds["base58"].append(b"\x40" + text)
            seeds["bech32"].append(text)
            if len(row) > 1 and not row[2].get("isPrivkey", False):
                seeds["script"].append(bytes.fromhex(row[1]))
    for row in json.loads((core / "base58_encode_decode.json").read_text()):
        seeds["base58"].append(b"\x40" + row[1].encode())
        seeds["hex"].append(row[0].encode())

    # Keys: BIP340 x-only keys and their even-y full encodings.
    for line in (vectors / "bips/bip-0340_test-vectors.csv").read_text().splitlines()[1:]:
        key = bytes.fromhex(line.split(",")[2])
        seeds["pubkey"] += [key, b"\x02" + key]

    seeds["args"] += [b"-regtest\x00-datadir=/tmp/x\x00getblockcount",
                      b"--addnode=1.2.3.4\x00-addnode=5.6.7.8\x00-nodebug",
                      b"-debug=1\x00-\x00-unknown", b"-datadir"]

    for target, inputs in seeds.items():
        folder = out_dir / target
        folder.mkdir(parents=True, exist_ok=True)
        for i, data in enumerate(dict.fromkeys(inputs)):
            (folder / str(i)).write_bytes(data)
        print(f"{target}: {len(set(inputs))} seeds")


if __name__ == "__main__":
    main()
