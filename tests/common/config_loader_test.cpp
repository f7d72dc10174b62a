#include "common/config_loader.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace ce;

namespace {
const std::string config_dir = std::string(CE_SOURCE_DIR) + "/config";
}

TEST_CASE("the shipped configuration loads and matches the documented defaults", "[config]") {
  auto r = load_config(config_dir + "/engine.json", {});
  INFO(r.error);
  REQUIRE(r.config);
  const auto& c = *r.config;
  CHECK(c.server.port == 8080);
  CHECK(c.calls.max_concurrent_calls == 200);
  CHECK(c.stt.provider == "local");
  CHECK(c.dealership.name == "Bart's Automotive");
  REQUIRE(c.dealership.hours.size() == 7);
  CHECK(c.dealership.hours[5].day == "saturday");
  CHECK(c.dealership.hours[5].close == "12:00");
  CHECK(c.dealership.hours[6].open.empty());  // closed on Sunday
  CHECK(c.dealership.services.size() >= 5);
  CHECK(c.twilio.auth_token.empty());
}

TEST_CASE("environment settings override the file and secrets come only from the environment", "[config]") {
  auto r = load_config(config_dir + "/engine.json",
                       {{"TWILIO_AUTH_TOKEN", "secret"}, {"CE_PORT", "9099"}, {"CE_PUBLIC_BASE_URL", "https://x.example"}});
  REQUIRE(r.config);
  CHECK(r.config->twilio.auth_token == "secret");
  CHECK(r.config->server.port == 9099);
  CHECK(r.config->server.public_base_url == "https://x.example");

  auto in_file = parse_config(R"({"twilio": {"auth_token": "oops"}})", config_dir, {});
  CHECK_FALSE(in_file.config);
  CHECK(in_file.error.find("TWILIO_AUTH_TOKEN") != std::string::npos);
}

TEST_CASE("invalid configuration is refused with a message naming the setting", "[config]") {
  struct bad_case {
    std::string json;
    std::string mentions;
  };
  std::vector<bad_case> cases{
    {"not json", "not valid JSON"},
    {"[1]", "JSON object"},
    {R"({"server": {"port": "eighty"}})", "server.port"},
    {R"({"server": {"port": 70000}})", "server.port"},
    {R"({"calls": {"max_concurrent_calls": 0}})", "calls.max_concurrent_calls"},
    {R"({"server": {"public_base_url": "ftp://x"}})", "public_base_url"},
    {R"({"stt": {"provider": "whisper"}})", "stt.provider"},
    {R"({"stt": {"vad": {"min_speech_dbfs": 3}}})", "stt.vad.min_speech_dbfs"},
    {R"({"stt": {"vad": {"hangover_ms": -1}}})", "stt.vad"},
    {R"({"log_level": "loud"})", "log_level"},
    {R"({"runtime": {"caf_policy": "fifo"}})", "runtime.caf_policy"},
    {R"({"runtime": {"caf_moderate_polls": -1}})", "runtime.caf_moderate_polls"},
    {R"({"runtime": {"provider_threads": 0}})", "runtime.provider_threads"},
    {R"({"calls": {"quiet_batch_ms": 10}})", "calls.quiet_batch_ms"},
    {R"({"calls": {"quiet_batch_ms": 5000}})", "calls.quiet_batch_ms"},
    {R"({"calls": []})", "calls"},
    {R"({"dealership_file": "missing.json"})", "missing.json"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.json, config_dir, {});
    INFO(c.json << " -> " << r.error);
    CHECK_FALSE(r.config);
    CHECK(r.error.find(c.mentions) != std::string::npos);
  }
  auto port = parse_config("{}", config_dir, {{"CE_PORT", "abc"}});
  CHECK_FALSE(port.config);
  CHECK(port.error.find("CE_PORT") != std::string::npos);
}
