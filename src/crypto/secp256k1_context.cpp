#include "crypto/secp256k1_context.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "crypto/random.h"

namespace bitloom {

Secp256k1Context::Secp256k1Context() : context_(secp256k1_context_create(SECP256K1_CONTEXT_NONE)) {
    std::array<std::uint8_t, 32> seed{};
    get_strong_random_bytes(seed);
    if (context_ == nullptr || !secp256k1_context_randomize(context_, seed.data())) {
        std::fputs("bitloom: cannot create a randomized secp256k1 context\n", stderr);
        std::abort();
    }
    explicit_bzero(seed.data(), seed.size());
}

Secp256k1Context::~Secp256k1Context() {
    if (context_ != nullptr) secp256k1_context_destroy(context_);
}

Secp256k1Context::Secp256k1Context(Secp256k1Context&& other) noexcept
    : context_(std::exchange(other.context_, nullptr)) {}

Secp256k1Context& Secp256k1Context::operator=(Secp256k1Context&& other) noexcept {
    if (this != &other) {
        if (context_ != nullptr) secp256k1_context_destroy(context_);
        context_ = std::exchange(other.context_, nullptr);
    }
    return *this;
}

const Secp256k1Context& Secp256k1Context::shared() {
    static const Secp256k1Context context;
    return context;
}

}  // namespace bitloom
