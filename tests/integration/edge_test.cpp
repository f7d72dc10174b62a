// The Twilio edge of the real engine binary under bad input and load: forged webhooks,
// malformed Media Streams frames, bad stream tokens, the admission cap, killed child
// actors, metrics format and graceful drain.
#include "helpers.hpp"

#include "twilio/signature.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <fstream>
#include <thread>

using namespace ce;
using namespace ce::test;

namespace {

const std::string token = "integration_test_token";

twilio::form_params voice_form(const std::string& sid) {
  return {{"AccountSid", "AC00000000000000000000000000000001"}, {"ApiVersion", "2010-04-01"},
          {"CallSid", sid}, {"CallStatus", "ringing"}, {"Direction", "inbound"},
          {"From", "+15550001111"}, {"To", "+15550002222"}};
}

} // namespace

TEST_CASE("with an auth token configured, forged and unsigned webhooks get 403 and signed ones TwiML",
          "[integration]") {
  engine_process engine{nlohmann::json::object(), {{"TWILIO_AUTH_TOKEN", token}}};
  auto url = engine.url() + "/twilio/voice";
  auto form = voice_form("CA00000000000000000000000000000002");

  auto unsigned_reply = sim::http_post_form(url, form);
  CHECK(unsigned_reply.status == 403);
  auto forged = sim::http_post_form(url, form, twilio::compute_signature("wrong_token", url, form));
  CHECK(forged.status == 403);
  auto tampered_form = form;
  tampered_form.back().second = "+15559999999";  // signed for another number
  auto tampered = sim::http_post_form(url, tampered_form, twilio::compute_signature(token, url, form));
  CHECK(tampered.status == 403);
  CHECK(engine.metric("ce_webhooks_total{outcome=\"forged\"}") == 3);

  auto good = sim::http_post_form(url, form, twilio::compute_signature(token, url, form));
  CHECK(good.status == 200);
  CHECK(good.content_type.find("text/xml") == 0);
  CHECK(contains(good.body, "<Connect"));
  CHECK(contains(good.body, "<Stream url=\"ws://127.0.0.1:"));
  CHECK(contains(good.body, "name=\"token\""));

  // and a whole signed call works end to end
  auto opt = caller_for(engine, {{"how much is an oil change"}});
  opt.auth_token = token;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  CHECK(r.ok);
  CHECK(r.turns.size() == 1);
  CHECK(r.turns[0].answer_latency_ms > 0);
}

TEST_CASE("without an auth token the engine runs in a logged development mode", "[integration]") {
  engine_process engine;
  auto r = sim::http_post_form(engine.url() + "/twilio/voice", voice_form("CA00000000000000000000000000000003"));
  CHECK(r.status == 200);
  CHECK(contains(engine.log(), "DEVELOPMENT MODE"));
}

TEST_CASE("malformed Media Streams frames are counted and logged, and the call goes on", "[integration]") {
  engine_process engine;
  auto opt = caller_for(engine, {{"how much is an oil change"}});
  opt.faults.malformed_frames = 18;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  REQUIRE(r.turns.size() == 1);
  CHECK(r.turns[0].answer_latency_ms > 0);
  CHECK(engine.metric("ce_media_frames_malformed_total") >= 18);
  CHECK(contains(engine.log(), "call_sid=" + r.call_sid + " malformed media frame"));
  CHECK(engine.running());
  auto rec = call_record(engine, r.call_sid);
  CHECK(contains(turns_of(rec, "agent").at(1).value("text", ""), "forty-nine ninety-five"));
}

TEST_CASE("a stream without a valid token is refused and nothing else is disturbed", "[integration]") {
  engine_process engine;
  auto missing = caller_for(engine, {{"hello"}});
  missing.faults.skip_token = true;
  auto r1 = sim::run_call(missing);
  CHECK(r1.close_code == 1008);  // policy violation: the engine closed the stream at once
  CHECK(r1.agent_audio_ms == 0);
  auto forged = caller_for(engine, {{"hello"}});
  forged.faults.forge_token = true;
  auto r2 = sim::run_call(forged);
  CHECK(r2.close_code == 1008);
  CHECK(engine.metric("ce_media_streams_total{outcome=\"rejected\"}") == 2);
  auto ok = sim::run_call(caller_for(engine, {{"how much is an oil change"}}));
  CHECK(ok.ok);
}

TEST_CASE("past the admission cap a call gets a polite refusal while admitted calls go on", "[integration]") {
  engine_process engine{{{"calls", {{"max_concurrent_calls", 2}}}}};
  boost::asio::io_context ioc;
  std::vector<sim::call_result> results(2);
  std::vector<std::unique_ptr<sim::call>> calls;
  for (int i = 0; i < 2; ++i) {
    auto opt = caller_for(engine, {{"how much is an oil change", 2500}});
    calls.push_back(std::make_unique<sim::call>(ioc, opt, [&results, i](const sim::call_result& r) { results[i] = r; }));
    calls.back()->start();
  }
  std::thread io([&] { ioc.run(); });
  // both admitted calls are live now (the greeting is playing)
  for (int i = 0; i < 100 && engine.metric("ce_calls_active") < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(engine.metric("ce_calls_active") == 2);
  auto third = sim::run_call(caller_for(engine, {{"hello"}}));
  io.join();
  INFO(engine.log());
  CHECK(third.ok);
  CHECK(contains(third.twiml, "<Say"));
  CHECK(contains(third.twiml, "busy"));
  CHECK(contains(third.twiml, "<Hangup/>"));
  CHECK_FALSE(contains(third.twiml, "<Stream"));
  CHECK(engine.metric("ce_calls_refused_total{reason=\"refused_capacity\"}") == 1);
  for (const auto& r : results) {
    CHECK(r.ok);
    REQUIRE(r.turns.size() == 1);
    CHECK(r.turns[0].answer_latency_ms > 0);
  }
}

TEST_CASE("a child actor killed mid-call is restarted and the call goes on, a second failure ends it politely",
          "[integration]") {
  engine_process engine{{{"calls", {{"allow_fault_injection", true}}}}};
  boost::asio::io_context ioc;
  sim::call_result result;
  auto opt = caller_for(engine, {{"what services do you offer", 3000}, {"how much is an oil change", 1500}});
  sim::call c{ioc, opt, [&](const sim::call_result& r) { result = r; }};
  c.start();
  std::thread io([&] { ioc.run(); });
  for (int i = 0; i < 100 && engine.metric("ce_calls_active") < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string sid;
  for (int i = 0; i < 100 && sid.empty(); ++i) {
    auto list = nlohmann::json::parse(sim::http_get(engine.url() + "/calls").body, nullptr, false);
    if (list.is_array() && !list.empty()) sid = list[0].value("call_sid", "");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(!sid.empty());
  for (const char* role : {"stt", "llm", "tts", "tools"}) {
    auto k = sim::http_post_form(engine.url() + "/admin/calls/" + sid + "/kill/" + role, {});
    CHECK(k.status == 200);
  }
  io.join();
  INFO(engine.log());
  REQUIRE(result.ok);
  REQUIRE(result.turns.size() == 2);
  CHECK(result.turns[1].answer_latency_ms > 0);
  auto rec = call_record(engine, sid);
  CHECK(rec.value("child_restarts", 0) == 4);
  auto agent = turns_of(rec, "agent");
  REQUIRE_FALSE(agent.empty());
  CHECK(contains(agent.back().value("text", ""), "forty-nine ninety-five"));
  CHECK(engine.metric("ce_child_restarts_total") == 4);

  // a second failure of the same role ends the call with an explicit reason
  boost::asio::io_context ioc2;
  sim::call_result second;
  auto opt2 = caller_for(engine, {{"how much is an oil change", 20000}});
  opt2.hangup_after_ms = -1;
  sim::call c2{ioc2, opt2, [&](const sim::call_result& r) { second = r; }};
  c2.start();
  std::thread io2([&] { ioc2.run(); });
  std::string sid2;
  for (int i = 0; i < 100 && sid2.empty(); ++i) {
    auto list = nlohmann::json::parse(sim::http_get(engine.url() + "/calls").body, nullptr, false);
    for (const auto& entry : list)
      if (entry.value("state", "") == "live") sid2 = entry.value("call_sid", "");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(!sid2.empty());
  CHECK(sim::http_post_form(engine.url() + "/admin/calls/" + sid2 + "/kill/llm", {}).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(sim::http_post_form(engine.url() + "/admin/calls/" + sid2 + "/kill/llm", {}).status == 200);
  io2.join();
  CHECK(second.engine_closed);
  CHECK(contains(second.after_stream_twiml, "technical trouble"));
  CHECK(call_record(engine, sid2).value("end_reason", "") == "child_failure");
  CHECK(engine.running());
}

TEST_CASE("fault injection is refused unless enabled in config", "[integration]") {
  engine_process engine;
  auto k = sim::http_post_form(engine.url() + "/admin/calls/CA1/kill/stt", {});
  CHECK(k.status == 403);
}

TEST_CASE("GET /metrics is valid Prometheus text (promtool check metrics)", "[integration]") {
  engine_process engine;
  auto r = sim::run_call(caller_for(engine, {{"how much is an oil change"}}));
  REQUIRE(r.ok);
  auto m = sim::http_get(engine.url() + "/metrics");
  REQUIRE(m.status == 200);
  CHECK(m.content_type.find("text/plain; version=0.0.4") == 0);
  for (const char* series : {"ce_actor_messages_total{role=\"stt\"}", "ce_actor_mailbox_depth_bucket{role=\"llm\",le=\"0\"}",
                             "ce_calls_admitted_total", "ce_turn_latency_seconds_bucket", "ce_barge_in_reaction_seconds_count",
                             "ce_calls_ended_total{reason=\"agent_hangup\"}", "ce_actor_handler_seconds_sum{role=\"call_session\"}"})
    CHECK(contains(m.body, series));
  auto path = std::string("/tmp/ce-metrics-") + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << m.body;
  auto rc = std::system(("promtool check metrics < " + path + " > " + path + ".out 2>&1").c_str());
  std::ifstream out(path + ".out");
  std::string report((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  INFO(report);
  CHECK(rc == 0);
}

TEST_CASE("SIGTERM drains: readiness drops, new calls are refused, the live call finishes", "[integration]") {
  engine_process engine{{{"calls", {{"drain_deadline_s", 30}}}}};
  boost::asio::io_context ioc;
  sim::call_result live;
  sim::call c{ioc, caller_for(engine, {{"how much is an oil change", 1500}}), [&](const sim::call_result& r) { live = r; }};
  c.start();
  std::thread io([&] { ioc.run(); });
  for (int i = 0; i < 100 && engine.metric("ce_calls_active") < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::thread stopper([&] { engine.terminate(60000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(sim::http_get(engine.url() + "/readyz").status == 503);
  auto refused = sim::http_post_form(engine.url() + "/twilio/voice", voice_form("CA00000000000000000000000000000009"));
  CHECK(contains(refused.body, "<Hangup/>"));
  CHECK_FALSE(contains(refused.body, "<Stream"));
  io.join();
  stopper.join();
  CHECK(live.ok);
  REQUIRE(live.turns.size() == 1);
  CHECK(live.turns[0].answer_latency_ms > 0);
  CHECK_FALSE(engine.running());
}
