// Scripts as data: a byte container, the opcode names, a builder, a non-throwing operation
// reader and recognisers for the standard output templates. Executing scripts is the
// interpreter's job (consensus), not this header's.
//
// Format:
//   script  := len:size byte[len]                    (inside transactions)
//   op      := opcode:u8                                 (0x00, 0x4f..0xff: no data)
//            | n:u8 byte[n]                              (0x01 <= n <= 0x4b: direct push)
//            | 0x4c n:u8 byte[n]                         (OP_PUSHDATA1)
//            | 0x4d n:u16le byte[n]                      (OP_PUSHDATA2)
//            | 0x4e n:u32le byte[n]                      (OP_PUSHDATA4)
//   The bytes of a script are op* when well formed; a script may end inside a push (it still
//   decodes as a byte string and is only rejected when something parses its operations).
//   witness := items:size (len:size byte[len])[items]   (one per input, BIP144)
//
// Templates recognised (byte patterns, not parses):
//   p2pkh  := OP_DUP OP_HASH160 0x14 hash:20 OP_EQUALVERIFY OP_CHECKSIG
//   p2sh   := OP_HASH160 0x14 hash:20 OP_EQUAL
//   p2wpkh := OP_0 0x14 hash:20
//   p2wsh  := OP_0 0x20 hash:32
//   p2tr   := OP_1 0x20 key:32
//   witness program (BIP141) := version:(OP_0 | OP_1..OP_16) n:u8 program:n  (2 <= n <= 40)
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "util/bytes.h"

namespace bitloom {

// Consensus limits on scripts.
inline constexpr std::size_t MAX_SCRIPT_SIZE = 10'000;
inline constexpr std::size_t MAX_SCRIPT_ELEMENT_SIZE = 520;
inline constexpr unsigned MAX_OPS_PER_SCRIPT = 201;
inline constexpr unsigned MAX_PUBKEYS_PER_MULTISIG = 20;

// Script opcodes with Bitcoin's names and values.
enum Opcode : std::uint8_t {
    // Pushes.
    OP_0 = 0x00,
    OP_FALSE = OP_0,
    OP_PUSHDATA1 = 0x4c,
    OP_PUSHDATA2 = 0x4d,
    OP_PUSHDATA4 = 0x4e,
    OP_1NEGATE = 0x4f,
    OP_RESERVED = 0x50,
    OP_1 = 0x51,
    OP_TRUE = OP_1,
    OP_2 = 0x52,
    OP_3 = 0x53,
    OP_4 = 0x54,
    OP_5 = 0x55,
    OP_6 = 0x56,
    OP_7 = 0x57,
    OP_8 = 0x58,
    OP_9 = 0x59,
    OP_10 = 0x5a,
    OP_11 = 0x5b,
    OP_12 = 0x5c,
    OP_13 = 0x5d,
    OP_14 = 0x5e,
    OP_15 = 0x5f,
    OP_16 = 0x60,

    // Control.
    OP_NOP = 0x61,
    OP_VER = 0x62,
    OP_IF = 0x63,
    OP_NOTIF = 0x64,
    OP_VERIF = 0x65,
    OP_VERNOTIF = 0x66,
    OP_ELSE = 0x67,
    OP_ENDIF = 0x68,
    OP_VERIFY = 0x69,
    OP_RETURN = 0x6a,

    // Stack.
    OP_TOALTSTACK = 0x6b,
    OP_FROMALTSTACK = 0x6c,
    OP_2DROP = 0x6d,
    OP_2DUP = 0x6e,
    OP_3DUP = 0x6f,
    OP_2OVER = 0x70,
    OP_2ROT = 0x71,
    OP_2SWAP = 0x72,
    OP_IFDUP = 0x73,
    OP_DEPTH = 0x74,
    OP_DROP = 0x75,
    OP_DUP = 0x76,
    OP_NIP = 0x77,
    OP_OVER = 0x78,
    OP_PICK = 0x79,
    OP_ROLL = 0x7a,
    OP_ROT = 0x7b,
    OP_SWAP = 0x7c,
    OP_TUCK = 0x7d,

    // Splice.
    OP_CAT = 0x7e,
    OP_SUBSTR = 0x7f,
    OP_LEFT = 0x80,
    OP_RIGHT = 0x81,
    OP_SIZE = 0x82,

    // Bit logic.
    OP_INVERT = 0x83,
    OP_AND = 0x84,
    OP_OR = 0x85,
    OP_XOR = 0x86,
    OP_EQUAL = 0x87,
    OP_EQUALVERIFY = 0x88,
    OP_RESERVED1 = 0x89,
    OP_RESERVED2 = 0x8a,

    // Numeric.
    OP_1ADD = 0x8b,
    OP_1SUB = 0x8c,
    OP_2MUL = 0x8d,
    OP_2DIV = 0x8e,
    OP_NEGATE = 0x8f,
    OP_ABS = 0x90,
    OP_NOT = 0x91,
    OP_0NOTEQUAL = 0x92,
    OP_ADD = 0x93,
    OP_SUB = 0x94,
    OP_MUL = 0x95,
    OP_DIV = 0x96,
    OP_MOD = 0x97,
    OP_LSHIFT = 0x98,
    OP_RSHIFT = 0x99,
    OP_BOOLAND = 0x9a,
    OP_BOOLOR = 0x9b,
    OP_NUMEQUAL = 0x9c,
    OP_NUMEQUALVERIFY = 0x9d,
    OP_NUMNOTEQUAL = 0x9e,
    OP_LESSTHAN = 0x9f,
    OP_GREATERTHAN = 0xa0,
    OP_LESSTHANOREQUAL = 0xa1,
    OP_GREATERTHANOREQUAL = 0xa2,
    OP_MIN = 0xa3,
    OP_MAX = 0xa4,
    OP_WITHIN = 0xa5,

    // Crypto.
    OP_RIPEMD160 = 0xa6,
    OP_SHA1 = 0xa7,
    OP_SHA256 = 0xa8,
    OP_HASH160 = 0xa9,
    OP_HASH256 = 0xaa,
    OP_CODESEPARATOR = 0xab,
    OP_CHECKSIG = 0xac,
    OP_CHECKSIGVERIFY = 0xad,
    OP_CHECKMULTISIG = 0xae,
    OP_CHECKMULTISIGVERIFY = 0xaf,

    // Expansion.
    OP_NOP1 = 0xb0,
    OP_CHECKLOCKTIMEVERIFY = 0xb1,
    OP_NOP2 = OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSEQUENCEVERIFY = 0xb2,
    OP_NOP3 = OP_CHECKSEQUENCEVERIFY,
    OP_NOP4 = 0xb3,
    OP_NOP5 = 0xb4,
    OP_NOP6 = 0xb5,
    OP_NOP7 = 0xb6,
    OP_NOP8 = 0xb7,
    OP_NOP9 = 0xb8,
    OP_NOP10 = 0xb9,

    // Tapscript (BIP342).
    OP_CHECKSIGADD = 0xba,

    OP_INVALIDOPCODE = 0xff,
};

// The highest opcode a legacy script may contain (Bitcoin Core's MAX_OPCODE).
inline constexpr Opcode MAX_OPCODE = OP_NOP10;

// The opcode's enum name ("OP_DUP", "OP_0", "OP_1NEGATE", "OP_CHECKLOCKTIMEVERIFY" for 0xb1,
// "OP_CHECKSEQUENCEVERIFY" for 0xb2). Direct pushes 0x01..0x4b and unassigned values give
// "OP_UNKNOWN".
std::string_view opcode_name(Opcode op);

// OP_0 -> 0, OP_1..OP_16 -> 1..16. `op` must be one of those (asserted).
int decode_op_n(Opcode op);
// 0 -> OP_0, 1..16 -> OP_1..OP_16. `n` must be in 0..16 (asserted).
Opcode encode_op_n(int n);

// Bitcoin's script number encoding of `n`: little-endian magnitude, sign in the top bit of the
// last byte, no redundant bytes (so 0 is the empty string).
Bytes encode_script_num(std::int64_t n);
// The same encoding written into `out` (its contents replaced, its capacity reused).
void encode_script_num_to(std::int64_t n, Bytes& out);

// One parsed operation. `data` is the pushed bytes (empty for non-push opcodes) and points into
// the script it came from.
struct ScriptOp {
    Opcode opcode;
    ByteSpan data;
};

// A witness program found in an output script: `program` points into that script.
struct WitnessProgram {
    int version;  // 0..16
    ByteSpan program;
};

// A script: a byte string with helpers to build, parse and classify it.
//
// Scripts up to INLINE_CAPACITY bytes (every standard output template) live inside the object,
// so most outputs cost no heap allocation; longer ones go to the heap.
class Script {
public:
    static constexpr std::size_t INLINE_CAPACITY = 40;

    Script() noexcept {}
    explicit Script(ByteSpan bytes) { assign(bytes); }
    Script(const Script& other) : Script(other.span()) {}
    Script(Script&& other) noexcept { take(other); }
    Script& operator=(const Script& other) {
        if (this != &other) assign(other.span());
        return *this;
    }
    Script& operator=(Script&& other) noexcept {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }
    ~Script() { release(); }

    // Container access.
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    std::size_t capacity() const { return capacity_; }
    const std::uint8_t* data() const { return on_heap() ? heap_ : inline_; }
    std::uint8_t* data() { return on_heap() ? heap_ : inline_; }
    const std::uint8_t* begin() const { return data(); }
    const std::uint8_t* end() const { return data() + size_; }
    std::uint8_t operator[](std::size_t i) const { return data()[i]; }
    ByteSpan span() const { return {data(), size_}; }

    void clear() { size_ = 0; }
    void reserve(std::size_t n);
    void assign(ByteSpan bytes);
    void append(ByteSpan bytes);
    void push_back(std::uint8_t byte) { append(ByteSpan(&byte, 1)); }

    // Builder: each returns *this so calls chain.
    Script& push_opcode(Opcode op) {
        push_back(op);
        return *this;
    }
    // Pushes a number the shortest way: OP_1NEGATE, OP_0, OP_1..OP_16, or its script number
    // encoding as data.
    Script& push_int(std::int64_t n);
    // Pushes `data` with the smallest push opcode for its length (direct, OP_PUSHDATA1/2/4). An
    // empty `data` becomes OP_0; a single byte 1..16 is NOT turned into OP_1..OP_16 (use
    // push_int for numbers).
    Script& push_data(ByteSpan data);

    // Reads the operation that starts at `pos`. On success returns it and moves `pos` past it.
    // Returns nullopt, leaving `pos` unchanged, when `pos` is at (or past) the end or the push
    // runs past the end of the script. Never reads outside the script.
    std::optional<ScriptOp> get_op(std::size_t& pos) const;
    // True when every operation parses and none is above MAX_OPCODE (Core's HasValidOps).
    bool has_valid_ops() const;

    bool is_p2pkh() const;
    bool is_p2sh() const;
    bool is_p2wpkh() const;
    bool is_p2wsh() const;
    bool is_p2tr() const;
    // The BIP141 witness program (4..42 bytes: a version opcode then one direct push of 2..40
    // bytes that ends the script), or nullopt.
    std::optional<WitnessProgram> witness_program() const;
    bool is_witness_program() const { return witness_program().has_value(); }

    // Provably unspendable: starts with OP_RETURN or is longer than MAX_SCRIPT_SIZE.
    bool is_unspendable() const {
        return (size_ > 0 && (*this)[0] == OP_RETURN) || size_ > MAX_SCRIPT_SIZE;
    }
    // Every operation parses and is a push (opcode <= OP_16, which includes OP_RESERVED).
    bool is_push_only() const;

    // Legacy signature-operation count (Core's GetSigOpCount(fAccurate)): OP_CHECKSIG(VERIFY)
    // counts 1; OP_CHECKMULTISIG(VERIFY) counts the preceding OP_1..OP_16 when `accurate`, and
    // MAX_PUBKEYS_PER_MULTISIG otherwise. Counting stops at the first operation that does not
    // parse.
    unsigned sigop_count(bool accurate) const;
    // For a P2SH output script: the accurate sigop count of the redeem script (the last push of
    // `script_sig`); 0 when `script_sig` is not push-only or does not parse. For any other
    // script: sigop_count(true). (Core's GetSigOpCount(scriptSig).)
    unsigned p2sh_sigop_count(const Script& script_sig) const;

    friend bool operator==(const Script& a, const Script& b);
    friend std::strong_ordering operator<=>(const Script& a, const Script& b);

private:
    bool on_heap() const { return capacity_ > INLINE_CAPACITY; }
    void grow_to(std::size_t new_capacity);
    void release() noexcept;
    void take(Script& other) noexcept;

    std::uint32_t size_ = 0;
    std::uint32_t capacity_ = INLINE_CAPACITY;  // above INLINE_CAPACITY: the bytes are on the heap
    union {
        std::uint8_t inline_[INLINE_CAPACITY];
        std::uint8_t* heap_;
    };
};

// A transaction input's witness: a stack of byte strings (BIP141).
struct ScriptWitness {
    std::vector<Bytes> stack;

    bool is_null() const { return stack.empty(); }
    friend bool operator==(const ScriptWitness&, const ScriptWitness&) = default;
};

}  // namespace bitloom
