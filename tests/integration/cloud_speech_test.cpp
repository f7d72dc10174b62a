// Calls through the real engine binary with Deepgram speech (live STT and TTS) served by the
// mock providers (bench/mocks, a separate process speaking the real wire protocol), and the
// failover of a role to the embedded default when the provider goes away mid-call.
#include "helpers.hpp"
#include "mock_process.hpp"

#include <catch2/catch.hpp>

using namespace ce;
using namespace ce::test;

TEST_CASE("mock_process starts mock_providers and serves its control API", "[integration][mocks]") {
  mock_process mocks{{{"deepgram", {{"stt", {{"script", {"first line"}}}}}}}};
  CHECK(mocks.deepgram_base_url().rfind("http://127.0.0.1:", 0) == 0);
  CHECK(mocks.openai_base_url().find("/v1") != std::string::npos);
  auto cfg = mocks.control_get("/config");
  REQUIRE(cfg.status == 200);
  CHECK(cfg.json()["deepgram"]["stt"]["script"][0] == "first line");
  mocks.patch_config({{"deepgram", {{"stt", {{"final_delay_ms", 50}}}}}});
  CHECK(mocks.control_get("/config").json()["deepgram"]["stt"]["final_delay_ms"] == 50);
  CHECK(mocks.disconnect("stt") == 0);
  CHECK(mocks.log("control", "control.config").size() >= 1);
  CHECK(mock_http("GET", mocks.control_url() + "/nope").status == 404);
  mocks.kill();
  CHECK_FALSE(mocks.running());
  CHECK(mock_http("GET", mocks.control_url() + "/health", {}, 1000).status == 0);
}
