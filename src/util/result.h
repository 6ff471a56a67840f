// The one way to report an expected failure: Result<T, E> where E is an error enum of the
// domain (DecodeError, KeyError, ...). Every error enum has a `to_string(E)` that returns a
// short, stable, human-readable reason. Programmer errors use assert, never Result.
#pragma once

#include <expected>
#include <utility>

namespace bitloom {

template <typename T, typename E>
using Result = std::expected<T, E>;

// Shorthand for returning an error: `return fail(DecodeError::truncated);`
template <typename E>
constexpr std::unexpected<E> fail(E error) {
    return std::unexpected<E>(std::move(error));
}

}  // namespace bitloom
