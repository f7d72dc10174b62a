// Inbound Media Streams frames: what Twilio sends, good and bad.
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

media_errc error_of(std::string_view text) {
  auto r = parse_inbound(text);
  REQUIRE_FALSE(r.ok());
  INFO(r.error().message);
  CHECK_FALSE(r.error().message.empty());
  return r.error().code;
}

std::string media_frame(std::string_view seq, std::string_view payload) {
  return std::string{R"({"event":"media","sequenceNumber":)"} + std::string{seq} +
         R"(,"streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"20","payload":)" +
         std::string{payload} + "}}";
}

std::string start_frame(std::string_view start_body, std::string_view top_sid = R"("MZ1")") {
  return std::string{R"({"event":"start","sequenceNumber":"1","streamSid":)"} +
         std::string{top_sid} + R"(,"start":)" + std::string{start_body} + "}";
}

} // namespace

// ---- inbound: the documented examples ---------------------------------------------------------

TEST_CASE("the documented inbound examples parse into engine events", "[media][inbound]") {
  auto connected = as<connected_event>(parse_inbound(R"({"event":"connected","protocol":"Call","version":"1.0.0"})"));
  CHECK(connected.protocol == "Call");
  CHECK(connected.version == "1.0.0");

  auto start = as<start_event>(parse_inbound(R"({"event":"start","sequenceNumber":"1","streamSid":"MZ11111111111111111111111111111111",
 "start":{"streamSid":"MZ11111111111111111111111111111111","accountSid":"AC22222222222222222222222222222222",
  "callSid":"CA33333333333333333333333333333333","tracks":["inbound"],
  "customParameters":{"tenant":"dentist-42","direction":"outbound"},
  "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}})"));
  CHECK(start.sequence_number == 1);
  CHECK(start.stream_sid == sid);
  CHECK(start.account_sid == account);
  CHECK(start.call_sid == call);
  CHECK(start.tracks == std::vector<std::string>{"inbound"});
  CHECK(start.custom_parameters == std::map<std::string, std::string>{{"tenant", "dentist-42"}, {"direction", "outbound"}});
  CHECK(start.encoding == "audio/x-mulaw");
  CHECK(start.sample_rate == 8000);
  CHECK(start.channels == 1);

  auto media = as<media_event>(parse_inbound(
      R"({"event":"media","sequenceNumber":"2","streamSid":"MZ111...","media":{"track":"inbound","chunk":"1","timestamp":"21","payload":"/////w=="}})"));
  CHECK(media.sequence_number == 2);
  CHECK(media.stream_sid == "MZ111...");
  CHECK(media.track == "inbound");
  CHECK(media.chunk == 1);
  CHECK(media.timestamp_ms == 21);
  CHECK(media.payload == ce::mulaw_buffer{0xFF, 0xFF, 0xFF, 0xFF});

  auto dtmf = as<dtmf_event>(parse_inbound(
      R"({"event":"dtmf","sequenceNumber":"57","streamSid":"MZ111...","dtmf":{"track":"inbound_track","digit":"5"}})"));
  CHECK(dtmf.sequence_number == 57);
  CHECK(dtmf.digit == '5');

  auto mark = as<mark_event>(parse_inbound(
      R"({"event":"mark","sequenceNumber":"90","streamSid":"MZ111...","mark":{"name":"turn3-seg2"}})"));
  CHECK(mark.sequence_number == 90);
  CHECK(mark.name == "turn3-seg2");

  auto stop = as<stop_event>(parse_inbound(
      R"({"event":"stop","sequenceNumber":"412","streamSid":"MZ111...","stop":{"accountSid":"AC222...","callSid":"CA333..."}})"));
  CHECK(stop.sequence_number == 412);
  CHECK(stop.stream_sid == "MZ111...");
  CHECK(stop.account_sid == "AC222...");
  CHECK(stop.call_sid == "CA333...");
}

// ---- inbound: leniency -----------------------------------------------------------------------

TEST_CASE("unknown events are tolerated and reported by name", "[media][inbound]") {
  auto u = as<unknown_event>(parse_inbound(R"({"event":"futureThing","sequenceNumber":"3","x":{"y":[1,2,{"z":null}]}})"));
  CHECK(u.name == "futureThing");
}

TEST_CASE("extra fields, numeric counters and any key order are accepted", "[media][inbound]") {
  auto m = as<media_event>(parse_inbound(
      R"({"media":{"payload":"AAEC","extra":{"payload":5,"chunk":"x"},"timestamp":40,"chunk":2,"track":"inbound"},
          "streamSid":"MZ1","new":[{"event":"stop"}],"sequenceNumber":3,"event":"media"})"));
  CHECK(m.sequence_number == 3);
  CHECK(m.chunk == 2);
  CHECK(m.timestamp_ms == 40);
  CHECK(m.payload == ce::mulaw_buffer{0, 1, 2});
  auto s = as<start_event>(parse_inbound(start_frame(
      R"({"callSid":"CA1","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":"8000","channels":1,"bits":8}})")));
  CHECK(s.stream_sid == "MZ1");  // taken from the top level
  CHECK(s.custom_parameters.empty());
}

TEST_CASE("the largest sequence number a uint64 holds is accepted", "[media][inbound]") {
  auto m = as<media_event>(parse_inbound(media_frame(R"("18446744073709551615")", R"("AA==")")));
  CHECK(m.sequence_number == 18446744073709551615ULL);
  auto n = as<media_event>(parse_inbound(media_frame("18446744073709551615", R"("AA==")")));
  CHECK(n.sequence_number == 18446744073709551615ULL);
}

TEST_CASE("a media frame with an empty payload carries no audio", "[media][inbound]") {
  auto m = as<media_event>(parse_inbound(media_frame(R"("4")", R"("")")));
  CHECK(m.payload.empty());
}

TEST_CASE("a stop frame without its stop object still ends the stream", "[media][inbound]") {
  auto s = as<stop_event>(parse_inbound(R"({"event":"stop","sequenceNumber":"9","streamSid":"MZ1"})"));
  CHECK(s.stream_sid == "MZ1");
  CHECK(s.call_sid.empty());
}

TEST_CASE("nested unknown fields do not disturb parsing", "[media][inbound]") {
  std::string nested;
  for (int i = 0; i < 30; ++i) nested += R"({"payload":[)";
  for (int i = 0; i < 30; ++i) nested += "]}";
  auto m = as<mark_event>(parse_inbound(
      R"({"event":"mark","junk":)" + nested + R"(,"sequenceNumber":"5","streamSid":"MZ1","mark":{"name":"n"}})"));
  CHECK(m.name == "n");
}

TEST_CASE("absurdly deep nesting is refused rather than followed", "[media][inbound][reject]") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"a":[)";
  for (int i = 0; i < 5000; ++i) deep += "]}";
  CHECK(error_of(R"({"event":"mark","junk":)" + deep + "}") == media_errc::not_json);
}

// ---- inbound: malformed frames -----------------------------------------------------------------

TEST_CASE("frames that are not JSON are refused as not_json", "[media][inbound][reject]") {
  for (std::string_view bad : {"", "   ", "{", "hello", R"({"event":"media")", R"({"event":"mark"} x)",
                               R"({"event":'mark'})", "{\"event\":\"m\xff\"}", R"({"a":1,})"}) {
    INFO(bad);
    CHECK(error_of(bad) == media_errc::not_json);
  }
}

TEST_CASE("JSON that is not an object is refused as not_object", "[media][inbound][reject]") {
  for (std::string_view bad : {"[]", R"([{"event":"media"}])", "42", R"("media")", "null", "true"}) {
    INFO(bad);
    CHECK(error_of(bad) == media_errc::not_object);
  }
}

TEST_CASE("an object without an event is refused as missing_event", "[media][inbound][reject]") {
  CHECK(error_of("{}") == media_errc::missing_event);
  CHECK(error_of(R"({"sequenceNumber":"1","media":{"payload":""}})") == media_errc::missing_event);
  CHECK(error_of(R"({"event":5})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":null})") == media_errc::bad_field);
}

TEST_CASE("a media payload that is not base64 is refused as bad_base64", "[media][inbound][reject]") {
  for (std::string_view bad : {R"("abc")", R"("!!!!")", R"("////w=")", R"("=AAA")", R"("AA=A")", R"("AA AA")"}) {
    INFO(bad);
    CHECK(error_of(media_frame(R"("2")", bad)) == media_errc::bad_base64);
  }
}

TEST_CASE("media fields of the wrong type or missing are refused as bad_field", "[media][inbound][reject]") {
  CHECK(error_of(media_frame(R"("2")", "5")) == media_errc::bad_field);
  CHECK(error_of(media_frame(R"("2")", "null")) == media_errc::bad_field);
  CHECK(error_of(media_frame(R"("2")", R"(["AA=="])")) == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":"MZ1"})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":[]})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","media":{"payload":"AA=="}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":7,"media":{"payload":"AA=="}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"payload":"AA==","track":1}})") == media_errc::bad_field);
}

TEST_CASE("counters that are not decimal uint64 values are refused as bad_sequence", "[media][inbound][reject]") {
  for (std::string_view bad : {R"("abc")", R"("-1")", "-1", "1.5", R"("")", R"(" 1")", R"("1 ")", R"("+1")",
                               R"("0x10")", R"("18446744073709551616")", "18446744073709551616",
                               R"("99999999999999999999999999")", "1e30"}) {
    INFO(bad);
    CHECK(error_of(media_frame(bad, R"("AA==")")) == media_errc::bad_sequence);
  }
  CHECK(error_of(media_frame("true", R"("AA==")")) == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","streamSid":"MZ1","media":{"payload":"AA=="}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"chunk":"x","payload":"AA=="}})") ==
        media_errc::bad_sequence);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"2","streamSid":"MZ1","media":{"timestamp":-20,"payload":"AA=="}})") ==
        media_errc::bad_sequence);
}

TEST_CASE("a start frame needs a call sid and a stream sid", "[media][inbound][reject]") {
  CHECK(error_of(start_frame(R"({"streamSid":"MZ1"})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"","streamSid":"MZ1"})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":5,"streamSid":"MZ1"})")) == media_errc::bad_field);
  CHECK(error_of(R"({"event":"start","sequenceNumber":"1","start":{"callSid":"CA1"}})") == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","streamSid":"MZ2"})")) == media_errc::bad_field);
  CHECK(error_of(R"({"event":"start","sequenceNumber":"1","streamSid":"MZ1"})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":"CA1"})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"start","streamSid":"MZ1","start":{"callSid":"CA1"}})") == media_errc::bad_field);
}

TEST_CASE("start parameters and tracks of the wrong type are refused", "[media][inbound][reject]") {
  CHECK(error_of(start_frame(R"({"callSid":"CA1","customParameters":{"a":1}})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","customParameters":{"a":{"b":"c"}}})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","customParameters":["a"]})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","tracks":"inbound"})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","tracks":["inbound",2]})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","accountSid":false})")) == media_errc::bad_field);
}

TEST_CASE("a media format other than 8 kHz mono mu-law is refused", "[media][inbound][reject]") {
  CHECK(error_of(start_frame(R"({"callSid":"CA1","mediaFormat":{"encoding":"audio/l16","sampleRate":8000,"channels":1}})")) ==
        media_errc::unsupported_media_format);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":16000,"channels":1}})")) ==
        media_errc::unsupported_media_format);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":2}})")) ==
        media_errc::unsupported_media_format);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","mediaFormat":{"sampleRate":8000.5}})")) ==
        media_errc::unsupported_media_format);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","mediaFormat":{"encoding":7}})")) == media_errc::bad_field);
  CHECK(error_of(start_frame(R"({"callSid":"CA1","mediaFormat":"mulaw"})")) == media_errc::bad_field);
}

TEST_CASE("mark and dtmf frames without a usable name or digit are refused", "[media][inbound][reject]") {
  CHECK(error_of(R"({"event":"mark","sequenceNumber":"2","streamSid":"MZ1","mark":{}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"mark","sequenceNumber":"2","streamSid":"MZ1","mark":{"name":3}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"mark","sequenceNumber":"2","streamSid":"MZ1"})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"dtmf","sequenceNumber":"2","streamSid":"MZ1","dtmf":{"digit":"55"}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"dtmf","sequenceNumber":"2","streamSid":"MZ1","dtmf":{"digit":"x"}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"dtmf","sequenceNumber":"2","streamSid":"MZ1","dtmf":{"digit":5}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"dtmf","sequenceNumber":"2","streamSid":"MZ1","dtmf":{}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"stop","sequenceNumber":"2","streamSid":"MZ1","stop":{"callSid":1}})") == media_errc::bad_field);
  CHECK(error_of(R"({"event":"connected","protocol":1})") == media_errc::bad_field);
}

// ---- the reusing parser -------------------------------------------------------------------------

TEST_CASE("the reusing parser cycles two payload buffers across media frames", "[media][inbound][perf]") {
  inbound_parser parser;
  inbound_event event;
  ce::mulaw_buffer audio(160);
  std::vector<const std::uint8_t*> buffers;
  for (std::uint64_t i = 0; i < 6; ++i) {
    audio.assign(160, static_cast<std::uint8_t>(i));
    REQUIRE_FALSE(parser.parse(inbound_media_message(sid, i + 2, i + 1, i * 20, audio), event));
    const auto& m = std::get<media_event>(event);
    CHECK(m.payload == audio);
    CHECK(m.chunk == i + 1);
    buffers.push_back(m.payload.data());
  }
  // After the first two frames, no frame needs a fresh payload allocation.
  CHECK(buffers[2] == buffers[0]);
  CHECK(buffers[3] == buffers[1]);
  CHECK(buffers[4] == buffers[0]);
  CHECK(buffers[5] == buffers[1]);
}

TEST_CASE("the reusing parser leaves its output untouched when a frame is refused", "[media][inbound]") {
  inbound_parser parser;
  inbound_event event;
  ce::mulaw_buffer audio{1, 2, 3};
  REQUIRE_FALSE(parser.parse(inbound_media_message(sid, 2, 1, 0, audio), event));
  auto error = parser.parse(media_frame(R"("3")", R"("***")"), event);
  REQUIRE(error);
  CHECK(error->code == media_errc::bad_base64);
  REQUIRE(std::holds_alternative<media_event>(event));
  CHECK(std::get<media_event>(event).payload == audio);
  CHECK(std::get<media_event>(event).sequence_number == 2);
  // and it recovers on the next good frame of any kind
  REQUIRE_FALSE(parser.parse(mark_echo_message(sid, 4, "m"), event));
  CHECK(std::get<mark_event>(event).name == "m");
  REQUIRE_FALSE(parser.parse(inbound_media_message(sid, 5, 2, 20, audio), event));
  CHECK(std::get<media_event>(event).payload == audio);
}

TEST_CASE("the reusing parser does not carry fields over from the previous frame", "[media][inbound]") {
  inbound_parser parser;
  inbound_event event;
  REQUIRE_FALSE(parser.parse(inbound_media_message(sid, 2, 9, 180, ce::mulaw_buffer{1}), event));
  REQUIRE_FALSE(parser.parse(R"({"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"payload":"Ag=="}})", event));
  const auto& m = std::get<media_event>(event);
  CHECK(m.chunk == 0);
  CHECK(m.timestamp_ms == 0);
  CHECK(m.track == "inbound");
  CHECK(m.stream_sid == "MZ1");
  auto error = parser.parse(R"({"event":"media","sequenceNumber":"4","media":{"payload":"Ag=="}})", event);
  REQUIRE(error);
  CHECK(error->code == media_errc::bad_field);
}


TEST_CASE("media frames read by the direct pass and by the general scanner come out the same",
          "[media][inbound]") {
  // the direct pass takes plain-string frames in any order and spacing; an escape, a numeric
  // counter or a duplicate key sends the frame to the general scanner, with the same result
  const std::string payload = "/////w==";
  const std::vector<std::string> frames{
    R"({"event":"media","sequenceNumber":"7","streamSid":"MZ1","media":{"track":"inbound","chunk":"6","timestamp":"120","payload":"/////w=="}})",
    R"({"media":{"payload":"/////w==","timestamp":"120","chunk":"6","track":"inbound"},"streamSid":"MZ1","sequenceNumber":"7","event":"media"})",
    " {\n \"event\" : \"media\" , \"sequenceNumber\":\"7\",\t\"streamSid\":\"MZ1\",\"media\":{ \"track\":\"inbound\",\"chunk\":\"6\",\"timestamp\":\"120\",\"payload\":\"/////w==\" } } ",
    R"({"event":"media","sequenceNumber":"7","streamSid":"M\u005a1","media":{"track":"inbound","chunk":"6","timestamp":"120","payload":"/////w=="}})",
    R"({"event":"media","sequenceNumber":7,"streamSid":"MZ1","media":{"track":"inbound","chunk":6,"timestamp":120,"payload":"/////w=="}})",
    R"({"event":"media","sequenceNumber":"7","streamSid":"MZ1","extra":{"a":[1,2]},"media":{"track":"inbound","chunk":"6","timestamp":"120","payload":"/////w=="}})",
  };
  inbound_parser parser;
  for (const auto& text : frames) {
    INFO(text);
    inbound_event ev;
    REQUIRE_FALSE(parser.parse(text, ev));
    REQUIRE(std::holds_alternative<media_event>(ev));
    const auto& m = std::get<media_event>(ev);
    CHECK(m.sequence_number == 7);
    CHECK(m.stream_sid == "MZ1");
    CHECK(m.track == "inbound");
    CHECK(m.chunk == 6);
    CHECK(m.timestamp_ms == 120);
    CHECK(m.payload == std::vector<std::uint8_t>{0xFF, 0xFF, 0xFF, 0xFF});
  }
  // and what the direct pass turns away is still refused for the right reason
  CHECK(error_of(R"({"event":"media","sequenceNumber":"x7","streamSid":"MZ1","media":{"payload":"/////w=="}})") ==
        media_errc::bad_sequence);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"7","streamSid":"MZ1","media":{"payload":"////"w=="}})") ==
        media_errc::not_json);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"7","streamSid":"MZ1","media":{"payload":"//*/"}})") ==
        media_errc::bad_base64);
  CHECK(error_of(R"({"event":"media","sequenceNumber":"7","media":{"payload":"/////w=="}})") == media_errc::bad_field);
}
