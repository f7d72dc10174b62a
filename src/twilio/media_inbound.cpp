// Inbound Media Streams frames (Twilio -> engine): events assembled and validated from the
// fields frame_fields.cpp recorded. Assembly happens after the whole frame was read because
// `event` may come after the object it names.
//
// Rules (§1.2, §1.7): unknown fields are ignored; every field the engine reads must have
// the right JSON type when present; counters are decimal strings (numbers accepted);
// required per event:
//   start   sequenceNumber, start{callSid, streamSid (or top-level streamSid)}
//   media   sequenceNumber, streamSid, media{payload}
//   mark    sequenceNumber, streamSid, mark{name}
//   dtmf    sequenceNumber, streamSid, dtmf{digit}
//   stop    sequenceNumber, streamSid (the stop object itself is optional)
#include "twilio/frame_fields.hpp"
#include "twilio/media_messages.hpp"

#include "common/base64.hpp"

#include <charconv>

namespace ce::twilio {

using frame::field;
using frame::frame_fields;
using frame::slot;

namespace {

using maybe_error = std::optional<parse_error>;

parse_error make_error(media_errc code, std::string_view path, std::string_view what) {
  std::string message{path};
  message += ": ";
  message += what;
  return parse_error{code, std::move(message)};
}

/// nullopt if `f` is absent or fine; an error if it is present but unusable.
maybe_error check(const frame_fields& r, field f) {
  switch (r.state[frame::idx(f)]) {
    case slot::absent:
    case slot::present: return std::nullopt;
    case slot::wrong_type: return make_error(media_errc::bad_field, frame::info(f).path, "wrong type");
    case slot::bad_value: return make_error(frame::info(f).bad_value, frame::info(f).path, "invalid value");
  }
  return std::nullopt;
}

maybe_error require(const frame_fields& r, field f) {
  if (auto e = check(r, f)) return e;
  if (!r.has(f)) return make_error(media_errc::bad_field, frame::info(f).path, "missing");
  return std::nullopt;
}

/// The first error among `fs`, each checked (optional) or required.
template <typename... F>
maybe_error first_error(const frame_fields& r, bool required, F... fs) {
  maybe_error e;
  ((e = e ? e : (required ? require(r, fs) : check(r, fs))), ...);
  return e;
}

template <typename T>
T& reuse_as(inbound_event& out) {
  if (auto* existing = std::get_if<T>(&out)) return *existing;
  return out.emplace<T>();
}

maybe_error check_media_format(const frame_fields& r) {
  if (auto e = first_error(r, false, field::start_format, field::format_encoding,
                           field::format_sample_rate, field::format_channels))
    return e;
  auto unsupported = [](std::string_view path) {
    return make_error(media_errc::unsupported_media_format, path, "only audio/x-mulaw 8000 Hz mono");
  };
  if (r.has(field::format_encoding) && r.text_of(field::format_encoding) != "audio/x-mulaw")
    return unsupported(frame::info(field::format_encoding).path);
  if (r.has(field::format_sample_rate) && r.number_of(field::format_sample_rate) != telephony_rate_hz)
    return unsupported(frame::info(field::format_sample_rate).path);
  if (r.has(field::format_channels) && r.number_of(field::format_channels) != 1)
    return unsupported(frame::info(field::format_channels).path);
  return std::nullopt;
}

/// start.streamSid, else the top-level one; both present must agree.
maybe_error start_stream_sid(const frame_fields& r, std::string& sid) {
  bool inner = r.has(field::start_stream_sid);
  bool outer = r.has(field::stream_sid);
  if (inner && outer && r.text_of(field::start_stream_sid) != r.text_of(field::stream_sid))
    return make_error(media_errc::bad_field, "start.streamSid", "differs from streamSid");
  sid = inner ? r.text_of(field::start_stream_sid) : outer ? r.text_of(field::stream_sid) : "";
  if (sid.empty()) return make_error(media_errc::bad_field, "start.streamSid", "missing");
  return std::nullopt;
}

maybe_error assemble_start(frame_fields& r, inbound_event& out) {
  if (auto e = first_error(r, true, field::sequence_number, field::start, field::start_call_sid))
    return e;
  if (auto e = first_error(r, false, field::stream_sid, field::start_stream_sid,
                           field::start_account_sid, field::start_tracks, field::start_params))
    return e;
  if (r.text_of(field::start_call_sid).empty())
    return make_error(media_errc::bad_field, "start.callSid", "empty");
  if (auto e = check_media_format(r)) return e;
  start_event s;
  if (auto e = start_stream_sid(r, s.stream_sid)) return e;
  s.sequence_number = r.number_of(field::sequence_number);
  s.call_sid = r.text_of(field::start_call_sid);
  if (r.has(field::start_account_sid)) s.account_sid = r.text_of(field::start_account_sid);
  s.tracks = std::move(r.tracks);
  s.custom_parameters = std::move(r.params);
  out = std::move(s);
  return std::nullopt;
}

maybe_error assemble_media(frame_fields& r, inbound_event& out) {
  if (auto e = first_error(r, true, field::sequence_number, field::stream_sid, field::media,
                           field::media_payload))
    return e;
  if (auto e = first_error(r, false, field::media_track, field::media_chunk, field::media_timestamp))
    return e;
  auto& m = reuse_as<media_event>(out);
  m.sequence_number = r.number_of(field::sequence_number);
  m.stream_sid.assign(r.text_of(field::stream_sid));
  m.track.assign(r.has(field::media_track) ? std::string_view{r.text_of(field::media_track)} : "inbound");
  m.chunk = r.has(field::media_chunk) ? r.number_of(field::media_chunk) : 0;
  m.timestamp_ms = r.has(field::media_timestamp) ? r.number_of(field::media_timestamp) : 0;
  m.payload.swap(r.payload);  // the old buffer becomes the next frame's scratch
  return std::nullopt;
}

bool valid_dtmf_digit(std::string_view d) {
  return d.size() == 1 && std::string_view{"0123456789*#ABCD"}.find(d[0]) != std::string_view::npos;
}

maybe_error assemble_dtmf(const frame_fields& r, inbound_event& out) {
  if (auto e = first_error(r, true, field::sequence_number, field::stream_sid, field::dtmf,
                           field::dtmf_digit))
    return e;
  if (auto e = check(r, field::dtmf_track)) return e;
  const auto& digit = r.text_of(field::dtmf_digit);
  if (!valid_dtmf_digit(digit))
    return make_error(media_errc::bad_field, "dtmf.digit", "not one of 0-9 * # A-D");
  out = dtmf_event{r.number_of(field::sequence_number), r.text_of(field::stream_sid), digit[0]};
  return std::nullopt;
}

maybe_error assemble_mark(const frame_fields& r, inbound_event& out) {
  if (auto e = first_error(r, true, field::sequence_number, field::stream_sid, field::mark,
                           field::mark_name))
    return e;
  out = mark_event{r.number_of(field::sequence_number), r.text_of(field::stream_sid),
                   r.text_of(field::mark_name)};
  return std::nullopt;
}

maybe_error assemble_stop(const frame_fields& r, inbound_event& out) {
  if (auto e = first_error(r, true, field::sequence_number, field::stream_sid)) return e;
  if (auto e = first_error(r, false, field::stop, field::stop_account_sid, field::stop_call_sid))
    return e;
  stop_event s{r.number_of(field::sequence_number), r.text_of(field::stream_sid), {}, {}};
  if (r.has(field::stop_account_sid)) s.account_sid = r.text_of(field::stop_account_sid);
  if (r.has(field::stop_call_sid)) s.call_sid = r.text_of(field::stop_call_sid);
  out = std::move(s);
  return std::nullopt;
}

maybe_error assemble_connected(const frame_fields& r, inbound_event& out) {
  if (auto e = first_error(r, false, field::protocol, field::version)) return e;
  connected_event c;
  if (r.has(field::protocol)) c.protocol = r.text_of(field::protocol);
  if (r.has(field::version)) c.version = r.text_of(field::version);
  out = std::move(c);
  return std::nullopt;
}

maybe_error assemble(frame_fields& r, inbound_event& out) {
  if (r.state[frame::idx(field::event)] == slot::absent)
    return make_error(media_errc::missing_event, "event", "missing");
  if (auto e = check(r, field::event)) return e;
  const std::string& event = r.text_of(field::event);
  if (event == "media") return assemble_media(r, out);
  if (event == "mark") return assemble_mark(r, out);
  if (event == "start") return assemble_start(r, out);
  if (event == "dtmf") return assemble_dtmf(r, out);
  if (event == "stop") return assemble_stop(r, out);
  if (event == "connected") return assemble_connected(r, out);
  out = unknown_event{event};
  return std::nullopt;
}

/// The shape of nearly every frame on a live call: a media event whose members are plain
/// strings (no escapes) and one `media` object of plain strings, in any order, with any
/// whitespace. Read by a direct pass, without the general scanner's bookkeeping; anything
/// else (another event, a number, an escape, a duplicate, an unusable value) returns false
/// and the general path reads the frame and reports what is wrong with it.
class media_fast_path {
public:
  explicit media_fast_path(std::string_view t) : t_(t) {}

  bool read(media_event& m, std::vector<std::uint8_t>& payload_scratch) {
    if (!object(false)) return false;
    ws();
    if (i_ != t_.size()) return false;
    if (seen_ != all_required || event_ != "media") return false;
    std::uint64_t seq = 0, chunk = 0, ts = 0;
    if (!decimal(seq_, seq) || (has_chunk_ && !decimal(chunk_, chunk)) || (has_ts_ && !decimal(ts_, ts))) return false;
    if (!base64_decode(payload_, payload_scratch) || payload_scratch.empty()) return false;
    m.sequence_number = seq;
    m.stream_sid.assign(sid_);
    m.track.assign(has_track_ ? track_ : std::string_view{"inbound"});
    m.chunk = chunk;
    m.timestamp_ms = ts;
    m.payload.swap(payload_scratch);
    return true;
  }

private:
  static constexpr unsigned bit_event = 1, bit_seq = 2, bit_sid = 4, bit_media = 8, bit_payload = 16;
  static constexpr unsigned all_required = bit_event | bit_seq | bit_sid | bit_media | bit_payload;

  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ >= t_.size() || t_[i_] != c) return false;
    ++i_;
    return true;
  }
  /// A string without escapes or control characters.
  bool string(std::string_view& out) {
    if (!eat('"')) return false;
    const std::size_t b = i_;
    while (i_ < t_.size() && t_[i_] != '"') {
      const auto c = static_cast<unsigned char>(t_[i_]);
      if (c == '\\' || c < 0x20) return false;
      ++i_;
    }
    if (i_ >= t_.size()) return false;
    out = t_.substr(b, i_ - b);
    ++i_;
    return true;
  }
  bool once(unsigned bit) {
    if (seen_ & bit) return false;
    seen_ |= bit;
    return true;
  }
  bool object(bool inner) {
    if (!eat('{')) return false;
    ws();
    if (i_ < t_.size() && t_[i_] == '}') return false;  // (no empty objects on this path)
    for (;;) {
      std::string_view key, value;
      if (!string(key) || !eat(':')) return false;
      ws();
      if (!inner && key == "media" && i_ < t_.size() && t_[i_] == '{') {
        if (!once(bit_media) || !object(true)) return false;
      } else {
        if (!string(value)) return false;
        if (!inner) {
          if (key == "event") { if (!once(bit_event)) return false; event_ = value; }
          else if (key == "sequenceNumber") { if (!once(bit_seq)) return false; seq_ = value; }
          else if (key == "streamSid") { if (!once(bit_sid)) return false; sid_ = value; }
          else if (key == "media") return false;
        } else {
          if (key == "payload") { if (!once(bit_payload)) return false; payload_ = value; }
          else if (key == "track") { if (has_track_) return false; has_track_ = true; track_ = value; }
          else if (key == "chunk") { if (has_chunk_) return false; has_chunk_ = true; chunk_ = value; }
          else if (key == "timestamp") { if (has_ts_) return false; has_ts_ = true; ts_ = value; }
        }
      }
      ws();
      if (i_ >= t_.size()) return false;
      if (t_[i_] == '}') {
        ++i_;
        return true;
      }
      if (t_[i_] != ',') return false;
      ++i_;
    }
  }
  static bool decimal(std::string_view s, std::uint64_t& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
  }

  std::string_view t_;
  std::size_t i_ = 0;
  unsigned seen_ = 0;
  std::string_view event_, seq_, sid_, payload_, track_, chunk_, ts_;
  bool has_track_ = false, has_chunk_ = false, has_ts_ = false;
};

} // namespace

struct inbound_parser::impl {
  frame_fields fields;
};

inbound_parser::inbound_parser() : impl_(std::make_unique<impl>()) {}
inbound_parser::~inbound_parser() = default;
inbound_parser::inbound_parser(inbound_parser&&) noexcept = default;
inbound_parser& inbound_parser::operator=(inbound_parser&&) noexcept = default;

std::optional<parse_error> inbound_parser::parse(std::string_view text, inbound_event& out) {
  // media frames first, read directly (the general path below reads everything else);
  // `out` changes only when the frame is good
  if (auto* m = std::get_if<media_event>(&out)) {
    if (media_fast_path{text}.read(*m, impl_->fields.payload)) return std::nullopt;
  } else {
    media_event fresh;
    if (media_fast_path{text}.read(fresh, impl_->fields.payload)) {
      out = std::move(fresh);
      return std::nullopt;
    }
  }
  switch (frame::read_frame(text, impl_->fields)) {
    case frame::read_status::not_json: return parse_error{media_errc::not_json, "not valid JSON"};
    case frame::read_status::not_object: return parse_error{media_errc::not_object, "not a JSON object"};
    case frame::read_status::ok: break;
  }
  return assemble(impl_->fields, out);
}

parse_result parse_inbound(std::string_view text) {
  inbound_parser parser;
  inbound_event event;
  if (auto error = parser.parse(text, event)) return std::move(*error);
  return event;
}

} // namespace ce::twilio
