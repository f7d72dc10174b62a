// The Google Calendar mirror against the Google mock (real HTTP on loopback) and a real
// PostgreSQL: bookings made by the tools appear as events under their stored ids, moves
// patch them, cancels delete them, retries and restarts never duplicate, and Google
// failing for a while loses nothing.
#include "calendar_env.hpp"

#include "store/calendar_sync.hpp"

using namespace ce;
using namespace ce::calendar;
using namespace ce::calendar::test;
using ce::tools::test::tool_rig;
using store::test::future_monday;

namespace {

json booking(const store::test::test_customer& c, const std::string& start) {
  return json{{"service_type", "oil_change"}, {"vehicle_id", c.car.id}, {"start", start}};
}

/// The appointment's stored calendar_event_id ("" when NULL).
std::string stored_event_id(tool_rig& rig, std::int64_t id) {
  auto r = rig.shop.connection().exec("SELECT coalesce(calendar_event_id, '') FROM appointments WHERE id = $1",
                                      store::pg_params{}.add(id));
  REQUIRE(r.ok());
  return std::string{(*r)[0].text(0)};
}

/// Books through the tools and queues what the call changed, as a store worker does.
std::int64_t book(tool_rig& rig, calendar_mirror& m, const store::test::test_customer& c, const std::string& start) {
  auto b = rig.call("book_appointment", booking(c, start));
  REQUIRE(b["ok"] == true);
  REQUIRE(rig.last.changed_appointments.size() == 1);
  auto id = rig.last.changed_appointments.front();
  CHECK(id == b["appointment"]["id"].get<std::int64_t>());
  m.enqueue(id, rig.ctx.call_sid);
  return id;
}

} // namespace

TEST_CASE("a booking is mirrored under its stored event id and a reschedule patches it and a cancel deletes it",
          "[calendar]") {
  auto google = start_google();
  tool_rig rig{"t_cal_mirror", "+12175550901", "CAcalmirror01"};
  auto c = rig.customer("+12175550901", 1);
  rig.verify_caller();
  auto mirror = mirror_for(rig.url, google_for(*google));
  auto monday = future_monday();

  auto id = book(rig, *mirror, c, monday + " 09:00");
  auto code = json::parse(rig.last.result_json)["appointment"]["confirmation_code"].get<std::string>();
  REQUIRE(drain(*mirror));
  auto event_id = mirror_event_id(id, code);
  CHECK(google::valid_event_id(event_id));
  CHECK(stored_event_id(rig, id) == event_id);
  auto ev = event_in_mock(*google, event_id);
  INFO(ev.dump());
  REQUIRE(ev.is_object());
  CHECK(ev["status"] == "confirmed");
  CHECK(ev["start"]["dateTime"] == monday + "T09:00:00");
  CHECK(ev["end"]["dateTime"] == monday + "T09:30:00");
  CHECK(ev["start"]["timeZone"] == "America/Chicago");
  CHECK(ev["transparency"] == "transparent");
  CHECK(ev["extendedProperties"]["private"]["callSid"] == "CAcalmirror01");
  CHECK(ev["extendedProperties"]["private"]["appointmentId"] == std::to_string(id));
  CHECK_THAT(ev["summary"].get<std::string>(), Catch::Contains("Oil change") && Catch::Contains("Caller1"));
  CHECK(mirror->counts().mirrored == 1);

  auto moved = rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", monday + " 14:00"}});
  REQUIRE(moved["ok"] == true);
  REQUIRE(rig.last.changed_appointments == std::vector<std::int64_t>{id});
  mirror->enqueue(id, rig.ctx.call_sid);
  REQUIRE(drain(*mirror));
  ev = event_in_mock(*google, event_id);
  CHECK(ev["start"]["dateTime"] == monday + "T14:00:00");
  CHECK(ev["end"]["dateTime"] == monday + "T14:30:00");
  CHECK(ev["status"] == "confirmed");
  CHECK(requests_of(*google, "events.patch") == 1);
  CHECK(requests_of(*google, "events.insert") == 1);  // mirrored before: patched in place

  auto cancelled = rig.call("cancel_appointment", {{"appointment_id", id}});
  REQUIRE(cancelled["ok"] == true);
  mirror->enqueue(id, rig.ctx.call_sid);
  REQUIRE(drain(*mirror));
  CHECK(event_in_mock(*google, event_id)["status"] == "cancelled");
  CHECK(requests_of(*google, "events.delete") == 1);
  CHECK(stored_event_id(rig, id) == event_id);
  CHECK(mirror->counts().mirrored == 3);
  CHECK(mirror->counts().failed == 0);
  CHECK(google->calendar_events(shop_calendar).size() == 1);

  // Nothing is pending any more: a reconcile finds nothing and Google is not asked again.
  auto before = google->log("google", 0, "google.request").size();
  CHECK(mirror->reconcile() == std::size_t{0});
  CHECK(drain(*mirror));
  CHECK(google->log("google", 0, "google.request").size() == before);
}

TEST_CASE("a retried booking or a repeated notification or a restart never duplicates the event", "[calendar]") {
  auto google = start_google();
  tool_rig rig{"t_cal_retry", "+12175550902", "CAcalretry01"};
  auto c = rig.customer("+12175550902", 2);
  rig.verify_caller();
  auto g = google_for(*google);
  auto mirror = mirror_for(rig.url, g);
  auto monday = future_monday();

  auto id = book(rig, *mirror, c, monday + " 10:00");
  mirror->enqueue(id, rig.ctx.call_sid);  // the same change twice: queued once
  CHECK(mirror->depth() == 1);
  REQUIRE(drain(*mirror));
  // The caller's "yes" heard twice: the tool call repeats; same appointment, same event.
  auto again = rig.call("book_appointment", booking(c, monday + " 10:00"));
  REQUIRE(again["ok"] == true);
  CHECK(again["appointment"]["id"] == id);
  mirror->enqueue(id, rig.ctx.call_sid);
  REQUIRE(drain(*mirror));
  CHECK(requests_of(*google, "events.insert") == 1);  // the second was already mirrored

  // A crash after Google stored the event but before PostgreSQL recorded it: the row is
  // pending again; a new mirror (after the restart) reconciles it with a 409, not a copy.
  REQUIRE(rig.shop.connection().exec("UPDATE appointments SET calendar_synced_at = NULL, calendar_event_id = NULL "
                                     "WHERE id = $1", store::pg_params{}.add(id)).ok());
  mirror.reset();
  auto restarted = mirror_for(rig.url, g);
  CHECK(restarted->reconcile() == std::size_t{1});
  REQUIRE(drain(*restarted));
  CHECK(requests_of(*google, "events.insert") == 2);
  CHECK(google->calendar_events(shop_calendar).size() == 1);
  CHECK(stored_event_id(rig, id) == event_in_mock(*google, stored_event_id(rig, id))["id"]);
  CHECK(restarted->counts().mirrored == 1);
}

TEST_CASE("Google answering 500 and 429 for a while delays the mirror and loses nothing",
          "[calendar]") {
  auto google = start_google();
  tool_rig rig{"t_cal_faults", "+12175550903", "CAcalfaults01"};
  auto c = rig.customer("+12175550903", 3);
  rig.verify_caller();
  auto mirror = mirror_for(rig.url, google_for(*google));
  auto monday = future_monday();
  // 6 x 500 then 4 x 429: more than the client's own retries of one attempt.
  REQUIRE_FALSE(google->patch_config(
    {{"google", {{"faults", json::array({{{"kind", "status"}, {"match", "events.insert"}, {"status", 500}, {"times", 6}},
                                         {{"kind", "status"}, {"match", "events.insert"}, {"status", 429}, {"times", 4},
                                          {"retry_after", "0"}}})}}}}));

  auto t0 = std::chrono::steady_clock::now();
  auto b = rig.call("book_appointment", booking(c, monday + " 11:00"));
  auto booking_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  REQUIRE(b["ok"] == true);  // the booking itself never waits for Google
  INFO("booking took " << booking_ms.count() << " ms");
  auto id = rig.last.changed_appointments.at(0);
  mirror->enqueue(id, rig.ctx.call_sid);
  mirror->run_due(std::chrono::steady_clock::now(), 10);
  CHECK(mirror->depth() == 1);  // failed once, waiting for its retry
  CHECK(mirror->counts().failed >= 1);
  CHECK(stored_event_id(rig, id).empty());
  REQUIRE(drain(*mirror));
  CHECK(mirror->counts().mirrored == 1);
  CHECK(mirror->counts().gave_up == 0);
  auto a = rig.call("get_appointments")["appointments"][0];
  auto event_id = mirror_event_id(id, a["confirmation_code"].get<std::string>());
  CHECK(stored_event_id(rig, id) == event_id);
  CHECK(event_in_mock(*google, event_id)["start"]["dateTime"] == monday + "T11:00:00");
  CHECK(google->calendar_events(shop_calendar).size() == 1);
  CHECK(requests_of(*google, "events.insert") >= 11);
}

TEST_CASE("changes made while Google is unreachable are mirrored by the reconcile after a restart", "[calendar]") {
  auto google = start_google();
  tool_rig rig{"t_cal_down", "+12175550904", "CAcaldown01"};
  auto c = rig.customer("+12175550904", 4);
  rig.verify_caller();
  auto monday = future_monday();
  // Nobody listens on the API port: every attempt fails; the mirror gives up after 2.
  auto closed = google_at(google->google_token_url(), "http://127.0.0.1:1/calendar/v3");
  auto opts = mirror_opts();
  opts.max_attempts = 2;
  auto down = std::make_unique<calendar_mirror>(store::pg_connection{store::test::options_for(rig.url)},
                                                std::make_shared<google_calendar>(closed, opts.time_zone, fast_tuning()),
                                                opts, nullptr);
  auto first = book(rig, *down, c, monday + " 13:00");
  auto second_call = rig.call("book_appointment", booking(c, monday + " 15:00"));
  REQUIRE(second_call["ok"] == true);
  auto second = rig.last.changed_appointments.at(0);
  down->enqueue(second, rig.ctx.call_sid);
  REQUIRE(rig.call("cancel_appointment", {{"appointment_id", second}})["ok"] == true);
  // The first failure stops the pass: the other appointment waits for the same backoff
  // instead of spending its own deadline on a Google that is down.
  CHECK(down->run_due(std::chrono::steady_clock::now(), 10) == 1);
  CHECK(down->depth() == 2);
  CHECK(*down->next_due() > std::chrono::steady_clock::now());
  REQUIRE(drain(*down));
  CHECK(down->counts().gave_up == 2);
  CHECK(down->counts().mirrored == 0);
  down.reset();  // the engine stops

  auto pending = store::pending_mirrors(rig.shop.connection(), 60, 100);
  REQUIRE(pending.ok());
  CHECK(pending->size() == 2);
  auto mirror = mirror_for(rig.url, google_for(*google));
  CHECK(mirror->reconcile() == std::size_t{2});
  REQUIRE(drain(*mirror));
  CHECK(mirror->counts().mirrored == 2);
  auto events = google->calendar_events(shop_calendar);
  REQUIRE(events.size() == 1);  // the cancelled one never reached the calendar: nothing to delete
  CHECK(events[0]["extendedProperties"]["private"]["appointmentId"] == std::to_string(first));
  CHECK(stored_event_id(rig, second).empty());
  CHECK(store::pending_mirrors(rig.shop.connection(), 60, 100)->empty());
}

TEST_CASE("the mirror queue is bounded and what it refuses stays pending for the reconcile", "[calendar]") {
  auto google = start_google();
  tool_rig rig{"t_cal_bound", "+12175550905", "CAcalbound01"};
  auto c = rig.customer("+12175550905", 5);
  rig.verify_caller();
  auto opts = mirror_opts();
  opts.max_queue = 1;
  auto mirror = mirror_for(rig.url, google_for(*google), opts);
  auto monday = future_monday();
  auto first = book(rig, *mirror, c, monday + " 08:00");
  auto b = rig.call("book_appointment", booking(c, monday + " 08:30"));
  REQUIRE(b["ok"] == true);
  CHECK_FALSE(mirror->enqueue(rig.last.changed_appointments.at(0), rig.ctx.call_sid));
  CHECK(mirror->counts().dropped == 1);
  CHECK(mirror->depth() == 1);
  REQUIRE(drain(*mirror));
  CHECK(google->calendar_events(shop_calendar).size() == 1);
  CHECK(mirror->reconcile() == std::size_t{1});
  REQUIRE(drain(*mirror));
  CHECK(google->calendar_events(shop_calendar).size() == 2);
  CHECK(first > 0);
}
