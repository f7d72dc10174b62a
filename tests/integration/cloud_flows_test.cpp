// The inbound booking flows on the OpenAI path, through the real engine binary with the
// OpenAI mock playing a model that drives each flow through the tools (a script of tool
// calls and replies), each checked in PostgreSQL afterwards: a new caller books; an
// existing customer verifies by keypad, books, moves and cancels.
#include "helpers.hpp"
#include "mock_process.hpp"
#include "openai_rules.hpp"

#include "pg_helpers.hpp"

#include <catch2/catch.hpp>

using namespace ce;
using namespace ce::test;
using nlohmann::json;

namespace {

store::pg_connection connect(const engine_process& e) { return pg_connect(e.database_url()); }

std::string one(store::pg_connection& c, const std::string& sql, const store::pg_params& p = {}) {
  return query_one(c, sql, p);
}

json any_of(std::initializer_list<const char*> words, int times = -1) {
  json w{{"last_role", "user"}, {"contains", json::array()}};
  for (const char* word : words) w["contains"].push_back(word);
  if (times > 0) w["times"] = times;
  return w;
}

const char* zone = "America/Chicago";

} // namespace

TEST_CASE("on the OpenAI path a new caller gives a name and a vehicle and books, all in PostgreSQL",
          "[integration][openai]") {
  const std::string phone = "+12175550301";
  const auto day = bookable_weekday();
  const json booking{{"service_type", "oil_change"}, {"vehicle_id", 1}, {"start", day + " 09:00"}};
  mock_process mocks{openai_scenario(json::array({
    rule_say(any_of({"book", "oil", "appointment"}, 1), "Sure. May I have your first and last name?"),
    rule_call(any_of({"name", "david", "martinez"}, 1), "create_customer",
              {{"first_name", "David"}, {"last_name", "Martinez"}}),
    rule_say({{"tool_result_for", "create_customer"}}, "Thanks, David. What vehicle are we servicing?"),
    rule_call(any_of({"toyota", "camry", "fifteen"}, 1), "add_vehicle",
              {{"make", "Toyota"}, {"model", "Camry"}, {"year", 2015}}),
    rule_say({{"tool_result_for", "add_vehicle"}}, "I can book your oil change at nine in the morning. Shall I?"),
    rule_call(any_of({"yes", "sure", "please"}, 1), "book_appointment", booking),
    rule_say({{"tool_result_for", "book_appointment"}}, "You're booked. Anything else?"),
    rule_call(any_of({"no", "bye", "thank"}), "end_call", {{"reason", "caller is done"}}, "Thank you. Goodbye."),
  }))};
  engine_process engine{json::object(), openai_env(mocks)};
  auto opt = caller_for(engine, {{"i would like to book an oil change"},
                                 {"my name is david martinez"},
                                 {"it's a two thousand fifteen toyota camry"},
                                 {"yes please"},
                                 {"no thank you goodbye"}});
  opt.from = phone;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto db = connect(engine);
  CHECK(one(db, "SELECT first_name || ' ' || last_name FROM customers WHERE phone = $1", store::pg_params{}.add(phone)) ==
        "David Martinez");
  CHECK(one(db, "SELECT make || ' ' || model || ' ' || year FROM vehicles v JOIN customers c ON c.id = v.customer_id"
                " WHERE c.phone = $1",
            store::pg_params{}.add(phone)) == "Toyota Camry 2015");
  CHECK(one(db,
            "SELECT a.service_type || ' ' || a.status || ' ' || to_char(a.starts_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')"
            " FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.phone = $1",
            store::pg_params{}.add(phone).add(zone)) == "oil_change booked " + day + " 09:00");
}

TEST_CASE("on the OpenAI path a customer verifies by keypad, books, moves and cancels, all in PostgreSQL",
          "[integration][openai]") {
  const std::string phone = "+12175550302";
  const auto day = bookable_weekday();
  mock_process mocks{openai_scenario(json::array({
    rule_say(any_of({"book", "tire", "rotation"}, 1), "Sure. Please type the ZIP code on your account."),
    rule_call(any_of({"typed on the keypad: 62704"}, 1), "verify_customer", {{"method", "zip"}, {"value", "62704"}}),
    rule_say({{"tool_result_for", "verify_customer"}},
             "Thanks, Linda. I can book a tire rotation for your Honda Civic at nine in the morning. Shall I?"),
    rule_call(any_of({"yes", "sure", "please"}, 1), "book_appointment",
              {{"service_type", "tire_rotation"}, {"vehicle_id", 1}, {"start", day + " 09:00"}}),
    rule_say({{"tool_result_for", "book_appointment"}}, "You're booked. Anything else?"),
    rule_call(any_of({"change", "ten", "move", "time"}, 1), "reschedule_appointment",
              {{"appointment_id", 1}, {"new_start", day + " 10:00"}}),
    rule_say({{"tool_result_for", "reschedule_appointment"}}, "I moved it to ten. Anything else?"),
    rule_call(any_of({"cancel"}, 1), "cancel_appointment", {{"appointment_id", 1}}),
    rule_say({{"tool_result_for", "cancel_appointment"}}, "It's cancelled. Anything else?"),
    rule_call(any_of({"no", "bye", "thank"}), "end_call", {{"reason", "caller is done"}}, "Thank you. Goodbye."),
  }))};
  engine_process engine{json::object(), openai_env(mocks)};
  {
    auto db = connect(engine);
    auto id = one(db, "INSERT INTO customers (first_name, last_name, phone, zip) VALUES ('Linda', 'Moore', $1, '62704')"
                      " RETURNING id",
                  store::pg_params{}.add(phone));
    REQUIRE(one(db, "INSERT INTO vehicles (customer_id, vin, make, model, year) VALUES ($1::bigint,"
                    " '2HGFC2F59KH000001', 'Honda', 'Civic', 2019) RETURNING id",
                store::pg_params{}.add(id)) == "1");
  }
  auto opt = caller_for(engine, {{"i would like to book a tire rotation"},
                                 {"dtmf:62704"},
                                 {"yes please"},
                                 {"can we change the time to ten"},
                                 {"actually please cancel it"},
                                 {"no thank you goodbye"}});
  opt.from = phone;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto db = connect(engine);
  CHECK(one(db, "SELECT service_type || ' ' || status || ' ' || to_char(starts_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI')"
                " FROM appointments WHERE id = 1",
            store::pg_params{}.add(zone)) == "tire_rotation cancelled " + day + " 10:00");
  CHECK(one(db, "SELECT count(*) FROM appointments") == "1");
  // the model got the ZIP code as the caller's input; nothing transferred the call
  bool typed = false;
  for (const auto& req : chat_requests(mocks)) typed = typed || has_message(req, "user", "typed on the keypad: 62704");
  CHECK(typed);
  CHECK_FALSE(contains(r.after_stream_twiml, "<Dial"));
}
