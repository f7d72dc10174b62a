// Speech provider selection (stt.provider / tts.provider: auto, local, deepgram) and the
// Deepgram settings of config/engine.json.
#include "common/config_loader.hpp"

#include <catch2/catch.hpp>

using namespace ce;

namespace {
const std::string dir = std::string(CE_SOURCE_DIR) + "/config";
}

TEST_CASE("speech providers: auto picks Deepgram only when DEEPGRAM_API_KEY is set", "[config][deepgram]") {
  auto none = load_config(dir + "/engine.json", {});
  INFO(none.error);
  REQUIRE(none.config);
  CHECK(none.config->stt.provider == "local");
  CHECK(none.config->tts.provider == "local");
  CHECK(none.config->deepgram.base_url == "https://api.deepgram.com");
  CHECK(none.config->deepgram.stt_model == "nova-2-phonecall");
  CHECK(none.config->deepgram.tts_model == "aura-asteria-en");
  CHECK(none.config->deepgram.endpointing_ms == 300);
  CHECK(none.config->deepgram.utterance_end_ms == 1000);

  auto keyed = load_config(dir + "/engine.json",
                           {{"DEEPGRAM_API_KEY", "k"}, {"DEEPGRAM_BASE_URL", "http://127.0.0.1:9"}});
  INFO(keyed.error);
  REQUIRE(keyed.config);
  CHECK(keyed.config->stt.provider == "deepgram");
  CHECK(keyed.config->tts.provider == "deepgram");
  CHECK(keyed.config->deepgram.api_key == "k");
  CHECK(keyed.config->deepgram.base_url == "http://127.0.0.1:9");

  // a role can be forced either way
  auto forced = parse_config(R"({"stt": {"provider": "local"}, "tts": {"provider": "deepgram"}})", dir,
                             {{"DEEPGRAM_API_KEY", "k"}});
  REQUIRE(forced.config);
  CHECK(forced.config->stt.provider == "local");
  CHECK(forced.config->tts.provider == "deepgram");
}

TEST_CASE("Deepgram settings are read from engine.json and bad ones are refused by name", "[config][deepgram]") {
  auto r = parse_config(R"({"deepgram": {"base_url": "http://dg.local", "max_failures_per_call": 2,
                            "stt": {"model": "nova-3", "endpointing_ms": 0, "utterance_end_ms": 0,
                                    "interim_results": false, "replay_ms": 500},
                            "tts": {"model": "aura-2-thalia-en", "websocket": false}}})",
                        dir, {});
  INFO(r.error);
  REQUIRE(r.config);
  const auto& d = r.config->deepgram;
  CHECK(d.base_url == "http://dg.local");
  CHECK(d.max_failures_per_call == 2);
  CHECK(d.stt_model == "nova-3");
  CHECK(d.endpointing_ms == 0);
  CHECK_FALSE(d.interim_results);
  CHECK(d.replay_ms == 500);
  CHECK(d.tts_model == "aura-2-thalia-en");
  CHECK_FALSE(d.tts_websocket);

  struct bad {
    std::string json;
    std::map<std::string, std::string> env;
    std::string mentions;
  };
  std::vector<bad> cases{
    {R"({"stt": {"provider": "deepgram"}})", {}, "DEEPGRAM_API_KEY"},
    {R"({"tts": {"provider": "deepgram"}})", {}, "tts.provider"},
    {R"({"stt": {"provider": "whisper"}})", {{"DEEPGRAM_API_KEY", "k"}}, "stt.provider"},
    {R"({"deepgram": {"api_key": "secret"}})", {}, "DEEPGRAM_API_KEY"},
    {R"({"deepgram": {"base_url": "ftp://x"}})", {}, "deepgram.base_url"},
    {"{}", {{"DEEPGRAM_BASE_URL", "api.deepgram.com"}}, "deepgram.base_url"},
    {R"({"deepgram": {"stt": {"utterance_end_ms": 500}}})", {}, "deepgram.stt.utterance_end_ms"},
    {R"({"deepgram": {"stt": {"model": 3}}})", {}, "deepgram.stt.model"},
    {R"({"deepgram": {"tts": {"ms_per_char": 0}}})", {}, "deepgram.tts.ms_per_char"},
    {R"({"deepgram": {"max_failures_per_call": 0}})", {}, "deepgram.max_failures_per_call"},
    {R"({"deepgram": {"stt": {"send_ms": 10}}})", {}, "deepgram.stt.send_ms"},
    {R"({"deepgram": {"stt": {"send_ms": 60, "silence_send_ms": 40}}})", {}, "deepgram.stt.silence_send_ms"},
    {R"({"deepgram": {"stt": {"silence_send_ms": 300}}})", {}, "deepgram.stt.silence_send_ms"},
  };
  for (const auto& c : cases) {
    auto res = parse_config(c.json, dir, c.env);
    INFO(c.json << " -> " << res.error);
    CHECK_FALSE(res.config);
    CHECK(res.error.find(c.mentions) != std::string::npos);
  }
}
