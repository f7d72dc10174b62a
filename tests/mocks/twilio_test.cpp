// The Twilio REST mock: auth, validation, the call lifecycle, signed status callbacks,
// TwiML fetches, updates and the owner hook (protocols.md §3.6, §4, §9.2).
#include "fixtures.hpp"

#include "common/base64.hpp"
#include "twilio/signature.hpp"

#include <mutex>

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

const std::string account = "AC00000000000000000000000000000001";
const std::string auth_token = "mock_auth_token";
const std::string calls_path = "/2010-04-01/Accounts/" + account + "/Calls.json";
const std::string connect_twiml = R"(<Response><Connect><Stream url="wss://agent.example.com/twilio/media"/></Connect></Response>)";

header_list basic(const std::string& user, const std::string& pass) {
  const std::string raw = user + ":" + pass;
  return {{"Authorization",
           "Basic " + ce::base64_encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size())) },
          {"Content-Type", "application/x-www-form-urlencoded"}};
}

http_exchange post_form(const mock_server& m, const std::string& path, const ce::twilio::form_params& form,
                        const header_list& h = basic(account, auth_token)) {
  return http_call(m.twilio_port(), http::verb::post, path, ce::twilio::form_urlencode(form), h);
}

std::string call_path(const std::string& sid) { return "/2010-04-01/Accounts/" + account + "/Calls/" + sid + ".json"; }

ce::twilio::form_params form_of(const recording_server::request& r) {
  return ce::twilio::parse_form_urlencoded(r.body).value_or(ce::twilio::form_params{});
}

std::string field(const ce::twilio::form_params& f, const std::string& name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}

/// The call events the hook saw.
struct hook_log {
  std::mutex mutex;
  std::vector<twilio_call_event> events;
  void attach(mock_server& m) {
    m.on_twilio_call([this](const twilio_call_event& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
    });
  }
  std::vector<twilio_call_event> get() {
    std::lock_guard lock(mutex);
    return events;
  }
};

json fast() { return json{{"twilio", {{"step_ms", 30}, {"twiml_exec_ms", 50}}}}; }

} // namespace

TEST_CASE("Twilio REST rejects bad Basic auth with 401 code 20003", "[mocks][twilio]") {
  auto mocks = start_mocks(fast());
  const ce::twilio::form_params form{{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml}};
  for (const auto& h : {basic(account, "wrong"), basic("ACother", auth_token),
                        header_list{{"Content-Type", "application/x-www-form-urlencoded"}}}) {
    auto r = post_form(*mocks, calls_path, form, h);
    CHECK(r.status == 401);
    CHECK(parse_body(r)["code"] == 20003);
    CHECK(parse_body(r)["more_info"] == "https://www.twilio.com/docs/errors/20003");
  }
  auto keyed = start_mocks(json{{"twilio", {{"api_keys", {{"SK1", "secret"}}}}}});
  CHECK(post_form(*keyed, calls_path, form, basic("SK1", "secret")).status == 201);
}

TEST_CASE("Twilio create needs To, From and exactly one of Url or Twiml", "[mocks][twilio]") {
  auto mocks = start_mocks(fast());
  CHECK(parse_body(post_form(*mocks, calls_path, {{"From", "+1555"}, {"Twiml", connect_twiml}}))["code"] == 21201);
  CHECK(parse_body(post_form(*mocks, calls_path, {{"To", "+1555"}, {"Twiml", connect_twiml}}))["code"] == 21603);
  CHECK(post_form(*mocks, calls_path, {{"To", "+1555"}, {"From", "+1666"}}).status == 400);
  CHECK(post_form(*mocks, calls_path, {{"To", "+1555"}, {"From", "+1666"}, {"Twiml", connect_twiml}, {"Url", "http://x/y"}})
          .status == 400);
  CHECK(post_form(*mocks, calls_path, {{"To", "+1555"}, {"From", "+1666"}, {"Url", "not a url"}}).status == 400);
  auto r = post_form(*mocks, calls_path, {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml}});
  REQUIRE(r.status == 201);
  auto call = parse_body(r);
  CHECK(call["status"] == "queued");
  CHECK(call["sid"].get<std::string>().size() == 34);
  CHECK(call["sid"].get<std::string>().rfind("CA", 0) == 0);
  CHECK(call["direction"] == "outbound-api");
  CHECK(call["uri"] == call_path(call["sid"]));
  auto r2 = post_form(*mocks, calls_path, {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml}});
  CHECK(parse_body(r2)["sid"] != call["sid"]);
}

TEST_CASE("Twilio calls progress with signed status callbacks and tell the hook", "[mocks][twilio]") {
  auto mocks = start_mocks(fast());
  hook_log hooks;
  hooks.attach(*mocks);
  recording_server rec;
  const std::string cb = rec.url("/twilio/status");
  auto r = post_form(*mocks, calls_path,
                     {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml},
                      {"StatusCallback", cb}, {"StatusCallbackEvent", "initiated"}, {"StatusCallbackEvent", "ringing"},
                      {"StatusCallbackEvent", "answered completed"}});
  REQUIRE(r.status == 201);
  const std::string sid = parse_body(r)["sid"];
  auto got = rec.wait_for(3, 3000ms);
  REQUIRE(got.size() == 3);
  const std::vector<std::string> statuses{"initiated", "ringing", "in-progress"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto f = form_of(got[i]);
    CHECK(got[i].method == "POST");
    CHECK(got[i].target == "/twilio/status");
    CHECK(got[i].headers["content-type"] == "application/x-www-form-urlencoded");
    CHECK(ce::twilio::validate_signature(auth_token, cb, f, got[i].headers["x-twilio-signature"]));
    CHECK(field(f, "CallStatus") == statuses[i]);
    CHECK(field(f, "SequenceNumber") == std::to_string(i));
    CHECK(field(f, "CallSid") == sid);
    CHECK(field(f, "AccountSid") == account);
    CHECK(field(f, "CallbackSource") == "call-progress-events");
    CHECK_FALSE(field(f, "Timestamp").empty());
    CHECK(field(f, "Direction") == "outbound-api");
  }
  REQUIRE(eventually([&] { return !hooks.get().empty(); }));
  CHECK(hooks.get()[0].kind == "answered");
  CHECK(hooks.get()[0].twiml == connect_twiml);
  // <Connect> holds the call in progress until it is updated.
  auto fetched = parse_body(http_call(mocks->twilio_port(), http::verb::get, call_path(sid), "", basic(account, auth_token)));
  CHECK(fetched["status"] == "in-progress");

  auto hang = post_form(*mocks, call_path(sid), {{"Status", "completed"}});
  CHECK(hang.status == 200);
  CHECK(parse_body(hang)["status"] == "completed");
  got = rec.wait_for(4, 3000ms);
  REQUIRE(got.size() == 4);
  const auto done = form_of(got[3]);
  CHECK(field(done, "CallStatus") == "completed");
  CHECK(field(done, "SequenceNumber") == "3");
  CHECK_FALSE(field(done, "CallDuration").empty());
  CHECK(field(done, "SipResponseCode") == "200");
  CHECK(ce::twilio::validate_signature(auth_token, cb, done, got[3].headers["x-twilio-signature"]));
  REQUIRE(eventually([&] { return hooks.get().size() == 2; }));
  CHECK(hooks.get()[1].kind == "completed");

  auto again = post_form(*mocks, call_path(sid), {{"Status", "completed"}});
  CHECK(again.status == 404);
  CHECK(parse_body(again)["code"] == 20404);
  CHECK(post_form(*mocks, call_path("CAffffffffffffffffffffffffffffffff"), {{"Status", "completed"}}).status == 404);
  CHECK(mocks->log("twilio", 0, "twilio.callback").size() == 4);
}

TEST_CASE("Twilio fetches a TwiML Url like Twilio and runs what it gets", "[mocks][twilio]") {
  auto mocks = start_mocks(fast());
  recording_server rec("<Response><Say>Hello from the mock</Say><Hangup/></Response>");
  const std::string twiml_url = rec.url("/twilio/outbound?lead=7");
  auto r = post_form(*mocks, calls_path,
                     {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Url", twiml_url},
                      {"StatusCallback", rec.url("/twilio/status")}});
  REQUIRE(r.status == 201);
  // Only `completed` is reported when no StatusCallbackEvent was given.
  auto got = rec.wait_for(2, 3000ms);
  REQUIRE(got.size() == 2);
  CHECK(got[0].target == "/twilio/outbound?lead=7");
  const auto fetch = form_of(got[0]);
  CHECK(field(fetch, "CallStatus") == "in-progress");
  CHECK(ce::twilio::validate_signature(auth_token, twiml_url, fetch, got[0].headers["x-twilio-signature"]));
  CHECK(got[1].target == "/twilio/status");
  CHECK(field(form_of(got[1]), "CallStatus") == "completed");
  auto calls = mocks->twilio_calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["executed"][0]["twiml"] == "<Response><Say>Hello from the mock</Say><Hangup/></Response>");
}

TEST_CASE("Twilio update with Twiml ends the stream and runs the new TwiML", "[mocks][twilio]") {
  auto mocks = start_mocks(fast());
  hook_log hooks;
  hooks.attach(*mocks);
  auto r = post_form(*mocks, calls_path, {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml}});
  const std::string sid = parse_body(r)["sid"];
  REQUIRE(eventually([&] { return hooks.get().size() == 1; }));
  const std::string transfer = "<Response><Say>Transferring you now.</Say><Dial>+15557778888</Dial></Response>";
  auto u = post_form(*mocks, call_path(sid), {{"Twiml", transfer}});
  CHECK(u.status == 200);
  REQUIRE(eventually([&] { return hooks.get().size() == 3; }));
  CHECK(hooks.get()[1].kind == "updated");
  CHECK(hooks.get()[1].twiml == transfer);
  CHECK(hooks.get()[2].kind == "completed");
  auto calls = mocks->twilio_calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["executed"].back()["twiml"] == transfer);
  CHECK(calls[0]["received"].size() == 2);
}

TEST_CASE("Twilio: the callee hangs up through the API and unanswered outcomes end the call", "[mocks][twilio]") {
  auto mocks = start_mocks(fast());
  recording_server rec;
  auto r = post_form(*mocks, calls_path,
                     {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml},
                      {"StatusCallback", rec.url("/s")}, {"StatusCallbackEvent", "answered"},
                      {"StatusCallbackEvent", "completed"}});
  const std::string sid = parse_body(r)["sid"];
  REQUIRE(rec.wait_for(1, 3000ms).size() == 1);
  auto h = http_call(mocks->twilio_port(), http::verb::post, "/__mock/twilio/hangup", json{{"call_sid", sid}}.dump());
  CHECK(h.status == 200);
  auto got = rec.wait_for(2, 3000ms);
  REQUIRE(got.size() == 2);
  CHECK(field(form_of(got[1]), "CallStatus") == "completed");

  REQUIRE_FALSE(mocks->patch_config(json{{"twilio", {{"outcome", "busy"}}}}));
  auto b = post_form(*mocks, calls_path,
                     {{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml},
                      {"StatusCallback", rec.url("/s")}});
  REQUIRE(b.status == 201);
  got = rec.wait_for(3, 3000ms);
  REQUIRE(got.size() == 3);
  CHECK(field(form_of(got[2]), "CallStatus") == "busy");
  CHECK(field(form_of(got[2]), "SipResponseCode") == "486");
}

TEST_CASE("Twilio faults: 429 and 500 on create", "[mocks][twilio][faults]") {
  auto mocks = start_mocks(json{{"twilio",
                                 {{"faults",
                                   {{{"kind", "status"}, {"status", 429}, {"match", "calls.create"}, {"times", 1}},
                                    {{"kind", "status"}, {"status", 500}, {"match", "calls.create"}, {"times", 1}}}}}}});
  const ce::twilio::form_params form{{"To", "+15557778888"}, {"From", "+15550001111"}, {"Twiml", connect_twiml}};
  auto a = post_form(*mocks, calls_path, form);
  CHECK(a.status == 429);
  CHECK(parse_body(a)["code"] == 20429);
  CHECK(post_form(*mocks, calls_path, form).status == 500);
  CHECK(post_form(*mocks, calls_path, form).status == 201);
}
