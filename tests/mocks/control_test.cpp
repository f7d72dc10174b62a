// The control API, config parsing, the speech generator and the server's lifecycle.
#include "fixtures.hpp"

#include "audio/levels.hpp"
#include "mocks/mock_config.hpp"

using namespace ce::mocks;
using namespace ce::mocks::test;

TEST_CASE("Config parsing rejects unknown keys and wrong types, naming the path", "[mocks][config]") {
  config_error err;
  CHECK(parse_config(json::object(), err));
  CHECK_FALSE(parse_config(json{{"openai", {{"ttft", 5}}}}, err));
  CHECK(err.message == "openai.ttft: unknown key");
  CHECK_FALSE(parse_config(json{{"deepgram", {{"stt", {{"min_speech_ms", "60"}}}}}}, err));
  CHECK(err.message == "deepgram.stt.min_speech_ms: must be a number");
  CHECK_FALSE(parse_config(json{{"openai", {{"faults", {{{"kind", "explode"}}}}}}}, err));
  CHECK(err.message.find("openai.faults[0].kind") == 0);
  CHECK_FALSE(parse_config(json{{"openai", {{"rules", {{{"when", {{"last_role", "user"}}}}}}}}}, err));
  CHECK(err.message.find("needs \"say\" or \"tool_calls\"") != std::string::npos);
  CHECK_FALSE(parse_config(json{{"deepgram", {{"tts", {{"speed", 0}}}}}}, err));
  auto ok = parse_config(json{{"deepgram", {{"stt", {{"script", {"a", {{"text", "b"}, {"split", true}}}}}}}}}, err);
  REQUIRE(ok);
  REQUIRE(ok->deepgram.stt.script.size() == 2);
  CHECK(ok->deepgram.stt.script[1].split == true);
}

TEST_CASE("Control API: config patch and replace, log filters, stats, reset", "[mocks][control]") {
  auto mocks = start_mocks(json{{"openai", {{"ttft_ms", 0}}}});
  const auto port = mocks->google_port();  // every port serves /__mock/
  CHECK(parse_body(http_call(port, http::verb::get, "/__mock/health"))["ok"] == true);

  auto bad = http_call(port, http::verb::post, "/__mock/config", R"({"openai":{"ttft":1}})");
  CHECK(bad.status == 400);
  CHECK(parse_body(bad)["error"] == "openai.ttft: unknown key");
  CHECK(http_call(port, http::verb::post, "/__mock/config", "{oops").status == 400);

  auto patched = http_call(port, http::verb::post, "/__mock/config", R"({"openai":{"tokens_per_second":500}})");
  CHECK(patched.status == 200);
  CHECK(parse_body(patched)["openai"] == json{{"ttft_ms", 0}, {"tokens_per_second", 500}});
  CHECK(mocks->config()["openai"]["tokens_per_second"] == 500);
  auto replaced = http_call(port, http::verb::put, "/__mock/config", R"({"seed":7})");
  CHECK(parse_body(replaced) == json{{"seed", 7}});

  // Something for the log: a token request and an OpenAI request.
  http_call(mocks->google_port(), http::verb::post, "/token", "grant_type=refresh_token",
            {{"Content-Type", "application/x-www-form-urlencoded"}});
  http_call(mocks->openai_port(), http::verb::post, "/v1/chat/completions", "{}", bearer());
  auto all = parse_body(http_call(port, http::verb::get, "/__mock/log"));
  CHECK(all["entries"].size() >= 2);
  auto google = parse_body(http_call(port, http::verb::get, "/__mock/log?service=google"));
  REQUIRE(google["entries"].size() == 1);
  CHECK(google["entries"][0]["event"] == "google.token");
  const auto seq = google["entries"][0]["seq"].get<std::uint64_t>();
  auto later = parse_body(http_call(port, http::verb::get, "/__mock/log?since=" + std::to_string(seq)));
  for (const auto& e : later["entries"]) CHECK(e["seq"].get<std::uint64_t>() > seq);
  CHECK(parse_body(http_call(port, http::verb::get, "/__mock/log?event=openai.rejected"))["entries"].size() == 1);
  CHECK(http_call(port, http::verb::get, "/__mock/log?service=nope").status == 400);
  CHECK(parse_body(http_call(port, http::verb::get, "/__mock/log?event=google.*"))["entries"].size() == 1);
  CHECK(parse_body(http_call(port, http::verb::get, "/__mock/log?event=google."))["entries"].size() == 1);
  CHECK(parse_body(http_call(port, http::verb::get, "/__mock/log?event=google.tok"))["entries"].empty());

  auto stats = parse_body(http_call(port, http::verb::get, "/__mock/stats"));
  CHECK(stats["google"]["rejected"] == 1);
  CHECK(stats["openai"]["rejected"] == 1);

  CHECK(http_call(port, http::verb::delete_, "/__mock/log").status == 200);
  CHECK(parse_body(http_call(port, http::verb::get, "/__mock/log?service=google"))["entries"].empty());
  CHECK(http_call(port, http::verb::post, "/__mock/reset").status == 200);
  CHECK(http_call(port, http::verb::get, "/__mock/nothing").status == 404);
}

TEST_CASE("Reset gives faults fresh counters and re-seeds the calendars", "[mocks][control]") {
  auto mocks = start_mocks(json{{"openai", {{"ttft_ms", 0}, {"faults", {{{"kind", "status"}, {"status", 500}, {"times", 1}}}}}}});
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  auto call = [&] { return http_call(mocks->openai_port(), http::verb::post, "/v1/chat/completions", body, bearer()).status; };
  CHECK(call() == 500);
  CHECK(call() == 200);
  REQUIRE_FALSE(mocks->reset_state());
  CHECK(call() == 500);
}

TEST_CASE("Global faults reach every vendor, and the timeline changes the config on schedule",
          "[mocks][control][faults]") {
  auto mocks = start_mocks(json{
    {"openai", {{"ttft_ms", 0}}},
    {"faults", {{{"kind", "status"}, {"status", 503}, {"match", "token"}, {"times", 1}}}},
    {"timeline",
     {{{"at_ms", 300}, {"patch", {{"openai", {{"faults", {{{"kind", "status"}, {"status", 500}}}}}}}}}}}});
  const std::string form = "grant_type=refresh_token&client_id=mock-client-id&client_secret=mock-client-secret"
                           "&refresh_token=mock-refresh-token";
  const header_list form_type{{"Content-Type", "application/x-www-form-urlencoded"}};
  CHECK(http_call(mocks->google_port(), http::verb::post, "/token", form, form_type).status == 503);
  CHECK(http_call(mocks->google_port(), http::verb::post, "/token", form, form_type).status == 200);
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  CHECK(http_call(mocks->openai_port(), http::verb::post, "/v1/chat/completions", body, bearer()).status == 200);
  REQUIRE(mocks->wait_for_log("control", "control.timeline", 1, 2000ms).size() == 1);
  CHECK(http_call(mocks->openai_port(), http::verb::post, "/v1/chat/completions", body, bearer()).status == 500);
}

TEST_CASE("Ports are separate per vendor: a vendor's path on another port is 404", "[mocks][control]") {
  auto mocks = start_mocks();
  CHECK(http_call(mocks->openai_port(), http::verb::post, "/token", "").status == 404);
  CHECK(http_call(mocks->google_port(), http::verb::post, "/v1/chat/completions", "{}", bearer()).status == 404);
  CHECK(mocks->env_lines().find("OPENAI_BASE_URL=http://127.0.0.1:" + std::to_string(mocks->openai_port()) + "/v1\n") !=
        std::string::npos);
  CHECK(mocks->env_lines().find("DEEPGRAM_BASE_URL=") != std::string::npos);
  CHECK(mocks->gcal_base() == "http://127.0.0.1:" + std::to_string(mocks->google_port()) + "/calendar/v3");
}

TEST_CASE("A bad initial config fails start with the offending key", "[mocks][control]") {
  server_options o;
  o.config = json{{"twilio", {{"outcome", "maybe"}}}};
  mock_server m(o);
  auto err = m.start();
  REQUIRE(err);
  CHECK(err->find("twilio.outcome") != std::string::npos);
}

TEST_CASE("Synthetic speech is deterministic, 65 ms per character, voiced on letters and silent between words",
          "[mocks][audio]") {
  const std::string text = "Hi, Bob";
  auto a = synthesize_speech(text);
  CHECK(a == synthesize_speech(text));
  REQUIRE(a.size() == text.size() * 520);
  auto level = [&](std::size_t from_char, std::size_t chars) {
    return ce::audio::mulaw_frame_dbfs(std::span<const std::uint8_t>(a.data() + from_char * 520, chars * 520));
  };
  CHECK(level(0, 2) > -30.0);                   // "Hi"
  CHECK(level(2, 2) == ce::audio::silence_dbfs);  // ", "
  CHECK(level(4, 3) > -30.0);                   // "Bob"
  // Every 20 ms frame of a word is loud enough for an energy VAD at -40 dBFS.
  for (std::size_t off = 4 * 520; off + 160 <= a.size(); off += 160)
    CHECK(ce::audio::mulaw_frame_dbfs(std::span<const std::uint8_t>(a.data() + off, 160)) > -40.0);
  // Rendering any range on its own gives the same bytes.
  speech_renderer r(text, 65);
  std::vector<std::uint8_t> part(1000);
  CHECK(r.render(777, part) == 1000);
  CHECK(std::equal(part.begin(), part.end(), a.begin() + 777));
  CHECK(r.duration_ms() == 7 * 65);
  const auto header = wav_mulaw_header(1000);
  CHECK(header.size() == 44);
  CHECK(header.substr(0, 4) == "RIFF");
  CHECK(header.substr(36, 4) == "data");
}
