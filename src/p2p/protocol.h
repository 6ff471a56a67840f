// Framing of P2P messages (the v1 transport): a 24-byte header, then the payload.
//
// Format (integers little-endian):
//   message  := header payload:byte[length]
//   header   := magic:byte[4] command:byte[12] length:u32le checksum:byte[4]     (24 bytes)
//   magic    := the network's message start (mainnet f9 be b4 d9); taken as a parameter
//   command  := name:char[n] NUL[12 - n]     0 <= n <= 12, each char printable (0x20..0x7e)
//   checksum := the first 4 bytes of SHA256d(payload)
//
// What a reader does with a header, in Bitcoin Core's order:
//   1. magic differs from ours                    -> fatal (the stream cannot be resynchronised)
//   2. length > MAX_PROTOCOL_MESSAGE_LENGTH       -> fatal, before any payload byte is read
//   3. the payload is read in full, then
//      checksum differs                           -> that message is dropped, the stream goes on
//      command breaks the rule above              -> that message is dropped, the stream goes on
//   (an empty command, twelve NULs, is valid.)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "util/bytes.h"
#include "util/result.h"

namespace bitloom {

// Network magic (Core's MessageStartChars).
using MessageStart = std::array<std::uint8_t, 4>;

inline constexpr std::size_t MESSAGE_HEADER_SIZE = 24;
inline constexpr std::size_t COMMAND_SIZE = 12;
inline constexpr std::size_t CHECKSUM_SIZE = 4;
// Largest payload a peer may announce (Core's MAX_PROTOCOL_MESSAGE_LENGTH, 4 MB).
inline constexpr std::uint32_t MAX_PROTOCOL_MESSAGE_LENGTH = 4'000'000;

// Core's rule for the 12 command bytes: printable ASCII characters, then only NULs.
bool is_valid_command(std::span<const std::uint8_t, COMMAND_SIZE> command);
// Whether `command` can be sent: at most 12 printable ASCII characters.
bool is_valid_command_name(std::string_view command);

// The first 4 bytes of SHA256d(payload).
std::array<std::uint8_t, CHECKSUM_SIZE> message_checksum(ByteSpan payload);

// A whole message: header and payload. `command` must satisfy is_valid_command_name and the
// payload must not exceed MAX_PROTOCOL_MESSAGE_LENGTH (programmer errors, asserted).
Bytes encode_message(const MessageStart& magic, std::string_view command, ByteSpan payload);

// Errors after which the stream is unusable; the peer should be disconnected.
enum class FramingError {
    wrong_magic,        // the header does not start with our network's magic
    message_too_large,  // the header announces more than MAX_PROTOCOL_MESSAGE_LENGTH bytes
};
std::string_view to_string(FramingError error);

// Why one complete message was dropped while the stream continues (Core logs and skips it).
enum class DropReason {
    bad_checksum,     // the payload does not hash to the header's checksum
    invalid_command,  // the command bytes break the rule above
};
std::string_view to_string(DropReason reason);

// A message that passed every framing check. `command` is the name without its NUL padding.
struct ReceivedMessage {
    std::string command;
    Bytes payload;
    friend bool operator==(const ReceivedMessage&, const ReceivedMessage&) = default;
};

// A complete message that was dropped. `command` holds the bytes before the first NUL as they
// arrived (they may be unprintable); `length` is the payload length.
struct DroppedMessage {
    std::string command;
    std::uint32_t length = 0;
    DropReason reason = DropReason::bad_checksum;
    friend bool operator==(const DroppedMessage&, const DroppedMessage&) = default;
};

using DecoderEvent = std::variant<ReceivedMessage, DroppedMessage>;

// Splits a byte stream into messages. Bytes may be fed in chunks of any size, split anywhere.
//
// Memory: the decoder holds at most one header and one payload. A payload buffer grows with
// the bytes that have actually arrived (in steps of at most PAYLOAD_GROWTH_STEP beyond them),
// never with the length a header claims, so a peer that announces 4 MB and sends nothing costs
// nothing.
//
// Use:
//   ByteSpan data = received;
//   while (!data.empty()) {
//       auto event = decoder.feed(data);          // consumes a prefix of data
//       if (!event) { disconnect(event.error()); break; }
//       if (*event) handle(**event);              // a ReceivedMessage or a DroppedMessage
//   }
class MessageDecoder {
public:
    static constexpr std::size_t PAYLOAD_GROWTH_STEP = 256 * 1024;

    explicit MessageDecoder(const MessageStart& magic) : magic_(magic) {}

    // Consumes bytes from the front of `data` (advancing it) up to the end of the next message.
    // Returns that message's event, or nullopt once `data` is exhausted (it is then empty) with
    // the message still incomplete. A FramingError is fatal: the bytes of the offending header
    // are consumed and every later call returns the same error without consuming anything.
    Result<std::optional<DecoderEvent>, FramingError> feed(ByteSpan& data);

    // Bytes of a partial message held (0 between messages).
    std::size_t buffered() const { return header_pos_ + payload_.size(); }
    // The fatal error hit, if any.
    std::optional<FramingError> error() const { return error_; }

private:
    MessageStart magic_;
    std::array<std::uint8_t, MESSAGE_HEADER_SIZE> header_{};
    std::size_t header_pos_ = 0;
    bool in_payload_ = false;
    std::uint32_t payload_length_ = 0;
    Bytes payload_;
    std::optional<FramingError> error_;
};

}  // namespace bitloom
