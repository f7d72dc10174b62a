// The fields of an inbound Media Streams frame that the engine reads, recorded by a single
// streaming pass over the JSON (see frame_fields.cpp). Private to src/twilio: the
// media_messages parser assembles events from it.
#pragma once

#include "callengine/audio.hpp"
#include "twilio/media_messages.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ce::twilio::frame {

/// The object a value sits in. `skip` is anything the engine does not read.
enum class ctx : std::uint8_t { root, start, media, mark, dtmf, stop, format, params, tracks, skip };

enum class kind : std::uint8_t { text, number, object, array, payload };

enum class field : std::uint8_t {
  event, sequence_number, stream_sid, protocol, version,
  start, media, mark, dtmf, stop,
  start_stream_sid, start_account_sid, start_call_sid, start_tracks, start_params, start_format,
  format_encoding, format_sample_rate, format_channels,
  media_track, media_chunk, media_timestamp, media_payload,
  mark_name, dtmf_track, dtmf_digit, stop_account_sid, stop_call_sid,
  none,
};
inline constexpr std::size_t field_count = static_cast<std::size_t>(field::none);

struct field_info {
  ctx parent;
  std::string_view key;
  kind type;
  ctx child;              ///< context entered by an object/array field
  std::string_view path;  ///< for error messages
  media_errc bad_value;   ///< error for a well-typed but invalid value
};

/// Indexed by `field`; the order matches the enum.
extern const std::array<field_info, field_count> fields;

constexpr std::size_t idx(field f) { return static_cast<std::size_t>(f); }
inline const field_info& info(field f) { return fields[idx(f)]; }

/// What was seen for a field in the current frame.
enum class slot : std::uint8_t { absent, present, wrong_type, bad_value };

/// One frame's recorded values. Reused across frames: reset() keeps every capacity.
struct frame_fields {
  std::array<slot, field_count> state{};
  std::array<std::string, field_count> text;        ///< for kind::text fields
  std::array<std::uint64_t, field_count> number{};  ///< for kind::number fields
  std::vector<std::string> tracks;
  std::map<std::string, std::string> params;
  mulaw_buffer payload;  ///< decoded media.payload
  std::string scratch;   ///< the scanner's buffer for strings with escapes

  void reset() {
    state.fill(slot::absent);
    tracks.clear();
    params.clear();
  }
  bool has(field f) const { return state[idx(f)] == slot::present; }
  const std::string& text_of(field f) const { return text[idx(f)]; }
  std::uint64_t number_of(field f) const { return number[idx(f)]; }
};

enum class read_status { ok, not_json, not_object };

/// Resets `out` and records every known field of `text`. Never throws on bad input.
read_status read_frame(std::string_view text, frame_fields& out);

} // namespace ce::twilio::frame
