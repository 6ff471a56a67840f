#include "util/arith_uint256.h"

#include <cassert>

#include "util/endian.h"

namespace bitloom {

ArithUint256 ArithUint256::from_uint256(const Uint256& hash) {
    ArithUint256 r;
    for (int i = 0; i < WIDTH; ++i) r.limbs_[i] = read_le32(hash.data() + 4 * i);
    return r;
}

Uint256 ArithUint256::to_uint256() const {
    Uint256 out;
    for (int i = 0; i < WIDTH; ++i) write_le32(out.data() + 4 * i, limbs_[i]);
    return out;
}

std::optional<ArithUint256> ArithUint256::from_hex(std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
    if (text.empty() || text.size() > 64) return std::nullopt;
    std::string padded(64 - text.size(), '0');
    padded.append(text);
    auto hash = Uint256::from_string(padded);
    if (!hash) return std::nullopt;
    return from_uint256(*hash);
}

std::string ArithUint256::to_hex() const { return to_uint256().to_string(); }

CompactValue ArithUint256::from_compact(std::uint32_t compact) {
    CompactValue out;
    const unsigned size = compact >> 24;
    std::uint32_t word = compact & 0x007fffff;
    if (size <= 3) {
        word >>= 8 * (3 - size);
        out.value = word;
    } else {
        out.value = word;
        out.value <<= 8 * (size - 3);
    }
    out.negative = word != 0 && (compact & 0x00800000) != 0;
    out.overflow = word != 0 && ((size > 34) || (word > 0xff && size > 33) ||
                                 (word > 0xffff && size > 32));
    return out;
}

std::uint32_t ArithUint256::to_compact(bool negative) const {
    unsigned size = (bits() + 7) / 8;
    std::uint32_t compact;
    if (size <= 3) {
        compact = static_cast<std::uint32_t>(low64() << (8 * (3 - size)));
    } else {
        ArithUint256 shifted = *this >> (8 * (size - 3));
        compact = static_cast<std::uint32_t>(shifted.low64());
    }
    // The 0x00800000 bit is the sign; if the mantissa would set it, shift one byte.
    if (compact & 0x00800000) {
        compact >>= 8;
        ++size;
    }
    assert((compact & ~0x007fffffU) == 0);
    assert(size < 256);
    compact |= size << 24;
    compact |= (negative && (compact & 0x007fffff) ? 0x00800000 : 0);
    return compact;
}

unsigned ArithUint256::bits() const {
    for (int pos = WIDTH - 1; pos >= 0; --pos) {
        if (limbs_[pos] != 0) {
            for (int bit = 31; bit >= 0; --bit) {
                if (limbs_[pos] & (1U << bit)) return 32 * pos + bit + 1;
            }
        }
    }
    return 0;
}

double ArithUint256::to_double() const {
    double result = 0.0;
    double scale = 1.0;
    for (int i = 0; i < WIDTH; ++i) {
        result += scale * limbs_[i];
        scale *= 4294967296.0;
    }
    return result;
}

bool ArithUint256::is_zero() const {
    for (auto limb : limbs_)
        if (limb != 0) return false;
    return true;
}

ArithUint256& ArithUint256::operator+=(const ArithUint256& b) {
    std::uint64_t carry = 0;
    for (int i = 0; i < WIDTH; ++i) {
        const std::uint64_t n = carry + limbs_[i] + b.limbs_[i];
        limbs_[i] = static_cast<std::uint32_t>(n);
        carry = n >> 32;
    }
    return *this;
}

ArithUint256& ArithUint256::operator-=(const ArithUint256& b) { return *this += -b; }

ArithUint256& ArithUint256::operator*=(std::uint32_t b) {
    std::uint64_t carry = 0;
    for (int i = 0; i < WIDTH; ++i) {
        const std::uint64_t n = carry + std::uint64_t{b} * limbs_[i];
        limbs_[i] = static_cast<std::uint32_t>(n);
        carry = n >> 32;
    }
    return *this;
}

ArithUint256& ArithUint256::operator*=(const ArithUint256& b) {
    ArithUint256 a;
    for (int j = 0; j < WIDTH; ++j) {
        std::uint64_t carry = 0;
        for (int i = 0; i + j < WIDTH; ++i) {
            const std::uint64_t n = carry + a.limbs_[i + j] + std::uint64_t{limbs_[j]} * b.limbs_[i];
            a.limbs_[i + j] = static_cast<std::uint32_t>(n);
            carry = n >> 32;
        }
    }
    *this = a;
    return *this;
}

ArithUint256& ArithUint256::operator/=(const ArithUint256& b) {
    ArithUint256 div = b;
    ArithUint256 num = *this;
    *this = ArithUint256();
    const unsigned num_bits = num.bits();
    const unsigned div_bits = div.bits();
    assert(div_bits != 0 && "division by zero");
    if (div_bits > num_bits) return *this;
    int shift = static_cast<int>(num_bits - div_bits);
    div <<= shift;
    while (shift >= 0) {
        if (num >= div) {
            num -= div;
            limbs_[shift / 32] |= (1U << (shift & 31));
        }
        div >>= 1;
        --shift;
    }
    return *this;
}

ArithUint256& ArithUint256::operator<<=(unsigned shift) {
    ArithUint256 a = *this;
    limbs_.fill(0);
    const unsigned k = shift / 32;
    shift %= 32;
    for (unsigned i = 0; i < WIDTH; ++i) {
        if (i + k + 1 < WIDTH && shift != 0) limbs_[i + k + 1] |= (a.limbs_[i] >> (32 - shift));
        if (i + k < WIDTH) limbs_[i + k] |= (a.limbs_[i] << shift);
    }
    return *this;
}

ArithUint256& ArithUint256::operator>>=(unsigned shift) {
    ArithUint256 a = *this;
    limbs_.fill(0);
    const unsigned k = shift / 32;
    shift %= 32;
    for (unsigned i = 0; i < WIDTH; ++i) {
        if (i >= k + 1 && shift != 0) limbs_[i - k - 1] |= (a.limbs_[i] << (32 - shift));
        if (i >= k) limbs_[i - k] |= (a.limbs_[i] >> shift);
    }
    return *this;
}

ArithUint256 ArithUint256::operator~() const {
    ArithUint256 r;
    for (int i = 0; i < WIDTH; ++i) r.limbs_[i] = ~limbs_[i];
    return r;
}

ArithUint256 ArithUint256::operator-() const {
    ArithUint256 r = ~*this;
    ++r;
    return r;
}

ArithUint256& ArithUint256::operator++() {
    for (int i = 0; i < WIDTH && ++limbs_[i] == 0; ++i) {
    }
    return *this;
}

std::strong_ordering operator<=>(const ArithUint256& a, const ArithUint256& b) {
    for (int i = ArithUint256::WIDTH - 1; i >= 0; --i) {
        if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
    }
    return std::strong_ordering::equal;
}

}  // namespace bitloom
