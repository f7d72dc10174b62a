// Busy blocks of the shop calendar (freeBusy, cached) remove offered slots; Google
// unreachable leaves the slots to PostgreSQL alone. Also the google config and the
// RFC 3339 reading the busy periods rely on.
#include "calendar_env.hpp"

#include "common/config_loader.hpp"

using namespace ce;
using namespace ce::calendar;
using namespace ce::calendar::test;
using ce::tools::test::tool_rig;
using store::test::future_monday;

namespace {

std::vector<std::string> starts_of(const json& result) {
  std::vector<std::string> out;
  for (const auto& s : result["slots"]) out.push_back(s["start"].get<std::string>());
  return out;
}

json busy_block(const std::string& summary, const std::string& start, const std::string& end) {
  return json{{"summary", summary},
              {"start", {{"dateTime", start}, {"timeZone", "America/Chicago"}}},
              {"end", {{"dateTime", end}, {"timeZone", "America/Chicago"}}}};
}

void use_calendar(tool_rig& rig, std::shared_ptr<google_calendar> g) {
  rig.env.calendar_busy = [g](std::int64_t from, std::int64_t to, const std::string& call_sid, bool may_wait) {
    auto busy = g->busy_between(from, to, call_sid, may_wait);
    if (!busy) return std::optional<std::vector<tools::busy_period>>{};
    std::vector<tools::busy_period> out;
    for (const auto& b : *busy) out.push_back({b.start_unix, b.end_unix});
    return std::optional<std::vector<tools::busy_period>>{out};
  };
}

json day_slots(tool_rig& rig, const std::string& day, const std::string& service = "oil_change") {
  auto r = rig.call("get_available_slots",
                    {{"service_type", service}, {"date_from", day}, {"date_to", day}, {"max", 20}});
  REQUIRE(r["ok"] == true);
  return r;
}

} // namespace

TEST_CASE("a busy block in the shop calendar removes the overlapping slots", "[calendar]") {
  auto monday = future_monday();
  auto google = start_google(json::array({busy_block("Bay 2 closed for maintenance", monday + "T10:00:00",
                                                     monday + "T11:00:00"),
                                          busy_block("Staff meeting", monday + "T15:15:00", monday + "T15:45:00")}));
  tool_rig rig{"t_cal_busy", "+12175550911", "CAcalbusy01"};
  auto postgres_only = starts_of(day_slots(rig, monday));
  REQUIRE(postgres_only.size() == 16);

  auto g = google_for(*google);
  use_calendar(rig, g);
  auto with_google = starts_of(day_slots(rig, monday));
  std::vector<std::string> expected;
  for (const auto& s : postgres_only)
    if (s != monday + " 10:00" && s != monday + " 10:30" && s != monday + " 15:00" && s != monday + " 15:30")
      expected.push_back(s);
  CHECK(with_google == expected);
  // A longer service overlaps more of the block: 09:30 (60 min) runs into 10:00.
  auto alignment = starts_of(day_slots(rig, monday, "alignment"));
  CHECK(std::find(alignment.begin(), alignment.end(), monday + " 09:30") == alignment.end());
  CHECK(std::find(alignment.begin(), alignment.end(), monday + " 09:00") != alignment.end());
  CHECK(std::find(alignment.begin(), alignment.end(), monday + " 11:00") != alignment.end());

  // The second and third questions were answered from the cache: one freeBusy in all.
  CHECK(requests_of(*google, "freeBusy") == 1);
  // "max" still holds after filtering, earliest first.
  auto three = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday},
                                                {"date_to", monday}, {"max", 3}});
  CHECK(starts_of(three) == std::vector<std::string>{monday + " 08:00", monday + " 08:30", monday + " 09:00"});
  auto morning = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday},
                                                  {"date_to", monday}, {"part_of_day", "morning"}, {"max", 20}});
  CHECK(starts_of(morning).size() == 6);  // 08:00..11:30 without 10:00 and 10:30
}

TEST_CASE("booking or moving into a busy block is refused as taken", "[calendar]") {
  auto monday = future_monday();
  auto google = start_google(json::array({busy_block("Staff meeting", monday + "T14:00:00", monday + "T15:00:00")}));
  tool_rig rig{"t_cal_busy_book", "+12175550914", "CAcalbusybook1"};
  auto c = rig.customer("+12175550914", 14);
  rig.verify_caller();
  use_calendar(rig, google_for(*google));
  // The caller heard the day's slots first (as the dialog does): that filled the cache.
  auto offered = starts_of(day_slots(rig, monday));
  CHECK(std::find(offered.begin(), offered.end(), monday + " 14:30") == offered.end());
  auto into = rig.call("book_appointment", {{"service_type", "oil_change"}, {"vehicle_id", c.car.id},
                                             {"start", monday + " 14:30"}});
  CHECK(tools::test::error_of(into) == "conflict");
  CHECK_THAT(tools::test::message_of(into), Catch::Contains("blocked on the shop calendar"));
  // A 60-minute service starting at 13:30 runs into the block too.
  auto overlapping = rig.call("book_appointment", {{"service_type", "alignment"}, {"vehicle_id", c.car.id},
                                                    {"start", monday + " 13:30"}});
  CHECK(tools::test::error_of(overlapping) == "conflict");
  auto before = rig.call("book_appointment", {{"service_type", "oil_change"}, {"vehicle_id", c.car.id},
                                               {"start", monday + " 13:30"}});
  REQUIRE(before["ok"] == true);
  auto id = before["appointment"]["id"].get<std::int64_t>();
  auto moved = rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", monday + " 14:00"}});
  CHECK(tools::test::error_of(moved) == "conflict");
  CHECK(rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", monday + " 15:00"}})["ok"] == true);
  CHECK(rig.count("SELECT count(*) FROM appointments") == 1);
}

TEST_CASE("a booking never waits for a slow Google", "[calendar]") {
  auto monday = future_monday();
  auto google = start_google();
  REQUIRE_FALSE(google->patch_config(
    {{"google", {{"faults", json::array({{{"kind", "delay"}, {"match", "freeBusy"}, {"delay_ms", 4000}}})}}}}));
  tool_rig rig{"t_cal_slow", "+12175550915", "CAcalslow01"};
  auto c = rig.customer("+12175550915", 15);
  rig.verify_caller();
  use_calendar(rig, google_for(*google));
  auto t0 = std::chrono::steady_clock::now();
  auto b = rig.call("book_appointment", {{"service_type", "oil_change"}, {"vehicle_id", c.car.id},
                                          {"start", monday + " 09:00"}});
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(b["ok"] == true);
  CHECK(took < 1000ms);  // Google's 4 s are not the caller's
  // A slot question waits at most google.freebusy_wait_ms, then answers from PostgreSQL.
  auto t1 = std::chrono::steady_clock::now();
  auto slots = starts_of(day_slots(rig, monday));
  CHECK(std::chrono::steady_clock::now() - t1 < 1500ms + 1000ms);
  CHECK(slots.size() == 16);
}

TEST_CASE("our own mirrored bookings do not block slots but the bays do", "[calendar]") {
  auto monday = future_monday();
  auto google = start_google();
  tool_rig rig{"t_cal_own", "+12175550912", "CAcalown01"};
  auto c = rig.customer("+12175550912", 12);
  rig.verify_caller();
  auto g = google_for(*google);
  use_calendar(rig, g);
  auto mirror = mirror_for(rig.url, g);
  auto b = rig.call("book_appointment", {{"service_type", "oil_change"}, {"vehicle_id", c.car.id},
                                          {"start", monday + " 08:00"}});
  REQUIRE(b["ok"] == true);
  mirror->enqueue(rig.last.changed_appointments.at(0), rig.ctx.call_sid);
  REQUIRE(drain(*mirror));
  REQUIRE(google->calendar_events(shop_calendar).size() == 1);
  g->clear_busy_cache();
  auto slots = day_slots(rig, monday);
  REQUIRE(slots["slots"].size() == 16);
  CHECK(slots["slots"][0] == json{{"start", monday + " 08:00"}, {"end", monday + " 08:30"}, {"free_bays", 3}});
}

TEST_CASE("with Google unreachable or failing the slots come from PostgreSQL alone and the question does not hang",
          "[calendar]") {
  auto monday = future_monday();
  auto google = start_google(json::array({busy_block("Staff meeting", monday + "T08:00:00", monday + "T09:00:00")}));
  tool_rig rig{"t_cal_nogoogle", "+12175550913", "CAcalnogoogle1"};
  auto postgres_only = starts_of(day_slots(rig, monday));

  auto unreachable = std::make_shared<google_calendar>(
    google_at(google->google_token_url(), "http://127.0.0.1:1/calendar/v3"), store::test::facts().timezone,
    fast_tuning());
  use_calendar(rig, unreachable);
  auto t0 = std::chrono::steady_clock::now();
  CHECK(starts_of(day_slots(rig, monday)) == postgres_only);
  auto first_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  CHECK(first_ms < 1500ms + 1000ms);  // bounded by google.freebusy_wait_ms (plus the query itself)
  // Not asked again for a while: the next question does not wait at all.
  auto t1 = std::chrono::steady_clock::now();
  CHECK(starts_of(day_slots(rig, monday)) == postgres_only);
  CHECK(std::chrono::steady_clock::now() - t1 < 1000ms);

  // Google answering 503 to freeBusy: the same.
  REQUIRE_FALSE(google->patch_config(
    {{"google", {{"faults", json::array({{{"kind", "status"}, {"match", "freeBusy"}, {"status", 503}}})}}}}));
  auto quick = fast_tuning();
  quick.op_deadline = 500ms;  // gives up before the question stops waiting
  auto failing = std::make_shared<google_calendar>(google_at(google->google_token_url(), google->gcal_base()),
                                                   store::test::facts().timezone, quick);
  use_calendar(rig, failing);
  CHECK(starts_of(day_slots(rig, monday)) == postgres_only);
  // Recovered: the busy block counts again (after the short hold).
  REQUIRE_FALSE(google->patch_config({{"google", {{"faults", json::array()}}}}));
  failing->clear_busy_cache();
  auto recovered = starts_of(day_slots(rig, monday));
  CHECK(recovered.size() == postgres_only.size() - 2);
  CHECK(recovered.front() == monday + " 09:00");
}

TEST_CASE("RFC 3339 times with offsets and Z and fractions", "[calendar]") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("2026-06-02T09:00:00-04:00") == parse_rfc3339("2026-06-02T13:00:00Z"));
  CHECK(parse_rfc3339("2026-06-02T13:00:00.000Z") == parse_rfc3339("2026-06-02T13:00:00Z"));
  CHECK(parse_rfc3339("2026-06-02T18:30:00+05:30") == parse_rfc3339("2026-06-02T13:00:00Z"));
  CHECK(format_rfc3339_utc(*parse_rfc3339("2026-06-02T09:00:00-04:00")) == "2026-06-02T13:00:00Z");
  CHECK(format_rfc3339_utc(-1) == "1969-12-31T23:59:59Z");
  for (const char* bad : {"", "2026-06-02", "2026-06-02T09:00:00", "2026-13-02T09:00:00Z", "2026-06-02T09:00:00+0400",
                          "2026-06-02T09:00:00Zjunk", "2026-06-02 09:00"})
    CHECK_FALSE(parse_rfc3339(bad).has_value());
}

TEST_CASE("google config is enabled only with all four settings and env overrides and secrets refused in the file",
          "[calendar]") {
  auto base = std::string{CE_SOURCE_DIR} + "/config";
  auto text = [](const json& j) { return j.dump(); };
  auto off = parse_config(text({{"google", {{"calendar_id", "shop@example.com"}}}}), base, {});
  REQUIRE(off.config);
  CHECK_FALSE(off.config->google.enabled());
  auto on = parse_config(text({{"google", {{"calendar_id", "shop@example.com"}, {"client_id", "cid"}}}}), base,
                         {{"GOOGLE_CLIENT_SECRET", "s"}, {"GOOGLE_REFRESH_TOKEN", "r"},
                          {"GOOGLE_API_BASE_URL", "http://127.0.0.1:9/calendar/v3"},
                          {"GOOGLE_TOKEN_URL", "http://127.0.0.1:9/token"}});
  INFO(on.error);
  REQUIRE(on.config);
  CHECK(on.config->google.enabled());
  CHECK(on.config->google.api_base_url == "http://127.0.0.1:9/calendar/v3");
  CHECK(on.config->google.token_url == "http://127.0.0.1:9/token");
  CHECK(on.config->google.freebusy_cache_s == 60);
  auto from_env = parse_config("{}", base, {{"GOOGLE_CALENDAR_ID", "c"}, {"GOOGLE_CLIENT_ID", "i"},
                                            {"GOOGLE_CLIENT_SECRET", "s"}, {"GOOGLE_REFRESH_TOKEN", "r"}});
  REQUIRE(from_env.config);
  CHECK(from_env.config->google.enabled());
  auto secret = parse_config(text({{"google", {{"refresh_token", "x"}}}}), base, {});
  CHECK_FALSE(secret.config);
  CHECK_THAT(secret.error, Catch::Contains("GOOGLE_REFRESH_TOKEN"));
  auto bad = parse_config(text({{"google", {{"freebusy_cache_s", 0}}}}), base, {});
  CHECK_FALSE(bad.config);
  CHECK_THAT(bad.error, Catch::Contains("google.freebusy_cache_s"));
  auto url = parse_config("{}", base, {{"GOOGLE_API_BASE_URL", "ftp://x"}});
  CHECK_FALSE(url.config);
}
