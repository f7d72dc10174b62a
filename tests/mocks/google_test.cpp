// The Google OAuth + Calendar mock (protocols.md §8, §9.6).
#include "fixtures.hpp"

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

const std::string good_form =
  "grant_type=refresh_token&client_id=mock-client-id&client_secret=mock-client-secret&refresh_token=mock-refresh-token";
const header_list form_type{{"Content-Type", "application/x-www-form-urlencoded"}};

http_exchange token(const mock_server& m, const std::string& form = good_form) {
  return http_call(m.google_port(), http::verb::post, "/token", form, form_type);
}

std::string access_token(const mock_server& m) {
  auto r = token(m);
  REQUIRE(r.status == 200);
  return parse_body(r)["access_token"];
}

http_exchange api(const mock_server& m, http::verb method, const std::string& path, const std::string& at,
                  const json& body = nullptr, const header_list& extra = {}) {
  header_list h{{"Authorization", "Bearer " + at}, {"Content-Type", "application/json"}};
  h.insert(h.end(), extra.begin(), extra.end());
  return http_call(m.google_port(), method, "/calendar/v3" + path, body.is_null() ? "" : body.dump(), h);
}

json event(const std::string& start, const std::string& end, json extra = json::object()) {
  json e{{"summary", "Oil change"}, {"start", {{"dateTime", start}}}, {"end", {{"dateTime", end}}}};
  e.merge_patch(extra);
  return e;
}

std::string reason_of(const http_exchange& r) { return parse_body(r)["error"]["errors"][0]["reason"]; }

} // namespace

TEST_CASE("Google token endpoint: refresh grant, invalid_grant, invalid_client, unsupported grant", "[mocks][google]") {
  auto mocks = start_mocks();
  auto ok = token(*mocks);
  REQUIRE(ok.status == 200);
  auto j = parse_body(ok);
  CHECK(j["access_token"] == "mock-at-1");
  CHECK(j["expires_in"] == 3599);
  CHECK(j["token_type"] == "Bearer");
  CHECK(j["scope"] == "https://www.googleapis.com/auth/calendar");
  CHECK(parse_body(token(*mocks))["access_token"] == "mock-at-2");

  auto bad_grant = token(*mocks, "grant_type=refresh_token&client_id=mock-client-id&client_secret=mock-client-secret&refresh_token=old");
  CHECK(bad_grant.status == 400);
  CHECK(parse_body(bad_grant) == json{{"error", "invalid_grant"}, {"error_description", "Token has been expired or revoked."}});
  auto bad_client = token(*mocks, "grant_type=refresh_token&client_id=x&client_secret=mock-client-secret&refresh_token=mock-refresh-token");
  CHECK(bad_client.status == 401);
  CHECK(parse_body(bad_client)["error"] == "invalid_client");
  CHECK(parse_body(token(*mocks, "grant_type=password"))["error"] == "unsupported_grant_type");
  CHECK(http_call(mocks->google_port(), http::verb::post, "/token", good_form, {{"Content-Type", "application/json"}}).status ==
        400);
  CHECK(mocks->log("google", 0, "google.token").size() == 6);
}

TEST_CASE("Google expires_in can come as a string", "[mocks][google]") {
  auto mocks = start_mocks(json{{"google", {{"expires_in_as_string", true}}}});
  CHECK(parse_body(token(*mocks))["expires_in"] == "3599");
}

TEST_CASE("Google Calendar needs a live token: 401 authError when missing, unknown, expired or stale",
          "[mocks][google]") {
  auto mocks = start_mocks(json{{"google", {{"expires_in", 2}, {"clock_speed", 10.0}}}});  // 200 ms of real time
  auto none = http_call(mocks->google_port(), http::verb::get, "/calendar/v3/calendars/primary/events");
  CHECK(none.status == 401);
  auto err = parse_body(none)["error"];
  CHECK(err["code"] == 401);
  CHECK(err["errors"][0]["reason"] == "authError");
  CHECK(err["errors"][0]["location"] == "Authorization");
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events", "made-up").status == 401);

  const auto at = access_token(*mocks);
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events", at).status == 200);
  std::this_thread::sleep_for(300ms);
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events", at).status == 401);

  const auto fresh = access_token(*mocks);
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events", fresh).status == 200);
  mocks->expire_google_tokens();
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events", fresh).status == 401);
}

TEST_CASE("Google events.insert stores the event with server fields and validates it", "[mocks][google]") {
  auto mocks = start_mocks();
  const auto at = access_token(*mocks);
  auto r = api(*mocks, http::verb::post, "/calendars/primary/events", at,
               event("2026-06-02T10:30:00-04:00", "2026-06-02T11:00:00-04:00",
                     {{"id", "bk7f3a9c20260602t1030"}, {"extendedProperties", {{"private", {{"callSid", "CA1"}}}}}}));
  REQUIRE(r.status == 200);
  auto e = parse_body(r);
  CHECK(e["id"] == "bk7f3a9c20260602t1030");
  CHECK(e["status"] == "confirmed");
  CHECK(e["kind"] == "calendar#event");
  for (const char* k : {"htmlLink", "etag", "created", "updated", "iCalUID", "creator", "organizer"}) CHECK(e.contains(k));

  SECTION("a reused id is 409 duplicate, even once cancelled") {
    auto dup = api(*mocks, http::verb::post, "/calendars/primary/events", at,
                   event("2026-06-03T10:00:00Z", "2026-06-03T11:00:00Z", {{"id", "bk7f3a9c20260602t1030"}}));
    CHECK(dup.status == 409);
    CHECK(reason_of(dup) == "duplicate");
    CHECK(api(*mocks, http::verb::delete_, "/calendars/primary/events/bk7f3a9c20260602t1030", at).status == 204);
    CHECK(api(*mocks, http::verb::post, "/calendars/primary/events", at,
              event("2026-06-03T10:00:00Z", "2026-06-03T11:00:00Z", {{"id", "bk7f3a9c20260602t1030"}}))
            .status == 409);
  }
  SECTION("ids must be 5-1024 characters of a-v and 0-9") {
    for (const std::string id : {"abcw1", "ABCDE1", "abc", "bk-12345"}) {
      auto bad = api(*mocks, http::verb::post, "/calendars/primary/events", at,
                     event("2026-06-03T10:00:00Z", "2026-06-03T11:00:00Z", {{"id", id}}));
      INFO(id);
      CHECK(bad.status == 400);
    }
    CHECK(api(*mocks, http::verb::post, "/calendars/primary/events", at,
              event("2026-06-03T10:00:00Z", "2026-06-03T11:00:00Z", {{"id", "abcdv"}}))
            .status == 200);
  }
  SECTION("times: an empty range, a missing zone, an unknown zone") {
    auto empty = api(*mocks, http::verb::post, "/calendars/primary/events", at,
                     event("2026-06-03T11:00:00Z", "2026-06-03T11:00:00Z"));
    CHECK(empty.status == 400);
    CHECK(reason_of(empty) == "timeRangeEmpty");
    CHECK(api(*mocks, http::verb::post, "/calendars/primary/events", at,
              event("2026-06-03T10:00:00", "2026-06-03T11:00:00"))
            .status == 400);
    CHECK(api(*mocks, http::verb::post, "/calendars/primary/events", at,
              json{{"start", {{"dateTime", "2026-06-03T10:00:00"}, {"timeZone", "Mars/Base"}}},
                   {"end", {{"dateTime", "2026-06-03T11:00:00"}, {"timeZone", "Mars/Base"}}}})
            .status == 400);
    CHECK(api(*mocks, http::verb::post, "/calendars/primary/events", at, json{{"summary", "no times"}}).status == 400);
  }
  SECTION("unknown calendars are 404") {
    auto nf = api(*mocks, http::verb::post, "/calendars/other%40example.com/events", at,
                  event("2026-06-03T10:00:00Z", "2026-06-03T11:00:00Z"));
    CHECK(nf.status == 404);
    CHECK(reason_of(nf) == "notFound");
  }
}

TEST_CASE("Google patch merges fields and replaces arrays, delete cancels, then 410", "[mocks][google]") {
  auto mocks = start_mocks();
  const auto at = access_token(*mocks);
  auto created = parse_body(api(*mocks, http::verb::post, "/calendars/primary/events", at,
                                event("2026-06-02T10:00:00Z", "2026-06-02T11:00:00Z",
                                      {{"attendees", {{{"email", "a@x.com"}}, {{"email", "b@x.com"}}}},
                                       {"description", "keep me"}})));
  const std::string id = created["id"];
  CHECK(id.size() >= 5);
  auto patched = api(*mocks, http::verb::patch, "/calendars/primary/events/" + id, at,
                     json{{"start", {{"dateTime", "2026-06-02T12:00:00Z"}}},
                          {"end", {{"dateTime", "2026-06-02T13:00:00Z"}}},
                          {"attendees", {{{"email", "c@x.com"}}}}});
  REQUIRE(patched.status == 200);
  auto p = parse_body(patched);
  CHECK(p["description"] == "keep me");
  CHECK(p["attendees"].size() == 1);
  CHECK(p["sequence"] == 1);
  CHECK(p["etag"] != created["etag"]);
  CHECK(api(*mocks, http::verb::patch, "/calendars/primary/events/nosuchevent1", at, json{{"summary", "x"}}).status == 404);
  CHECK(api(*mocks, http::verb::patch, "/calendars/primary/events/" + id, at,
            json{{"end", {{"dateTime", "2026-06-02T11:00:00Z"}}}})
          .status == 400);

  CHECK(api(*mocks, http::verb::delete_, "/calendars/primary/events/" + id, at).status == 204);
  auto again = api(*mocks, http::verb::delete_, "/calendars/primary/events/" + id, at);
  CHECK(again.status == 410);
  CHECK(reason_of(again) == "deleted");
  auto got = api(*mocks, http::verb::get, "/calendars/primary/events/" + id, at);
  CHECK(parse_body(got)["status"] == "cancelled");
  // Reviving a cancelled booking is a patch.
  auto revived = api(*mocks, http::verb::patch, "/calendars/primary/events/" + id, at, json{{"status", "confirmed"}});
  CHECK(parse_body(revived)["status"] == "confirmed");
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events/zzzzz", at).status == 404);
}

TEST_CASE("Google events.list filters by extended property, time window, deletion and orders by start", "[mocks][google]") {
  auto mocks = start_mocks();
  const auto at = access_token(*mocks);
  auto add = [&](const std::string& s, const std::string& e, const std::string& call) {
    auto r = api(*mocks, http::verb::post, "/calendars/primary/events", at,
                 event(s, e, {{"extendedProperties", {{"private", {{"callSid", call}, {"kind", "service"}}}}}}));
    REQUIRE(r.status == 200);
    return parse_body(r)["id"].get<std::string>();
  };
  add("2026-06-02T15:00:00Z", "2026-06-02T16:00:00Z", "CA2");
  const auto first = add("2026-06-02T09:00:00Z", "2026-06-02T10:00:00Z", "CA1");
  add("2026-06-03T09:00:00Z", "2026-06-03T10:00:00Z", "CA2");
  auto items = [&](const std::string& q) {
    auto r = api(*mocks, http::verb::get, "/calendars/primary/events?" + q, at);
    REQUIRE(r.status == 200);
    return parse_body(r)["items"];
  };
  CHECK(items("privateExtendedProperty=callSid%3DCA2").size() == 2);
  CHECK(items("privateExtendedProperty=callSid%3DCA2&privateExtendedProperty=kind%3Dservice").size() == 2);
  CHECK(items("privateExtendedProperty=callSid%3DCA9").empty());
  auto day = items("timeMin=2026-06-02T00:00:00Z&timeMax=2026-06-03T00:00:00Z&singleEvents=true&orderBy=startTime");
  REQUIRE(day.size() == 2);
  CHECK(day[0]["id"] == first);
  CHECK(api(*mocks, http::verb::get, "/calendars/primary/events?orderBy=startTime", at).status == 400);
  CHECK(api(*mocks, http::verb::delete_, "/calendars/primary/events/" + first, at).status == 204);
  CHECK(items("privateExtendedProperty=callSid%3DCA1").empty());
  CHECK(items("privateExtendedProperty=callSid%3DCA1&showDeleted=true").size() == 1);
  auto page = parse_body(api(*mocks, http::verb::get, "/calendars/primary/events?maxResults=1", at));
  CHECK(page["items"].size() == 1);
  CHECK(page.contains("nextPageToken"));
  auto next = parse_body(api(*mocks, http::verb::get,
                             "/calendars/primary/events?maxResults=1&pageToken=" + page["nextPageToken"].get<std::string>(), at));
  CHECK(next["items"].size() == 1);
  CHECK(next["items"][0]["id"] != page["items"][0]["id"]);
}

TEST_CASE("Google freeBusy merges busy periods of opaque events and reports unknown calendars", "[mocks][google]") {
  json new_york = event("2026-06-02T09:00:00", "2026-06-02T10:00:00");
  new_york["start"]["timeZone"] = "America/New_York";
  new_york["end"]["timeZone"] = "America/New_York";
  json seeds = json::array({new_york, event("2026-06-02T13:30:00Z", "2026-06-02T14:30:00Z"),
                            event("2026-06-02T16:00:00Z", "2026-06-02T17:00:00Z", {{"transparency", "transparent"}}),
                            event("2026-06-02T18:00:00Z", "2026-06-02T19:00:00Z", {{"status", "cancelled"}})});
  auto mocks = start_mocks(json{{"google", {{"calendars", {{"primary", seeds}}}}}});
  auto at = access_token(*mocks);
  auto r = api(*mocks, http::verb::post, "/freeBusy", at,
               json{{"timeMin", "2026-06-02T08:00:00-04:00"},
                    {"timeMax", "2026-06-02T18:00:00-04:00"},
                    {"timeZone", "America/New_York"},
                    {"items", {{{"id", "primary"}}, {{"id", "nobody@example.com"}}}}});
  REQUIRE(r.status == 200);
  auto j = parse_body(r);
  CHECK(j["kind"] == "calendar#freeBusy");
  CHECK(j["timeMin"] == "2026-06-02T12:00:00.000Z");
  auto busy = j["calendars"]["primary"]["busy"];
  // 09:00-10:00 New York (13:00-14:00Z) overlaps 13:30-14:30Z: one merged period.
  REQUIRE(busy.size() == 1);
  CHECK(busy[0]["start"] == "2026-06-02T09:00:00-04:00");
  CHECK(busy[0]["end"] == "2026-06-02T10:30:00-04:00");
  CHECK(j["calendars"]["nobody@example.com"]["errors"][0]["reason"] == "notFound");
  auto empty = api(*mocks, http::verb::post, "/freeBusy", at,
                   json{{"timeMin", "2026-06-02T10:00:00Z"}, {"timeMax", "2026-06-02T10:00:00Z"}, {"items", {{{"id", "primary"}}}}});
  CHECK(empty.status == 400);
  CHECK(reason_of(empty) == "timeRangeEmpty");
}

TEST_CASE("Google faults: 403 rateLimitExceeded, 429 with Retry-After, 503 every Nth request", "[mocks][google][faults]") {
  auto mocks = start_mocks(json{{"google",
                                 {{"faults",
                                   {{{"kind", "status"}, {"status", 403}, {"match", "freeBusy"}, {"times", 1}},
                                    {{"kind", "status"}, {"status", 429}, {"match", "events.insert"}, {"times", 1}},
                                    {{"kind", "status"}, {"status", 503}, {"match", "events.list"}, {"every_nth", 2}}}}}}});
  auto at = access_token(*mocks);
  auto fb = api(*mocks, http::verb::post, "/freeBusy", at,
                json{{"timeMin", "2026-06-02T10:00:00Z"}, {"timeMax", "2026-06-02T11:00:00Z"}, {"items", {{{"id", "primary"}}}}});
  CHECK(fb.status == 403);
  CHECK(reason_of(fb) == "rateLimitExceeded");
  CHECK(parse_body(fb)["error"]["errors"][0]["domain"] == "usageLimits");
  auto ins = api(*mocks, http::verb::post, "/calendars/primary/events", at, event("2026-06-02T10:00:00Z", "2026-06-02T11:00:00Z"));
  CHECK(ins.status == 429);
  CHECK(std::string(ins.headers[http::field::retry_after]) == "1");
  CHECK(api(*mocks, http::verb::post, "/calendars/primary/events", at, event("2026-06-02T10:00:00Z", "2026-06-02T11:00:00Z"))
          .status == 200);
  std::vector<unsigned> lists;
  for (int i = 0; i < 4; ++i) lists.push_back(api(*mocks, http::verb::get, "/calendars/primary/events", at).status);
  CHECK(lists == std::vector<unsigned>{200, 503, 200, 503});
}
