#include "crypto/muhash.h"

#include "crypto/chacha20.h"
#include "crypto/sha256.h"
#include "util/endian.h"

namespace bitloom {
namespace {

using Number = MuHash3072::Number;
using Wide = unsigned __int128;
constexpr std::size_t LIMBS = MuHash3072::LIMBS;

// p = 2^3072 - MODULUS_OFFSET, the largest safe prime below 2^3072. Numbers are kept below
// 2^3072 but only fully reduced below p where the exact value matters (finalize).
constexpr std::uint64_t MODULUS_OFFSET = 1103717;

Number one() {
    Number n{};
    n[0] = 1;
    return n;
}

// x += v (mod p) for a single-limb v, keeping x below 2^3072: a carry out of the top limb
// is worth 2^3072, which is congruent to MODULUS_OFFSET.
void add_small(Number& x, std::uint64_t v) {
    while (v != 0) {
        for (std::size_t i = 0; i < LIMBS && v != 0; ++i) {
            const std::uint64_t sum = x[i] + v;
            v = sum < v ? 1 : 0;
            x[i] = sum;
        }
        if (v != 0) v = MODULUS_OFFSET;  // wrapped past 2^3072; x is now tiny, so this ends
    }
}

// A 192-bit column accumulator for product scanning ("Comba" multiplication): each column
// of the double-width product is summed in registers and stored once.
struct Accumulator {
    Wide low = 0;           // bits 0..127
    std::uint64_t high = 0; // bits 128..191

    [[gnu::always_inline]] void add(Wide p) {
        low += p;
        high += low < p ? 1 : 0;
    }
    // Emits the lowest 64 bits and shifts the accumulator down by 64.
    [[gnu::always_inline]] std::uint64_t shift_out() {
        const std::uint64_t out = static_cast<std::uint64_t>(low);
        low = (low >> 64) | (Wide{high} << 64);
        high = 0;
        return out;
    }
};

using Product = std::uint64_t[2 * LIMBS];

void full_product(const Number& a, const Number& b, Product& r) {
    Accumulator acc;
    for (std::size_t k = 0; k < 2 * LIMBS - 1; ++k) {
        const std::size_t lo = k < LIMBS ? 0 : k - LIMBS + 1;
        const std::size_t hi = k < LIMBS ? k : LIMBS - 1;
#pragma GCC unroll 8
        for (std::size_t i = lo; i <= hi; ++i) acc.add(Wide{a[i]} * b[k - i]);
        r[k] = acc.shift_out();
    }
    r[2 * LIMBS - 1] = acc.shift_out();
}

// As full_product(a, a), computing each cross product a[i] * a[j] (i != j) once and doubling.
void square_product(const Number& a, Product& r) {
    Accumulator acc;
    for (std::size_t k = 0; k < 2 * LIMBS - 1; ++k) {
        std::size_t i = k < LIMBS ? 0 : k - LIMBS + 1;
        std::size_t j = k - i;
        Accumulator cross;
#pragma GCC unroll 8
        for (; i < j; ++i, --j) cross.add(Wide{a[i]} * a[j]);
        // Double the cross sum (it is below 2^191, so the doubled value fits).
        cross.high = (cross.high << 1) | static_cast<std::uint64_t>(cross.low >> 127);
        cross.low <<= 1;
        if (i == j) cross.add(Wide{a[i]} * a[i]);
        acc.low += cross.low;
        acc.high += cross.high + (acc.low < cross.low ? 1 : 0);
        r[k] = acc.shift_out();
    }
    r[2 * LIMBS - 1] = acc.shift_out();
}

// hi * 2^3072 + lo  ->  lo + hi * MODULUS_OFFSET, then the small overflow folded once more;
// the result is below 2^3072.
Number reduce(const Product& product) {
    Number out;
    Wide acc = 0;
    for (std::size_t i = 0; i < LIMBS; ++i) {
        acc += Wide{product[LIMBS + i]} * MODULUS_OFFSET + product[i];
        out[i] = static_cast<std::uint64_t>(acc);
        acc >>= 64;
    }
    // acc < 2^22 is what overflowed 2^3072; fold it back in.
    add_small(out, static_cast<std::uint64_t>(acc) * MODULUS_OFFSET);
    return out;
}

Number multiply(const Number& a, const Number& b) {
    Product product;
    full_product(a, b, product);
    return reduce(product);
}

Number square(const Number& a) {
    Product product;
    square_product(a, product);
    return reduce(product);
}

// The representative in [0, p). Inputs are below 2^3072 < 2p, so one subtraction suffices;
// x >= p exactly when x + MODULUS_OFFSET reaches 2^3072.
void full_reduce(Number& x) {
    for (std::size_t i = 1; i < LIMBS; ++i)
        if (x[i] != ~std::uint64_t{0}) return;
    if (x[0] < ~std::uint64_t{0} - MODULUS_OFFSET + 1) return;
    x[0] += MODULUS_OFFSET;  // wraps: x - p = x + offset - 2^3072, and the upper limbs become 0
    for (std::size_t i = 1; i < LIMBS; ++i) x[i] = 0;
}

// x^-1 mod p by Fermat's little theorem: x^(p-2), with an addition chain for the fixed
// exponent p - 2 = (2^3051 - 1) * 2^21 + 993433 (about 3,100 multiplications). The inverse
// of 0 (unreachable: it needs an element that hashes to a multiple of p) comes out as 0.
Number inverse(const Number& x) {
    constexpr int ONES = 3072 - 21;
    constexpr std::uint64_t LOW = (std::uint64_t{1} << 21) - MODULUS_OFFSET - 2;
    static_assert(LOW < (std::uint64_t{1} << 21));
    // f = x^(2^k - 1): double k with f = f^(2^k) * f, step it with f = f^2 * x, following
    // the bits of ONES from the top.
    Number f = x;
    int k = 1;
    int top = 0;
    while ((ONES >> (top + 1)) != 0) ++top;
    for (int bit = top - 1; bit >= 0; --bit) {
        Number g = f;
        for (int i = 0; i < k; ++i) g = square(g);
        f = multiply(g, f);
        k *= 2;
        if ((ONES >> bit) & 1) {
            f = multiply(square(f), x);
            k += 1;
        }
    }
    for (int bit = 20; bit >= 0; --bit) {
        f = square(f);
        if ((LOW >> bit) & 1) f = multiply(f, x);
    }
    return f;
}

// The element's number: 384 bytes of ChaCha20 keystream under key SHA256(element).
Number element_number(ByteSpan element) {
    const Uint256 key = sha256(element);
    std::uint8_t stream[MuHash3072::NUMBER_SIZE];
    ChaCha20(key.span()).keystream(stream);
    Number n;
    for (std::size_t i = 0; i < LIMBS; ++i) n[i] = read_le64(stream + 8 * i);
    return n;
}

void write_number(const Number& n, std::uint8_t* out) {
    for (std::size_t i = 0; i < LIMBS; ++i) write_le64(out + 8 * i, n[i]);
}

Number read_number(const std::uint8_t* in) {
    Number n;
    for (std::size_t i = 0; i < LIMBS; ++i) n[i] = read_le64(in + 8 * i);
    return n;
}

}  // namespace

MuHash3072::MuHash3072() : numerator_(one()), denominator_(one()) {}

MuHash3072::MuHash3072(ByteSpan element) : numerator_(element_number(element)), denominator_(one()) {}

MuHash3072& MuHash3072::insert(ByteSpan element) {
    numerator_ = multiply(numerator_, element_number(element));
    return *this;
}

MuHash3072& MuHash3072::remove(ByteSpan element) {
    denominator_ = multiply(denominator_, element_number(element));
    return *this;
}

MuHash3072& MuHash3072::combine(const MuHash3072& other) {
    numerator_ = multiply(numerator_, other.numerator_);
    denominator_ = multiply(denominator_, other.denominator_);
    return *this;
}

MuHash3072& MuHash3072::subtract(const MuHash3072& other) {
    numerator_ = multiply(numerator_, other.denominator_);
    denominator_ = multiply(denominator_, other.numerator_);
    return *this;
}

Uint256 MuHash3072::finalize() const {
    Number value = numerator_;
    Number denominator = denominator_;
    full_reduce(denominator);
    if (denominator != one()) value = multiply(value, inverse(denominator));
    full_reduce(value);
    std::uint8_t bytes[NUMBER_SIZE];
    write_number(value, bytes);
    return sha256(ByteSpan(bytes, sizeof bytes));
}

std::array<std::uint8_t, MuHash3072::SERIALIZED_SIZE> MuHash3072::serialize() const {
    std::array<std::uint8_t, SERIALIZED_SIZE> out;
    write_number(numerator_, out.data());
    write_number(denominator_, out.data() + NUMBER_SIZE);
    return out;
}

std::optional<MuHash3072> MuHash3072::deserialize(ByteSpan bytes) {
    if (bytes.size() != SERIALIZED_SIZE) return std::nullopt;
    MuHash3072 out;
    out.numerator_ = read_number(bytes.data());
    out.denominator_ = read_number(bytes.data() + NUMBER_SIZE);
    return out;
}

}  // namespace bitloom
