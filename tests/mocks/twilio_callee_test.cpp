// The Twilio mock's answering-machine detection (AsyncAmd callbacks, AnsweredBy on the
// TwiML fetch) and its simulated callee: a person or an answering machine on the Media
// Stream of an outbound call, against a fake engine on loopback.
#include "fake_engine.hpp"
#include "fixtures.hpp"

#include "audio/levels.hpp"
#include "audio/mulaw.hpp"
#include "common/base64.hpp"
#include "mocks/mock_config.hpp"
#include "twilio/media_messages.hpp"
#include "twilio/signature.hpp"

#include <cstdlib>

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

const std::string account = "AC00000000000000000000000000000001";
const std::string auth_token = "mock_auth_token";
const std::string calls_path = "/2010-04-01/Accounts/" + account + "/Calls.json";
const std::string public_action = "https://agent.example.com/twilio/connect-action?job=J7";
// The engine's TwiML names its public host; the callee must reach it where the TwiML came from.
const std::string engine_twiml =
  R"(<Response><Connect action="https://agent.example.com/twilio/connect-action?job=J7" method="POST">)"
  R"(<Stream url="wss://agent.example.com/twilio/media"><Parameter name="token" value="tok-123"/>)"
  R"(<Parameter name="job" value="J7"/></Stream></Connect></Response>)";

header_list basic_auth() {
  const std::string raw = account + ":" + auth_token;
  return {{"Authorization",
           "Basic " + ce::base64_encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()))},
          {"Content-Type", "application/x-www-form-urlencoded"}};
}

std::string create_call(const mock_server& m, const ce::twilio::form_params& form) {
  auto r = http_call(m.twilio_port(), http::verb::post, calls_path, ce::twilio::form_urlencode(form), basic_auth());
  INFO(r.body);
  REQUIRE(r.status == 201);
  return parse_body(r)["sid"].get<std::string>();
}

std::string call_path(const std::string& sid) { return "/2010-04-01/Accounts/" + account + "/Calls/" + sid + ".json"; }

ce::twilio::form_params form_of(const std::string& body) {
  return ce::twilio::parse_form_urlencoded(body).value_or(ce::twilio::form_params{});
}

std::string field(const ce::twilio::form_params& f, const std::string& name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}

/// The form an outbound reminder call is placed with (engine URLs on the fake engine).
ce::twilio::form_params reminder_call(const fake_engine& eng, const std::string& detection = "DetectMessageEnd") {
  ce::twilio::form_params f{{"To", "+15557778888"},
                            {"From", "+15550001111"},
                            {"Url", eng.url("/twilio/voice?job=J7&attempt=1")},
                            {"Method", "POST"},
                            {"StatusCallback", eng.url("/twilio/call-status")},
                            {"StatusCallbackEvent", "initiated"},
                            {"StatusCallbackEvent", "ringing"},
                            {"StatusCallbackEvent", "answered"},
                            {"StatusCallbackEvent", "completed"},
                            {"Timeout", "25"}};
  if (!detection.empty()) {
    f.emplace_back("MachineDetection", detection);
    f.emplace_back("AsyncAmd", "true");
    f.emplace_back("AsyncAmdStatusCallback", eng.url("/twilio/amd-status"));
    f.emplace_back("AsyncAmdStatusCallbackMethod", "POST");
  }
  return f;
}

double level(const std::vector<std::uint8_t>& frame) {
  return ce::audio::mulaw_frame_dbfs(std::span<const std::uint8_t>(frame.data(), frame.size()));
}

bool voiced(const std::vector<std::uint8_t>& frame) { return level(frame) > -45.0; }

int zero_crossings(const std::vector<std::uint8_t>& frame) {
  const auto pcm = ce::audio::decode_mulaw(std::span<const std::uint8_t>(frame.data(), frame.size()));
  int n = 0;
  for (std::size_t i = 1; i < pcm.size(); ++i)
    if ((pcm[i - 1] < 0) != (pcm[i] < 0)) ++n;
  return n;
}

/// Stretches of voiced frames, split by at least `gap` silent frames: (first, end) indices.
std::vector<std::pair<std::size_t, std::size_t>> segments(const std::vector<std::vector<std::uint8_t>>& frames,
                                                          std::size_t gap = 15) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t quiet = gap;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (voiced(frames[i])) {
      if (quiet >= gap || out.empty()) out.push_back({i, i + 1});
      else out.back().second = i + 1;
      quiet = 0;
    } else {
      ++quiet;
    }
  }
  return out;
}

/// Waits until the callee finished its `n`th stretch of speech (followed by `gap` silent frames).
bool wait_for_speech(const fake_engine& eng, std::size_t n, ms timeout) {
  return eventually(
    [&] {
      const auto frames = media_frames(eng.messages());
      const auto segs = segments(frames);
      return segs.size() >= n && frames.size() >= segs[n - 1].second + 15;
    },
    timeout);
}

/// The agent speaks: `text` as speech-like audio, in 20 ms media messages.
void agent_says(fake_engine& eng, const std::string& stream_sid, const std::string& text) {
  const auto audio = speech(text);
  for (std::size_t off = 0; off < audio.size(); off += 160) {
    const std::size_t n = std::min<std::size_t>(160, audio.size() - off);
    eng.send(ce::twilio::media_message(stream_sid, std::span<const std::uint8_t>(audio.data() + off, n)));
  }
}

json only_call(const mock_server& m) {
  auto calls = m.twilio_calls();
  REQUIRE(calls.size() == 1);
  return calls[0];
}

json fast_twilio(json extra = json::object()) {
  json t{{"step_ms", 30}, {"twiml_exec_ms", 50}};
  t.merge_patch(extra);
  return json{{"twilio", t}};
}

} // namespace

TEST_CASE("Twilio AMD and callee config keys are checked by path", "[mocks][twilio][amd][config]") {
  config_error err;
  CHECK_FALSE(parse_config(json{{"twilio", {{"amd_answered_by", "robot"}}}}, err));
  CHECK(err.message.find("twilio.amd_answered_by") == 0);
  CHECK_FALSE(parse_config(json{{"twilio", {{"amd_delay_ms", -2}}}}, err));
  CHECK(err.message == "twilio.amd_delay_ms: out of range");
  CHECK_FALSE(parse_config(json{{"twilio", {{"callee", {{"sayy", json::array()}}}}}}, err));
  CHECK(err.message == "twilio.callee.sayy: unknown key");
  CHECK_FALSE(parse_config(json{{"twilio", {{"callee", {{"say", {{{"text", "yes"}, {"pause", 1}}}}}}}}}, err));
  CHECK(err.message == "twilio.callee.say[0].pause: unknown key");
  CHECK_FALSE(parse_config(json{{"twilio", {{"callee", {{"say", {""}}}}}}}, err));
  CHECK(err.message == "twilio.callee.say[0]: needs a text");
  CHECK_FALSE(parse_config(json{{"twilio", {{"callee", {{"engine_url", "127.0.0.1:8080"}}}}}}, err));
  auto ok = parse_config(json{{"twilio",
                               {{"amd_answered_by", "machine"},
                                {"amd_delay_ms", 900},
                                {"callee",
                                 {{"enabled", true},
                                  {"say", {"yes this is maria", {{"text", "dtmf:1"}, {"pause_before_ms", 200}}}}}}}}},
                         err);
  REQUIRE(ok);
  CHECK(ok->twilio.amd_answered_by == "machine");
  CHECK(ok->twilio.amd_delay_ms == 900);
  CHECK(ok->twilio.callee.enabled);
  REQUIRE(ok->twilio.callee.say.size() == 2);
  CHECK_FALSE(ok->twilio.callee.say[0].pause_before_ms);
  CHECK(ok->twilio.callee.say[1].pause_before_ms == 200);
  auto defaults = parse_config(json::object(), err);
  REQUIRE(defaults);
  CHECK(defaults->twilio.amd_answered_by == "human");
  CHECK_FALSE(defaults->twilio.callee.enabled);
  CHECK(defaults->twilio.callee.greeting == "hello?");
}

TEST_CASE("Twilio async AMD posts a signed AnsweredBy to AsyncAmdStatusCallback", "[mocks][twilio][amd]") {
  auto mocks = start_mocks(fast_twilio({{"amd_delay_ms", 150}}));
  fake_engine eng;  // no callee in-process unless enabled: the TwiML is only fetched
  eng.set_voice_twiml(engine_twiml);

  struct expectation {
    std::string configured, detection, reported;
  };
  const std::vector<expectation> cases{{"human", "DetectMessageEnd", "human"},
                                       {"machine", "DetectMessageEnd", "machine_end_beep"},
                                       {"machine", "Enable", "machine_start"},
                                       {"machine_end_silence", "DetectMessageEnd", "machine_end_silence"}};
  std::size_t n = 0;
  for (const auto& e : cases) {
    ++n;
    REQUIRE_FALSE(mocks->patch_config(json{{"twilio", {{"amd_answered_by", e.configured}}}}));
    const std::string sid = create_call(*mocks, reminder_call(eng, e.detection));
    auto amd = eng.wait_for("/twilio/amd-status", n, 3000ms);
    REQUIRE(amd.size() == n);
    const auto& hit = amd.back();
    const auto f = form_of(hit.body);
    CHECK(hit.method == "POST");
    CHECK(hit.headers.at("content-type") == "application/x-www-form-urlencoded");
    CHECK(ce::twilio::validate_signature(auth_token, eng.url("/twilio/amd-status"), f, hit.headers.at("x-twilio-signature")));
    CHECK(field(f, "AccountSid") == account);
    CHECK(field(f, "CallSid") == sid);
    CHECK(field(f, "AnsweredBy") == e.reported);
    const int duration = std::atoi(field(f, "MachineDetectionDuration").c_str());
    CHECK(duration >= 150);
    CHECK(duration < 1500);
    // The fetch of an async-AMD call does not wait for, nor carry, the result.
    auto voice = eng.wait_for("/twilio/voice", n, 2000ms);
    REQUIRE(voice.size() == n);
    CHECK(field(form_of(voice.back().body), "AnsweredBy").empty());

    json call;
    for (const auto& c : mocks->twilio_calls())
      if (c["sid"] == sid) call = c;
    REQUIRE(call.is_object());
    CHECK(call["answered_by"] == e.reported);
    CHECK(call["amd"]["machine_detection"] == e.detection);
    CHECK(call["amd"]["async"] == true);
    CHECK(call["amd"]["answered_by"] == e.reported);
    REQUIRE(eventually([&] {
      for (const auto& c : mocks->twilio_calls())
        if (c["sid"] == sid) return c["amd"].contains("sent");
      return false;
    }));
    for (const auto& c : mocks->twilio_calls())
      if (c["sid"] == sid) {
        CHECK(c["amd"]["sent"]["status"] == 200);
        CHECK(c["amd"]["sent"]["params"]["AnsweredBy"] == e.reported);
        CHECK(c["amd"]["sent"]["signature"] == hit.headers.at("x-twilio-signature"));
      }
    // The completed status callback names who answered.
    CHECK(http_call(mocks->twilio_port(), http::verb::post, call_path(sid), "Status=completed", basic_auth()).status == 200);
    auto done = eng.wait_for("/twilio/call-status", 4 * n, 3000ms);
    REQUIRE(done.size() == 4 * n);
    CHECK(field(form_of(done.back().body), "CallStatus") == "completed");
    CHECK(field(form_of(done.back().body), "AnsweredBy") == e.reported);
  }
  CHECK(mocks->log("twilio", 0, "twilio.amd").size() == cases.size());
}

TEST_CASE("Twilio synchronous AMD holds the TwiML fetch and sends AnsweredBy with it", "[mocks][twilio][amd]") {
  auto mocks = start_mocks(fast_twilio({{"amd_delay_ms", 300}, {"amd_answered_by", "machine"}}));
  fake_engine eng;
  eng.set_voice_twiml("<Response><Hangup/></Response>");
  auto form = reminder_call(eng, "");
  form.emplace_back("MachineDetection", "DetectMessageEnd");
  const auto t0 = std::chrono::steady_clock::now();
  const std::string sid = create_call(*mocks, form);
  auto voice = eng.wait_for("/twilio/voice", 1, 3000ms);
  REQUIRE(voice.size() == 1);
  CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
  const auto f = form_of(voice[0].body);
  CHECK(field(f, "AnsweredBy") == "machine_end_beep");
  CHECK(ce::twilio::validate_signature(auth_token, eng.url("/twilio/voice?job=J7&attempt=1"), f,
                                       voice[0].headers.at("x-twilio-signature")));
  CHECK(eng.wait_for("/twilio/amd-status", 1, 300ms).empty());
  CHECK(only_call(*mocks)["answered_by"] == "machine_end_beep");
  CHECK(only_call(*mocks)["sid"] == sid);
}

TEST_CASE("Twilio callee: a person says hello, answers the agent, then hangs up and the call completes",
          "[mocks][twilio][callee]") {
  auto mocks = start_mocks(fast_twilio(
    {{"amd_delay_ms", 200},
     {"callee", {{"enabled", true}, {"greeting_pause_ms", 100}, {"say", {"yes this is maria"}}, {"hangup_after_ms", 300}}}}));
  fake_engine eng;
  eng.set_voice_twiml(engine_twiml);
  const std::string sid = create_call(*mocks, reminder_call(eng));

  auto starts = eng.wait_for_event("start", 1, 5000ms);
  REQUIRE(starts.size() == 1);
  const auto msgs = eng.messages();
  CHECK(msgs.front().msg["event"] == "connected");
  const json start = starts[0].msg;
  CHECK(start["start"]["callSid"] == sid);
  CHECK(start["start"]["accountSid"] == account);
  CHECK(start["start"]["customParameters"]["token"] == "tok-123");
  CHECK(start["start"]["customParameters"]["job"] == "J7");
  const std::string stream_sid = start["streamSid"];

  // "hello?" right away, before the agent said anything.
  REQUIRE(wait_for_speech(eng, 1, 3000ms));
  const auto first = segments(media_frames(eng.messages()));
  CHECK(first[0].first < 30);  // within ~0.6 s of the stream's first frame
  auto amd = eng.wait_for("/twilio/amd-status", 1, 2000ms);
  REQUIRE(amd.size() == 1);
  CHECK(field(form_of(amd[0].body), "AnsweredBy") == "human");

  // The agent's turn, then the callee's scripted line.
  agent_says(eng, stream_sid, "hi maria");
  REQUIRE(wait_for_speech(eng, 2, 6000ms));
  // The agent answers; the script is done, so the callee hangs up.
  agent_says(eng, stream_sid, "great");
  auto stops = eng.wait_for_event("stop", 1, 6000ms);
  REQUIRE(stops.size() == 1);
  CHECK(stops[0].msg["stop"]["callSid"] == sid);
  REQUIRE(eventually([&] { return eng.streams_ended() == 1; }, 2000ms));

  auto status = eng.wait_for("/twilio/call-status", 4, 3000ms);
  REQUIRE(status.size() == 4);
  const auto done = form_of(status[3].body);
  CHECK(field(done, "CallStatus") == "completed");
  CHECK(std::atoi(field(done, "CallDuration").c_str()) >= 2);
  CHECK(field(done, "AnsweredBy") == "human");
  CHECK(eng.wait_for("/twilio/connect-action", 1, 200ms).empty());  // the callee hung up: no action

  REQUIRE(eventually([&] { return only_call(*mocks)["callee"]["running"] == false; }, 2000ms));
  const json call = only_call(*mocks);
  CHECK(call["status"] == "completed");
  const json& callee = call["callee"];
  CHECK(callee["mode"] == "human");
  CHECK(callee["engine_url"] == "http://127.0.0.1:" + std::to_string(eng.port()));
  CHECK(callee["stream_url"] == "wss://agent.example.com/twilio/media");
  CHECK(callee["engine_closed"] == false);
  CHECK(callee["stopped_by_mock"] == false);
  CHECK(callee["error"] == "");
  CHECK(callee["stream_sid"] == stream_sid);
  CHECK(callee["custom_parameters"]["token"] == "tok-123");
  REQUIRE(callee["said"].size() == 2);
  CHECK(callee["said"][0]["text"] == "hello?");
  CHECK(callee["said"][1]["text"] == "yes this is maria");
  CHECK(callee["said"][1]["answer_latency_ms"].get<int>() >= 0);
  CHECK(callee["agent_audio_ms"].get<int>() >= 800);
  CHECK(callee.contains("stream_started_ms"));
  CHECK(mocks->log("twilio", 0, "twilio.callee_started").size() == 1);
}

TEST_CASE("Twilio callee: an answering machine plays its greeting and a beep, then listens until the engine hangs up",
          "[mocks][twilio][callee][amd]") {
  auto mocks = start_mocks(fast_twilio(
    {{"amd_answered_by", "machine"}, {"callee", {{"enabled", true}, {"voicemail_greeting", "Leave a message."}}}}));
  fake_engine eng;
  eng.set_voice_twiml(engine_twiml);
  eng.set_action_twiml("<Response><Hangup/></Response>");
  const std::string sid = create_call(*mocks, reminder_call(eng));
  auto starts = eng.wait_for_event("start", 1, 5000ms);
  REQUIRE(starts.size() == 1);
  const std::string stream_sid = starts[0].msg["streamSid"];

  // DetectMessageEnd reports after the beep.
  auto amd = eng.wait_for("/twilio/amd-status", 1, 8000ms);
  REQUIRE(amd.size() == 1);
  const auto amd_form = form_of(amd[0].body);
  CHECK(field(amd_form, "AnsweredBy") == "machine_end_beep");
  CHECK(ce::twilio::validate_signature(auth_token, eng.url("/twilio/amd-status"), amd_form,
                                       amd[0].headers.at("x-twilio-signature")));
  const auto frames = media_frames(eng.messages());
  const auto segs = segments(frames, 10);
  REQUIRE(segs.size() >= 2);  // the greeting, then the beep
  const auto beep = segs.back();
  std::size_t tone_frames = 0;
  for (std::size_t i = beep.first; i < beep.second; ++i)
    if (std::abs(zero_crossings(frames[i]) - 40) <= 2 && level(frames[i]) > -20.0) ++tone_frames;
  CHECK(tone_frames >= 22);  // 500 ms of 1 kHz
  CHECK(tone_frames <= 26);
  CHECK(beep.first > segs.front().second);  // speech came first
  // Silence since the beep, and the result came 400 ms after it.
  for (std::size_t i = beep.second; i < frames.size(); ++i) CHECK_FALSE(voiced(frames[i]));
  CHECK(frames.size() - beep.second >= 15);
  const int detection_ms = std::atoi(field(amd_form, "MachineDetectionDuration").c_str());
  CHECK(detection_ms >= static_cast<int>(beep.second * 20));

  // The engine leaves its message and ends the stream.
  agent_says(eng, stream_sid, "this is a reminder");
  std::this_thread::sleep_for(1500ms);
  eng.close_stream();
  auto action = eng.wait_for("/twilio/connect-action", 1, 3000ms);
  REQUIRE(action.size() == 1);
  const auto af = form_of(action[0].body);
  CHECK(action[0].target == "/twilio/connect-action?job=J7");
  CHECK(field(af, "CallSid") == sid);
  CHECK(field(af, "Direction") == "outbound-api");
  CHECK(field(af, "From") == "+15550001111");
  CHECK(field(af, "To") == "+15557778888");
  CHECK(ce::twilio::validate_signature(auth_token, public_action, af, action[0].headers.at("x-twilio-signature")));
  auto status = eng.wait_for("/twilio/call-status", 4, 3000ms);
  REQUIRE(status.size() == 4);
  CHECK(field(form_of(status[3].body), "CallStatus") == "completed");
  CHECK(field(form_of(status[3].body), "AnsweredBy") == "machine_end_beep");

  REQUIRE(eventually([&] { return only_call(*mocks)["callee"]["running"] == false; }, 2000ms));
  const json call = only_call(*mocks);
  CHECK(call["status"] == "completed");
  const json& callee = call["callee"];
  CHECK(callee["mode"] == "machine");
  CHECK(callee["engine_closed"] == true);
  CHECK(callee["close_code"] == 1000);
  CHECK(callee["after_stream_twiml"] == "<Response><Hangup/></Response>");
  REQUIRE(callee["said"].size() == 1);
  CHECK(callee["said"][0]["text"] == "Leave a message.");
  CHECK(callee["beep_end_ms"].get<std::int64_t>() > 0);
  CHECK(callee["agent_audio_before_beep_ms"] == 0);
  CHECK(callee["agent_audio_after_beep_ms"].get<int>() > 1000);
  CHECK(callee["first_agent_audio_after_beep_ms"].get<std::int64_t>() >= 400);
  CHECK(call["executed"].back()["after_stream"] == true);
  CHECK(call["executed"].back()["twiml"] == "<Response><Hangup/></Response>");
}

TEST_CASE("Twilio callee: hanging the call up through REST ends its stream with stop", "[mocks][twilio][callee]") {
  auto mocks = start_mocks(fast_twilio({{"callee", {{"enabled", true}, {"greeting", ""}}}}));
  fake_engine eng;
  eng.set_voice_twiml(engine_twiml);
  const std::string sid = create_call(*mocks, reminder_call(eng, ""));
  REQUIRE(eng.wait_for_event("start", 1, 5000ms).size() == 1);
  std::this_thread::sleep_for(200ms);
  // No greeting configured: the callee waits for the agent in silence.
  for (const auto& f : media_frames(eng.messages())) CHECK_FALSE(voiced(f));
  CHECK(http_call(mocks->twilio_port(), http::verb::post, call_path(sid), "Status=completed", basic_auth()).status == 200);
  REQUIRE(eng.wait_for_event("stop", 1, 2000ms).size() == 1);
  REQUIRE(eventually([&] { return eng.streams_ended() == 1; }, 2000ms));
  REQUIRE(eventually([&] { return only_call(*mocks)["callee"]["running"] == false; }, 2000ms));
  const json call = only_call(*mocks);
  CHECK(call["status"] == "completed");
  CHECK(call["callee"]["stopped_by_mock"] == true);
  CHECK(call["callee"]["engine_closed"] == false);
  CHECK(call["callee"]["said"].empty());
  CHECK(call["amd"].is_null());
  // Config changes reach the calls created after them.
  REQUIRE_FALSE(mocks->patch_config(json{{"twilio", {{"callee", {{"enabled", false}}}}}}));
  create_call(*mocks, reminder_call(eng, ""));
  REQUIRE(eng.wait_for("/twilio/voice", 2, 2000ms).size() == 2);
  std::this_thread::sleep_for(200ms);
  CHECK(eng.wait_for_event("start", 2, 100ms).size() == 1);
}

TEST_CASE("Twilio callee: reset and stopping the server with a callee on the line are clean", "[mocks][twilio][callee]") {
  fake_engine eng;
  eng.set_voice_twiml(engine_twiml);
  {
    auto mocks = start_mocks(fast_twilio({{"callee", {{"enabled", true}}}}));
    create_call(*mocks, reminder_call(eng, ""));
    REQUIRE(eng.wait_for_event("start", 1, 5000ms).size() == 1);
    // reset forgets the call and ends its stream; no status callback follows.
    const auto callbacks_before = eng.wait_for("/twilio/call-status", 3, 1000ms).size();
    REQUIRE_FALSE(mocks->reset_state());
    REQUIRE(eng.wait_for_event("stop", 1, 2000ms).size() == 1);
    REQUIRE(eventually([&] { return eng.streams_ended() == 1; }, 2000ms));
    std::this_thread::sleep_for(200ms);
    CHECK(eng.wait_for("/twilio/call-status", callbacks_before + 1, 100ms).size() == callbacks_before);
    CHECK(mocks->twilio_calls().empty());
    // A second call is still on the line when the server stops.
    create_call(*mocks, reminder_call(eng, ""));
    REQUIRE(eng.wait_for_event("start", 2, 5000ms).size() == 2);
  }
  // The server is gone; its callee's socket went with it.
  REQUIRE(eventually([&] { return eng.streams_ended() == 2; }, 2000ms));
}

TEST_CASE("Twilio callee: a callee that cannot speak ends its call with the reason recorded", "[mocks][twilio][callee]") {
  auto mocks = start_mocks(fast_twilio({{"callee", {{"enabled", true}, {"voice", "no-such-voice"}}}}));
  fake_engine eng;
  eng.set_voice_twiml(engine_twiml);
  create_call(*mocks, reminder_call(eng, ""));
  REQUIRE(eventually([&] { return only_call(*mocks)["status"] == "completed"; }, 3000ms));
  REQUIRE(eventually([&] { return only_call(*mocks)["callee"]["running"] == false; }, 2000ms));
  CHECK(only_call(*mocks)["callee"]["error"].get<std::string>().find("caller speech: ") == 0);
  CHECK(eng.streams_accepted() == 0);
}
