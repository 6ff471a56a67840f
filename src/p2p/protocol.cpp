#include "p2p/protocol.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "crypto/sha256.h"
#include "util/endian.h"

namespace bitloom {

namespace {

bool is_printable(std::uint8_t c) { return c >= 0x20 && c <= 0x7e; }

std::string command_before_nul(std::span<const std::uint8_t, COMMAND_SIZE> command) {
    const auto end = std::find(command.begin(), command.end(), std::uint8_t{0});
    return std::string(command.begin(), end);
}

}  // namespace

bool is_valid_command(std::span<const std::uint8_t, COMMAND_SIZE> command) {
    std::size_t i = 0;
    while (i < COMMAND_SIZE && command[i] != 0) {
        if (!is_printable(command[i])) return false;
        ++i;
    }
    for (; i < COMMAND_SIZE; ++i) {
        if (command[i] != 0) return false;
    }
    return true;
}

bool is_valid_command_name(std::string_view command) {
    if (command.size() > COMMAND_SIZE) return false;
    return std::all_of(command.begin(), command.end(),
                       [](char c) { return is_printable(static_cast<std::uint8_t>(c)); });
}

std::array<std::uint8_t, CHECKSUM_SIZE> message_checksum(ByteSpan payload) {
    const Uint256 hash = sha256d(payload);
    std::array<std::uint8_t, CHECKSUM_SIZE> out;
    std::memcpy(out.data(), hash.data(), CHECKSUM_SIZE);
    return out;
}

Bytes encode_message(const MessageStart& magic, std::string_view command, ByteSpan payload) {
    assert(is_valid_command_name(command));
    assert(payload.size() <= MAX_PROTOCOL_MESSAGE_LENGTH);
    Bytes out;
    out.reserve(MESSAGE_HEADER_SIZE + payload.size());
    out.insert(out.end(), magic.begin(), magic.end());
    std::array<std::uint8_t, COMMAND_SIZE> name{};
    std::memcpy(name.data(), command.data(), command.size());
    out.insert(out.end(), name.begin(), name.end());
    std::uint8_t length[4];
    write_le32(length, static_cast<std::uint32_t>(payload.size()));
    out.insert(out.end(), length, length + 4);
    const auto checksum = message_checksum(payload);
    out.insert(out.end(), checksum.begin(), checksum.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

std::string_view to_string(FramingError error) {
    switch (error) {
    case FramingError::wrong_magic: return "wrong magic";
    case FramingError::message_too_large: return "message too large";
    }
    return "unknown framing error";
}

std::string_view to_string(DropReason reason) {
    switch (reason) {
    case DropReason::bad_checksum: return "bad checksum";
    case DropReason::invalid_command: return "invalid command";
    }
    return "unknown drop reason";
}

Result<std::optional<DecoderEvent>, FramingError> MessageDecoder::feed(ByteSpan& data) {
    if (error_) return fail(*error_);

    if (!in_payload_) {
        const std::size_t take = std::min(MESSAGE_HEADER_SIZE - header_pos_, data.size());
        std::copy_n(data.begin(), take, header_.begin() + static_cast<std::ptrdiff_t>(header_pos_));
        header_pos_ += take;
        data = data.subspan(take);
        if (header_pos_ < MESSAGE_HEADER_SIZE) return std::nullopt;

        if (!std::equal(magic_.begin(), magic_.end(), header_.begin())) {
            error_ = FramingError::wrong_magic;
            return fail(*error_);
        }
        payload_length_ = read_le32(header_.data() + 4 + COMMAND_SIZE);
        if (payload_length_ > MAX_PROTOCOL_MESSAGE_LENGTH) {
            error_ = FramingError::message_too_large;
            return fail(*error_);
        }
        in_payload_ = true;
        payload_.clear();
    }

    const std::size_t take = std::min<std::size_t>(payload_length_ - payload_.size(), data.size());
    if (payload_.size() + take > payload_.capacity()) {
        // Grow with what has arrived, not with what the header claims.
        payload_.reserve(std::min<std::size_t>(payload_length_,
                                               payload_.size() + take + PAYLOAD_GROWTH_STEP));
    }
    payload_.insert(payload_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (payload_.size() < payload_length_) return std::nullopt;

    const std::span<const std::uint8_t, COMMAND_SIZE> command(header_.data() + 4, COMMAND_SIZE);
    const auto checksum = message_checksum(payload_);
    const bool checksum_ok =
        std::equal(checksum.begin(), checksum.end(), header_.begin() + 4 + COMMAND_SIZE + 4);

    std::optional<DecoderEvent> event;
    if (!checksum_ok) {
        event = DroppedMessage{command_before_nul(command), payload_length_,
                               DropReason::bad_checksum};
    } else if (!is_valid_command(command)) {
        event = DroppedMessage{command_before_nul(command), payload_length_,
                               DropReason::invalid_command};
    } else {
        event = ReceivedMessage{command_before_nul(command), std::move(payload_)};
    }
    payload_ = Bytes();
    header_pos_ = 0;
    in_payload_ = false;
    payload_length_ = 0;
    return event;
}

}  // namespace bitloom
