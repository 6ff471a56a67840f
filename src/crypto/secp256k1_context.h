// Ownership of libsecp256k1 contexts.
//
// Every key operation in bitloom goes through one process-wide context, created on first use
// (thread-safely, by a function-local static), randomized with 32 bytes from getrandom(2)
// (get_strong_random_bytes) for side-channel blinding, and never modified afterwards. libsecp256k1 documents a context as
// safe to share between threads as long as nothing mutates it, so the shared context needs no
// lock. It is the only piece of process-wide state in the crypto module.
#pragma once

#include <secp256k1.h>

namespace bitloom {

// RAII owner of one secp256k1_context. Move-only.
class Secp256k1Context {
public:
    // Creates a context usable for signing and verification and randomizes it with fresh OS
    // randomness. Aborts the process if libsecp256k1 cannot allocate or randomize it (and, via
    // get_strong_random_bytes, if the kernel cannot supply randomness).
    Secp256k1Context();
    ~Secp256k1Context();
    Secp256k1Context(Secp256k1Context&& other) noexcept;
    Secp256k1Context& operator=(Secp256k1Context&& other) noexcept;
    Secp256k1Context(const Secp256k1Context&) = delete;
    Secp256k1Context& operator=(const Secp256k1Context&) = delete;

    // The shared context of the process (created on the first call; thread-safe).
    static const Secp256k1Context& shared();

    // The underlying context; valid while this object lives (the shared one: until exit).
    const secp256k1_context* get() const { return context_; }

private:
    secp256k1_context* context_;
};

// Shorthand for Secp256k1Context::shared().get().
inline const secp256k1_context* secp256k1_shared_context() {
    return Secp256k1Context::shared().get();
}

}  // namespace bitloom
