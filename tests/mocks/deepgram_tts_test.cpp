// The Deepgram TTS mock over REST and WebSocket (protocols.md §6, §9.4).
#include "fixtures.hpp"

#include "audio/levels.hpp"

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

const std::string speak_rest = "/v1/speak?model=aura-2-thalia-en&encoding=mulaw&sample_rate=8000&container=none";
const std::string speak_ws = "/v1/speak?model=aura-2-thalia-en&encoding=mulaw&sample_rate=8000";

header_list json_auth() { return {{"Authorization", "Token k"}, {"Content-Type", "application/json"}}; }

/// Fast pacing for tests that only check content.
json fast_tts(json extra = json::object()) {
  json tts{{"ttfb_ms", 0}, {"speed", 50.0}};
  tts.merge_patch(extra);
  return json{{"deepgram", {{"tts", tts}}}};
}

double level_of(const std::string& bytes) {
  return ce::audio::mulaw_frame_dbfs(
    std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

/// Reads a flush's audio: binary frames until the `Flushed` message.
struct flush_result {
  std::vector<std::string> frames;
  std::optional<json> flushed;
  std::vector<json> other;
};
flush_result read_flush(ws_client& ws, ms timeout = 3000ms) {
  flush_result out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = ws.read(std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now()));
    if (!m.ok) break;
    if (m.binary) {
      out.frames.push_back(m.data);
      continue;
    }
    auto j = json::parse(m.data);
    if (j["type"] == "Flushed") {
      out.flushed = j;
      break;
    }
    out.other.push_back(j);
  }
  return out;
}

} // namespace

TEST_CASE("TTS REST returns raw mu-law, 65 ms per character, with Deepgram's headers", "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts());
  const std::string text = "Your car is ready for pickup.";
  auto r = http_call(mocks->deepgram_port(), http::verb::post, speak_rest, json{{"text", text}}.dump(), json_auth());
  REQUIRE(r.complete);
  CHECK(r.status == 200);
  CHECK(std::string(r.headers[http::field::content_type]) == "audio/mulaw;rate=8000");
  CHECK(std::string(r.headers["dg-char-count"]) == std::to_string(text.size()));
  CHECK_FALSE(std::string(r.headers["dg-request-id"]).empty());
  CHECK(std::string(r.headers["dg-model-name"]) == "aura-2-thalia-en");
  CHECK_FALSE(std::string(r.headers["dg-model-uuid"]).empty());
  CHECK(r.body.size() == text.size() * 65 * 8);
  CHECK(r.body.rfind("RIFF", 0) != 0);
  CHECK(level_of(r.body) > -30.0);  // speech-like, not silence
  // Deterministic: the same text gives the same bytes.
  auto again = http_call(mocks->deepgram_port(), http::verb::post, speak_rest, json{{"text", text}}.dump(), json_auth());
  CHECK(again.body == r.body);
  auto logged = mocks->log("tts", 0, "tts.rest");
  REQUIRE(logged.size() == 2);
  CHECK(logged[0]["query"]["container"] == "none");
  CHECK(logged[0]["chars"] == text.size());
}

TEST_CASE("TTS REST with container=wav (or the default) prepends a 44-byte RIFF header", "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts());
  for (const std::string target : {"/v1/speak?encoding=mulaw&sample_rate=8000&container=wav",
                                   "/v1/speak?encoding=mulaw&sample_rate=8000"}) {
    auto r = http_call(mocks->deepgram_port(), http::verb::post, target, R"({"text":"Hi."})", json_auth());
    REQUIRE(r.status == 200);
    CHECK(r.body.rfind("RIFF", 0) == 0);
    CHECK(r.body.substr(8, 4) == "WAVE");
    CHECK(r.body.size() == 44 + 3 * 65 * 8);
    CHECK(static_cast<unsigned char>(r.body[20]) == 7);  // WAVE_FORMAT_MULAW
  }
}

TEST_CASE("TTS REST validates auth, content type, body, query and length", "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts());
  const auto port = mocks->deepgram_port();
  CHECK(http_call(port, http::verb::post, speak_rest, R"({"text":"x"})", {{"Content-Type", "application/json"}}).status == 401);
  CHECK(http_call(port, http::verb::post, speak_rest, R"({"text":"x"})", {{"Authorization", "Token k"}, {"Content-Type", "text/plain"}})
          .status == 415);
  CHECK(http_call(port, http::verb::post, speak_rest, R"({"txt":"x"})", json_auth()).status == 400);
  CHECK(http_call(port, http::verb::post, speak_rest, "not json", json_auth()).status == 400);
  CHECK(http_call(port, http::verb::post, "/v1/speak?container=none", R"({"text":"x"})", json_auth()).status == 400);
  CHECK(http_call(port, http::verb::post, "/v1/speak?encoding=mulaw&sample_rate=24000", R"({"text":"x"})", json_auth())
          .status == 400);
  auto too_long = http_call(port, http::verb::post, speak_rest, json{{"text", std::string(1001, 'a')}}.dump(), json_auth());
  CHECK(too_long.status == 422);
  CHECK(parse_body(too_long)["err_msg"].get<std::string>().find("1000") != std::string::npos);
  CHECK(http_call(port, http::verb::post, speak_rest, json{{"text", std::string(1000, 'a')}}.dump(), json_auth()).status ==
        200);
}

TEST_CASE("TTS REST is paced: first byte after ttfb, then about speed x real time", "[mocks][tts]") {
  auto mocks = start_mocks(json{{"deepgram", {{"tts", {{"ttfb_ms", 250}, {"speed", 4.0}, {"frame_ms", 40}}}}}});
  const std::string text(20, 'a');  // 1.3 s of audio -> about 325 ms at 4x
  auto r = http_call(mocks->deepgram_port(), http::verb::post, speak_rest, json{{"text", text}}.dump(), json_auth());
  REQUIRE(r.complete);
  CHECK(r.header_ms >= 240);
  REQUIRE_FALSE(r.arrivals.empty());
  const double total = r.arrivals.back().first;
  CHECK(total >= 250 + 300);
  CHECK(total < 250 + 325 + 400);
  CHECK(r.chunks.size() >= 20);  // streamed in frames, not one blob
}

TEST_CASE("TTS WebSocket: Metadata, then Speak + Flush stream frames and Flushed with rising sequence ids",
          "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts(json{{"frame_ms", 40}}));
  ws_client ws;
  auto hs = ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth());
  REQUIRE(hs.status == 101);
  CHECK_FALSE(std::string(hs.response["dg-request-id"]).empty());
  auto meta = ws.read();
  REQUIRE(meta.ok);
  auto mj = json::parse(meta.data);
  CHECK(mj["type"] == "Metadata");
  CHECK(mj["model_name"] == "aura-2-thalia-en");
  CHECK(mj.contains("request_id"));

  REQUIRE(ws.send_text(R"({"type":"Speak","text":"Hello, "})"));
  REQUIRE(ws.send_text(R"({"type":"Speak","text":"how can I help?"})"));
  REQUIRE(ws.send_text(R"({"type":"Flush"})"));
  auto first = read_flush(ws);
  REQUIRE(first.flushed);
  CHECK((*first.flushed)["sequence_id"] == 0);
  std::size_t bytes = 0;
  for (const auto& f : first.frames) {
    CHECK(f.size() <= 320);  // 40 ms frames
    bytes += f.size();
  }
  CHECK(bytes == std::string("Hello, how can I help?").size() * 520);

  REQUIRE(ws.send_text(R"({"type":"Speak","text":"Second."})"));
  REQUIRE(ws.send_text(R"({"type":"Flush"})"));
  auto second = read_flush(ws);
  REQUIRE(second.flushed);
  CHECK((*second.flushed)["sequence_id"] == 1);
  auto speaks = mocks->log("tts", 0, "tts.speak");
  REQUIRE(speaks.size() == 3);
  CHECK(speaks[1]["text"] == "how can I help?");
}

TEST_CASE("TTS WebSocket audio is heard as speech by the STT mock", "[mocks][tts][stt]") {
  auto mocks = start_mocks(json{{"deepgram", {{"tts", {{"ttfb_ms", 0}, {"speed", 50.0}}}, {"stt", {{"script", {"heard"}}}}}}});
  ws_client tts;
  REQUIRE(tts.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
  REQUIRE(tts.send_text(R"({"type":"Speak","text":"Thanks for calling, how can I help you today?"})"));
  REQUIRE(tts.send_text(R"({"type":"Flush"})"));
  auto audio = read_flush(tts);
  REQUIRE(audio.flushed);
  ws_client stt;
  REQUIRE(stt.connect(mocks->deepgram_port(), listen_query + "&endpointing=300", deepgram_auth()).status == 101);
  std::vector<std::uint8_t> bytes;
  for (const auto& f : audio.frames) bytes.insert(bytes.end(), f.begin(), f.end());
  stream_audio(stt, concat({bytes, silence_ms(500)}));
  auto r = stt.read_until_type("Results");
  REQUIRE(r);
  CHECK((*r)["channel"]["alternatives"][0]["transcript"] == "heard");
}

TEST_CASE("TTS WebSocket Clear stops the audio, drops the buffer and answers Cleared", "[mocks][tts]") {
  auto mocks = start_mocks(json{{"deepgram", {{"tts", {{"ttfb_ms", 0}, {"speed", 1.0}, {"frame_ms", 20}}}}}});
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
  REQUIRE(ws.read().ok);  // Metadata
  REQUIRE(ws.send_text(json{{"type", "Speak"}, {"text", std::string(60, 'a')}}.dump()));  // ~4 s at real time
  REQUIRE(ws.send_text(R"({"type":"Flush"})"));
  int frames = 0;
  for (; frames < 5; ++frames) REQUIRE(ws.read().binary);
  REQUIRE(ws.send_text(R"({"type":"Speak","text":"never said"})"));
  REQUIRE(ws.send_text(R"({"type":"Clear"})"));
  std::vector<ws_client::message> before;
  auto cleared = ws.read_until_type("Cleared", 2000ms, &before);
  REQUIRE(cleared);
  CHECK((*cleared)["sequence_id"] == 0);
  CHECK(before.size() < 10);  // at most what was already in flight
  // Nothing of the old flush after Cleared; a bare Flush now has nothing to say.
  REQUIRE(ws.send_text(R"({"type":"Flush"})"));
  auto next = read_flush(ws);
  REQUIRE(next.flushed);
  CHECK((*next.flushed)["sequence_id"] == 1);
  CHECK(next.frames.empty());
}

TEST_CASE("TTS WebSocket limits: over 2000 characters closes 1009 BIG-0001", "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts());
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
  REQUIRE(ws.read().ok);
  REQUIRE(ws.send_text(json{{"type", "Speak"}, {"text", std::string(2000, 'a')}}.dump()));
  REQUIRE(ws.send_text(json{{"type", "Speak"}, {"text", std::string(2001, 'a')}}.dump()));
  auto m = ws.read();
  CHECK(m.ec == websocket::error::closed);
  CHECK(ws.close_reason().code == 1009);
  CHECK(std::string(ws.close_reason().reason.c_str()) == "BIG-0001");
}

TEST_CASE("TTS WebSocket flush limit: extra flushes get a Warning and are ignored", "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts(json{{"max_flushes", 2}}));
  ws_client ws;
  REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
  REQUIRE(ws.read().ok);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(ws.send_text(R"({"type":"Speak","text":"ok"})"));
    REQUIRE(ws.send_text(R"({"type":"Flush"})"));
    REQUIRE(read_flush(ws).flushed);
  }
  REQUIRE(ws.send_text(R"({"type":"Speak","text":"ok"})"));
  REQUIRE(ws.send_text(R"({"type":"Flush"})"));
  auto warning = ws.read_until_type("Warning");
  REQUIRE(warning);
  CHECK(warning->contains("description"));
  CHECK(warning->contains("code"));
  CHECK(ws.read(300ms).ec == beast::error::timeout);  // no audio, no Flushed
  CHECK(mocks->log("tts", 0, "tts.flush_ignored").size() == 1);
}

TEST_CASE("TTS WebSocket: Close closes 1000, unknown messages 1008, binary frames 1003", "[mocks][tts]") {
  auto mocks = start_mocks(fast_tts());
  struct expect {
    std::string send;
    bool binary;
    int code;
    std::string reason;
  };
  for (const auto& e : {expect{R"({"type":"Close"})", false, 1000, ""}, expect{R"({"type":"Sing"})", false, 1008, "DATA-0000"},
                        expect{"abc", true, 1003, "MESSAGE-0000"}}) {
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
    REQUIRE(ws.read().ok);
    if (e.binary)
      REQUIRE(ws.send_binary(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(e.send.data()), e.send.size())));
    else
      REQUIRE(ws.send_text(e.send));
    CHECK(ws.read().ec == websocket::error::closed);
    CHECK(ws.close_reason().code == e.code);
    CHECK(std::string(ws.close_reason().reason.c_str()) == e.reason);
  }
}

TEST_CASE("TTS WebSocket handshake needs auth and mulaw", "[mocks][tts]") {
  auto mocks = start_mocks();
  ws_client a;
  CHECK(a.connect(mocks->deepgram_port(), speak_ws).status == 401);
  ws_client b;
  CHECK(b.connect(mocks->deepgram_port(), "/v1/speak?model=aura-2-thalia-en", deepgram_auth()).status == 400);
}

TEST_CASE("TTS faults: drop mid-audio, stall, first-byte delay and 429", "[mocks][tts][faults]") {
  SECTION("drop after 200 ms of a flush's audio") {
    auto mocks = start_mocks(fast_tts(json{{"faults", {{{"kind", "drop"}, {"match", "tts.ws.flush"}, {"after", 200}}}}}));
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
    REQUIRE(ws.read().ok);
    REQUIRE(ws.send_text(json{{"type", "Speak"}, {"text", std::string(40, 'a')}}.dump()));
    REQUIRE(ws.send_text(R"({"type":"Flush"})"));
    auto r = read_flush(ws);
    CHECK_FALSE(r.flushed);
    CHECK(mocks->wait_for_log("tts", "tts.fault", 1, 2000ms).size() == 1);
  }
  SECTION("stall keeps the socket open and silent") {
    auto mocks = start_mocks(fast_tts(json{{"faults", {{{"kind", "stall"}, {"after", 100}}}}}));
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
    REQUIRE(ws.read().ok);
    REQUIRE(ws.send_text(json{{"type", "Speak"}, {"text", std::string(40, 'a')}}.dump()));
    REQUIRE(ws.send_text(R"({"type":"Flush"})"));
    auto r = read_flush(ws, 600ms);
    CHECK_FALSE(r.flushed);
    CHECK(r.frames.size() >= 2);
    CHECK(r.frames.size() < 10);
    // Clear still answers: the session is alive.
    REQUIRE(ws.send_text(R"({"type":"Clear"})"));
    CHECK(ws.read_until_type("Cleared"));
  }
  SECTION("first-byte delay on a flush") {
    auto mocks = start_mocks(fast_tts(json{{"faults", {{{"kind", "delay"}, {"match", "tts.ws.flush"}, {"delay_ms", 400}}}}}));
    ws_client ws;
    REQUIRE(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 101);
    REQUIRE(ws.read().ok);
    REQUIRE(ws.send_text(R"({"type":"Speak","text":"hi"})"));
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(ws.send_text(R"({"type":"Flush"})"));
    auto m = ws.read();
    REQUIRE(m.binary);
    CHECK(m.at - t0 >= 380ms);
  }
  SECTION("429 on REST and at the WebSocket handshake") {
    auto mocks = start_mocks(fast_tts(json{{"faults", {{{"kind", "status"}, {"status", 429}, {"retry_after", "2"}}}}}));
    auto r = http_call(mocks->deepgram_port(), http::verb::post, speak_rest, R"({"text":"x"})", json_auth());
    CHECK(r.status == 429);
    CHECK(std::string(r.headers[http::field::retry_after]) == "2");
    CHECK(parse_body(r)["err_code"] == "TOO_MANY_REQUESTS");
    ws_client ws;
    CHECK(ws.connect(mocks->deepgram_port(), speak_ws, deepgram_auth()).status == 429);
  }
  SECTION("REST drop mid-body leaves the body incomplete") {
    auto mocks = start_mocks(fast_tts(json{{"faults", {{{"kind", "drop"}, {"match", "tts.rest"}, {"after", 100}}}}}));
    auto r = http_call(mocks->deepgram_port(), http::verb::post, speak_rest, json{{"text", std::string(30, 'a')}}.dump(),
                       json_auth());
    CHECK(r.status == 200);
    CHECK_FALSE(r.complete);
    CHECK(r.body.size() < 30 * 520);
  }
}
