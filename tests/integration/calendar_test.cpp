// The engine with Google Calendar configured, against mock_providers (a separate process
// speaking Google's API): a booking by phone appears on the shop calendar under the event
// id stored in PostgreSQL, a busy block on the calendar keeps the agent from offering the
// blocked days, and a cancel by phone deletes the event.
#include "helpers.hpp"
#include "mock_process.hpp"

#include "common/config_loader.hpp"
#include "store/dealership_store.hpp"
#include "store/shop_calendar.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace ce;
using namespace ce::test;

namespace {

const std::string caller_phone = "+12175550177";
const std::string calendar_id = "bartsauto.service@group.calendar.google.com";

store::pg_connection connect(const std::string& url) {
  store::pg_options o;
  o.url = url;
  store::pg_connection c{o};
  REQUIRE(c.connect().ok());
  return c;
}

std::string query_one(const std::string& url, const std::string& sql) {
  auto c = connect(url);
  auto r = c.exec(sql);
  REQUIRE(r.ok());
  if (r->empty() || r->columns() == 0 || (*r)[0].is_null(0)) return {};
  return std::string{(*r)[0].text(0)};
}

void add_customer(const engine_process& e) {
  auto cfg = load_config(std::string(CE_SOURCE_DIR) + "/config/engine.json", {});
  REQUIRE(cfg.config);
  auto calendar = store::make_shop_calendar(cfg.config->dealership);
  REQUIRE(calendar.ok());
  store::dealership_store db{connect(e.database_url()), std::move(*calendar)};
  store::customer c;
  c.first_name = "Maria";
  c.last_name = "Lopez";
  c.phone = caller_phone;
  c.zip = "62704";
  c.date_of_birth = "1979-09-02";
  auto created = db.create_customer(c);
  REQUIRE(created.ok());
  store::new_vehicle v;
  v.make = "Toyota";
  v.model = "Camry";
  v.year = 2018;
  REQUIRE(db.add_vehicle(created->id, v).ok());
}

sim::call_result call(const engine_process& e, std::vector<sim::script_line> lines) {
  auto opt = caller_for(e, std::move(lines));
  opt.from = caller_phone;
  auto r = sim::run_call(opt);
  INFO(e.log());
  REQUIRE(r.ok);
  return r;
}

/// Polls until `done` or ~10 s.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 100; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

nlohmann::json events(const mock_process& mocks) {
  auto r = mocks.control_get("/google/events?calendar=" + calendar_id);
  REQUIRE(r.status == 200);
  return r.json()["items"];
}

nlohmann::json event_with_id(const mock_process& mocks, const std::string& id) {
  for (const auto& e : events(mocks))
    if (e.value("id", "") == id) return e;
  return nullptr;
}

} // namespace

TEST_CASE("with Google Calendar configured a phone booking is mirrored and busy days are not offered and a "
          "cancel deletes the event", "[integration]") {
  // The shop's own blocks: today and the next two days (dealership time) are closed.
  auto server = std::getenv("CE_TEST_DATABASE_URL") ? std::string{std::getenv("CE_TEST_DATABASE_URL")}
                                                    : std::string{"postgresql://postgres@127.0.0.1:55432/callengine"};
  auto today = query_one(server, "SELECT to_char(now() AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD')");
  auto reopen = query_one(server, "SELECT to_char((now() AT TIME ZONE 'America/Chicago')::date + 3, 'YYYY-MM-DD')");
  nlohmann::json block{{"summary", "Shop closed: lift inspection"},
                       {"start", {{"dateTime", today + "T00:00:00"}, {"timeZone", "America/Chicago"}}},
                       {"end", {{"dateTime", reopen + "T00:00:00"}, {"timeZone", "America/Chicago"}}}};
  nlohmann::json scenario{{"google", {{"calendars", {{calendar_id, nlohmann::json::array({block})}}}}}};
  mock_process mocks(scenario);
  engine_process engine(nlohmann::json::object(),
                        {{"GOOGLE_CLIENT_ID", "mock-client-id"},
                         {"GOOGLE_CLIENT_SECRET", "mock-client-secret"},
                         {"GOOGLE_REFRESH_TOKEN", "mock-refresh-token"},
                         {"GOOGLE_CALENDAR_ID", calendar_id},
                         {"GOOGLE_TOKEN_URL", mocks.value("GOOGLE_TOKEN_URL")},
                         {"GOOGLE_API_BASE_URL", mocks.value("GCAL_BASE")}});
  add_customer(engine);
  const auto& db = engine.database_url();

  auto booked = call(engine, {{"i would like to book an oil change"}, {"dtmf:62704"}, {"yes"}, {"the first one"},
                              {"yes"}, {"no thank you goodbye"}});
  INFO(engine.log());
  std::string where = " FROM appointments WHERE created_by_call_sid = '" + booked.call_sid + "'";
  REQUIRE(eventually([&] { return !query_one(db, "SELECT calendar_event_id" + where).empty(); }));
  auto id = query_one(db, "SELECT id" + where);
  auto event_id = query_one(db, "SELECT calendar_event_id" + where);
  // The agent offered a time after the block, not today's or tomorrow's first opening.
  CHECK(query_one(db, "SELECT starts_at >= ('" + reopen + "'::timestamp AT TIME ZONE 'America/Chicago')" + where) ==
        "t");
  CHECK(mocks.log("google", "google.request").size() >= 2);  // freeBusy + events.insert
  auto ev = event_with_id(mocks, event_id);
  INFO(ev.dump());
  REQUIRE(ev.is_object());
  CHECK(ev["status"] == "confirmed");
  CHECK(ev["extendedProperties"]["private"]["callSid"] == booked.call_sid);
  CHECK(ev["extendedProperties"]["private"]["appointmentId"] == id);
  CHECK(ev["start"]["dateTime"] ==
        query_one(db, "SELECT to_char(starts_at AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD\"T\"HH24:MI:SS')" + where));
  CHECK(engine.metric("ce_calendar_mirrored_total") == 1);

  auto cancelled = call(engine, {{"i want to cancel my appointment"}, {"dtmf:62704"}, {"yes"},
                                 {"no thank you goodbye"}});
  CHECK(query_one(db, "SELECT status" + where) == "cancelled");
  REQUIRE(eventually([&] { return event_with_id(mocks, event_id).value("status", "") == "cancelled"; }));
  CHECK(eventually([&] { return engine.metric("ce_calendar_mirrored_total") == 2; }));
  CHECK(engine.metric("ce_calendar_mirror_queue") == 0);
  CHECK(engine.metric("ce_calendar_mirror_failures_total") == 0);
  CHECK(events(mocks).size() == 2);  // the block and the (cancelled) booking: no duplicate
  CHECK(contains(engine.log(), "call_sid=" + cancelled.call_sid + " role=calendar appointment " + id + " deleted"));
}

TEST_CASE("with Google failing for a while the phone booking goes through at once and is mirrored later",
          "[integration]") {
  // 8 x 500 on events.insert: two mirror attempts of 4 tries each fail, the third succeeds.
  // (The shop is blocked until two days ahead, as above: the offered day is not today.)
  auto server = std::getenv("CE_TEST_DATABASE_URL") ? std::string{std::getenv("CE_TEST_DATABASE_URL")}
                                                    : std::string{"postgresql://postgres@127.0.0.1:55432/callengine"};
  auto today = query_one(server, "SELECT to_char(now() AT TIME ZONE 'America/Chicago', 'YYYY-MM-DD')");
  auto reopen = query_one(server, "SELECT to_char((now() AT TIME ZONE 'America/Chicago')::date + 3, 'YYYY-MM-DD')");
  nlohmann::json block{{"summary", "Shop closed"},
                       {"start", {{"dateTime", today + "T00:00:00"}, {"timeZone", "America/Chicago"}}},
                       {"end", {{"dateTime", reopen + "T00:00:00"}, {"timeZone", "America/Chicago"}}}};
  nlohmann::json scenario{
    {"google",
     {{"calendars", {{calendar_id, nlohmann::json::array({block})}}},
      {"faults", nlohmann::json::array({{{"kind", "status"}, {"match", "events.insert"}, {"status", 500}, {"times", 8}}})}}}};
  mock_process mocks(scenario);
  engine_process engine(nlohmann::json::object(),
                        {{"GOOGLE_CLIENT_ID", "mock-client-id"},
                         {"GOOGLE_CLIENT_SECRET", "mock-client-secret"},
                         {"GOOGLE_REFRESH_TOKEN", "mock-refresh-token"},
                         {"GOOGLE_CALENDAR_ID", calendar_id},
                         {"GOOGLE_TOKEN_URL", mocks.value("GOOGLE_TOKEN_URL")},
                         {"GOOGLE_API_BASE_URL", mocks.value("GCAL_BASE")}});
  add_customer(engine);
  const auto& db = engine.database_url();
  auto booked = call(engine, {{"i would like to book an oil change"}, {"dtmf:62704"}, {"yes"}, {"the first one"},
                              {"yes"}, {"no thank you goodbye"}});
  INFO(engine.log());
  std::string where = " FROM appointments WHERE created_by_call_sid = '" + booked.call_sid + "'";
  CHECK(query_one(db, "SELECT status" + where) == "booked");  // the call booked despite Google
  auto record = ce::test::call_record(engine, booked.call_sid);
  bool read_code = false;
  for (const auto& t : turns_of(record, "agent")) read_code |= contains(t.value("text", ""), "confirmation code");
  CHECK(read_code);
  REQUIRE(eventually([&] { return !query_one(db, "SELECT calendar_event_id" + where).empty(); }));
  CHECK(engine.metric("ce_calendar_mirror_failures_total") >= 2);
  CHECK(engine.metric("ce_calendar_mirrored_total") == 1);
  CHECK(engine.metric("ce_calendar_mirror_queue") == 0);
  auto event_id = query_one(db, "SELECT calendar_event_id" + where);
  CHECK(event_with_id(mocks, event_id)["extendedProperties"]["private"]["callSid"] == booked.call_sid);
  CHECK(events(mocks).size() == 2);  // the block and the booking, once
  CHECK(contains(engine.log(), "call_sid=" + booked.call_sid + " role=calendar appointment"));
}
