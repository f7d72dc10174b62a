// The Google Calendar client (OAuth refresh + Calendar v3) against the in-process Google
// mock (protocols.md §8, §9.6).
#include "client_fixtures.hpp"

#include "providers/google/calendar_client.hpp"

using namespace ce;
using namespace ce::clients_test;
using google::calendar_client;
using http::provider_errc;

namespace {

json google_config(json extra = json::object()) {
  json g = json::object();
  g.merge_patch(extra);
  return json{{"google", g}};
}

google::calendar_options options_for(const mocks::mock_server& m) {
  google::calendar_options o;
  o.token_url = m.google_token_url();
  o.calendar_base = m.gcal_base();
  o.client_id = "mock-client-id";
  o.client_secret = "mock-client-secret";
  o.refresh_token = "mock-refresh-token";
  o.retry.initial_backoff = 50ms;
  o.log_context = "call_sid=CAtest role=tools";
  return o;
}

google::calendar_event booking(const std::string& key, const std::string& start, const std::string& end) {
  google::calendar_event e;
  e.id = google::make_event_id(key);
  e.summary = "Oil change - Jane Doe";
  e.description = "Booked by phone agent.";
  e.start = {start, "America/Chicago", ""};
  e.end = {end, "America/Chicago", ""};
  e.private_properties = {{"callSid", "CA123"}, {"bookingId", key}};
  e.reminders_use_default = true;
  return e;
}

/// Waits for one completion of type T.
template <class T>
struct one {
  recorder<http::result<T>> r;
  google::calendar_callback<T> cb() {
    return [this](http::result<T> v) { r.push(std::move(v)); };
  }
  http::result<T> get(ms timeout = 8000ms) {
    REQUIRE(r.wait_for(1, timeout));
    return r.items()[0];
  }
};

std::vector<json> token_requests(const mocks::mock_server& m) { return m.log("google", 0, "google.token"); }
std::vector<json> api_requests(const mocks::mock_server& m) { return m.log("google", 0, "google.request"); }

} // namespace

TEST_CASE("Google event ids are deterministic base32hex derived from the booking", "[clients][google]") {
  const auto a = google::make_event_id("booking-42");
  CHECK(a.size() == 32);
  CHECK(google::valid_event_id(a));
  CHECK(a == google::make_event_id("booking-42"));
  CHECK(a != google::make_event_id("booking-43"));
  CHECK_FALSE(google::valid_event_id("abcw1"));
  CHECK_FALSE(google::valid_event_id("abc"));
  CHECK(google::valid_event_id("bk7f3a9c20260602t1030"));
}

TEST_CASE("Google client fetches a token once, reuses it, and inserts, patches, gets and deletes events",
          "[clients][google]") {
  auto mocks = start_mocks(google_config());
  io_runner io;
  calendar_client client(io.io(), options_for(*mocks));
  auto ev = booking("bk-1", "2026-06-02T10:30:00", "2026-06-02T11:00:00");

  one<google::insert_outcome> ins;
  client.insert_event("primary", ev, ins.cb());
  auto inserted = ins.get();
  REQUIRE(inserted.ok());
  CHECK_FALSE(inserted->already_existed);
  CHECK(inserted->event.id == ev.id);
  CHECK(inserted->event.status == "confirmed");
  CHECK_FALSE(inserted->event.html_link.empty());
  CHECK(inserted->event.private_properties.at("bookingId") == "bk-1");

  one<google::calendar_event> patched;
  google::event_patch p;
  p.start = google::event_time{"2026-06-02T11:00:00", "America/Chicago", ""};
  p.end = google::event_time{"2026-06-02T11:30:00", "America/Chicago", ""};
  client.patch_event("primary", ev.id, p, patched.cb());
  auto pr = patched.get();
  REQUIRE(pr.ok());
  CHECK(pr->start.date_time.find("11:00:00") != std::string::npos);
  CHECK(pr->summary == ev.summary);  // untouched fields stay

  one<google::calendar_event> got;
  client.get_event("primary", ev.id, got.cb());
  auto g = got.get();
  REQUIRE(g.ok());
  CHECK(g->end.date_time.find("11:30:00") != std::string::npos);

  one<google::delete_outcome> del1, del2;
  client.delete_event("primary", ev.id, del1.cb());
  REQUIRE(del1.get().ok());
  CHECK(del1.get().value() == google::delete_outcome::deleted);
  client.delete_event("primary", ev.id, del2.cb());
  auto d2 = del2.get();
  REQUIRE(d2.ok());
  CHECK(d2.value() == google::delete_outcome::already_deleted);  // 410 = success

  CHECK(token_requests(*mocks).size() == 1);
  auto reqs = api_requests(*mocks);
  REQUIRE(reqs.size() == 5);
  CHECK(reqs[0]["op"] == "events.insert");
  CHECK(reqs[0]["body"]["id"] == ev.id);
  CHECK(reqs[1]["op"] == "events.patch");
  CHECK_FALSE(reqs[1]["body"].contains("summary"));  // a patch sends only what changes
  CHECK(reqs[4]["status"] == 410);
  auto stored = mocks->calendar_events("primary");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]["status"] == "cancelled");
}

TEST_CASE("Google insert is idempotent: a 409 for our id is success with the stored event, a cancelled one is "
          "confirmed again",
          "[clients][google]") {
  auto mocks = start_mocks(google_config());
  io_runner io;
  calendar_client client(io.io(), options_for(*mocks));
  auto ev = booking("bk-2", "2026-06-03T09:00:00", "2026-06-03T10:00:00");
  one<google::insert_outcome> first, again;
  client.insert_event("primary", ev, first.cb());
  REQUIRE(first.get().ok());
  client.insert_event("primary", ev, again.cb());
  auto a = again.get();
  REQUIRE(a.ok());
  CHECK(a->already_existed);
  CHECK(a->event.id == ev.id);
  CHECK(mocks->calendar_events("primary").size() == 1);
  auto reqs = api_requests(*mocks);
  REQUIRE(reqs.size() == 3);
  CHECK(reqs[1]["status"] == 409);
  CHECK(reqs[2]["op"] == "events.get");

  one<google::delete_outcome> del;
  client.delete_event("primary", ev.id, del.cb());
  REQUIRE(del.get().ok());
  one<google::insert_outcome> revived;
  client.insert_event("primary", ev, revived.cb());
  auto r = revived.get();
  REQUIRE(r.ok());
  CHECK(r->already_existed);
  CHECK(r->event.status == "confirmed");
  auto stored = mocks->calendar_events("primary");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]["status"] == "confirmed");

  one<google::insert_outcome> bad;
  auto no_id = ev;
  no_id.id = "not-base32hex!";
  client.insert_event("primary", no_id, bad.cb());
  auto b = bad.get();
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().code == provider_errc::bad_request);
}

TEST_CASE("Google freeBusy returns merged busy periods and per-calendar errors", "[clients][google]") {
  json seeds = json::array({json{{"summary", "a"}, {"start", {{"dateTime", "2026-06-02T13:00:00Z"}}}, {"end", {{"dateTime", "2026-06-02T14:00:00Z"}}}},
                            json{{"summary", "b"}, {"start", {{"dateTime", "2026-06-02T13:30:00Z"}}}, {"end", {{"dateTime", "2026-06-02T14:30:00Z"}}}},
                            json{{"summary", "c"}, {"transparency", "transparent"}, {"start", {{"dateTime", "2026-06-02T16:00:00Z"}}}, {"end", {{"dateTime", "2026-06-02T17:00:00Z"}}}}});
  auto mocks = start_mocks(google_config(json{{"calendars", {{"primary", seeds}}}}));
  io_runner io;
  calendar_client client(io.io(), options_for(*mocks));
  google::free_busy_query q;
  q.time_min = "2026-06-02T12:00:00Z";
  q.time_max = "2026-06-02T20:00:00Z";
  q.calendars = {"primary", "nobody@example.com"};
  one<google::free_busy_result> fb;
  client.free_busy(q, fb.cb());
  auto r = fb.get();
  REQUIRE(r.ok());
  const auto& primary = r->calendars.at("primary");
  REQUIRE(primary.busy.size() == 1);
  CHECK(primary.busy[0].start.find("13:00:00") != std::string::npos);
  CHECK(primary.busy[0].end.find("14:30:00") != std::string::npos);
  CHECK(primary.errors.empty());
  CHECK(r->calendars.at("nobody@example.com").errors == std::vector<std::string>{"notFound"});
  auto reqs = api_requests(*mocks);
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0]["body"]["timeMin"] == q.time_min);
}

TEST_CASE("Google token: refreshed ahead of expiry, and once more on a 401", "[clients][google]") {
  io_runner io;
  SECTION("ahead of expiry") {
    auto mocks = start_mocks(google_config(json{{"expires_in", 3599}, {"expires_in_as_string", true}}));
    auto opt = options_for(*mocks);
    opt.refresh_margin = std::chrono::seconds(3598);  // the token counts as due 1 s after issue
    calendar_client client(io.io(), opt);
    auto ev = booking("bk-3", "2026-06-04T09:00:00", "2026-06-04T09:30:00");
    one<google::insert_outcome> a;
    client.insert_event("primary", ev, a.cb());
    REQUIRE(a.get().ok());
    std::this_thread::sleep_for(1100ms);  // let the cached token come due
    one<google::calendar_event> b;
    client.get_event("primary", ev.id, b.cb());
    REQUIRE(b.get().ok());
    auto tokens = token_requests(*mocks);
    CHECK(tokens.size() == 2);
    for (const auto& r : api_requests(*mocks)) CHECK(r["status"] == 200);  // never a 401
  }
  SECTION("on 401") {
    auto mocks = start_mocks(google_config());
    calendar_client client(io.io(), options_for(*mocks));
    auto ev = booking("bk-4", "2026-06-04T10:00:00", "2026-06-04T10:30:00");
    one<google::insert_outcome> a;
    client.insert_event("primary", ev, a.cb());
    REQUIRE(a.get().ok());
    mocks->expire_google_tokens();
    one<google::calendar_event> b;
    client.get_event("primary", ev.id, b.cb());
    REQUIRE(b.get().ok());
    CHECK(token_requests(*mocks).size() == 2);
    auto reqs = api_requests(*mocks);
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[1]["status"] == 401);
    CHECK(reqs[2]["status"] == 200);
  }
  SECTION("concurrent operations share one refresh") {
    auto mocks = start_mocks(google_config());
    calendar_client client(io.io(), options_for(*mocks));
    std::vector<std::unique_ptr<one<google::calendar_event>>> gets;
    for (int i = 0; i < 5; ++i) {
      gets.push_back(std::make_unique<one<google::calendar_event>>());
      client.get_event("primary", "missingevent" + std::to_string(i), gets.back()->cb());
    }
    for (auto& g : gets) {
      auto r = g->get();
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == provider_errc::not_found);
      CHECK(r.error().is_permanent());
    }
    CHECK(token_requests(*mocks).size() == 1);
    CHECK(api_requests(*mocks).size() == 5);  // 404 is not retried
  }
}

TEST_CASE("Google token errors: invalid_grant and invalid_client are permanent and not retried, a 500, a drop and "
          "a stall are retried",
          "[clients][google][faults]") {
  io_runner io;
  SECTION("invalid_grant") {
    auto mocks = start_mocks(google_config());
    auto opt = options_for(*mocks);
    opt.refresh_token = "revoked";
    calendar_client client(io.io(), opt);
    one<google::calendar_event> g;
    client.get_event("primary", "abcde", g.cb());
    auto r = g.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == provider_errc::unauthenticated);
    CHECK(r.error().reason == "invalid_grant");
    CHECK(r.error().is_permanent());
    CHECK(token_requests(*mocks).size() == 1);
    CHECK(api_requests(*mocks).empty());
  }
  SECTION("invalid_client") {
    auto mocks = start_mocks(google_config());
    auto opt = options_for(*mocks);
    opt.client_secret = "wrong";
    calendar_client client(io.io(), opt);
    one<google::calendar_event> g;
    client.get_event("primary", "abcde", g.cb());
    auto r = g.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == provider_errc::unauthenticated);
    CHECK(r.error().http_status == 401);
  }
  for (const char* kind : {"drop", "stall"}) {
    DYNAMIC_SECTION("token endpoint " << kind << " once") {
      auto mocks = start_mocks(google_config(
        json{{"faults", {{{"kind", kind}, {"match", "token"}, {"times", 1}, {"stall_ms", 3000}}}}}));
      auto opt = options_for(*mocks);
      opt.first_byte_timeout = 300ms;
      calendar_client client(io.io(), opt);
      google::free_busy_query q{"2026-06-02T12:00:00Z", "2026-06-02T13:00:00Z", "", {"primary"}};
      one<google::free_busy_result> fb;
      client.free_busy(q, fb.cb());
      REQUIRE(fb.get().ok());
      CHECK(token_requests(*mocks).size() == 2);
    }
  }
  SECTION("slow token endpoint") {
    auto mocks = start_mocks(google_config(json{{"faults", {{{"kind", "delay"}, {"match", "token"}, {"delay_ms", 300}}}}}));
    calendar_client client(io.io(), options_for(*mocks));
    google::free_busy_query q{"2026-06-02T12:00:00Z", "2026-06-02T13:00:00Z", "", {"primary"}};
    one<google::free_busy_result> fb;
    client.free_busy(q, fb.cb());
    REQUIRE(fb.get().ok());
    CHECK(token_requests(*mocks).size() == 1);
  }
  SECTION("token endpoint 500 once") {
    auto mocks = start_mocks(google_config(json{{"faults", {{{"kind", "status"}, {"status", 500}, {"match", "token"}, {"times", 1}}}}}));
    calendar_client client(io.io(), options_for(*mocks));
    google::free_busy_query q{"2026-06-02T12:00:00Z", "2026-06-02T13:00:00Z", "", {"primary"}};
    one<google::free_busy_result> fb;
    client.free_busy(q, fb.cb());
    REQUIRE(fb.get().ok());
    CHECK(token_requests(*mocks).size() == 2);
  }
}

TEST_CASE("Google faults: 403 rateLimitExceeded, 429 with Retry-After and 503 are retried, drop, stall and delay "
          "are survived",
          "[clients][google][faults]") {
  io_runner io;
  auto run_insert = [&](json faults, auto&& tweak) {
    auto mocks = start_mocks(google_config(json{{"faults", std::move(faults)}}));
    auto opt = options_for(*mocks);
    tweak(opt);
    calendar_client client(io.io(), opt);
    one<google::insert_outcome> ins;
    client.insert_event("primary", booking("bk-f", "2026-06-05T09:00:00", "2026-06-05T10:00:00"), ins.cb());
    auto r = ins.get(10000ms);
    return std::make_tuple(r, api_requests(*mocks), mocks->calendar_events("primary").size());
  };
  auto none = [](auto&) {};
  SECTION("403 rateLimitExceeded") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "status"}, {"status", 403}, {"match", "events.insert"}, {"times", 1}}}, none);
    REQUIRE(r.ok());
    REQUIRE(reqs.size() == 2);
    CHECK(reqs[0]["status"] == 403);
    CHECK(stored == 1);
  }
  SECTION("429 with Retry-After") {
    const auto t0 = steady::now();
    auto [r, reqs, stored] = run_insert(json{{{"kind", "status"}, {"status", 429}, {"match", "events.insert"}, {"times", 1}}}, none);
    REQUIRE(r.ok());
    CHECK(reqs.size() == 2);
    CHECK(seconds_since(t0) >= 1.0);  // Retry-After: 1
  }
  SECTION("503 twice") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "status"}, {"status", 503}, {"match", "events.insert"}, {"times", 2}}}, none);
    REQUIRE(r.ok());
    CHECK(reqs.size() == 3);
  }
  SECTION("a 403 that is not a rate limit is permanent") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "status"}, {"status", 403}, {"match", "events.insert"},
                                              {"error_code", "forbiddenForNonOrganizer"}}}, none);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == provider_errc::forbidden);
    CHECK(reqs.size() == 1);
  }
  SECTION("dropped connection") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "drop"}, {"match", "events.insert"}, {"times", 1}}}, none);
    REQUIRE(r.ok());
    CHECK(stored == 1);
  }
  SECTION("stalled answer") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "stall"}, {"match", "events.insert"}, {"times", 1}, {"stall_ms", 5000}}},
                                        [](auto& o) { o.first_byte_timeout = 400ms; });
    REQUIRE(r.ok());
    CHECK(stored == 1);
  }
  SECTION("slow answer") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "delay"}, {"match", "events.insert"}, {"delay_ms", 300}}}, none);
    REQUIRE(r.ok());
    CHECK(reqs.size() == 1);
  }
  SECTION("503 that never ends: reported once the deadline is used") {
    auto [r, reqs, stored] = run_insert(json{{{"kind", "status"}, {"status", 503}, {"match", "events.insert"}}},
                                        [](auto& o) { o.deadline = 800ms; });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == provider_errc::server_error);
    CHECK(reqs.size() >= 2);
  }
}

TEST_CASE("Google client destroyed with operations pending calls nothing", "[clients][google]") {
  auto mocks = start_mocks(google_config(json{{"faults", {{{"kind", "delay"}, {"delay_ms", 500}}}}}));
  io_runner io;
  one<google::calendar_event> g;
  {
    calendar_client client(io.io(), options_for(*mocks));
    client.get_event("primary", "abcde", g.cb());
  }
  CHECK(io.drain(3000ms));
  CHECK(g.r.size() == 0);
}
