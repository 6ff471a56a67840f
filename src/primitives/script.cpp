#include "primitives/script.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <functional>
#include <limits>

#include "util/endian.h"

namespace bitloom {

std::string_view opcode_name(Opcode op) {
    switch (op) {
        case OP_0: return "OP_0";
        case OP_PUSHDATA1: return "OP_PUSHDATA1";
        case OP_PUSHDATA2: return "OP_PUSHDATA2";
        case OP_PUSHDATA4: return "OP_PUSHDATA4";
        case OP_1NEGATE: return "OP_1NEGATE";
        case OP_RESERVED: return "OP_RESERVED";
        case OP_1: return "OP_1";
        case OP_2: return "OP_2";
        case OP_3: return "OP_3";
        case OP_4: return "OP_4";
        case OP_5: return "OP_5";
        case OP_6: return "OP_6";
        case OP_7: return "OP_7";
        case OP_8: return "OP_8";
        case OP_9: return "OP_9";
        case OP_10: return "OP_10";
        case OP_11: return "OP_11";
        case OP_12: return "OP_12";
        case OP_13: return "OP_13";
        case OP_14: return "OP_14";
        case OP_15: return "OP_15";
        case OP_16: return "OP_16";
        case OP_NOP: return "OP_NOP";
        case OP_VER: return "OP_VER";
        case OP_IF: return "OP_IF";
        case OP_NOTIF: return "OP_NOTIF";
        case OP_VERIF: return "OP_VERIF";
        case OP_VERNOTIF: return "OP_VERNOTIF";
        case OP_ELSE: return "OP_ELSE";
        case OP_ENDIF: return "OP_ENDIF";
        case OP_VERIFY: return "OP_VERIFY";
        case OP_RETURN: return "OP_RETURN";
        case OP_TOALTSTACK: return "OP_TOALTSTACK";
        case OP_FROMALTSTACK: return "OP_FROMALTSTACK";
        case OP_2DROP: return "OP_2DROP";
        case OP_2DUP: return "OP_2DUP";
        case OP_3DUP: return "OP_3DUP";
        case OP_2OVER: return "OP_2OVER";
        case OP_2ROT: return "OP_2ROT";
        case OP_2SWAP: return "OP_2SWAP";
        case OP_IFDUP: return "OP_IFDUP";
        case OP_DEPTH: return "OP_DEPTH";
        case OP_DROP: return "OP_DROP";
        case OP_DUP: return "OP_DUP";
        case OP_NIP: return "OP_NIP";
        case OP_OVER: return "OP_OVER";
        case OP_PICK: return "OP_PICK";
        case OP_ROLL: return "OP_ROLL";
        case OP_ROT: return "OP_ROT";
        case OP_SWAP: return "OP_SWAP";
        case OP_TUCK: return "OP_TUCK";
        case OP_CAT: return "OP_CAT";
        case OP_SUBSTR: return "OP_SUBSTR";
        case OP_LEFT: return "OP_LEFT";
        case OP_RIGHT: return "OP_RIGHT";
        case OP_SIZE: return "OP_SIZE";
        case OP_INVERT: return "OP_INVERT";
        case OP_AND: return "OP_AND";
        case OP_OR: return "OP_OR";
        case OP_XOR: return "OP_XOR";
        case OP_EQUAL: return "OP_EQUAL";
        case OP_EQUALVERIFY: return "OP_EQUALVERIFY";
        case OP_RESERVED1: return "OP_RESERVED1";
        case OP_RESERVED2: return "OP_RESERVED2";
        case OP_1ADD: return "OP_1ADD";
        case OP_1SUB: return "OP_1SUB";
        case OP_2MUL: return "OP_2MUL";
        case OP_2DIV: return "OP_2DIV";
        case OP_NEGATE: return "OP_NEGATE";
        case OP_ABS: return "OP_ABS";
        case OP_NOT: return "OP_NOT";
        case OP_0NOTEQUAL: return "OP_0NOTEQUAL";
        case OP_ADD: return "OP_ADD";
        case OP_SUB: return "OP_SUB";
        case OP_MUL: return "OP_MUL";
        case OP_DIV: return "OP_DIV";
        case OP_MOD: return "OP_MOD";
        case OP_LSHIFT: return "OP_LSHIFT";
        case OP_RSHIFT: return "OP_RSHIFT";
        case OP_BOOLAND: return "OP_BOOLAND";
        case OP_BOOLOR: return "OP_BOOLOR";
        case OP_NUMEQUAL: return "OP_NUMEQUAL";
        case OP_NUMEQUALVERIFY: return "OP_NUMEQUALVERIFY";
        case OP_NUMNOTEQUAL: return "OP_NUMNOTEQUAL";
        case OP_LESSTHAN: return "OP_LESSTHAN";
        case OP_GREATERTHAN: return "OP_GREATERTHAN";
        case OP_LESSTHANOREQUAL: return "OP_LESSTHANOREQUAL";
        case OP_GREATERTHANOREQUAL: return "OP_GREATERTHANOREQUAL";
        case OP_MIN: return "OP_MIN";
        case OP_MAX: return "OP_MAX";
        case OP_WITHIN: return "OP_WITHIN";
        case OP_RIPEMD160: return "OP_RIPEMD160";
        case OP_SHA1: return "OP_SHA1";
        case OP_SHA256: return "OP_SHA256";
        case OP_HASH160: return "OP_HASH160";
        case OP_HASH256: return "OP_HASH256";
        case OP_CODESEPARATOR: return "OP_CODESEPARATOR";
        case OP_CHECKSIG: return "OP_CHECKSIG";
        case OP_CHECKSIGVERIFY: return "OP_CHECKSIGVERIFY";
        case OP_CHECKMULTISIG: return "OP_CHECKMULTISIG";
        case OP_CHECKMULTISIGVERIFY: return "OP_CHECKMULTISIGVERIFY";
        case OP_NOP1: return "OP_NOP1";
        case OP_CHECKLOCKTIMEVERIFY: return "OP_CHECKLOCKTIMEVERIFY";
        case OP_CHECKSEQUENCEVERIFY: return "OP_CHECKSEQUENCEVERIFY";
        case OP_NOP4: return "OP_NOP4";
        case OP_NOP5: return "OP_NOP5";
        case OP_NOP6: return "OP_NOP6";
        case OP_NOP7: return "OP_NOP7";
        case OP_NOP8: return "OP_NOP8";
        case OP_NOP9: return "OP_NOP9";
        case OP_NOP10: return "OP_NOP10";
        case OP_CHECKSIGADD: return "OP_CHECKSIGADD";
        case OP_INVALIDOPCODE: return "OP_INVALIDOPCODE";
    }
    return "OP_UNKNOWN";
}

int decode_op_n(Opcode op) {
    if (op == OP_0) return 0;
    assert(op >= OP_1 && op <= OP_16);
    return op - OP_1 + 1;
}

Opcode encode_op_n(int n) {
    assert(n >= 0 && n <= 16);
    if (n == 0) return OP_0;
    return static_cast<Opcode>(OP_1 + n - 1);
}

Bytes encode_script_num(std::int64_t n) {
    Bytes out;
    encode_script_num_to(n, out);
    return out;
}

void encode_script_num_to(std::int64_t n, Bytes& out) {
    out.clear();
    if (n == 0) return;
    const bool negative = n < 0;
    // Magnitude in unsigned arithmetic so that INT64_MIN does not overflow.
    std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    while (magnitude != 0) {
        out.push_back(static_cast<std::uint8_t>(magnitude & 0xff));
        magnitude >>= 8;
    }
    // The top bit of the last byte is the sign; add a byte when the magnitude already uses it.
    if (out.back() & 0x80) {
        out.push_back(negative ? 0x80 : 0x00);
    } else if (negative) {
        out.back() |= 0x80;
    }
}

// --- Container ---------------------------------------------------------------------------

void Script::release() noexcept {
    if (on_heap()) delete[] heap_;
    capacity_ = INLINE_CAPACITY;
    size_ = 0;
}

void Script::take(Script& other) noexcept {
    size_ = other.size_;
    capacity_ = other.capacity_;
    if (other.on_heap()) {
        heap_ = other.heap_;
        other.capacity_ = INLINE_CAPACITY;
    } else {
        std::memcpy(inline_, other.inline_, other.size_);
    }
    other.size_ = 0;
}

void Script::grow_to(std::size_t new_capacity) {
    assert(new_capacity <= std::numeric_limits<std::uint32_t>::max());
    if (new_capacity <= capacity_) return;
    auto* fresh = new std::uint8_t[new_capacity];
    std::memcpy(fresh, data(), size_);
    if (on_heap()) delete[] heap_;
    heap_ = fresh;
    capacity_ = static_cast<std::uint32_t>(new_capacity);
}

void Script::reserve(std::size_t n) { grow_to(n); }

void Script::assign(ByteSpan bytes) {
    // `bytes` may alias this script; copy before giving up the old buffer.
    if (bytes.size() > capacity_) {
        auto* fresh = new std::uint8_t[bytes.size()];
        std::memcpy(fresh, bytes.data(), bytes.size());
        if (on_heap()) delete[] heap_;
        heap_ = fresh;
        capacity_ = static_cast<std::uint32_t>(bytes.size());
    } else if (!bytes.empty()) {
        std::memmove(data(), bytes.data(), bytes.size());
    }
    size_ = static_cast<std::uint32_t>(bytes.size());
}

void Script::append(ByteSpan bytes) {
    const std::size_t needed = size_ + bytes.size();
    if (needed > capacity_) {
        const std::size_t grown = std::max(needed, std::size_t{capacity_} * 2);
        assert(grown <= std::numeric_limits<std::uint32_t>::max());
        auto* fresh = new std::uint8_t[grown];
        std::memcpy(fresh, data(), size_);
        // Copy the tail before freeing the old buffer, which `bytes` may point into.
        if (!bytes.empty()) std::memcpy(fresh + size_, bytes.data(), bytes.size());
        if (on_heap()) delete[] heap_;
        heap_ = fresh;
        capacity_ = static_cast<std::uint32_t>(grown);
    } else if (!bytes.empty()) {
        std::memmove(data() + size_, bytes.data(), bytes.size());
    }
    size_ = static_cast<std::uint32_t>(needed);
}

bool operator==(const Script& a, const Script& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

std::strong_ordering operator<=>(const Script& a, const Script& b) {
    return std::lexicographical_compare_three_way(a.begin(), a.end(), b.begin(), b.end());
}

// --- Builder -----------------------------------------------------------------------------

Script& Script::push_int(std::int64_t n) {
    if (n == -1) return push_opcode(OP_1NEGATE);
    if (n >= 0 && n <= 16) return push_opcode(encode_op_n(static_cast<int>(n)));
    return push_data(encode_script_num(n));
}

Script& Script::push_data(ByteSpan data) {
    const std::size_t n = data.size();
    std::uint8_t prefix[5];
    std::size_t prefix_size;
    if (n < OP_PUSHDATA1) {
        prefix[0] = static_cast<std::uint8_t>(n);
        prefix_size = 1;
    } else if (n <= 0xff) {
        prefix[0] = OP_PUSHDATA1;
        prefix[1] = static_cast<std::uint8_t>(n);
        prefix_size = 2;
    } else if (n <= 0xffff) {
        prefix[0] = OP_PUSHDATA2;
        write_le16(prefix + 1, static_cast<std::uint16_t>(n));
        prefix_size = 3;
    } else {
        assert(n <= std::numeric_limits<std::uint32_t>::max());
        prefix[0] = OP_PUSHDATA4;
        write_le32(prefix + 1, static_cast<std::uint32_t>(n));
        prefix_size = 5;
    }
    // Growing the buffer would invalidate `data` if it points into this script.
    const std::less<const std::uint8_t*> before;
    if (n != 0 && !before(data.data(), begin()) && before(data.data(), begin() + capacity_)) {
        const Bytes copy(data.begin(), data.end());
        return push_data(copy);
    }
    reserve(size_ + prefix_size + n);
    append(ByteSpan(prefix, prefix_size));
    append(data);
    return *this;
}

// --- Parsing -----------------------------------------------------------------------------

std::optional<ScriptOp> Script::get_op(std::size_t& pos) const {
    const std::size_t end = size_;
    if (pos >= end) return std::nullopt;
    const std::uint8_t* p = data();
    std::size_t at = pos;
    const auto opcode = static_cast<Opcode>(p[at++]);
    if (opcode > OP_PUSHDATA4) {
        pos = at;
        return ScriptOp{opcode, {}};
    }
    std::size_t length;
    if (opcode < OP_PUSHDATA1) {
        length = opcode;
    } else if (opcode == OP_PUSHDATA1) {
        if (end - at < 1) return std::nullopt;
        length = p[at];
        at += 1;
    } else if (opcode == OP_PUSHDATA2) {
        if (end - at < 2) return std::nullopt;
        length = read_le16(p + at);
        at += 2;
    } else {
        if (end - at < 4) return std::nullopt;
        length = read_le32(p + at);
        at += 4;
    }
    if (end - at < length) return std::nullopt;
    pos = at + length;
    return ScriptOp{opcode, ByteSpan(p + at, length)};
}

bool Script::has_valid_ops() const {
    std::size_t pos = 0;
    while (pos < size_) {
        const auto op = get_op(pos);
        if (!op || op->opcode > MAX_OPCODE) return false;
    }
    return true;
}

bool Script::is_push_only() const {
    std::size_t pos = 0;
    while (pos < size_) {
        const auto op = get_op(pos);
        if (!op || op->opcode > OP_16) return false;
    }
    return true;
}

// --- Templates ---------------------------------------------------------------------------

bool Script::is_p2pkh() const {
    const std::uint8_t* s = data();
    return size_ == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == 20 &&
           s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG;
}

bool Script::is_p2sh() const {
    const std::uint8_t* s = data();
    return size_ == 23 && s[0] == OP_HASH160 && s[1] == 20 && s[22] == OP_EQUAL;
}

bool Script::is_p2wpkh() const {
    const std::uint8_t* s = data();
    return size_ == 22 && s[0] == OP_0 && s[1] == 20;
}

bool Script::is_p2wsh() const {
    const std::uint8_t* s = data();
    return size_ == 34 && s[0] == OP_0 && s[1] == 32;
}

bool Script::is_p2tr() const {
    const std::uint8_t* s = data();
    return size_ == 34 && s[0] == OP_1 && s[1] == 32;
}

std::optional<WitnessProgram> Script::witness_program() const {
    if (size_ < 4 || size_ > 42) return std::nullopt;
    const std::uint8_t* s = data();
    const auto version = static_cast<Opcode>(s[0]);
    if (version != OP_0 && (version < OP_1 || version > OP_16)) return std::nullopt;
    if (std::size_t{s[1]} + 2 != size_) return std::nullopt;
    return WitnessProgram{decode_op_n(version), ByteSpan(s + 2, size_ - 2)};
}

// --- Signature operations ----------------------------------------------------------------

unsigned Script::sigop_count(bool accurate) const {
    unsigned count = 0;
    Opcode last = OP_INVALIDOPCODE;
    std::size_t pos = 0;
    while (pos < size_) {
        const auto op = get_op(pos);
        if (!op) break;
        if (op->opcode == OP_CHECKSIG || op->opcode == OP_CHECKSIGVERIFY) {
            count += 1;
        } else if (op->opcode == OP_CHECKMULTISIG || op->opcode == OP_CHECKMULTISIGVERIFY) {
            if (accurate && last >= OP_1 && last <= OP_16) {
                count += static_cast<unsigned>(decode_op_n(last));
            } else {
                count += MAX_PUBKEYS_PER_MULTISIG;
            }
        }
        last = op->opcode;
    }
    return count;
}

unsigned Script::p2sh_sigop_count(const Script& script_sig) const {
    if (!is_p2sh()) return sigop_count(true);
    ByteSpan redeem;
    std::size_t pos = 0;
    while (pos < script_sig.size()) {
        const auto op = script_sig.get_op(pos);
        if (!op || op->opcode > OP_16) return 0;
        redeem = op->data;
    }
    return Script(redeem).sigop_count(true);
}

}  // namespace bitloom
