// Calls through the real engine binary with Deepgram speech (live STT and TTS) served by the
// mock providers (bench/mocks, a separate process speaking the real wire protocol), and the
// failover of a role to the embedded default when the provider goes away mid-call.
#include "helpers.hpp"
#include "mock_process.hpp"

#include <catch2/catch.hpp>

#include <ctime>
#include <thread>

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

namespace {

/// Mock Deepgram whose STT answers `script` (one line per detected utterance, whatever was
/// said) and whose TTS speaks fast enough for short tests.
nlohmann::json deepgram_scenario(std::vector<std::string> script, double tts_speed = 3.0) {
  return {{"deepgram",
           {{"stt", {{"script", script}, {"fallback_text", "hmm"}}},
            {"tts", {{"ms_per_char", 25}, {"speed", tts_speed}, {"ttfb_ms", 50}}}}}};
}

std::map<std::string, std::string> deepgram_env(const mock_process& mocks) {
  return {{"DEEPGRAM_API_KEY", "test-key"}, {"DEEPGRAM_BASE_URL", mocks.deepgram_base_url()}};
}

std::size_t count_where(const std::vector<nlohmann::json>& entries, const std::string& key, const nlohmann::json& value) {
  std::size_t n = 0;
  for (const auto& e : entries)
    if (e.contains(key) && e[key] == value) ++n;
  return n;
}

std::string joined_speak_text(const mock_process& mocks) {
  std::string all;
  for (const auto& e : mocks.log("tts", "tts.speak")) all += e.value("text", "") + "\n";
  return all;
}

const std::string stt_failovers = "ce_provider_failovers_total{role=\"stt\",provider=\"deepgram\"}";
const std::string tts_failovers = "ce_provider_failovers_total{role=\"tts\",provider=\"deepgram\"}";

} // namespace

TEST_CASE("a call on Deepgram speech: the mock's transcript is answered and the answer is spoken by Deepgram TTS",
          "[integration][deepgram]") {
  // The caller says something else than the mock's script: the answer can only come from
  // the Deepgram transcript, not from the embedded recogniser.
  mock_process mocks{deepgram_scenario({"how much is an oil change", "no thank you goodbye"})};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto opt = caller_for(engine, {{"hello there"}, {"okay then"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  CHECK(r.protocol_violations.empty());
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  auto caller = turns_of(rec, "caller");
  REQUIRE(agent.size() >= 2);
  REQUIRE(caller.size() >= 1);
  CHECK(caller[0].value("text", "") == "how much is an oil change");
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(agent[1].value("latency_ms", -1) > 0);
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  REQUIRE(r.turns.size() == 2);
  CHECK(r.turns[0].answer_latency_ms > 0);
  CHECK(r.agent_audio_ms > 1000);
  // the live STT connection: the configured query, the caller's audio, CloseStream at the end
  auto opens = mocks.log("stt", "stt.open");
  REQUIRE(opens.size() == 1);
  auto query = opens[0]["query"];
  CHECK(query.value("model", "") == "nova-2-phonecall");
  CHECK(query.value("encoding", "") == "mulaw");
  CHECK(query.value("sample_rate", "") == "8000");
  CHECK(query.value("interim_results", "") == "true");
  CHECK(query.value("vad_events", "") == "true");
  CHECK(query.value("utterance_end_ms", "") == "1000");
  CHECK(mocks.log("stt", "stt.utterance").size() == 2);
  CHECK(count_where(mocks.wait_for_log("stt", "stt.control", 1, 5000), "type", "CloseStream") == 1);
  CHECK(count_where(mocks.wait_for_log("tts", "tts.control", 1, 5000), "type", "Close") == 1);
  // caller audio went in 100 ms messages while the caller talked, frame by frame only around
  // the endpoint, and in 250 ms ones while the line was quiet: far fewer messages than
  // Twilio frames
  auto closes = mocks.wait_for_log("stt", "stt.close", 1, 5000);
  REQUIRE(closes.size() == 1);
  auto audio_ms = closes[0].value("audio_ms", 0);
  auto messages = closes[0].value("audio_messages", 0);
  INFO("audio " << audio_ms << " ms in " << messages << " messages");
  CHECK(audio_ms > 5000);
  CHECK(messages < audio_ms / 20 / 4);
  CHECK(messages > audio_ms / 250);  // the talking parts went in smaller messages
  // every agent sentence went to Deepgram TTS (greeting, the price, the goodbye)
  auto spoken = joined_speak_text(mocks);
  CHECK(contains(spoken, "Thanks for calling Bart's Automotive"));
  CHECK(contains(spoken, "forty-nine ninety-five"));
  auto tts_open = mocks.log("tts", "tts.open");
  REQUIRE(tts_open.size() == 1);
  CHECK(tts_open[0]["query"].value("encoding", "") == "mulaw");
  CHECK(tts_open[0]["query"].value("sample_rate", "") == "8000");
  CHECK(tts_open[0]["query"].value("model", "") == "aura-asteria-en");
  CHECK(mocks.log("tts", "tts.flush").size() >= 3);
  CHECK(engine.metric(stt_failovers) == 0);
  CHECK(engine.metric(tts_failovers) == 0);
  // a clean shutdown with the Deepgram clients in use
  CHECK(engine.terminate() == 0);
}

TEST_CASE("a barge-in on Deepgram speech: Clear goes to Deepgram TTS, clear to Twilio, and the question is answered",
          "[integration][deepgram]") {
  // TTS at real-time pace: the greeting is still streaming when the caller talks over it.
  mock_process mocks{deepgram_scenario({"how much is an oil change"}, 1.0)};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change", 0, true, 1500}});
  opt.hangup_after_ms = 1000;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  REQUIRE(r.clears >= 1);
  REQUIRE(r.turns.size() == 1);
  CHECK(r.turns[0].clear_after_onset_ms > 0);
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(agent[0].value("interrupted", false));
  auto text = agent[0].value("text", "");
  auto heard = agent[0].value("heard", "");
  CHECK(heard.size() < text.size());
  CHECK(text.rfind(heard, 0) == 0);
  CHECK(rec.value("barge_ins", 0) == 1);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  // the old generation's audio was cleared at Deepgram too
  auto controls = mocks.log("tts", "tts.control");
  CHECK(count_where(controls, "type", "Clear") >= 1);
  CHECK(engine.metric("ce_barge_in_reaction_seconds_count") == 1);
}

TEST_CASE("Deepgram STT goes away mid-sentence: the embedded recogniser takes over and the caller is still answered",
          "[integration][deepgram][failover]") {
  // The mock script's second line differs from what the caller says: after the failover the
  // answer must come from the embedded recogniser.
  mock_process mocks{deepgram_scenario({"how much is an oil change", "what time do you open"})};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change"}, {"no thank you goodbye"}});
  opt.call_sid = "CAfailoverstt0000000000000000001";
  sim::call_result r;
  std::thread call([&] { r = sim::run_call(opt); });
  // when the mock hears the caller start the second line: its STT refuses new connections
  // (503) and drops the live one
  auto started = mocks.wait_for_log("stt", "stt.utterance", 2, 60000);
  bool dropped = false;
  if (started.size() >= 2) {
    mocks.patch_config({{"deepgram", {{"stt", {{"faults", {{{"kind", "status"}, {"match", "stt.connect"}, {"status", 503}}}}}}}}});
    dropped = mocks.disconnect("stt") == 1;
  }
  call.join();
  INFO(engine.log());
  REQUIRE(started.size() >= 2);
  REQUIRE(dropped);
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto caller = turns_of(rec, "caller");
  REQUIRE(caller.size() == 2);
  CHECK(caller[0].value("text", "") == "how much is an oil change");
  CHECK(contains(caller[1].value("text", ""), "goodbye"));  // recognised locally
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(r.engine_closed);
  CHECK(engine.metric(stt_failovers) == 1);
  CHECK(engine.metric(tts_failovers) == 0);
  CHECK(engine.metric("ce_provider_errors_total{role=\"stt\",provider=\"deepgram\",kind=\"connection_lost\"}") == 1);
  CHECK(engine.metric("ce_provider_errors_total{role=\"stt\",provider=\"deepgram\",kind=\"server_error\"}") == 2);
  CHECK(contains(engine.log(), "call_sid=" + opt.call_sid + " role=stt provider=deepgram failed"));
  CHECK(contains(engine.log(), "embedded recogniser takes over"));
  CHECK(contains(engine.log(), "the sentence in flight"));  // the caller's words before the failover are kept
  // the mock saw the reconnect attempts refused
  CHECK(mocks.log("stt", "stt.fault").size() >= 2);
}

TEST_CASE("Deepgram TTS WebSocket refused: the REST endpoint speaks the call and nothing fails over",
          "[integration][deepgram][failover]") {
  auto scenario = deepgram_scenario({"how much is an oil change", "no thank you goodbye"});
  scenario["deepgram"]["tts"]["faults"] = {{{"kind", "status"}, {"match", "tts.ws.connect"}, {"status", 503}}};
  mock_process mocks{scenario};
  // (and caller audio goes to the STT in 100 ms messages)
  engine_process engine{{{"deepgram", {{"stt", {{"send_ms", 100}}}}}}, deepgram_env(mocks)};
  auto r = sim::run_call(caller_for(engine, {{"hello there"}, {"okay then"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(r.agent_audio_ms > 1000);
  // every sentence went over REST (raw mu-law, no container)
  auto rest = mocks.log("tts", "tts.rest");
  REQUIRE(rest.size() >= 3);
  std::string texts;
  for (const auto& e : rest) {
    texts += e.value("body", "");
    CHECK(e.value("status", 0) == 200);
    CHECK(e.value("container", "") == "none");
  }
  CHECK(contains(texts, "forty-nine ninety-five"));
  CHECK(mocks.log("tts", "tts.flush").empty());
  CHECK(engine.metric(tts_failovers) == 0);
  CHECK(engine.metric("ce_provider_errors_total{role=\"tts\",provider=\"deepgram\",kind=\"server_error\"}") >= 1);
  auto stats = mocks.control_get("/stats").json();
  INFO(stats.dump());
  auto frames = stats["stt"].value("messages_in", 0);
  auto bytes = stats["stt"].value("bytes_in", 0);
  REQUIRE(frames > 0);
  CHECK(bytes / frames >= 700);  // ~800-byte audio messages, not 160-byte frames
}

TEST_CASE("Deepgram TTS refusing the key (401, permanent): the embedded synthesiser speaks the whole call",
          "[integration][deepgram][failover]") {
  auto scenario = deepgram_scenario({"how much is an oil change", "no thank you goodbye"});
  scenario["deepgram"]["tts"]["faults"] = {{{"kind", "status"}, {"match", "tts.ws.connect"}, {"status", 401}}};
  mock_process mocks{scenario};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto r = sim::run_call(caller_for(engine, {{"hello there"}, {"okay then"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));  // the STT is still Deepgram
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(r.agent_audio_ms > 1000);
  CHECK(r.greeting_latency_ms >= 0);
  CHECK(engine.metric(tts_failovers) == 1);
  CHECK(engine.metric(stt_failovers) == 0);
  CHECK(engine.metric("ce_provider_errors_total{role=\"tts\",provider=\"deepgram\",kind=\"unauthenticated\"}") == 1);
  CHECK(contains(engine.log(), "role=tts provider=deepgram failed"));
  CHECK(contains(engine.log(), "embedded synthesiser takes over"));
  CHECK(mocks.log("tts", "tts.rest").empty());  // a bad key is not tried again over REST
}

TEST_CASE("the mock providers process is killed mid-call: speech falls back to the embedded defaults and the call "
          "goes on",
          "[integration][deepgram][failover]") {
  mock_process mocks{deepgram_scenario({"how much is an oil change", "what time do you open"})};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change"}, {"no thank you goodbye"}});
  sim::call_result r;
  std::thread call([&] { r = sim::run_call(opt); });
  // once the first line was transcribed, Deepgram vanishes (connections reset, port closed)
  bool transcribed = false;
  for (int i = 0; i < 1200 && !transcribed; ++i) {
    for (const auto& e : mocks.log("stt", "stt.sent"))
      if (e.value("speech_final", false)) transcribed = true;
    if (!transcribed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  mocks.kill();
  call.join();
  INFO(engine.log());
  REQUIRE(transcribed);
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto caller = turns_of(rec, "caller");
  auto agent = turns_of(rec, "agent");
  REQUIRE(caller.size() == 2);
  REQUIRE(agent.size() >= 3);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(contains(caller[1].value("text", ""), "goodbye"));  // recognised by the embedded recogniser
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(r.turns.size() == 2);
  CHECK(r.turns[1].answer_latency_ms > 0);  // the goodbye was spoken (by espeak-ng)
  CHECK(engine.metric(stt_failovers) == 1);
  CHECK(engine.metric(tts_failovers) == 1);
  CHECK(contains(engine.log(), "embedded recogniser takes over"));
  CHECK(contains(engine.log(), "embedded synthesiser takes over"));
}

TEST_CASE("Deepgram STT dropped mid-sentence once: the engine reconnects, replays the last second, and the sentence is "
          "answered without a failover",
          "[integration][deepgram]") {
  auto scenario = deepgram_scenario({"how much is an oil change", "no thank you goodbye"});
  // the first utterance's connection is dropped 400 ms into the speech, once
  scenario["deepgram"]["stt"]["faults"] = {{{"kind", "drop"}, {"at", "speech"}, {"after", 400}, {"times", 1}}};
  mock_process mocks{scenario};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto r = sim::run_call(caller_for(engine, {{"hello there"}, {"okay then"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto caller = turns_of(rec, "caller");
  auto agent = turns_of(rec, "agent");
  REQUIRE(caller.size() == 2);
  CHECK(caller[0].value("text", "") == "how much is an oil change");  // heard again on the new connection
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(mocks.log("stt", "stt.fault").size() == 1);
  CHECK(mocks.log("stt", "stt.open").size() == 2);
  CHECK(contains(engine.log(), "reconnected; 1000 ms of audio replayed"));
  CHECK(engine.metric("ce_provider_errors_total{role=\"stt\",provider=\"deepgram\",kind=\"connection_lost\"}") == 1);
  CHECK(engine.metric(stt_failovers) == 0);
}

TEST_CASE("barge-in from Deepgram alone (the local detector hears nothing): SpeechStarted / interim words stop the agent",
          "[integration][deepgram]") {
  mock_process mocks{deepgram_scenario({"how much is an oil change"}, 1.0)};
  // a local VAD that never hears speech: only Deepgram can tell that the caller talks
  engine_process engine{{{"stt", {{"vad", {{"min_speech_dbfs", -1.0}}}}}}, deepgram_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change", 0, true, 1500}});
  opt.hangup_after_ms = 1000;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  REQUIRE(r.ok);
  REQUIRE(r.clears >= 1);
  REQUIRE(r.turns.size() == 1);
  CHECK(r.turns[0].clear_after_onset_ms > 0);
  auto rec = call_record(engine, r.call_sid);
  CHECK(rec.value("barge_ins", 0) == 1);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(agent[0].value("interrupted", false));
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(count_where(mocks.log("tts", "tts.control"), "type", "Clear") >= 1);
  CHECK(contains(engine.log(), "speech started (deepgram"));
  CHECK_FALSE(contains(engine.log(), "speech started (local VAD)"));
}

namespace {

/// A weekday at least two days ahead, "YYYY-MM-DD" (the shop is open then).
std::string weekday_ahead() {
  auto t = std::time(nullptr) + 2 * 86400;
  for (;;) {
    std::tm tm{};
    localtime_r(&t, &tm);
    if (tm.tm_wday >= 1 && tm.tm_wday <= 5) {
      char buf[16];
      std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
      return buf;
    }
    t += 86400;
  }
}

} // namespace

TEST_CASE("a whole call on the cloud providers (Deepgram STT and TTS, OpenAI) with a barge-in and a tool call",
          "[integration][deepgram][openai]") {
  const std::string slot_answer = "I have an opening at eight in the morning. Would that work?";
  const std::string hours_answer = "On Saturday we are open from eight until noon.";
  auto scenario = deepgram_scenario({"do you have an opening for an oil change", "what are your hours on saturday"}, 1.0);
  scenario["openai"] = {
    {"api_key", "test"}, {"ttft_ms", 80}, {"tokens_per_second", 150}, {"keepalive_ms", 0},
    {"default_text", "Sorry, could you say that again?"},
    {"rules",
     {{{"when", {{"last_role", "system"}}},
       {"say", "Thanks for calling Bart's Automotive, this is the service desk. How can I help you today?"}},
      {{"when", {{"last_role", "user"}, {"contains", {"opening", "oil"}}}},
       {"tool_calls",
        {{{"name", "get_available_slots"},
          {"arguments", {{"service_type", "oil_change"}, {"date_from", weekday_ahead()}, {"max", 3}}}}}}},
      {{"when", {{"last_role", "tool"}, {"tool_result_for", "get_available_slots"}}}, {"say", slot_answer}},
      {{"when", {{"last_role", "user"}, {"contains", {"saturday", "hours"}}}}, {"say", hours_answer}}}}};
  mock_process mocks{scenario};
  auto env = deepgram_env(mocks);
  env["OPENAI_API_KEY"] = "test";
  env["OPENAI_BASE_URL"] = mocks.openai_base_url();
  engine_process engine{nlohmann::json::object(), env};
  // the caller talks over the greeting, then asks a second question
  auto opt = caller_for(engine, {{"do you have an opening for an oil change", 0, true, 1200},
                                 {"what are your hours on saturday"}});
  opt.hangup_after_ms = 1500;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  CHECK(r.protocol_violations.empty());
  CHECK(r.clears >= 1);
  auto rec = call_record(engine, r.call_sid);
  CHECK(rec.value("barge_ins", 0) == 1);
  auto agent = turns_of(rec, "agent");
  auto caller = turns_of(rec, "caller");
  REQUIRE(agent.size() >= 3);
  REQUIRE(caller.size() == 2);
  CHECK(agent[0].value("interrupted", false));
  CHECK(caller[0].value("text", "") == "do you have an opening for an oil change");
  CHECK(agent[1].value("text", "") == slot_answer);
  CHECK(agent[2].value("text", "") == hours_answer);
  // the tool ran on the engine's database and its result went back to the model
  CHECK(contains(engine.log(), "get_available_slots -> ok"));
  CHECK(mocks.log("openai", "openai.request").size() >= 4);
  // speech went through Deepgram both ways; the greeting was cleared there too
  CHECK(mocks.log("stt", "stt.utterance").size() == 2);
  CHECK(count_where(mocks.log("tts", "tts.control"), "type", "Clear") >= 1);
  auto spoken = joined_speak_text(mocks);
  CHECK(contains(spoken, "I have an opening at eight in the morning."));  // one Speak per sentence
  CHECK(contains(spoken, "Would that work?"));
  CHECK(contains(spoken, hours_answer));
  CHECK(engine.metric(stt_failovers) == 0);
  CHECK(engine.metric(tts_failovers) == 0);
  CHECK(engine.metric("ce_provider_failovers_total{role=\"llm\",provider=\"openai\"}") == 0);
}

TEST_CASE("Deepgram TTS over REST only: a response dropped mid-audio is spoken again from about where it broke",
          "[integration][deepgram][failover]") {
  auto scenario = deepgram_scenario({"how much is an oil change", "no thank you goodbye"});
  scenario["deepgram"]["tts"]["faults"] = {{{"kind", "drop"}, {"match", "tts.rest"}, {"after", 600}, {"times", 1}}};
  mock_process mocks{scenario};
  engine_process engine{{{"deepgram", {{"tts", {{"websocket", false}}}}}}, deepgram_env(mocks)};
  auto r = sim::run_call(caller_for(engine, {{"hello there"}, {"okay then"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(mocks.log("tts", "tts.open").empty());  // no WebSocket at all
  auto rest = mocks.log("tts", "tts.rest");
  REQUIRE(rest.size() >= 4);
  // the broken sentence was asked for again, without the words already played
  auto first = rest[0].value("body", "");
  auto second = rest[1].value("body", "");
  INFO(first << " / " << second);
  CHECK(second.size() < first.size());
  CHECK(contains(engine.log(), "REST failed"));
  CHECK(contains(engine.log(), "speaking the pending text again (1/3)"));
  CHECK(engine.metric(tts_failovers) == 0);
}

TEST_CASE("Deepgram STT refusing the key (401, permanent): the embedded recogniser hears the whole call, no retries",
          "[integration][deepgram][failover]") {
  auto scenario = deepgram_scenario({"what time do you open", "what time do you open"});
  scenario["deepgram"]["stt"]["faults"] = {{{"kind", "status"}, {"match", "stt.connect"}, {"status", 401}}};
  mock_process mocks{scenario};
  engine_process engine{nlohmann::json::object(), deepgram_env(mocks)};
  auto r = sim::run_call(caller_for(engine, {{"how much is an oil change"}, {"no thank you goodbye"}}));
  INFO(engine.log());
  REQUIRE(r.ok);
  auto rec = call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));  // what the caller said, heard locally
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(engine.metric(stt_failovers) == 1);
  CHECK(engine.metric(tts_failovers) == 0);
  CHECK(engine.metric("ce_provider_errors_total{role=\"stt\",provider=\"deepgram\",kind=\"unauthenticated\"}") == 1);
  CHECK(mocks.log("stt", "stt.fault").size() == 1);  // a bad key is not tried again
  CHECK(mocks.log("tts", "tts.flush").size() >= 3);  // the agent still speaks with Deepgram
}
