#include "primitives/serialize.h"

namespace bitloom {

std::string_view to_string(DecodeError error) {
    switch (error) {
        case DecodeError::truncated: return "truncated";
        case DecodeError::non_canonical_compact_size: return "non-canonical compact size";
        case DecodeError::size_too_large: return "size too large";
        case DecodeError::trailing_data: return "trailing data";
        case DecodeError::superfluous_witness: return "superfluous witness record";
        case DecodeError::unknown_witness_flag: return "unknown transaction optional data";
    }
    return "unknown decode error";
}

Uint256 HashWriter::hash256() {
    const Uint256 once = hasher_.finalize();
    return bitloom::sha256(once.span());
}

Uint256 HashWriter::sha256() { return hasher_.finalize(); }

Result<std::uint64_t, DecodeError> Reader::read_compact_size() {
    if (remaining() < 1) return fail(DecodeError::truncated);
    const std::uint8_t first = data_[pos_];
    if (first < 0xfd) {
        ++pos_;
        return first;
    }
    const std::size_t width = first == 0xfd ? 2 : first == 0xfe ? 4 : 8;
    if (remaining() < 1 + width) return fail(DecodeError::truncated);
    const std::uint8_t* p = data_.data() + pos_ + 1;
    std::uint64_t value;
    std::uint64_t smallest;  // the least value that needs this width
    switch (width) {
        case 2: value = read_le16(p); smallest = 0xfd; break;
        case 4: value = read_le32(p); smallest = 0x10000; break;
        default: value = read_le64(p); smallest = 0x100000000; break;
    }
    if (value < smallest) return fail(DecodeError::non_canonical_compact_size);
    pos_ += 1 + width;
    return value;
}

Result<std::size_t, DecodeError> Reader::read_size() {
    const std::size_t start = pos_;
    const auto n = read_compact_size();
    if (!n) return fail(n.error());
    if (*n > MAX_SIZE) {
        pos_ = start;
        return fail(DecodeError::size_too_large);
    }
    return static_cast<std::size_t>(*n);
}

Result<std::size_t, DecodeError> Reader::read_count(std::size_t min_element_size) {
    assert(min_element_size >= 1);
    const std::size_t start = pos_;
    const auto n = read_size();
    if (!n) return fail(n.error());
    if (*n > remaining() / min_element_size) {
        pos_ = start;
        return fail(DecodeError::truncated);
    }
    return *n;
}

Result<ByteSpan, DecodeError> Reader::read_var_span() {
    const std::size_t start = pos_;
    const auto n = read_size();
    if (!n) return fail(n.error());
    if (*n > remaining()) {
        pos_ = start;
        return fail(DecodeError::truncated);
    }
    ByteSpan out = data_.subspan(pos_, *n);
    pos_ += *n;
    return out;
}

Result<Bytes, DecodeError> Reader::read_var_bytes() {
    const auto span = read_var_span();
    if (!span) return fail(span.error());
    return Bytes(span->begin(), span->end());
}

Result<std::string, DecodeError> Reader::read_string() {
    const auto span = read_var_span();
    if (!span) return fail(span.error());
    return std::string(span->begin(), span->end());
}

}  // namespace bitloom
