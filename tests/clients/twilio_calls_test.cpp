// The Twilio REST calls client against the Twilio mock (in-process, real HTTP): the create
// request as Twilio documents it, its answer, and its errors.
#include "client_fixtures.hpp"

#include "providers/twilio/calls_client.hpp"

#include <future>

using namespace ce::clients_test;
using ce::twilio_rest::calls_client;
using ce::twilio_rest::calls_options;
using ce::twilio_rest::created_call;
using ce::twilio_rest::outbound_call;

namespace {

calls_options options_for(const ce::mocks::mock_server& m, std::string token = "mock_auth_token") {
  calls_options o;
  o.api_base = m.twilio_api_base();
  o.account_sid = "AC00000000000000000000000000000001";
  o.auth_token = std::move(token);
  return o;
}

outbound_call reminder_call() {
  outbound_call c;
  c.to = "+15005550006";
  c.from = "+15550001111";
  c.url = "http://127.0.0.1:9/twilio/voice";
  c.status_callback = "http://127.0.0.1:9/twilio/call-status";
  c.amd_callback = "http://127.0.0.1:9/twilio/amd";
  return c;
}

ce::http::result<created_call> place(calls_client& client, outbound_call c) {
  std::promise<ce::http::result<created_call>> p;
  auto f = p.get_future();
  client.place(std::move(c), [&p](ce::http::result<created_call> r) { p.set_value(std::move(r)); });
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  return f.get();
}

ce::http::result<created_call> fetch(calls_client& client, std::string sid) {
  std::promise<ce::http::result<created_call>> p;
  auto f = p.get_future();
  client.fetch(std::move(sid), [&p](ce::http::result<created_call> r) { p.set_value(std::move(r)); });
  REQUIRE(f.wait_for(5s) == std::future_status::ready);
  return f.get();
}

} // namespace

TEST_CASE("looking a call up: its status as Twilio sees it, a 404 for an unknown sid, no path tricks",
          "[clients][twilio]") {
  // a busy call whose final callback is lost: only the lookup can tell
  auto mocks = start_mocks(json{{"twilio", {{"step_ms", 30}, {"fetch_twiml", false}, {"outcome", "busy"},
                                            {"lost_callbacks", {"completed"}}}}});
  io_runner io;
  calls_client client{io.io(), options_for(*mocks)};
  auto placed = place(client, reminder_call());
  REQUIRE(placed.ok());
  std::string status;
  for (int i = 0; i < 100 && status != "busy"; ++i) {
    auto r = fetch(client, placed->sid);
    INFO((r ? "" : r.error().describe()));
    REQUIRE(r.ok());
    CHECK(r->sid == placed->sid);
    status = r->status;
    if (status != "busy") std::this_thread::sleep_for(20ms);
  }
  CHECK(status == "busy");
  auto unknown = fetch(client, "CA00000000000000000000000000000099");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().http_status == 404);
  auto tricky = fetch(client, "../Calls");
  REQUIRE_FALSE(tricky.ok());
  CHECK(tricky.error().code == ce::http::provider_errc::bad_request);
  auto answer = ce::twilio_rest::read_create_answer(200, R"({"sid":"CA1","status":"completed","answered_by":"machine_end_beep"})");
  REQUIRE(answer.ok());
  CHECK(answer->answered_by == "machine_end_beep");
}

TEST_CASE("placing a call: To, From, Url, status callbacks and async AMD, and Twilio's sid back",
          "[clients][twilio]") {
  auto mocks = start_mocks(json{{"twilio", {{"step_ms", 30}, {"fetch_twiml", false}}}});
  io_runner io;
  calls_client client{io.io(), options_for(*mocks)};
  auto r = place(client, reminder_call());
  INFO((r ? "" : r.error().describe()));
  REQUIRE(r.ok());
  CHECK(r->sid.rfind("CA", 0) == 0);
  CHECK(r->sid.size() == 34);
  CHECK(r->status == "queued");

  auto form = ce::twilio_rest::create_form(reminder_call());
  auto has = [&](const std::string& k, const std::string& v) {
    return std::find(form.begin(), form.end(), std::pair{k, v}) != form.end();
  };
  CHECK(has("To", "+15005550006"));
  CHECK(has("MachineDetection", "DetectMessageEnd"));
  CHECK(has("AsyncAmd", "true"));
  CHECK(has("AsyncAmdStatusCallback", "http://127.0.0.1:9/twilio/amd"));
  for (const char* e : {"initiated", "ringing", "answered", "completed"}) CHECK(has("StatusCallbackEvent", e));
  auto calls = mocks->twilio_calls();
  INFO(calls.dump());
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["sid"] == r->sid);
  CHECK(calls[0]["to"] == "+15005550006");
}

TEST_CASE("Twilio's errors are classified: a wrong token, a 429, a 500, nothing listening", "[clients][twilio]") {
  auto mocks = start_mocks(json{
    {"twilio",
     {{"faults",
       {{{"kind", "status"}, {"status", 429}, {"match", "calls.create"}, {"times", 1}},
        {{"kind", "status"}, {"status", 500}, {"match", "calls.create"}, {"times", 1}}}}}}});
  io_runner io;
  {
    calls_client wrong{io.io(), options_for(*mocks, "not-the-token")};
    auto r = place(wrong, reminder_call());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ce::http::provider_errc::unauthenticated);
    CHECK(r.error().http_status == 401);
  }
  calls_client client{io.io(), options_for(*mocks)};
  auto limited = place(client, reminder_call());
  REQUIRE_FALSE(limited.ok());
  CHECK(limited.error().code == ce::http::provider_errc::rate_limited);
  auto broken = place(client, reminder_call());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ce::http::provider_errc::server_error);
  CHECK(place(client, reminder_call()).ok());

  calls_options nowhere = options_for(*mocks);
  nowhere.api_base = "http://127.0.0.1:9";  // discard port: nothing listens
  calls_client lost{io.io(), nowhere};
  auto r = place(lost, reminder_call());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ce::http::provider_errc::unreachable);
}

TEST_CASE("reading Twilio's create answer", "[clients][twilio]") {
  auto ok = ce::twilio_rest::read_create_answer(201, R"({"sid":"CA0123","status":"queued"})");
  REQUIRE(ok.ok());
  CHECK(ok->sid == "CA0123");
  auto no_sid = ce::twilio_rest::read_create_answer(201, R"({"status":"queued"})");
  REQUIRE_FALSE(no_sid.ok());
  CHECK(no_sid.error().code == ce::http::provider_errc::protocol_violation);
  auto bad_number = ce::twilio_rest::read_create_answer(
    400, R"({"code":21211,"message":"The 'To' number is not a valid phone number.","status":400})");
  REQUIRE_FALSE(bad_number.ok());
  CHECK(bad_number.error().code == ce::http::provider_errc::bad_request);
  CHECK(bad_number.error().message.find("not a valid phone number") != std::string::npos);
}
