// The Deepgram live-STT mock, driven over a real WebSocket (protocols.md §5, §9.3).
#include "fixtures.hpp"

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

const std::string line1 = "I'd like to book a service appointment.";
const std::string line2 = "Tuesday at ten works.";

json script_config(json stt_extra = json::object()) {
  json stt{{"script", {line1, line2}}, {"fallback_text", "okay"}};
  stt.merge_patch(stt_extra);
  return json{{"deepgram", {{"stt", stt}}}};
}

const std::string full_query = listen_query + "&interim_results=true&vad_events=true&endpointing=300"
                                              "&utterance_end_ms=1000&punctuate=true";

std::string joined_finals(const std::vector<json>& msgs) {
  std::string out;
  for (const auto& m : msgs) {
    if (m.value("type", "") != "Results" || !m["is_final"].get<bool>()) continue;
    const std::string t = m["channel"]["alternatives"][0]["transcript"];
    if (t.empty()) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

} // namespace

TEST_CASE("STT handshake without credentials is refused with 401 and Deepgram's error headers", "[mocks][stt]") {
  auto mocks = start_mocks();
  ws_client ws;
  auto hs = ws.connect(mocks->deepgram_port(), listen_query);
  CHECK(hs.ec);
  CHECK(hs.status == 401);
  CHECK_FALSE(std::string(hs.response["dg-request-id"]).empty());
  CHECK(std::string(hs.response["dg-error"]) == "Invalid credentials.");
  auto body = json::parse(hs.response.body());
  CHECK(body["err_code"] == "INVALID_AUTH");
  CHECK(body["request_id"] == std::string(hs.response["dg-request-id"]));
  CHECK(mocks->log("stt", 0, "stt.rejected").size() == 1);
}

TEST_CASE("STT handshake requires encoding and sample_rate and valid booleans", "[mocks][stt]") {
  auto mocks = start_mocks();
  for (const std::string target : {"/v1/listen?sample_rate=8000", "/v1/listen?encoding=mulaw",
                                   "/v1/listen?encoding=linear16&sample_rate=8000",
                                   "/v1/listen?encoding=mulaw&sample_rate=8000&interim_results=yes",
                                   "/v1/listen?encoding=mulaw&sample_rate=8000&endpointing=soon"}) {
    ws_client ws;
    auto hs = ws.connect(mocks->deepgram_port(), target, deepgram_auth());
    INFO(target);
    CHECK(hs.status == 400);
    CHECK(json::parse(hs.response.body()).contains("err_msg"));
  }
}

TEST_CASE("STT accepts Token, Bearer and the token subprotocol and records the query", "[mocks][stt]") {
  auto mocks = start_mocks();
  {
    ws_client ws;
    auto hs = ws.connect(mocks->deepgram_port(), listen_query + "&tag=abc", {{"Authorization", "token k1"}});
    REQUIRE_FALSE(hs.ec);
    CHECK(hs.status == 101);
    CHECK_FALSE(std::string(hs.response["dg-request-id"]).empty());
  }
  {
    ws_client ws;
    auto hs = ws.connect(mocks->deepgram_port(), listen_query, {{"Authorization", "Bearer jwt"}});
    CHECK(hs.status == 101);
  }
  {
    ws_client ws;
    auto hs = ws.connect(mocks->deepgram_port(), listen_query, {{"Sec-WebSocket-Protocol", "token, k2"}});
    REQUIRE(hs.status == 101);
    CHECK(std::string(hs.response[http::field::sec_websocket_protocol]) == "token");
  }
  auto opened = mocks->wait_for_log("stt", "stt.open", 3, 2000ms);
  REQUIRE(opened.size() == 3);
  // With several I/O threads the three opens may be logged in any order.
  const auto tagged = std::count_if(opened.begin(), opened.end(), [](const json& e) {
    return e["query"].value("tag", "") == "abc" && e["query"].value("model", "") == "nova-2-phonecall";
  });
  CHECK(tagged == 1);
}

TEST_CASE("STT with a configured key rejects other tokens", "[mocks][stt]") {
  auto mocks = start_mocks(json{{"deepgram", {{"api_key", "right"}}}});
  ws_client bad;
  CHECK(bad.connect(mocks->deepgram_port(), listen_query, {{"Authorization", "Token wrong"}}).status == 401);
  ws_client good;
  CHECK(good.connect(mocks->deepgram_port(), listen_query, {{"Authorization", "Token right"}}).status == 101);
}

TEST_CASE("STT hears an utterance by energy and answers SpeechStarted, interims, a final and UtteranceEnd",
          "[mocks][stt]") {
  auto mocks = start_mocks(script_config());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), full_query, deepgram_auth()).status == 101);
  const auto talk = speech(line1);
  stream_audio(ws, concat({silence_ms(1000), talk, silence_ms(1500)}));
  auto msgs = read_json_until(ws, "UtteranceEnd");
  REQUIRE_FALSE(msgs.empty());

  auto started = of_type(msgs, "SpeechStarted");
  REQUIRE(started.size() == 1);
  CHECK(started[0]["timestamp"].get<double>() == Approx(1.0).margin(0.021));
  CHECK(started[0]["channel"] == json::array({0, 1}));
  CHECK(msgs.front()["type"] == "SpeechStarted");

  std::vector<json> interims, finals;
  for (const auto& m : of_type(msgs, "Results")) (m["is_final"].get<bool>() ? finals : interims).push_back(m);
  REQUIRE(interims.size() >= 3);
  std::size_t words = 0;
  for (const auto& r : interims) {
    const std::string t = r["channel"]["alternatives"][0]["transcript"];
    CHECK(line1.rfind(t, 0) == 0);  // a growing prefix of the scripted line
    const auto n = r["channel"]["alternatives"][0]["words"].size();
    CHECK(n >= words);
    words = n;
    CHECK_FALSE(r["speech_final"].get<bool>());
  }
  REQUIRE(finals.size() == 1);
  const auto& fin = finals[0];
  CHECK(fin["speech_final"].get<bool>());
  CHECK_FALSE(fin["from_finalize"].get<bool>());
  CHECK(fin["channel"]["alternatives"][0]["transcript"] == line1);
  CHECK(fin["channel"]["alternatives"][0]["words"].size() == 7);
  CHECK(fin["channel"]["alternatives"][0]["words"][0]["punctuated_word"] == "I'd");
  CHECK(fin["channel"]["alternatives"][0]["words"][0]["word"] == "i'd");
  CHECK(fin["start"].get<double>() == Approx(1.0).margin(0.021));
  CHECK(fin["channel_index"] == json::array({0, 1}));
  CHECK(fin["metadata"].contains("request_id"));

  auto ends = of_type(msgs, "UtteranceEnd");
  REQUIRE(ends.size() == 1);
  // The last voiced character of the line ends 38 characters (65 ms each) after onset.
  CHECK(ends[0]["last_word_end"].get<double>() == Approx(1.0 + 38 * 0.065).margin(0.03));
  CHECK(msgs.back()["type"] == "UtteranceEnd");  // after the final
}

TEST_CASE("STT gives the Nth utterance the Nth scripted line and the fallback after the script", "[mocks][stt]") {
  auto mocks = start_mocks(script_config());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=300", deepgram_auth()).status == 101);
  const auto blip = speech("hello there friend");
  stream_audio(ws, concat({silence_ms(300), blip, silence_ms(800), blip, silence_ms(800), blip, silence_ms(800)}));
  std::vector<std::string> finals;
  for (int i = 0; i < 3; ++i) {
    auto r = ws.read_until_type("Results");
    REQUIRE(r);
    finals.push_back((*r)["channel"]["alternatives"][0]["transcript"]);
  }
  // No punctuate/smart_format: lowercase words without punctuation.
  CHECK(finals[0] == "i'd like to book a service appointment");
  CHECK(finals[1] == "tuesday at ten works");
  CHECK(finals[2] == "okay");
  auto utts = mocks->log("stt", 0, "stt.utterance");
  REQUIRE(utts.size() == 3);
  CHECK(utts[2]["text"] == "okay");
}

TEST_CASE("STT endpointing: a pause shorter than endpointing keeps one utterance, a longer one splits it",
          "[mocks][stt]") {
  auto mocks = start_mocks(script_config());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=400", deepgram_auth()).status == 101);
  const auto word = speech("booking");
  stream_audio(ws, concat({word, silence_ms(300), word, silence_ms(600), word, silence_ms(600)}));
  auto first = ws.read_until_type("Results");
  auto second = ws.read_until_type("Results");
  REQUIRE(first);
  REQUIRE(second);
  CHECK((*first)["speech_final"].get<bool>());
  CHECK((*second)["speech_final"].get<bool>());
  CHECK(mocks->log("stt", 0, "stt.utterance").size() == 2);
}

TEST_CASE("STT can split an utterance into two finals, only the last speech_final", "[mocks][stt]") {
  auto mocks = start_mocks(script_config(json{{"split_every", 1}}));
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=300&punctuate=true", deepgram_auth()).status ==
          101);
  stream_audio(ws, concat({speech(line1), silence_ms(600)}));
  auto a = ws.read_until_type("Results");
  auto b = ws.read_until_type("Results");
  REQUIRE(a);
  REQUIRE(b);
  CHECK((*a)["is_final"].get<bool>());
  CHECK_FALSE((*a)["speech_final"].get<bool>());
  CHECK((*b)["is_final"].get<bool>());
  CHECK((*b)["speech_final"].get<bool>());
  CHECK(joined_finals({*a, *b}) == line1);
  CHECK((*b)["start"].get<double>() == Approx((*a)["start"].get<double>() + (*a)["duration"].get<double>()).margin(0.002));
}

TEST_CASE("STT Finalize flushes the words heard so far with from_finalize", "[mocks][stt]") {
  auto mocks = start_mocks(script_config());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=500", deepgram_auth()).status == 101);
  SECTION("during an utterance") {
    stream_audio(ws, speech(line2));
    REQUIRE(ws.send_text(R"({"type":"Finalize"})"));
    auto r = ws.read_until_type("Results");
    REQUIRE(r);
    CHECK((*r)["is_final"].get<bool>());
    CHECK((*r)["from_finalize"].get<bool>());
    CHECK((*r)["channel"]["alternatives"][0]["transcript"] == "i'd like to book a service appointment");
    // The endpoint still comes, with speech_final and nothing left to say.
    stream_audio(ws, silence_ms(700));
    auto end = ws.read_until_type("Results");
    REQUIRE(end);
    CHECK((*end)["speech_final"].get<bool>());
    CHECK((*end)["channel"]["alternatives"][0]["transcript"] == "");
  }
  SECTION("with nothing pending") {
    stream_audio(ws, silence_ms(400));
    REQUIRE(ws.send_text(R"({"type":"Finalize","channel":0})"));
    auto r = ws.read_until_type("Results");
    REQUIRE(r);
    CHECK((*r)["from_finalize"].get<bool>());
    CHECK((*r)["channel"]["alternatives"][0]["transcript"] == "");
  }
}

TEST_CASE("STT KeepAlive gets no answer and CloseStream flushes, sends Metadata and closes 1000", "[mocks][stt]") {
  auto mocks = start_mocks(script_config());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=300", deepgram_auth()).status == 101);
  stream_audio(ws, concat({silence_ms(200), speech("yes")}));
  REQUIRE(ws.send_text(R"({"type":"KeepAlive"})"));
  REQUIRE(ws.send_text(R"({"type":"CloseStream"})"));
  auto msgs = read_json_until(ws, "Metadata");
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0]["type"] == "Results");
  CHECK(msgs[0]["speech_final"].get<bool>());
  CHECK(msgs[0]["channel"]["alternatives"][0]["transcript"] == "i'd like to book a service appointment");
  CHECK(msgs[1]["type"] == "Metadata");
  CHECK(msgs[1]["duration"].get<double>() == Approx(0.2 + 3 * 0.065).margin(0.01));
  CHECK(msgs[1]["transaction_key"] == "deprecated");
  auto end = ws.read();
  CHECK_FALSE(end.ok);
  CHECK(end.ec == websocket::error::closed);
  CHECK(ws.close_reason().code == 1000);
  auto controls = mocks->log("stt", 0, "stt.control");
  REQUIRE(controls.size() == 2);
  CHECK(controls[0]["type"] == "KeepAlive");
}

TEST_CASE("STT closes 1011 NET-0001 after the idle timeout, and KeepAlive alone does not keep it open",
          "[mocks][stt]") {
  auto mocks = start_mocks(json{{"deepgram", {{"stt", {{"idle_timeout_ms", 400}}}}}});
  SECTION("after audio stops") {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
    stream_audio(ws, silence_ms(100));
    auto m = ws.read(3000ms);
    CHECK(m.ec == websocket::error::closed);
    CHECK(ws.close_reason().code == 1011);
    CHECK(std::string(ws.close_reason().reason.c_str()) == "NET-0001");
  }
  SECTION("KeepAlive before any audio") {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 6; ++i) {
      if (!ws.send_text(R"({"type":"KeepAlive"})")) break;
      std::this_thread::sleep_for(100ms);
    }
    auto m = ws.read(3000ms);
    CHECK(m.ec == websocket::error::closed);
    CHECK(ws.close_reason().code == 1011);
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
  }
  SECTION("KeepAlive after audio keeps the stream open") {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
    stream_audio(ws, silence_ms(100));
    for (int i = 0; i < 8; ++i) {
      REQUIRE(ws.send_text(R"({"type":"KeepAlive"})"));
      std::this_thread::sleep_for(100ms);
    }
    auto m = ws.read(100ms);
    CHECK(m.ec == beast::error::timeout);
    CHECK(mocks->log("stt", 0, "stt.timeout").empty());
  }
}

TEST_CASE("STT closes 1008 DATA-0000 on an empty binary frame or JSON sent as binary", "[mocks][stt]") {
  auto mocks = start_mocks();
  SECTION("empty frame") {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
    REQUIRE(ws.send_binary({}));
    CHECK(ws.read().ec == websocket::error::closed);
    CHECK(ws.close_reason().code == 1008);
    CHECK(std::string(ws.close_reason().reason.c_str()) == "DATA-0000");
  }
  SECTION("JSON as binary") {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
    const std::string msg = R"({"type":"KeepAlive"})";
    REQUIRE(ws.send_binary(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size())));
    CHECK(ws.read().ec == websocket::error::closed);
    CHECK(ws.close_reason().code == 1008);
  }
}

TEST_CASE("STT final_delay_ms holds finals back in wall time and keeps message order", "[mocks][stt]") {
  auto mocks = start_mocks(script_config(json{{"final_delay_ms", 400}}));
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), full_query, deepgram_auth()).status == 101);
  stream_audio(ws, concat({speech("yes please"), silence_ms(1500)}));
  const auto sent = std::chrono::steady_clock::now();
  auto msgs = read_json_until(ws, "UtteranceEnd", 4000ms);
  const auto got = std::chrono::steady_clock::now();
  REQUIRE(of_type(msgs, "Results").size() >= 1);
  CHECK(of_type(msgs, "UtteranceEnd").size() == 1);
  CHECK(got - sent >= 350ms);
  // The final still precedes the UtteranceEnd that followed it in audio time.
  CHECK(msgs.back()["type"] == "UtteranceEnd");
  CHECK(msgs[msgs.size() - 2]["is_final"].get<bool>());
}

TEST_CASE("STT script cursor can be shared by connections carrying the same query value", "[mocks][stt]") {
  auto mocks = start_mocks(script_config(json{{"script_key", "tag"}}));
  for (const std::string expected : {"i'd like to book a service appointment", "tuesday at ten works"}) {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=300&tag=CA123", deepgram_auth()).status ==
            101);
    stream_audio(ws, concat({speech("words"), silence_ms(500)}));
    auto r = ws.read_until_type("Results");
    REQUIRE(r);
    CHECK((*r)["channel"]["alternatives"][0]["transcript"] == expected);
  }
}

TEST_CASE("STT picks up a new script and threshold from a config patch mid-stream", "[mocks][stt]") {
  auto mocks = start_mocks(script_config());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), listen_query + "&endpointing=300", deepgram_auth()).status == 101);
  REQUIRE_FALSE(mocks->patch_config(json{{"deepgram", {{"stt", {{"script", {"changed line"}}}}}}}));
  stream_audio(ws, concat({speech("hi"), silence_ms(500)}));
  auto r = ws.read_until_type("Results");
  REQUIRE(r);
  CHECK((*r)["channel"]["alternatives"][0]["transcript"] == "changed line");
  // A threshold above the synthetic voice's level: nothing is heard any more.
  REQUIRE_FALSE(mocks->patch_config(json{{"deepgram", {{"stt", {{"speech_threshold_dbfs", -1}}}}}}));
  stream_audio(ws, concat({speech("hello again"), silence_ms(500)}));
  CHECK(ws.read(300ms).ec == beast::error::timeout);
}

TEST_CASE("STT faults: 429 at the handshake, delay, and X-Mock-Fault", "[mocks][stt][faults]") {
  auto mocks = start_mocks(json{{"deepgram",
                                 {{"stt",
                                   {{"faults",
                                     {{{"kind", "status"}, {"status", 429}, {"match", "stt.connect"}, {"times", 1}},
                                      {{"kind", "delay"}, {"delay_ms", 300}, {"every_nth", 2}}}}}}}}});
  {
    ws_client ws;
    auto hs = ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth());
    CHECK(hs.status == 429);
    CHECK(json::parse(hs.response.body())["err_code"] == "TOO_MANY_REQUESTS");
  }
  {
    ws_client ws;  // second connection: the 429 is used up; the delay fires (2nd eligible)
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(ws.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
    CHECK(std::chrono::steady_clock::now() - t0 >= 280ms);
  }
  {
    ws_client ws;
    auto headers = deepgram_auth();
    headers.emplace_back("X-Mock-Fault", R"({"kind":"status","status":503})");
    CHECK(ws.connect(mocks->deepgram_port(), listen_query, headers).status == 503);
  }
  CHECK(mocks->stats()["stt"]["faults"].get<int>() >= 3);
}

TEST_CASE("STT faults: the connection drops mid-utterance", "[mocks][stt][faults]") {
  auto mocks = start_mocks(
    script_config(json{{"faults", {{{"kind", "drop"}, {"at", "speech"}, {"after", 200}, {"times", 1}}}}}));
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), full_query, deepgram_auth()).status == 101);
  const auto audio = concat({silence_ms(200), speech(line1), silence_ms(1000)});
  bool send_failed = false;
  for (std::size_t i = 0; i < audio.size(); i += 160) {
    if (!ws.send_binary(std::span<const std::uint8_t>(audio.data() + i, 160))) {
      send_failed = true;
      break;
    }
  }
  std::vector<json> msgs;
  beast::error_code end;
  for (;;) {
    auto m = ws.read(2000ms);
    if (!m.ok) {
      end = m.ec;
      break;
    }
    msgs.push_back(json::parse(m.data));
  }
  // No close frame: a TCP reset or EOF, and no final was ever sent.
  CHECK(end != websocket::error::closed);
  CHECK(end != beast::error::timeout);
  CHECK(of_type(msgs, "SpeechStarted").size() <= 1);
  for (const auto& r : of_type(msgs, "Results")) CHECK_FALSE(r["is_final"].get<bool>());
  auto faults = mocks->log("stt", 0, "stt.fault");
  REQUIRE(faults.size() == 1);
  CHECK(faults[0]["kind"] == "drop");
  CHECK(faults[0]["in_utterance"].get<bool>());
  (void)send_failed;
}

TEST_CASE("STT faults: a stall stops all messages but keeps the socket open", "[mocks][stt][faults]") {
  auto mocks = start_mocks(script_config(json{{"faults", {{{"kind", "stall"}, {"times", 1}}}}}));
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), full_query, deepgram_auth()).status == 101);
  stream_audio(ws, concat({silence_ms(100), speech("hello"), silence_ms(1500)}));
  auto m = ws.read(500ms);
  CHECK(m.ec == beast::error::timeout);
  auto sent = mocks->log("stt", 0, "stt.sent");
  REQUIRE_FALSE(sent.empty());
  for (const auto& s : sent) CHECK(s["suppressed"].get<bool>());
}

TEST_CASE("STT disconnect through the control API drops every live stream", "[mocks][stt][faults]") {
  auto mocks = start_mocks();
  ws_client a, b;
  REQUIRE(a.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
  REQUIRE(b.connect(mocks->deepgram_port(), listen_query, deepgram_auth()).status == 101);
  REQUIRE(eventually([&] { return mocks->stats()["stt"]["open"].get<int>() == 2; }));
  auto r = http_call(mocks->deepgram_port(), http::verb::post, "/__mock/disconnect", R"({"service":"stt"})");
  CHECK(parse_body(r)["dropped"] == 2);
  CHECK_FALSE(a.read(2000ms).ok);
  CHECK_FALSE(b.read(2000ms).ok);
  CHECK(eventually([&] { return mocks->stats()["stt"]["open"].get<int>() == 0; }));
}
