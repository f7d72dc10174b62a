// Outbound Media Streams frames (engine -> Twilio), the simulated peer's frames
// (Twilio -> engine), and validation of what the engine sent. Inbound parsing lives in
// media_inbound.cpp.
#include "twilio/media_messages.hpp"

#include "common/base64.hpp"
#include "twilio/json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ce::twilio {
namespace {

using json_text::append_decimal_string;
using json_text::append_string;

/// `{"event":"<event>","streamSid":<sid>` — the common prefix of every frame but
/// `connected`; `sequence_number` is written when non-null.
std::string frame_head(std::string_view event, std::string_view stream_sid,
                       const std::uint64_t* sequence_number, std::size_t extra) {
  std::string out;
  out.reserve(48 + stream_sid.size() + extra);
  out += R"({"event":")";
  out += event;
  out += '"';
  if (sequence_number != nullptr) {
    out += R"(,"sequenceNumber":)";
    append_decimal_string(out, *sequence_number);
  }
  out += R"(,"streamSid":)";
  append_string(out, stream_sid);
  return out;
}

parse_error outbound_error(media_errc code, std::string message) {
  return parse_error{code, std::move(message)};
}

/// The string at `j[key]`, or nullptr if absent or not a string.
const std::string* string_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

std::variant<outbound_message, parse_error> outbound_media_from(const nlohmann::json& j,
                                                                 std::string sid) {
  auto media = j.find("media");
  if (media == j.end() || !media->is_object())
    return outbound_error(media_errc::bad_field, "media: object required");
  const auto* payload = string_at(*media, "payload");
  if (payload == nullptr) return outbound_error(media_errc::bad_field, "media.payload: string required");
  outbound_media out{std::move(sid), {}};
  if (!base64_decode(*payload, out.payload))
    return outbound_error(media_errc::bad_base64, "media.payload: invalid base64");
  if (out.payload.empty()) return outbound_error(media_errc::bad_field, "media.payload: empty");
  static constexpr std::uint8_t riff[] = {'R', 'I', 'F', 'F'};
  if (out.payload.size() >= 4 && std::equal(riff, riff + 4, out.payload.begin()))
    return outbound_error(media_errc::wav_header, "media.payload: starts with a RIFF header");
  return outbound_message{std::move(out)};
}

std::variant<outbound_message, parse_error> outbound_mark_from(const nlohmann::json& j,
                                                                std::string sid) {
  auto mark = j.find("mark");
  if (mark == j.end() || !mark->is_object())
    return outbound_error(media_errc::bad_field, "mark: object required");
  const auto* name = string_at(*mark, "name");
  if (name == nullptr) return outbound_error(media_errc::bad_field, "mark.name: string required");
  return outbound_message{outbound_mark{std::move(sid), *name}};
}

} // namespace

std::string_view to_string(media_errc code) {
  switch (code) {
    case media_errc::not_json: return "not_json";
    case media_errc::not_object: return "not_object";
    case media_errc::missing_event: return "missing_event";
    case media_errc::bad_field: return "bad_field";
    case media_errc::bad_base64: return "bad_base64";
    case media_errc::bad_sequence: return "bad_sequence";
    case media_errc::unsupported_media_format: return "unsupported_media_format";
    case media_errc::unknown_event: return "unknown_event";
    case media_errc::wav_header: return "wav_header";
  }
  return "unknown";
}

// ---- engine -> Twilio -----------------------------------------------------------------------

std::string media_message(std::string_view stream_sid, std::span<const std::uint8_t> mulaw) {
  auto payload = base64_encode(mulaw);
  auto out = frame_head("media", stream_sid, nullptr, payload.size() + 24);
  out += R"(,"media":{"payload":")";
  out += payload;  // base64 needs no escaping
  out += R"("}})";
  return out;
}

std::string mark_message(std::string_view stream_sid, std::string_view name) {
  auto out = frame_head("mark", stream_sid, nullptr, name.size() + 24);
  out += R"(,"mark":{"name":)";
  append_string(out, name);
  out += "}}";
  return out;
}

std::string clear_message(std::string_view stream_sid) {
  auto out = frame_head("clear", stream_sid, nullptr, 1);
  out += '}';
  return out;
}

std::variant<outbound_message, parse_error> parse_outbound(std::string_view text) {
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return outbound_error(media_errc::not_json, "not valid JSON");
  if (!j.is_object()) return outbound_error(media_errc::not_object, "not a JSON object");
  const auto* event = string_at(j, "event");
  if (event == nullptr) return outbound_error(media_errc::missing_event, "event: string required");
  const auto* sid = string_at(j, "streamSid");
  if (sid == nullptr || sid->empty())
    return outbound_error(media_errc::bad_field, "streamSid: non-empty string required");
  if (*event == "media") return outbound_media_from(j, *sid);
  if (*event == "mark") return outbound_mark_from(j, *sid);
  if (*event == "clear") return outbound_message{outbound_clear{*sid}};
  return outbound_error(media_errc::unknown_event, "event '" + *event + "' may not be sent to Twilio");
}

// ---- simulated Twilio -> engine ---------------------------------------------------------------

std::string connected_message() {
  return R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
}

std::string start_message(const start_event& s) {
  auto out = frame_head("start", s.stream_sid, &s.sequence_number, 256);
  out += R"(,"start":{"streamSid":)";
  append_string(out, s.stream_sid);
  out += R"(,"accountSid":)";
  append_string(out, s.account_sid);
  out += R"(,"callSid":)";
  append_string(out, s.call_sid);
  out += R"(,"tracks":[)";
  for (std::size_t i = 0; i < s.tracks.size(); ++i) {
    if (i > 0) out += ',';
    append_string(out, s.tracks[i]);
  }
  out += R"(],"customParameters":{)";
  bool first = true;
  for (const auto& [name, value] : s.custom_parameters) {
    if (!first) out += ',';
    first = false;
    append_string(out, name);
    out += ':';
    append_string(out, value);
  }
  out += R"(},"mediaFormat":{"encoding":)";
  append_string(out, s.encoding);
  out += R"(,"sampleRate":)" + std::to_string(s.sample_rate);
  out += R"(,"channels":)" + std::to_string(s.channels);
  out += "}}}";
  return out;
}

std::string inbound_media_message(std::string_view stream_sid, std::uint64_t sequence_number,
                                  std::uint64_t chunk, std::uint64_t timestamp_ms,
                                  std::span<const std::uint8_t> mulaw) {
  auto payload = base64_encode(mulaw);
  auto out = frame_head("media", stream_sid, &sequence_number, payload.size() + 80);
  out += R"(,"media":{"track":"inbound","chunk":)";
  append_decimal_string(out, chunk);
  out += R"(,"timestamp":)";
  append_decimal_string(out, timestamp_ms);
  out += R"(,"payload":")";
  out += payload;
  out += R"("}})";
  return out;
}

std::string mark_echo_message(std::string_view stream_sid, std::uint64_t sequence_number,
                              std::string_view name) {
  auto out = frame_head("mark", stream_sid, &sequence_number, name.size() + 24);
  out += R"(,"mark":{"name":)";
  append_string(out, name);
  out += "}}";
  return out;
}

std::string dtmf_message(std::string_view stream_sid, std::uint64_t sequence_number, char digit) {
  auto out = frame_head("dtmf", stream_sid, &sequence_number, 48);
  out += R"(,"dtmf":{"track":"inbound_track","digit":)";
  append_string(out, std::string_view{&digit, 1});
  out += "}}";
  return out;
}

std::string stop_message(std::string_view stream_sid, std::uint64_t sequence_number,
                         std::string_view account_sid, std::string_view call_sid) {
  auto out = frame_head("stop", stream_sid, &sequence_number, 96);
  out += R"(,"stop":{"accountSid":)";
  append_string(out, account_sid);
  out += R"(,"callSid":)";
  append_string(out, call_sid);
  out += "}}";
  return out;
}

} // namespace ce::twilio
