// Twilio Media Streams text frames (protocols.md §1.2-1.3): parsing what Twilio sends into
// engine types, serializing what the engine sends, and the mirror image of both for the
// simulated Twilio peer. Nothing here throws on wire input; failures are parse_error values.
#pragma once

#include "callengine/audio.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ce::twilio {

// ---- inbound (Twilio -> engine) ------------------------------------------------------------

struct connected_event {
  std::string protocol;  ///< "Call"
  std::string version;   ///< "1.0.0"
};

struct start_event {
  std::uint64_t sequence_number = 0;
  std::string stream_sid;
  std::string account_sid;
  std::string call_sid;
  std::vector<std::string> tracks;
  std::map<std::string, std::string> custom_parameters;
  std::string encoding{"audio/x-mulaw"};
  int sample_rate = telephony_rate_hz;
  int channels = 1;
};

struct media_event {
  std::uint64_t sequence_number = 0;
  std::string stream_sid;
  std::string track{"inbound"};
  std::uint64_t chunk = 0;
  std::uint64_t timestamp_ms = 0;
  mulaw_buffer payload;  ///< decoded mu-law bytes
};

struct mark_event {
  std::uint64_t sequence_number = 0;
  std::string stream_sid;
  std::string name;
};

struct dtmf_event {
  std::uint64_t sequence_number = 0;
  std::string stream_sid;
  char digit = 0;  ///< one of 0-9 * # A-D
};

struct stop_event {
  std::uint64_t sequence_number = 0;
  std::string stream_sid;
  std::string account_sid;
  std::string call_sid;
};

/// A well-formed message with an `event` this engine does not know (tolerated, §1.7).
struct unknown_event {
  std::string name;
};

using inbound_event = std::variant<connected_event, start_event, media_event, mark_event,
                                   dtmf_event, stop_event, unknown_event>;

enum class media_errc {
  not_json,                  ///< not parseable as JSON
  not_object,                ///< valid JSON, but not an object
  missing_event,             ///< no `event` field
  bad_field,                 ///< a required field is missing or a field has the wrong type
  bad_base64,                ///< a payload is not valid base64
  bad_sequence,              ///< sequenceNumber/chunk/timestamp not a decimal uint64
  unsupported_media_format,  ///< mediaFormat other than audio/x-mulaw, 8000 Hz, 1 channel
  unknown_event,             ///< (outbound only) an event the engine may not send
  wav_header,                ///< (outbound only) payload starts with "RIFF"
};

std::string_view to_string(media_errc code);

struct parse_error {
  media_errc code = media_errc::not_json;
  std::string message;
};

/// Either an event or the reason the frame was refused.
class parse_result {
public:
  parse_result(inbound_event event) : value_(std::move(event)) {}
  parse_result(parse_error error) : value_(std::move(error)) {}

  bool ok() const { return value_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const inbound_event& event() const { return std::get<inbound_event>(value_); }
  inbound_event& event() { return std::get<inbound_event>(value_); }
  const parse_error& error() const { return std::get<parse_error>(value_); }

private:
  std::variant<inbound_event, parse_error> value_;
};

/// Parses one inbound frame. Convenient; allocates fresh buffers every time.
parse_result parse_inbound(std::string_view text);

/// The per-connection parser for the hot path. It streams the JSON (no document tree),
/// decodes the payload into a buffer it keeps, and swaps that buffer with the one in
/// `out` when `out` already holds a media_event, so steady-state media frames reuse the
/// same two payload buffers and string capacities. Not thread-safe; one per socket.
class inbound_parser {
public:
  inbound_parser();
  ~inbound_parser();
  inbound_parser(inbound_parser&&) noexcept;
  inbound_parser& operator=(inbound_parser&&) noexcept;

  /// Fills `out` and returns nullopt, or returns the error and leaves `out` unchanged.
  std::optional<parse_error> parse(std::string_view text, inbound_event& out);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// ---- outbound (engine -> Twilio) -----------------------------------------------------------

std::string media_message(std::string_view stream_sid, std::span<const std::uint8_t> mulaw);
std::string mark_message(std::string_view stream_sid, std::string_view name);
std::string clear_message(std::string_view stream_sid);

struct outbound_media {
  std::string stream_sid;
  mulaw_buffer payload;
};
struct outbound_mark {
  std::string stream_sid;
  std::string name;
};
struct outbound_clear {
  std::string stream_sid;
};
using outbound_message = std::variant<outbound_media, outbound_mark, outbound_clear>;

/// Parses and validates a frame the engine sent (§9.1 rule 6): `event` is media, mark or
/// clear; `streamSid` is a string; a media payload is valid, non-empty base64 whose bytes
/// do not start with "RIFF"; a mark name is a string.
std::variant<outbound_message, parse_error> parse_outbound(std::string_view text);

// ---- what the simulated Twilio peer sends ----------------------------------------------------

std::string connected_message();
/// `start` with sequenceNumber `s.sequence_number` and every field of `s`.
std::string start_message(const start_event& s);
std::string inbound_media_message(std::string_view stream_sid, std::uint64_t sequence_number,
                                  std::uint64_t chunk, std::uint64_t timestamp_ms,
                                  std::span<const std::uint8_t> mulaw);
std::string mark_echo_message(std::string_view stream_sid, std::uint64_t sequence_number,
                              std::string_view name);
std::string dtmf_message(std::string_view stream_sid, std::uint64_t sequence_number, char digit);
std::string stop_message(std::string_view stream_sid, std::uint64_t sequence_number,
                         std::string_view account_sid, std::string_view call_sid);

} // namespace ce::twilio
