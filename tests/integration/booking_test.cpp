// Booking by phone, end to end on the embedded providers: the simulated caller speaks,
// the engine recognises, the dialog drives the tools, PostgreSQL holds the result.
#include "helpers.hpp"

#include "common/config_loader.hpp"
#include "store/dealership_store.hpp"
#include "store/shop_calendar.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <thread>

using namespace ce;
using namespace ce::test;

namespace {

const std::string caller_phone = "+12175550142";

store::pg_connection connect(const engine_process& e) {
  store::pg_options o;
  o.url = e.database_url();
  store::pg_connection c{o};
  REQUIRE(c.connect().ok());
  return c;
}

/// A customer of the dealership with one car, in the engine's own database.
void add_customer(const engine_process& e) {
  auto cfg = load_config(std::string(CE_SOURCE_DIR) + "/config/engine.json", {});
  REQUIRE(cfg.config);
  auto calendar = store::make_shop_calendar(cfg.config->dealership);
  REQUIRE(calendar.ok());
  store::dealership_store db{connect(e), std::move(*calendar)};
  store::customer c;
  c.first_name = "Linda";
  c.last_name = "Moore";
  c.phone = caller_phone;
  c.zip = "62704";
  c.date_of_birth = "1980-04-12";
  auto created = db.create_customer(c);
  REQUIRE(created.ok());
  store::new_vehicle v;
  v.make = "Honda";
  v.model = "Civic";
  v.year = 2019;
  REQUIRE(db.add_vehicle(created->id, v).ok());
}

std::string query_one(const engine_process& e, const std::string& sql) {
  auto c = connect(e);
  auto r = c.exec(sql);
  REQUIRE(r.ok());
  if (r->empty() || r->columns() == 0 || (*r)[0].is_null(0)) return {};
  return std::string{(*r)[0].text(0)};
}

sim::call_result call(const engine_process& e, std::vector<sim::script_line> lines,
                      const std::string& from = caller_phone) {
  auto opt = caller_for(e, std::move(lines));
  opt.from = from;
  auto r = sim::run_call(opt);
  INFO(e.log());
  REQUIRE(r.ok);
  return r;
}

/// The call log reaches PostgreSQL shortly after the call ends.
void wait_for_call_log(const engine_process& e, const std::string& sid) {
  for (int i = 0; i < 100; ++i) {
    if (query_one(e, "SELECT count(*) FROM call_logs WHERE call_sid = '" + sid + "'") == "1") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("no call log for " << sid);
}

} // namespace

TEST_CASE("a caller books, reschedules and cancels an appointment by phone and Postgres has it all", "[integration]") {
  engine_process engine;
  add_customer(engine);

  auto booked = call(engine, {{"i would like to book an oil change next tuesday"}, {"dtmf:62704"}, {"yes"},
                              {"eight a.m."}, {"yes"}, {"no thank you goodbye"}});
  wait_for_call_log(engine, booked.call_sid);
  INFO(engine.log());
  auto code = query_one(engine, "SELECT confirmation_code FROM appointments WHERE created_by_call_sid = '" +
                                  booked.call_sid + "' AND status = 'booked'");
  REQUIRE(code.size() == 6);
  CHECK(query_one(engine, "SELECT service_type FROM appointments WHERE confirmation_code = '" + code + "'") ==
        "oil_change");
  auto record = ce::test::call_record(engine, booked.call_sid);
  CHECK(contains(turns_of(record, "agent").back().value("text", ""), "Goodbye"));
  bool read_code = false;
  for (const auto& t : turns_of(record, "agent")) read_code |= contains(t.value("text", ""), "confirmation code");
  CHECK(read_code);
  // the keys are one caller line; the silent turns of the keys being collected leave no agent line
  bool keyed = false;
  for (const auto& t : turns_of(record, "caller")) keyed |= t.value("text", "") == "[keypad 62704]";
  CHECK(keyed);
  for (const auto& t : turns_of(record, "agent")) CHECK_FALSE(t.value("text", "").empty());
  // the transcript is stored per turn, both speakers, in order
  CHECK(std::stoi(query_one(engine, "SELECT count(*) FROM call_turns WHERE call_sid = '" + booked.call_sid + "'")) ==
        static_cast<int>(record["turns"].size()));
  CHECK(query_one(engine, "SELECT speaker FROM call_turns WHERE call_sid = '" + booked.call_sid +
                            "' AND turn_index = 1") == "caller");
  CHECK(query_one(engine, "SELECT c.first_name FROM call_logs l JOIN customers c ON c.id = l.customer_id "
                          "WHERE l.call_sid = '" + booked.call_sid + "'") == "Linda");
  auto before = query_one(engine, "SELECT starts_at FROM appointments WHERE confirmation_code = '" + code + "'");

  auto moved = call(engine, {{"i need to reschedule my appointment"}, {"dtmf:62704"}, {"next wednesday"},
                             {"eight a.m."}, {"yes"}, {"no thank you goodbye"}});
  wait_for_call_log(engine, moved.call_sid);
  CHECK(query_one(engine, "SELECT updated_by_call_sid FROM appointments WHERE confirmation_code = '" + code + "'") ==
        moved.call_sid);
  CHECK(query_one(engine, "SELECT starts_at FROM appointments WHERE confirmation_code = '" + code + "'") != before);

  auto cancelled = call(engine, {{"i want to cancel my appointment"}, {"dtmf:62704"}, {"yes"},
                                 {"no thank you goodbye"}});
  wait_for_call_log(engine, cancelled.call_sid);
  CHECK(query_one(engine, "SELECT status FROM appointments WHERE confirmation_code = '" + code + "'") == "cancelled");
  CHECK(query_one(engine, "SELECT updated_by_call_sid FROM appointments WHERE confirmation_code = '" + code + "'") ==
        cancelled.call_sid);
  CHECK(engine.metric("ce_tool_calls_total{tool=\"book_appointment\",outcome=\"ok\"}") == 1);
  CHECK(engine.metric("ce_customer_cache_hits_total") >= 1);  // the later calls found the caller in Redis
}

TEST_CASE("with PostgreSQL stopped mid-call the call goes on politely and its log is written once it is back",
          "[integration]") {
  engine_process engine;
  add_customer(engine);
  boost::asio::io_context ioc;
  sim::call_result result;
  auto opt = caller_for(engine, {{"i would like to book an oil change", 2500}, {"dtmf:62704"},
                                 {"no thank you goodbye"}});
  opt.from = caller_phone;
  sim::call c{ioc, opt, [&](const sim::call_result& r) { result = r; }};
  c.start();
  std::thread io([&] { ioc.run(); });
  for (int i = 0; i < 200 && engine.metric("ce_calls_active") < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto services = std::string(CE_SOURCE_DIR) + "/scripts/services.sh";
  REQUIRE(std::system((services + " stop postgres >/dev/null 2>&1").c_str()) == 0);
  io.join();
  INFO(engine.log());
  REQUIRE(result.ok);
  auto record = ce::test::call_record(engine, result.call_sid);
  bool apologised = false;
  for (const auto& t : turns_of(record, "agent")) apologised |= contains(t.value("text", ""), "reach");
  CHECK(apologised);
  CHECK(contains(turns_of(record, "agent").back().value("text", ""), "Goodbye"));
  CHECK(engine.metric("ce_call_logs_pending") >= 1);  // waiting for PostgreSQL, not lost
  REQUIRE(std::system((services + " start postgres >/dev/null 2>&1").c_str()) == 0);
  wait_for_call_log(engine, result.call_sid);
  CHECK(engine.metric("ce_call_logs_pending") == 0);
}

TEST_CASE("a new caller gives a name and a vehicle and books, all stored under the caller's number",
          "[integration]") {
  engine_process engine;
  const std::string new_phone = "+14155550123";
  auto booked = call(engine, {{"i would like to book an oil change next tuesday"}, {"my name is david martinez"},
                              {"it's a two thousand fifteen toyota camry"}, {"the eight a.m. one"}, {"yes"},
                              {"no thank you goodbye"}},
                     new_phone);
  wait_for_call_log(engine, booked.call_sid);
  INFO(engine.log());
  CHECK(query_one(engine, "SELECT first_name || ' ' || last_name FROM customers WHERE phone = '" + new_phone + "'") ==
        "David Martinez");
  CHECK(query_one(engine, "SELECT v.year || ' ' || v.make || ' ' || v.model FROM vehicles v JOIN customers c ON "
                          "c.id = v.customer_id WHERE c.phone = '" + new_phone + "'") == "2015 Toyota Camry");
  auto appointment = "SELECT count(*) FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.phone = '" +
                     new_phone + "' AND a.status = 'booked' AND a.created_by_call_sid = '" + booked.call_sid +
                     "' AND extract(hour FROM a.starts_at AT TIME ZONE 'America/Chicago') = 8";
  CHECK(query_one(engine, appointment) == "1");
}
