// Round trips through the simulated peer, and the frames the engine sends.
#include "twilio/media_messages.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ce::twilio;

namespace {

constexpr std::string_view sid = "MZ11111111111111111111111111111111";
constexpr std::string_view account = "AC22222222222222222222222222222222";
constexpr std::string_view call = "CA33333333333333333333333333333333";

template <typename T>
const T& as(const parse_result& r) {
  REQUIRE(r.ok());
  REQUIRE(std::holds_alternative<T>(r.event()));
  return std::get<T>(r.event());
}

template <typename T>
const T& as_out(const std::variant<outbound_message, parse_error>& r) {
  if (auto* e = std::get_if<parse_error>(&r)) FAIL(e->message);
  const auto& m = std::get<outbound_message>(r);
  REQUIRE(std::holds_alternative<T>(m));
  return std::get<T>(m);
}

media_errc out_error_of(std::string_view text) {
  auto r = parse_outbound(text);
  REQUIRE(std::holds_alternative<parse_error>(r));
  return std::get<parse_error>(r).code;
}

} // namespace

// ---- inbound: round trips with the simulated peer's builders ------------------------------------

TEST_CASE("a start frame built by the simulated peer parses back to the same fields", "[media][roundtrip]") {
  start_event s;
  s.sequence_number = 1;
  s.stream_sid = sid;
  s.account_sid = account;
  s.call_sid = call;
  s.tracks = {"inbound"};
  s.custom_parameters = {{"token", "eyJ.abc"}, {"quote\"d", "line\nbreak \\ \xC3\xA9"}, {"empty", ""}};
  auto back = as<start_event>(parse_inbound(start_message(s)));
  CHECK(back.sequence_number == 1);
  CHECK(back.stream_sid == s.stream_sid);
  CHECK(back.account_sid == s.account_sid);
  CHECK(back.call_sid == s.call_sid);
  CHECK(back.tracks == s.tracks);
  CHECK(back.custom_parameters == s.custom_parameters);
}

TEST_CASE("media, mark, dtmf, stop and connected frames round-trip", "[media][roundtrip]") {
  ce::mulaw_buffer silence(ce::frame_bytes_20ms, ce::mulaw_silence);
  auto frame = inbound_media_message(sid, 7, 6, 100, silence);
  CHECK(frame.find(R"("payload":")" + std::string(53 * 4, '/') + R"(/w=="})") != std::string::npos);
  auto media = as<media_event>(parse_inbound(frame));
  CHECK(media.sequence_number == 7);
  CHECK(media.chunk == 6);
  CHECK(media.timestamp_ms == 100);
  CHECK(media.stream_sid == sid);
  CHECK(media.payload == silence);

  auto mark = as<mark_event>(parse_inbound(mark_echo_message(sid, 8, "turn1:seg0")));
  CHECK(mark.sequence_number == 8);
  CHECK(mark.name == "turn1:seg0");

  for (char d : std::string_view{"0123456789*#ABCD"}) {
    auto dtmf = as<dtmf_event>(parse_inbound(dtmf_message(sid, 9, d)));
    CHECK(dtmf.digit == d);
  }

  auto stop = as<stop_event>(parse_inbound(stop_message(sid, 10, account, call)));
  CHECK(stop.sequence_number == 10);
  CHECK(stop.call_sid == call);
  CHECK(stop.account_sid == account);

  auto connected = as<connected_event>(parse_inbound(connected_message()));
  CHECK(connected.protocol == "Call");
}

TEST_CASE("silence of 20 ms is sent as the 216-character base64 payload", "[media]") {
  ce::mulaw_buffer silence(ce::frame_bytes_20ms, ce::mulaw_silence);
  std::string expected_payload;
  for (int i = 0; i < 53; ++i) expected_payload += "////";
  expected_payload += "/w==";
  CHECK(media_message(sid, silence) ==
        R"({"event":"media","streamSid":"MZ11111111111111111111111111111111","media":{"payload":")" +
            expected_payload + R"("}})");
}

// ---- outbound ---------------------------------------------------------------------------------

TEST_CASE("outbound media, mark and clear frames have the documented shape", "[media][outbound]") {
  CHECK(media_message("MZ1", std::vector<std::uint8_t>{0xFF, 0x7F}) ==
        R"({"event":"media","streamSid":"MZ1","media":{"payload":"/38="}})");
  CHECK(mark_message("MZ1", "turn3:seg2") == R"({"event":"mark","streamSid":"MZ1","mark":{"name":"turn3:seg2"}})");
  CHECK(clear_message("MZ1") == R"({"event":"clear","streamSid":"MZ1"})");
}

TEST_CASE("outbound frames parse back through the simulated peer's validator", "[media][outbound][roundtrip]") {
  ce::mulaw_buffer audio(800);
  for (std::size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<std::uint8_t>(i * 7);
  auto media = as_out<outbound_media>(parse_outbound(media_message(sid, audio)));
  CHECK(media.stream_sid == sid);
  CHECK(media.payload == audio);
  auto mark = as_out<outbound_mark>(parse_outbound(mark_message(sid, "g4:s1")));
  CHECK(mark.name == "g4:s1");
  auto clear = as_out<outbound_clear>(parse_outbound(clear_message(sid)));
  CHECK(clear.stream_sid == sid);
}

TEST_CASE("mark names are escaped so the frame is always valid JSON", "[media][outbound]") {
  const std::string tricky = "q\"uote \\ back\nnew\ttab\x01\x1f \xC3\xA9 \xF0\x9F\x98\x80 </script>";
  auto mark = as_out<outbound_mark>(parse_outbound(mark_message(sid, tricky)));
  CHECK(mark.name == tricky);
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<char>(i));
  auto all = as_out<outbound_mark>(parse_outbound(mark_message(every_byte, every_byte)));
  CHECK(all.name.find("\xEF\xBF\xBD") != std::string::npos);  // invalid UTF-8 became U+FFFD
  CHECK(all.name.substr(0, 128) == every_byte.substr(0, 128));
  // overlong, surrogate and truncated sequences are replaced too
  auto odd = as_out<outbound_mark>(parse_outbound(mark_message(sid, "\xC0\xAF|\xED\xA0\x80|\xE2\x82")));
  CHECK(odd.name.find('|') != std::string::npos);
}

TEST_CASE("the outbound validator refuses what Twilio would not accept", "[media][outbound][reject]") {
  CHECK(out_error_of("nope") == media_errc::not_json);
  CHECK(out_error_of("[]") == media_errc::not_object);
  CHECK(out_error_of(R"({"streamSid":"MZ1"})") == media_errc::missing_event);
  CHECK(out_error_of(R"({"event":"start","streamSid":"MZ1"})") == media_errc::unknown_event);
  CHECK(out_error_of(R"({"event":"clear"})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"clear","streamSid":""})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"clear","streamSid":5})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"media","streamSid":"MZ1"})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"media","streamSid":"MZ1","media":{}})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"media","streamSid":"MZ1","media":{"payload":"@@@@"}})") == media_errc::bad_base64);
  CHECK(out_error_of(R"({"event":"media","streamSid":"MZ1","media":{"payload":""}})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"mark","streamSid":"MZ1","mark":{"name":1}})") == media_errc::bad_field);
  CHECK(out_error_of(R"({"event":"mark","streamSid":"MZ1"})") == media_errc::bad_field);
}

TEST_CASE("the outbound validator refuses audio that carries a WAV header", "[media][outbound][reject]") {
  std::vector<std::uint8_t> wav{'R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'A', 'V', 'E'};
  CHECK(out_error_of(media_message(sid, wav)) == media_errc::wav_header);
  std::vector<std::uint8_t> riffish{'R', 'I', 'F', 0xFF};
  CHECK_NOTHROW(as_out<outbound_media>(parse_outbound(media_message(sid, riffish))));
}

TEST_CASE("every error code has a name", "[media]") {
  for (auto code : {media_errc::not_json, media_errc::not_object, media_errc::missing_event,
                    media_errc::bad_field, media_errc::bad_base64, media_errc::bad_sequence,
                    media_errc::unsupported_media_format, media_errc::unknown_event, media_errc::wav_header})
    CHECK(to_string(code) != "unknown");
  CHECK(to_string(media_errc::bad_base64) == "bad_base64");
}
