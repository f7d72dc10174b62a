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

TEST_CASE("the reminder settings: safe defaults, the test number and window from the environment, checked values",
          "[config]") {
  auto shipped = load_config(config_dir + "/engine.json", {});
  REQUIRE(shipped.config);
  const auto& r = shipped.config->reminders;
  CHECK(r.enabled);
  CHECK(r.test_number.empty());
  CHECK_FALSE(r.live);  // nothing is dialled unless asked for
  CHECK(r.run_at == "09:00");
  CHECK(r.window_start == "08:00");
  CHECK(r.window_end == "20:00");
  CHECK(r.calls_per_second == 1.0);
  CHECK(r.retry_gaps_minutes == std::vector<int>{30, 60, 120});
  CHECK(r.max_attempts == 3);
  CHECK(r.followup_after_days == 2);
  CHECK(r.opt_out_key == '9');

  auto env = load_config(config_dir + "/engine.json", {{"CE_REMINDER_TEST_NUMBER", "+15005550006"},
                                                       {"CE_REMINDER_WINDOW", "09:30-18:00"},
                                                       {"TWILIO_FROM_NUMBER", "+12175550100"},
                                                       {"TWILIO_API_BASE", "http://127.0.0.1:9"}});
  REQUIRE(env.config);
  CHECK(env.config->reminders.test_number == "+15005550006");
  CHECK(env.config->reminders.window_start == "09:30");
  CHECK(env.config->reminders.window_end == "18:00");
  CHECK(env.config->twilio.from_number == "+12175550100");
  CHECK(env.config->twilio.api_base == "http://127.0.0.1:9");

  struct bad {
    const char* json;
    const char* names;
  };
  for (auto c : {bad{R"({"reminders": {"window_start": "20:00", "window_end": "08:00"}})", "window_start"},
                 bad{R"({"reminders": {"run_at": "9am"}})", "reminders.run_at"},
                 bad{R"({"reminders": {"calls_per_second": 0}})", "reminders.calls_per_second"},
                 bad{R"({"reminders": {"retry_gaps_minutes": []}})", "reminders.retry_gaps_minutes"},
                 bad{R"({"reminders": {"test_number": "5550006"}})", "reminders.test_number"},
                 bad{R"({"reminders": {"opt_out_key": "x"}})", "reminders.opt_out_key"},
                 bad{R"({"twilio": {"ring_timeout_s": 1}})", "twilio.ring_timeout_s"}}) {
    auto p = parse_config(c.json, config_dir, {});
    INFO(c.json);
    CHECK_FALSE(p.config);
    CHECK(p.error.find(c.names) != std::string::npos);
  }
  CHECK_FALSE(parse_config("{}", config_dir, {{"CE_REMINDER_WINDOW", "all day"}}).config);
}
