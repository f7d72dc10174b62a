// A whole phone call through the real engine binary, driven by the simulated caller over
// real HTTP and WebSocket connections, on the embedded (offline) providers.
#include "helpers.hpp"

#include <catch2/catch.hpp>

using namespace ce;
using namespace ce::test;

TEST_CASE("a caller's question about a service price is answered and the agent ends the call", "[integration]") {
  engine_process engine;
  auto opt = caller_for(engine, {{"how much is an oil change"}, {"no thank you goodbye"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  CHECK(r.protocol_violations.empty());
  CHECK(r.greeting_latency_ms >= 0);
  auto rec = call_record(engine, r.call_sid);
  REQUIRE(rec.value("state", "") == "ended");
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[0].value("text", ""), "Thanks for calling Bart's Automotive"));
  // the answer to the question names the price from config/dealership.json
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(agent[1].value("latency_ms", -1) > 0);
  REQUIRE(r.turns.size() == 2);
  CHECK(r.turns[0].answer_latency_ms > 0);
  // the caller said goodbye: the agent ended the call and Twilio is told to hang up
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(r.engine_closed);
  CHECK(contains(r.after_stream_twiml, "<Hangup/>"));
  CHECK(engine.metric("ce_calls_ended_total{reason=\"agent_hangup\"}") == 1);
  CHECK(engine.metric("ce_turn_latency_seconds_count") >= 2);
}

TEST_CASE("a caller who talks over the agent stops it: clear is sent and the turn keeps only what was heard",
          "[integration]") {
  engine_process engine;
  // The greeting is three sentences; the caller starts talking 1.5 s into it.
  auto opt = caller_for(engine, {{"how much is an oil change", 0, true, 1500}});
  opt.hangup_after_ms = 1000;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  REQUIRE(r.clears >= 1);
  REQUIRE(r.turns.size() == 1);
  CHECK(r.turns[0].clear_after_onset_ms > 0);
  CHECK(r.marks_cancelled >= 1);  // marks still queued at the clear come back as cancelled
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(agent[0].value("interrupted", false));
  auto text = agent[0].value("text", "");
  auto heard = agent[0].value("heard", "");
  CHECK(heard.size() < text.size());
  CHECK(text.rfind(heard, 0) == 0);  // what was heard is a prefix of what was said
  CHECK(rec.value("barge_ins", 0) == 1);
  // the caller's question is still answered after the interruption
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(engine.metric("ce_barge_in_reaction_seconds_count") == 1);
}

TEST_CASE("asking for a person transfers the call: Twilio gets <Dial> to the service desk", "[integration]") {
  engine_process engine{{{"twilio", {{"transfer_number", "+15555550199"}}}}};
  auto r = sim::run_call(caller_for(engine, {{"i want to talk to a person"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  CHECK(r.engine_closed);
  CHECK(contains(r.after_stream_twiml, "<Dial"));
  CHECK(contains(r.after_stream_twiml, "+15555550199"));
  auto rec = call_record(engine, r.call_sid);
  CHECK(rec.value("end_reason", "") == "transfer");
}

TEST_CASE("a silent caller is reprompted and then let go politely", "[integration]") {
  engine_process engine{{{"calls", {{"silence_reprompt_ms", 1500}, {"max_reprompts", 1}}}}};
  auto opt = caller_for(engine, {});
  opt.hangup_after_ms = -1;
  opt.max_call_ms = 60000;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  CHECK(r.engine_closed);
  auto rec = call_record(engine, r.call_sid);
  CHECK(rec.value("end_reason", "") == "silence_timeout");
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() == 3);  // greeting, one reprompt, goodbye
  CHECK(contains(agent[1].value("text", ""), "Are you still there?"));
  CHECK(contains(agent[2].value("text", ""), "Goodbye"));
  CHECK(engine.metric("ce_silence_reprompts_total") == 1);
}

TEST_CASE("pressing 0 on the keypad transfers the call", "[integration]") {
  engine_process engine;
  auto r = sim::run_call(caller_for(engine, {{"dtmf:0"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  CHECK(r.engine_closed);
  CHECK(contains(r.after_stream_twiml, "<Dial"));
  CHECK(call_record(engine, r.call_sid).value("end_reason", "") == "transfer");
}

TEST_CASE("a call that reaches the maximum duration is wrapped up politely", "[integration]") {
  engine_process engine{{{"calls", {{"max_call_seconds", 6}}}}};
  auto opt = caller_for(engine, {});
  opt.hangup_after_ms = -1;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  CHECK(r.engine_closed);
  auto rec = call_record(engine, r.call_sid);
  CHECK(rec.value("end_reason", "") == "max_duration");
  CHECK(rec.value("duration_ms", 0) >= 6000);
  CHECK(contains(turns_of(rec, "agent").back().value("text", ""), "Goodbye"));
}
