// WebSocket framing (RFC 6455 §5) for the engine's own connections: the Twilio Media
// Streams sessions (server side) and the provider clients (client side). Why not Beast's
// websocket::stream: it runs one composed asynchronous operation per message in each
// direction, which at 50 inbound messages a second per call is most of a lean path's cost.
// Here a connection reads whatever the socket has into one buffer and takes every
// complete frame out of it in place (`frame_reader`), and writes every queued message with
// one gathered write (`frame_header` per message).
//
// What is enforced: the RSV bits are zero (no extensions are negotiated), opcodes are
// known, control frames are short and not fragmented, a server sees only masked frames
// and a client only unmasked ones, fragments arrive in order, a message is at most
// `max_message` bytes. Text is not checked for UTF-8 here: the one text protocol on these
// connections is JSON, which its parsers reject when it is not valid.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ce::ws {

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

/// Close codes used by the engine (RFC 6455 §7.4.1).
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_too_big = 1009;
inline constexpr std::uint16_t close_policy = 1008;

/// The header of one outgoing frame (FIN set: the engine never fragments what it sends).
/// With a mask the payload must be masked with mask_payload() using the same key.
struct frame_header {
  std::array<std::uint8_t, 14> bytes{};
  std::size_t size = 0;
  std::span<const std::uint8_t> view() const { return {bytes.data(), size}; }
};
frame_header make_header(opcode op, std::size_t payload_size, const std::uint8_t* mask_key = nullptr);
/// XORs `payload` with `key`, starting at `offset` into the key cycle.
void mask_payload(std::span<std::uint8_t> payload, const std::array<std::uint8_t, 4>& key, std::size_t offset = 0);

/// Appends a whole frame (header + payload, masked when `mask_key`) to `out`.
void append_frame(std::string& out, opcode op, std::string_view payload, const std::uint8_t* mask_key = nullptr);
/// The payload of a close frame: the code and a reason (cut to fit a control frame).
std::string close_payload(std::uint16_t code, std::string_view reason = {});

/// A complete message or control frame taken out of the stream.
struct message {
  opcode op = opcode::text;            ///< text, binary, close, ping or pong
  std::span<const std::uint8_t> data;  ///< valid until the next call to next()
  std::string_view text() const { return {reinterpret_cast<const char*>(data.data()), data.size()}; }
  /// A close frame's code (1005, "no status", when it carries none).
  std::uint16_t close_code() const;
};

class frame_reader {
public:
  /// `server`: frames must be masked (the peer is a client), else they must not be.
  frame_reader(bool server, std::size_t max_message);

  /// Space to read into (at least `min` bytes); then commit() what was read.
  std::span<std::uint8_t> prepare(std::size_t min = 4096);
  void commit(std::size_t n);
  /// Bytes the peer sent before the framing started (left over from the handshake).
  void append(std::span<const std::uint8_t> bytes);

  /// The next complete message or control frame from what was read, or nullopt when more
  /// bytes are needed. After a protocol violation it returns nullopt and error() says why.
  std::optional<message> next();
  const std::optional<std::string>& error() const { return error_; }
  /// The close code the violation calls for (1002 or 1009).
  std::uint16_t error_code() const { return error_code_; }

private:
  bool fail(std::uint16_t code, std::string why);

  bool server_;
  std::size_t max_message_;
  std::vector<std::uint8_t> buf_;
  std::size_t begin_ = 0;  ///< first unparsed byte
  std::size_t end_ = 0;    ///< end of the bytes read
  std::vector<std::uint8_t> fragments_;  ///< a fragmented message being assembled
  std::optional<opcode> fragment_op_;
  std::optional<std::string> error_;
  std::uint16_t error_code_ = close_protocol_error;
};

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2).
std::string accept_key(std::string_view client_key);
/// A fresh Sec-WebSocket-Key (16 random bytes, base64).
std::string random_key();

/// Mask keys for a client's frames: unpredictable (RFC 6455 §5.3), cheap (a xorshift
/// generator seeded from the system's random source), one per connection.
class mask_source {
public:
  mask_source();
  std::array<std::uint8_t, 4> next();

private:
  std::uint64_t state_;
};

} // namespace ce::ws
