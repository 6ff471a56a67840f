#include "consensus/interpreter.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "consensus/script_num.h"
#include "crypto/hash.h"
#include "crypto/pubkey.h"
#include "crypto/ripemd160.h"
#include "crypto/sha256.h"
#include "crypto/taproot.h"
#include "primitives/transaction.h"

namespace bitloom {
namespace {

// ---- SHA-1 (FIPS 180-4), needed only by OP_SHA1 ---------------------------------------------

class Sha1 {
public:
    static std::array<std::uint8_t, 20> digest(ByteSpan data) {
        std::array<std::uint32_t, 5> state{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
                                           0xc3d2e1f0};
        std::size_t offset = 0;
        for (; offset + 64 <= data.size(); offset += 64) transform(state, data.data() + offset);
        std::array<std::uint8_t, 128> tail{};
        const std::size_t rest = data.size() - offset;
        if (rest > 0) std::memcpy(tail.data(), data.data() + offset, rest);
        tail[rest] = 0x80;
        const std::size_t tail_size = rest + 9 <= 64 ? 64 : 128;
        const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
        for (int i = 0; i < 8; ++i) {
            tail[tail_size - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
        }
        for (std::size_t block = 0; block < tail_size; block += 64) {
            transform(state, tail.data() + block);
        }
        std::array<std::uint8_t, 20> out{};
        for (int i = 0; i < 5; ++i) {
            for (int j = 0; j < 4; ++j) {
                out[4 * i + j] = static_cast<std::uint8_t>(state[i] >> (24 - 8 * j));
            }
        }
        return out;
    }

private:
    static std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

    static void transform(std::array<std::uint32_t, 5>& state, const std::uint8_t* block) {
        std::array<std::uint32_t, 80> w{};
        for (int i = 0; i < 16; ++i) {
            w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
                   (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
        }
        for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (int i = 0; i < 80; ++i) {
            std::uint32_t f;
            std::uint32_t k;
            if (i < 20) {
                f = (b & c) | (~b & d);
                k = 0x5a827999;
            } else if (i < 40) {
                f = b ^ c ^ d;
                k = 0x6ed9eba1;
            } else if (i < 60) {
                f = (b & c) | (b & d) | (c & d);
                k = 0x8f1bbcdc;
            } else {
                f = b ^ c ^ d;
                k = 0xca62c1d6;
            }
            const std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
            e = d;
            d = c;
            c = rotl(b, 30);
            b = a;
            a = t;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
};

// ---- Helpers --------------------------------------------------------------------------------

bool report_failure(ScriptError* error, ScriptError reason) {
    if (error) *error = reason;
    return false;
}

bool succeed(ScriptError* error) {
    if (error) *error = ScriptError::OK;
    return true;
}

// The execution state of nested IF/ELSE/ENDIF without storing one entry per level: only the
// depth and the position of the outermost false branch matter (Core's ConditionStack).
class ConditionStack {
public:
    bool empty() const { return size_ == 0; }
    bool all_true() const { return first_false_ == NO_FALSE; }
    void push(bool value) {
        if (first_false_ == NO_FALSE && !value) first_false_ = size_;
        ++size_;
    }
    void pop() {
        --size_;
        if (first_false_ == size_) first_false_ = NO_FALSE;
    }
    void toggle_top() {
        if (first_false_ == NO_FALSE) {
            first_false_ = size_ - 1;
        } else if (first_false_ == size_ - 1) {
            first_false_ = NO_FALSE;
        }
    }

private:
    static constexpr std::uint32_t NO_FALSE = 0xffffffff;
    std::uint32_t size_ = 0;
    std::uint32_t first_false_ = NO_FALSE;
};

// STRICTENC: the sighash byte is ALL, NONE or SINGLE, optionally with ANYONECANPAY (0x80).
bool is_defined_hashtype_signature(ByteSpan signature) {
    if (signature.empty()) return false;
    const std::uint8_t type = signature.back() & 0x7f;
    return type >= 0x01 && type <= 0x03;
}

bool check_signature_encoding(ByteSpan signature, ScriptFlags flags, ScriptError* error) {
    // An empty signature is a compact way to provide an invalid one (for CHECK(MULTI)SIG NOT).
    if (signature.empty()) return true;
    if ((flags & (script_flags::DERSIG | script_flags::LOW_S | script_flags::STRICTENC)) != 0 &&
        !is_valid_der_encoding(signature)) {
        return report_failure(error, ScriptError::SIG_DER);
    }
    if ((flags & script_flags::LOW_S) != 0 && !is_low_der_signature(signature)) {
        return report_failure(error, ScriptError::SIG_HIGH_S);
    }
    if ((flags & script_flags::STRICTENC) != 0 && !is_defined_hashtype_signature(signature)) {
        return report_failure(error, ScriptError::SIG_HASHTYPE);
    }
    return true;
}

bool check_pubkey_encoding(ByteSpan pubkey, ScriptFlags flags, SigVersion version,
                           ScriptError* error) {
    if ((flags & script_flags::STRICTENC) != 0 && !is_compressed_or_uncompressed_pubkey(pubkey)) {
        return report_failure(error, ScriptError::PUBKEYTYPE);
    }
    if ((flags & script_flags::WITNESS_PUBKEYTYPE) != 0 && version == SigVersion::witness_v0 &&
        !is_compressed_pubkey(pubkey)) {
        return report_failure(error, ScriptError::WITNESS_PUBKEYTYPE);
    }
    return true;
}

// The push of `data` as Core's `CScript() << data` writes it (the FindAndDelete pattern).
Script push_of(ByteSpan data) {
    Script pattern;
    pattern.push_data(data);
    return pattern;
}

// The script from the last executed OP_CODESEPARATOR to the end.
Script script_code_from(const Script& script, std::size_t begin_code) {
    return Script(script.span().subspan(begin_code));
}

// Legacy / segwit v0 signature check (Core's EvalChecksigPreTapscript).
bool eval_checksig_ecdsa(ByteSpan signature, ByteSpan pubkey, const Script& script,
                         std::size_t begin_code, ScriptFlags flags,
                         const SignatureChecker& checker, SigVersion version, ScriptError* error,
                         bool& success) {
    Script script_code = script_code_from(script, begin_code);
    if (version == SigVersion::base) {
        const int found = find_and_delete(script_code, push_of(signature).span());
        if (found > 0 && (flags & script_flags::CONST_SCRIPTCODE) != 0) {
            return report_failure(error, ScriptError::SIG_FINDANDDELETE);
        }
    }
    if (!check_signature_encoding(signature, flags, error) ||
        !check_pubkey_encoding(pubkey, flags, version, error)) {
        return false;
    }
    success = checker.check_ecdsa_signature(signature, pubkey, script_code, version);
    if (!success && (flags & script_flags::NULLFAIL) != 0 && !signature.empty()) {
        return report_failure(error, ScriptError::SIG_NULLFAIL);
    }
    return true;
}

// Tapscript signature check (Core's EvalChecksigTapscript, BIP342).
bool eval_checksig_tapscript(ByteSpan signature, ByteSpan pubkey, ScriptExecutionData& execdata,
                             ScriptFlags flags, const SignatureChecker& checker,
                             ScriptError* error, bool& success) {
    success = !signature.empty();
    if (success) {
        // Only non-empty signatures are charged, so that a script with many CHECKSIGs and
        // empty signatures stays cheap to validate.
        execdata.validation_weight_left -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
        if (execdata.validation_weight_left < 0) {
            return report_failure(error, ScriptError::TAPSCRIPT_VALIDATION_WEIGHT);
        }
    }
    if (pubkey.empty()) return report_failure(error, ScriptError::TAPSCRIPT_EMPTY_PUBKEY);
    if (pubkey.size() == 32) {
        if (success && !checker.check_schnorr_signature(signature, pubkey, SigVersion::tapscript,
                                                        execdata, error)) {
            return false;
        }
    } else if ((flags & script_flags::DISCOURAGE_UPGRADABLE_PUBKEYTYPE) != 0) {
        // Unknown public key types are reserved for soft forks: they succeed like a valid
        // signature would.
        return report_failure(error, ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    }
    return true;
}

bool is_disabled_opcode(std::uint8_t op) {
    switch (op) {
    case OP_CAT:
    case OP_SUBSTR:
    case OP_LEFT:
    case OP_RIGHT:
    case OP_INVERT:
    case OP_AND:
    case OP_OR:
    case OP_XOR:
    case OP_2MUL:
    case OP_2DIV:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    case OP_LSHIFT:
    case OP_RSHIFT:
        return true;
    default:
        return false;
    }
}

class Interpreter {
public:
    Interpreter(std::vector<Bytes>& stack, const Script& script, ScriptFlags flags,
                const SignatureChecker& checker, SigVersion version,
                ScriptExecutionData& execdata, ScriptError* error)
        : stack_(stack), script_(script), flags_(flags), checker_(checker), version_(version),
          execdata_(execdata), error_(error),
          require_minimal_((flags & script_flags::MINIMALDATA) != 0) {}

    bool run();

private:
    bool fail(ScriptError reason) { return report_failure(error_, reason); }
    Bytes& top(std::size_t depth_from_top) { return stack_[stack_.size() - depth_from_top]; }
    void pop() { stack_.pop_back(); }
    void push_bool(bool value) {
        stack_.emplace_back();
        if (value) stack_.back().push_back(1);
    }
    void push_num(std::int64_t value) {
        stack_.emplace_back();
        ScriptNum(value).encode_to(stack_.back());
    }
    // Reads the element `depth` from the top as a number; false (error set) when invalid.
    bool read_num(std::size_t depth, std::int64_t& out,
                  std::size_t max_size = ScriptNum::DEFAULT_MAX_SIZE) {
        const auto num = ScriptNum::decode(top(depth), require_minimal_, max_size);
        if (!num) return fail(ScriptError::SCRIPTNUM);
        out = num->value();
        return true;
    }
    bool read_int(std::size_t depth, int& out) {
        const auto num = ScriptNum::decode(top(depth), require_minimal_);
        if (!num) return fail(ScriptError::SCRIPTNUM);
        out = num->to_int();
        return true;
    }

    bool execute(Opcode op, std::size_t pc, std::uint32_t opcode_pos, bool executing);
    bool op_checkmultisig(Opcode op);

    std::vector<Bytes>& stack_;
    const Script& script_;
    const ScriptFlags flags_;
    const SignatureChecker& checker_;
    const SigVersion version_;
    ScriptExecutionData& execdata_;
    ScriptError* error_;
    const bool require_minimal_;

    std::vector<Bytes> altstack_;
    ConditionStack conditions_;
    std::size_t begin_code_ = 0;
    int op_count_ = 0;
};

bool Interpreter::run() {
    const bool legacy_limits = version_ == SigVersion::base || version_ == SigVersion::witness_v0;
    if (legacy_limits && script_.size() > MAX_SCRIPT_SIZE) return fail(ScriptError::SCRIPT_SIZE);

    execdata_.codeseparator_pos_init = true;
    execdata_.codeseparator_pos = 0xffffffff;

    std::size_t pc = 0;
    std::uint32_t opcode_pos = 0;
    for (; pc < script_.size(); ++opcode_pos) {
        const bool executing = conditions_.all_true();
        const auto parsed = script_.get_op(pc);
        if (!parsed) return fail(ScriptError::BAD_OPCODE);
        const Opcode op = parsed->opcode;
        if (parsed->data.size() > MAX_SCRIPT_ELEMENT_SIZE) return fail(ScriptError::PUSH_SIZE);

        if (legacy_limits && op > OP_16 && ++op_count_ > static_cast<int>(MAX_OPS_PER_SCRIPT)) {
            return fail(ScriptError::OP_COUNT);
        }
        if (is_disabled_opcode(op)) return fail(ScriptError::DISABLED_OPCODE);
        if (op == OP_CODESEPARATOR && version_ == SigVersion::base &&
            (flags_ & script_flags::CONST_SCRIPTCODE) != 0) {
            return fail(ScriptError::OP_CODESEPARATOR);
        }

        if (executing && op <= OP_PUSHDATA4) {
            if (require_minimal_ && !check_minimal_push(parsed->data, op)) {
                return fail(ScriptError::MINIMALDATA);
            }
            stack_.emplace_back(parsed->data.begin(), parsed->data.end());
        } else if (executing || (op >= OP_IF && op <= OP_ENDIF)) {
            if (!execute(op, pc, opcode_pos, executing)) return false;
        }

        if (stack_.size() + altstack_.size() > MAX_STACK_SIZE) {
            return fail(ScriptError::STACK_SIZE);
        }
    }
    if (!conditions_.empty()) return fail(ScriptError::UNBALANCED_CONDITIONAL);
    return succeed(error_);
}

bool Interpreter::execute(Opcode op, std::size_t pc, std::uint32_t opcode_pos, bool executing) {
    const std::size_t size = stack_.size();
    switch (op) {
    case OP_1NEGATE:
    case OP_1:
    case OP_2:
    case OP_3:
    case OP_4:
    case OP_5:
    case OP_6:
    case OP_7:
    case OP_8:
    case OP_9:
    case OP_10:
    case OP_11:
    case OP_12:
    case OP_13:
    case OP_14:
    case OP_15:
    case OP_16:
        push_num(static_cast<int>(op) - static_cast<int>(OP_1 - 1));
        return true;

    // ---- Control ----
    case OP_NOP:
        return true;

    case OP_CHECKLOCKTIMEVERIFY: {
        if ((flags_ & script_flags::CHECKLOCKTIMEVERIFY) == 0) return true;  // NOP2
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        // Lock times reach 2^32 - 1, beyond 4-byte numbers: 5 bytes are allowed here.
        std::int64_t lock_time = 0;
        if (!read_num(1, lock_time, 5)) return false;
        if (lock_time < 0) return fail(ScriptError::NEGATIVE_LOCKTIME);
        if (!checker_.check_lock_time(lock_time)) return fail(ScriptError::UNSATISFIED_LOCKTIME);
        return true;
    }

    case OP_CHECKSEQUENCEVERIFY: {
        if ((flags_ & script_flags::CHECKSEQUENCEVERIFY) == 0) return true;  // NOP3
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::int64_t sequence = 0;
        if (!read_num(1, sequence, 5)) return false;
        if (sequence < 0) return fail(ScriptError::NEGATIVE_LOCKTIME);
        // With the disable flag set the operand is reserved for soft forks: behave as a NOP.
        if ((sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0) return true;
        if (!checker_.check_sequence(sequence)) return fail(ScriptError::UNSATISFIED_LOCKTIME);
        return true;
    }

    case OP_NOP1:
    case OP_NOP4:
    case OP_NOP5:
    case OP_NOP6:
    case OP_NOP7:
    case OP_NOP8:
    case OP_NOP9:
    case OP_NOP10:
        if ((flags_ & script_flags::DISCOURAGE_UPGRADABLE_NOPS) != 0) {
            return fail(ScriptError::DISCOURAGE_UPGRADABLE_NOPS);
        }
        return true;

    case OP_IF:
    case OP_NOTIF: {
        bool value = false;
        if (executing) {
            if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
            const Bytes& condition = top(1);
            const bool minimal =
                condition.empty() || (condition.size() == 1 && condition[0] == 1);
            if (version_ == SigVersion::tapscript && !minimal) {
                return fail(ScriptError::TAPSCRIPT_MINIMALIF);
            }
            if (version_ == SigVersion::witness_v0 &&
                (flags_ & script_flags::MINIMALIF) != 0 && !minimal) {
                return fail(ScriptError::MINIMALIF);
            }
            value = cast_to_bool(condition);
            if (op == OP_NOTIF) value = !value;
            pop();
        }
        conditions_.push(value);
        return true;
    }

    case OP_ELSE:
        if (conditions_.empty()) return fail(ScriptError::UNBALANCED_CONDITIONAL);
        conditions_.toggle_top();
        return true;

    case OP_ENDIF:
        if (conditions_.empty()) return fail(ScriptError::UNBALANCED_CONDITIONAL);
        conditions_.pop();
        return true;

    case OP_VERIFY:
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        if (!cast_to_bool(top(1))) return fail(ScriptError::VERIFY);
        pop();
        return true;

    case OP_RETURN:
        return fail(ScriptError::OP_RETURN);

    // ---- Stack ----
    case OP_TOALTSTACK:
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        altstack_.push_back(std::move(top(1)));
        pop();
        return true;

    case OP_FROMALTSTACK:
        if (altstack_.empty()) return fail(ScriptError::INVALID_ALTSTACK_OPERATION);
        stack_.push_back(std::move(altstack_.back()));
        altstack_.pop_back();
        return true;

    case OP_2DROP:
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        pop();
        pop();
        return true;

    case OP_2DUP:
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.push_back(stack_[size - 2]);
        stack_.push_back(stack_[size - 1]);
        return true;

    case OP_3DUP:
        if (size < 3) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.push_back(stack_[size - 3]);
        stack_.push_back(stack_[size - 2]);
        stack_.push_back(stack_[size - 1]);
        return true;

    case OP_2OVER:
        if (size < 4) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.push_back(stack_[size - 4]);
        stack_.push_back(stack_[size - 3]);
        return true;

    case OP_2ROT: {
        if (size < 6) return fail(ScriptError::INVALID_STACK_OPERATION);
        // (x1 x2 x3 x4 x5 x6 -- x3 x4 x5 x6 x1 x2)
        std::rotate(stack_.end() - 6, stack_.end() - 4, stack_.end());
        return true;
    }

    case OP_2SWAP:
        if (size < 4) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::swap(stack_[size - 4], stack_[size - 2]);
        std::swap(stack_[size - 3], stack_[size - 1]);
        return true;

    case OP_IFDUP:
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        if (cast_to_bool(top(1))) stack_.push_back(stack_[size - 1]);
        return true;

    case OP_DEPTH:
        push_num(static_cast<std::int64_t>(size));
        return true;

    case OP_DROP:
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        pop();
        return true;

    case OP_DUP:
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.push_back(stack_[size - 1]);
        return true;

    case OP_NIP:
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.erase(stack_.end() - 2);
        return true;

    case OP_OVER:
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.push_back(stack_[size - 2]);
        return true;

    case OP_PICK:
    case OP_ROLL: {
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        int n = 0;
        if (!read_int(1, n)) return false;
        pop();
        if (n < 0 || static_cast<std::size_t>(n) >= stack_.size()) {
            return fail(ScriptError::INVALID_STACK_OPERATION);
        }
        const auto index = stack_.size() - 1 - static_cast<std::size_t>(n);
        if (op == OP_PICK) {
            stack_.push_back(stack_[index]);
        } else {
            Bytes element = std::move(stack_[index]);
            stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(index));
            stack_.push_back(std::move(element));
        }
        return true;
    }

    case OP_ROT:
        if (size < 3) return fail(ScriptError::INVALID_STACK_OPERATION);
        // (x1 x2 x3 -- x2 x3 x1)
        std::swap(stack_[size - 3], stack_[size - 2]);
        std::swap(stack_[size - 2], stack_[size - 1]);
        return true;

    case OP_SWAP:
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::swap(stack_[size - 2], stack_[size - 1]);
        return true;

    case OP_TUCK:
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        stack_.insert(stack_.end() - 2, Bytes(stack_[size - 1]));
        return true;

    case OP_SIZE:
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        push_num(static_cast<std::int64_t>(top(1).size()));
        return true;

    // ---- Bitwise logic ----
    case OP_EQUAL:
    case OP_EQUALVERIFY: {
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        const bool equal = top(2) == top(1);
        pop();
        pop();
        push_bool(equal);
        if (op == OP_EQUALVERIFY) {
            if (!equal) return fail(ScriptError::EQUALVERIFY);
            pop();
        }
        return true;
    }

    // ---- Numeric ----
    case OP_1ADD:
    case OP_1SUB:
    case OP_NEGATE:
    case OP_ABS:
    case OP_NOT:
    case OP_0NOTEQUAL: {
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::int64_t n = 0;
        if (!read_num(1, n)) return false;
        switch (op) {
        case OP_1ADD: n += 1; break;
        case OP_1SUB: n -= 1; break;
        case OP_NEGATE: n = -n; break;
        case OP_ABS: n = n < 0 ? -n : n; break;
        case OP_NOT: n = n == 0; break;
        default: n = n != 0; break;  // OP_0NOTEQUAL
        }
        pop();
        push_num(n);
        return true;
    }

    case OP_ADD:
    case OP_SUB:
    case OP_BOOLAND:
    case OP_BOOLOR:
    case OP_NUMEQUAL:
    case OP_NUMEQUALVERIFY:
    case OP_NUMNOTEQUAL:
    case OP_LESSTHAN:
    case OP_GREATERTHAN:
    case OP_LESSTHANOREQUAL:
    case OP_GREATERTHANOREQUAL:
    case OP_MIN:
    case OP_MAX: {
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::int64_t a = 0;
        std::int64_t b = 0;
        if (!read_num(2, a) || !read_num(1, b)) return false;
        std::int64_t r = 0;
        switch (op) {
        case OP_ADD: r = a + b; break;
        case OP_SUB: r = a - b; break;
        case OP_BOOLAND: r = a != 0 && b != 0; break;
        case OP_BOOLOR: r = a != 0 || b != 0; break;
        case OP_NUMEQUAL:
        case OP_NUMEQUALVERIFY: r = a == b; break;
        case OP_NUMNOTEQUAL: r = a != b; break;
        case OP_LESSTHAN: r = a < b; break;
        case OP_GREATERTHAN: r = a > b; break;
        case OP_LESSTHANOREQUAL: r = a <= b; break;
        case OP_GREATERTHANOREQUAL: r = a >= b; break;
        case OP_MIN: r = std::min(a, b); break;
        default: r = std::max(a, b); break;  // OP_MAX
        }
        pop();
        pop();
        push_num(r);
        if (op == OP_NUMEQUALVERIFY) {
            if (r == 0) return fail(ScriptError::NUMEQUALVERIFY);
            pop();
        }
        return true;
    }

    case OP_WITHIN: {
        if (size < 3) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::int64_t x = 0;
        std::int64_t lo = 0;
        std::int64_t hi = 0;
        if (!read_num(3, x) || !read_num(2, lo) || !read_num(1, hi)) return false;
        pop();
        pop();
        pop();
        push_bool(lo <= x && x < hi);
        return true;
    }

    // ---- Crypto ----
    case OP_RIPEMD160:
    case OP_SHA1:
    case OP_SHA256:
    case OP_HASH160:
    case OP_HASH256: {
        if (size < 1) return fail(ScriptError::INVALID_STACK_OPERATION);
        Bytes& element = top(1);
        if (op == OP_RIPEMD160) {
            const Uint160 h = ripemd160(element);
            element.assign(h.span().begin(), h.span().end());
        } else if (op == OP_SHA1) {
            const auto h = Sha1::digest(element);
            element.assign(h.begin(), h.end());
        } else if (op == OP_SHA256) {
            const Uint256 h = sha256(element);
            element.assign(h.span().begin(), h.span().end());
        } else if (op == OP_HASH160) {
            const Uint160 h = hash160(element);
            element.assign(h.span().begin(), h.span().end());
        } else {
            const Uint256 h = hash256(element);
            element.assign(h.span().begin(), h.span().end());
        }
        return true;
    }

    case OP_CODESEPARATOR:
        // Signatures cover the script from after the last executed OP_CODESEPARATOR.
        begin_code_ = pc;
        execdata_.codeseparator_pos = opcode_pos;
        return true;

    case OP_CHECKSIG:
    case OP_CHECKSIGVERIFY: {
        if (size < 2) return fail(ScriptError::INVALID_STACK_OPERATION);
        bool success = false;
        const Bytes& signature = top(2);
        const Bytes& pubkey = top(1);
        const bool ok =
            version_ == SigVersion::tapscript
                ? eval_checksig_tapscript(signature, pubkey, execdata_, flags_, checker_, error_,
                                          success)
                : eval_checksig_ecdsa(signature, pubkey, script_, begin_code_, flags_, checker_,
                                      version_, error_, success);
        if (!ok) return false;
        pop();
        pop();
        push_bool(success);
        if (op == OP_CHECKSIGVERIFY) {
            if (!success) return fail(ScriptError::CHECKSIGVERIFY);
            pop();
        }
        return true;
    }

    case OP_CHECKSIGADD: {
        // BIP342: (sig num pubkey -- num + (sig valid ? 1 : 0)); only in tapscript.
        if (version_ != SigVersion::tapscript) return fail(ScriptError::BAD_OPCODE);
        if (size < 3) return fail(ScriptError::INVALID_STACK_OPERATION);
        std::int64_t n = 0;
        if (!read_num(2, n)) return false;
        bool success = false;
        if (!eval_checksig_tapscript(top(3), top(1), execdata_, flags_, checker_, error_,
                                     success)) {
            return false;
        }
        pop();
        pop();
        pop();
        push_num(n + (success ? 1 : 0));
        return true;
    }

    case OP_CHECKMULTISIG:
    case OP_CHECKMULTISIGVERIFY:
        if (version_ == SigVersion::tapscript) return fail(ScriptError::TAPSCRIPT_CHECKMULTISIG);
        return op_checkmultisig(op);

    default:
        // OP_VER, OP_VERIF, OP_VERNOTIF, OP_RESERVED*, and every undefined opcode.
        return fail(ScriptError::BAD_OPCODE);
    }
}

bool Interpreter::op_checkmultisig(Opcode op) {
    // Stack: dummy sig_1..sig_m m pubkey_1..pubkey_n n (top). Indices count from the top.
    std::size_t i = 1;
    if (stack_.size() < i) return fail(ScriptError::INVALID_STACK_OPERATION);
    int key_count = 0;
    if (!read_int(i, key_count)) return false;
    if (key_count < 0 || key_count > static_cast<int>(MAX_PUBKEYS_PER_MULTISIG)) {
        return fail(ScriptError::PUBKEY_COUNT);
    }
    op_count_ += key_count;
    if (op_count_ > static_cast<int>(MAX_OPS_PER_SCRIPT)) return fail(ScriptError::OP_COUNT);
    std::size_t key_index = ++i;
    // How many pubkeys, counted from the first, may still be non-empty-checked for NULLFAIL.
    std::size_t keys_to_clean = static_cast<std::size_t>(key_count) + 2;
    i += static_cast<std::size_t>(key_count);
    if (stack_.size() < i) return fail(ScriptError::INVALID_STACK_OPERATION);

    int sig_count = 0;
    if (!read_int(i, sig_count)) return false;
    if (sig_count < 0 || sig_count > key_count) return fail(ScriptError::SIG_COUNT);
    std::size_t sig_index = ++i;
    i += static_cast<std::size_t>(sig_count);
    if (stack_.size() < i) return fail(ScriptError::INVALID_STACK_OPERATION);

    Script script_code = script_code_from(script_, begin_code_);
    if (version_ == SigVersion::base) {
        for (int k = 0; k < sig_count; ++k) {
            const Bytes& signature = top(sig_index + static_cast<std::size_t>(k));
            const int found = find_and_delete(script_code, push_of(signature).span());
            if (found > 0 && (flags_ & script_flags::CONST_SCRIPTCODE) != 0) {
                return fail(ScriptError::SIG_FINDANDDELETE);
            }
        }
    }

    bool success = true;
    while (success && sig_count > 0) {
        const Bytes& signature = top(sig_index);
        const Bytes& pubkey = top(key_index);
        // Encodings are checked only for the pairs actually tried, as in Core.
        if (!check_signature_encoding(signature, flags_, error_) ||
            !check_pubkey_encoding(pubkey, flags_, version_, error_)) {
            return false;
        }
        if (checker_.check_ecdsa_signature(signature, pubkey, script_code, version_)) {
            ++sig_index;
            --sig_count;
        }
        ++key_index;
        --key_count;
        // More signatures left than keys: they cannot all match.
        if (sig_count > key_count) success = false;
    }

    // Pop everything down to (not including) the dummy; under NULLFAIL every signature must be
    // empty when the check failed.
    while (i-- > 1) {
        if (!success && (flags_ & script_flags::NULLFAIL) != 0 && keys_to_clean == 0 &&
            !top(1).empty()) {
            return fail(ScriptError::SIG_NULLFAIL);
        }
        if (keys_to_clean > 0) --keys_to_clean;
        pop();
    }
    // The extra element Satoshi's implementation pops by mistake (BIP147: must be empty).
    if (stack_.empty()) return fail(ScriptError::INVALID_STACK_OPERATION);
    if ((flags_ & script_flags::NULLDUMMY) != 0 && !top(1).empty()) {
        return fail(ScriptError::SIG_NULLDUMMY);
    }
    pop();
    push_bool(success);
    if (op == OP_CHECKMULTISIGVERIFY) {
        if (!success) return fail(ScriptError::CHECKMULTISIGVERIFY);
        pop();
    }
    return true;
}

// ---- Witness programs ------------------------------------------------------------------------

std::size_t compact_size_length(std::size_t n) {
    if (n < 253) return 1;
    if (n <= 0xffff) return 3;
    if (n <= 0xffffffff) return 5;
    return 9;
}

std::size_t witness_serialized_size(const std::vector<Bytes>& stack) {
    std::size_t total = compact_size_length(stack.size());
    for (const Bytes& element : stack) {
        total += compact_size_length(element.size()) + element.size();
    }
    return total;
}

// Runs a witness script on the witness arguments (Core's ExecuteWitnessScript).
bool execute_witness_script(std::span<const Bytes> arguments, const Script& script,
                            ScriptFlags flags, SigVersion version,
                            const SignatureChecker& checker, ScriptExecutionData& execdata,
                            ScriptError* error) {
    if (version == SigVersion::tapscript) {
        // OP_SUCCESSx overrides everything, even a later unparseable push or oversized
        // arguments: scan the whole script before anything runs.
        std::size_t pc = 0;
        while (pc < script.size()) {
            const auto parsed = script.get_op(pc);
            if (!parsed) return report_failure(error, ScriptError::BAD_OPCODE);
            if (is_op_success(parsed->opcode)) {
                if ((flags & script_flags::DISCOURAGE_OP_SUCCESS) != 0) {
                    return report_failure(error, ScriptError::DISCOURAGE_OP_SUCCESS);
                }
                return succeed(error);
            }
        }
        if (arguments.size() > MAX_STACK_SIZE) {
            return report_failure(error, ScriptError::STACK_SIZE);
        }
    }
    for (const Bytes& element : arguments) {
        if (element.size() > MAX_SCRIPT_ELEMENT_SIZE) {
            return report_failure(error, ScriptError::PUSH_SIZE);
        }
    }
    std::vector<Bytes> stack;
    stack.reserve(arguments.size() + 8);
    stack.assign(arguments.begin(), arguments.end());
    if (!eval_script(stack, script, flags, checker, version, execdata, error)) return false;
    // Witness scripts must leave exactly one element (an implied CLEANSTACK).
    if (stack.size() != 1) return report_failure(error, ScriptError::CLEANSTACK);
    if (!cast_to_bool(stack.back())) return report_failure(error, ScriptError::EVAL_FALSE);
    return succeed(error);
}

constexpr std::size_t WITNESS_V0_KEYHASH_SIZE = 20;
constexpr std::size_t WITNESS_V0_SCRIPTHASH_SIZE = 32;
constexpr std::size_t WITNESS_V1_TAPROOT_SIZE = 32;

bool verify_taproot_commitment(ByteSpan control, ByteSpan program, const Uint256& leaf_hash) {
    const auto root = tap_merkle_root_from_control_block(control, leaf_hash);
    if (!root) return false;
    const auto internal = XOnlyPublicKey::parse(control.subspan(1, XOnlyPublicKey::SIZE));
    const auto output = XOnlyPublicKey::parse(program);
    if (!internal || !output) return false;
    return output->check_tap_tweak(*internal, *root, (control[0] & 1) != 0);
}

bool verify_witness_program(const ScriptWitness& witness, int version, ByteSpan program,
                            ScriptFlags flags, const SignatureChecker& checker, bool is_p2sh,
                            ScriptError* error) {
    std::span<const Bytes> stack(witness.stack);
    ScriptExecutionData execdata;

    if (version == 0) {
        if (program.size() == WITNESS_V0_SCRIPTHASH_SIZE) {
            if (stack.empty()) {
                return report_failure(error, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
            }
            const Bytes& script_bytes = stack.back();
            stack = stack.first(stack.size() - 1);
            const Uint256 hash = sha256(script_bytes);
            if (!std::equal(program.begin(), program.end(), hash.span().begin())) {
                return report_failure(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
            }
            const Script script{ByteSpan(script_bytes)};
            return execute_witness_script(stack, script, flags, SigVersion::witness_v0, checker,
                                          execdata, error);
        }
        if (program.size() == WITNESS_V0_KEYHASH_SIZE) {
            if (stack.size() != 2) {
                return report_failure(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
            }
            Script script;
            script.push_opcode(OP_DUP).push_opcode(OP_HASH160).push_data(program);
            script.push_opcode(OP_EQUALVERIFY).push_opcode(OP_CHECKSIG);
            return execute_witness_script(stack, script, flags, SigVersion::witness_v0, checker,
                                          execdata, error);
        }
        return report_failure(error, ScriptError::WITNESS_PROGRAM_WRONG_LENGTH);
    }

    if (version == 1 && program.size() == WITNESS_V1_TAPROOT_SIZE && !is_p2sh) {
        if ((flags & script_flags::TAPROOT) == 0) return succeed(error);
        if (stack.empty()) return report_failure(error, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
        if (stack.size() >= 2 && !stack.back().empty() && stack.back()[0] == ANNEX_TAG) {
            const Bytes& annex = stack.back();
            Sha256 hasher;
            std::uint8_t prefix[9];
            std::size_t prefix_size = compact_size_length(annex.size());
            std::uint64_t n = annex.size();
            if (prefix_size == 1) {
                prefix[0] = static_cast<std::uint8_t>(n);
            } else {
                prefix[0] = prefix_size == 3 ? 0xfd : prefix_size == 5 ? 0xfe : 0xff;
                for (std::size_t b = 1; b < prefix_size; ++b) {
                    prefix[b] = static_cast<std::uint8_t>(n >> (8 * (b - 1)));
                }
            }
            hasher.write(prefix, prefix_size).write(annex);
            execdata.annex_hash = hasher.finalize();
            execdata.annex_present = true;
            stack = stack.first(stack.size() - 1);
        } else {
            execdata.annex_present = false;
        }
        execdata.annex_init = true;

        if (stack.size() == 1) {
            // Key path: the single remaining element is a signature for the output key.
            if (!checker.check_schnorr_signature(stack.front(), program, SigVersion::taproot,
                                                 execdata, error)) {
                return false;
            }
            return succeed(error);
        }

        // Script path: [args..., script, control].
        const Bytes& control = stack.back();
        const Bytes& script_bytes = stack[stack.size() - 2];
        stack = stack.first(stack.size() - 2);
        if (control.size() < TAPROOT_CONTROL_BASE_SIZE ||
            control.size() > TAPROOT_CONTROL_MAX_SIZE ||
            (control.size() - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE != 0) {
            return report_failure(error, ScriptError::TAPROOT_WRONG_CONTROL_SIZE);
        }
        const std::uint8_t leaf_version = control[0] & TAPROOT_LEAF_MASK;
        execdata.tapleaf_hash = tap_leaf_hash(leaf_version, script_bytes);
        if (!verify_taproot_commitment(control, program, execdata.tapleaf_hash)) {
            return report_failure(error, ScriptError::WITNESS_PROGRAM_MISMATCH);
        }
        execdata.tapleaf_hash_init = true;
        if (leaf_version == TAPROOT_LEAF_TAPSCRIPT) {
            const Script script{ByteSpan(script_bytes)};
            execdata.validation_weight_left =
                static_cast<std::int64_t>(witness_serialized_size(witness.stack)) +
                VALIDATION_WEIGHT_OFFSET;
            execdata.validation_weight_left_init = true;
            return execute_witness_script(stack, script, flags, SigVersion::tapscript, checker,
                                          execdata, error);
        }
        if ((flags & script_flags::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) != 0) {
            return report_failure(error, ScriptError::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
        }
        return succeed(error);
    }

    // Pay-to-anchor (v1, program 0x4e73) is a standard anyone-can-spend output, never
    // "discouraged".
    static constexpr std::array<std::uint8_t, 2> ANCHOR_PROGRAM{0x4e, 0x73};
    if (!is_p2sh && version == 1 &&
        std::equal(program.begin(), program.end(), ANCHOR_PROGRAM.begin(), ANCHOR_PROGRAM.end())) {
        return succeed(error);
    }
    // Unknown versions (and v1 of other lengths, or P2SH-wrapped) are reserved for soft forks.
    if ((flags & script_flags::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) != 0) {
        return report_failure(error, ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
    }
    return succeed(error);
}

}  // namespace

// ---- Public functions --------------------------------------------------------------------------

bool cast_to_bool(ByteSpan element) {
    for (std::size_t i = 0; i < element.size(); ++i) {
        if (element[i] != 0) {
            // Negative zero (0x80 in the last byte, zeros before it) is false.
            return !(i == element.size() - 1 && element[i] == 0x80);
        }
    }
    return false;
}

bool check_minimal_push(ByteSpan data, Opcode opcode) {
    if (data.empty()) return opcode == OP_0;
    if (data.size() == 1 && data[0] >= 1 && data[0] <= 16) return false;  // use OP_1..OP_16
    if (data.size() == 1 && data[0] == 0x81) return false;                 // use OP_1NEGATE
    if (data.size() <= 75) return opcode == data.size();
    if (data.size() <= 255) return opcode == OP_PUSHDATA1;
    if (data.size() <= 65535) return opcode == OP_PUSHDATA2;
    return true;
}

bool is_op_success(std::uint8_t opcode) {
    return opcode == 80 || opcode == 98 || (opcode >= 126 && opcode <= 129) ||
           (opcode >= 131 && opcode <= 134) || (opcode >= 137 && opcode <= 138) ||
           (opcode >= 141 && opcode <= 142) || (opcode >= 149 && opcode <= 153) ||
           (opcode >= 187 && opcode <= 254);
}

int find_and_delete(Script& script, ByteSpan pattern) {
    if (pattern.empty() || pattern.size() > script.size()) return 0;
    const ByteSpan bytes = script.span();
    auto at = [&](std::size_t pos) { return bytes.begin() + static_cast<std::ptrdiff_t>(pos); };
    int found = 0;
    Bytes result;  // built only once something matches: the common case allocates nothing
    std::size_t pc = 0;
    std::size_t kept_from = 0;
    for (;;) {
        if (found > 0) result.insert(result.end(), at(kept_from), at(pc));
        while (bytes.size() - pc >= pattern.size() &&
               std::equal(pattern.begin(), pattern.end(), at(pc))) {
            // Nothing was deleted before the first match: everything up to here is kept.
            if (found == 0) result.assign(bytes.begin(), at(pc));
            pc += pattern.size();
            ++found;
        }
        kept_from = pc;
        if (!script.get_op(pc)) break;
    }
    if (found > 0) {
        result.insert(result.end(), at(kept_from), bytes.end());
        script.assign(result);
    }
    return found;
}

bool eval_script(std::vector<Bytes>& stack, const Script& script, ScriptFlags flags,
                 const SignatureChecker& checker, SigVersion version, ScriptExecutionData& execdata,
                 ScriptError* error) {
    if (error) *error = ScriptError::UNKNOWN_ERROR;
    Interpreter interpreter(stack, script, flags, checker, version, execdata, error);
    return interpreter.run();
}

bool eval_script(std::vector<Bytes>& stack, const Script& script, ScriptFlags flags,
                 const SignatureChecker& checker, SigVersion version, ScriptError* error) {
    ScriptExecutionData execdata;
    return eval_script(stack, script, flags, checker, version, execdata, error);
}

bool verify_script(const Script& script_sig, const Script& script_pubkey,
                   const ScriptWitness* witness, ScriptFlags flags,
                   const SignatureChecker& checker, ScriptError* error) {
    static const ScriptWitness EMPTY_WITNESS;
    if (witness == nullptr) witness = &EMPTY_WITNESS;
    bool had_witness = false;
    if (error) *error = ScriptError::UNKNOWN_ERROR;

    if ((flags & script_flags::SIGPUSHONLY) != 0 && !script_sig.is_push_only()) {
        return report_failure(error, ScriptError::SIG_PUSHONLY);
    }

    // scriptSig and scriptPubKey run one after the other on the same stack.
    std::vector<Bytes> stack;
    stack.reserve(16);
    if (!eval_script(stack, script_sig, flags, checker, SigVersion::base, error)) return false;
    std::vector<Bytes> stack_copy;
    if ((flags & script_flags::P2SH) != 0) stack_copy = stack;
    if (!eval_script(stack, script_pubkey, flags, checker, SigVersion::base, error)) return false;
    if (stack.empty() || !cast_to_bool(stack.back())) {
        return report_failure(error, ScriptError::EVAL_FALSE);
    }

    if ((flags & script_flags::WITNESS) != 0) {
        if (const auto program = script_pubkey.witness_program()) {
            had_witness = true;
            if (!script_sig.empty()) return report_failure(error, ScriptError::WITNESS_MALLEATED);
            if (!verify_witness_program(*witness, program->version, program->program, flags,
                                        checker, false, error)) {
                return false;
            }
            // The witness program leaves one element; skip the CLEANSTACK check below.
            stack.resize(1);
        }
    }

    if ((flags & script_flags::P2SH) != 0 && script_pubkey.is_p2sh()) {
        // BIP16: the scriptSig must be push-only and its last push is the redeem script.
        if (!script_sig.is_push_only()) return report_failure(error, ScriptError::SIG_PUSHONLY);
        std::swap(stack, stack_copy);
        // The scriptPubKey succeeded, so the scriptSig left something to hash.
        const Script redeem_script{ByteSpan(stack.back())};
        stack.pop_back();
        if (!eval_script(stack, redeem_script, flags, checker, SigVersion::base, error)) {
            return false;
        }
        if (stack.empty() || !cast_to_bool(stack.back())) {
            return report_failure(error, ScriptError::EVAL_FALSE);
        }
        if ((flags & script_flags::WITNESS) != 0) {
            if (const auto program = redeem_script.witness_program()) {
                had_witness = true;
                // The scriptSig must be exactly one push of the redeem script.
                if (script_sig != push_of(redeem_script.span())) {
                    return report_failure(error, ScriptError::WITNESS_MALLEATED_P2SH);
                }
                if (!verify_witness_program(*witness, program->version, program->program, flags,
                                            checker, true, error)) {
                    return false;
                }
                stack.resize(1);
            }
        }
    }

    if ((flags & script_flags::CLEANSTACK) != 0 && stack.size() != 1) {
        return report_failure(error, ScriptError::CLEANSTACK);
    }
    if ((flags & script_flags::WITNESS) != 0 && !had_witness && !witness->is_null()) {
        return report_failure(error, ScriptError::WITNESS_UNEXPECTED);
    }
    return succeed(error);
}

}  // namespace bitloom
