// Customers, vehicles, verification, service history and call logs against a real
// PostgreSQL.
#include "store_env.hpp"

using namespace ce::store;
using namespace ce::store::test;

TEST_CASE("a customer is found by any spelling of their phone number") {
  auto store = make_store(fresh_database("t_customer_phone"));
  customer c;
  c.first_name = " Maria ";
  c.last_name = "Lopez";
  c.phone = "(217) 555-0142";
  c.email = "maria@example.com";
  c.date_of_birth = "04/09/1979";
  c.zip = "62704";
  c.address = "12 Oak Avenue, Springfield, IL";
  c.preferred_contact = "sms";
  c.consent_sms = true;
  auto made = store.create_customer(c);
  REQUIRE(made.ok());
  CHECK(made->first_name == "Maria");
  CHECK(made->phone == "+12175550142");
  CHECK(made->date_of_birth == "1979-04-09");
  CHECK(made->consent_sms);
  CHECK_FALSE(made->consent_calls);
  for (const char* spelling : {"+12175550142", "217-555-0142", "1 (217) 555 0142"}) {
    auto found = store.find_customer_by_phone(spelling);
    INFO(spelling);
    REQUIRE(found.ok());
    CHECK(found->id == made->id);
    CHECK(found->address == c.address);
  }
  CHECK(store.find_customer_by_phone("217 555 0199").code() == store_errc::not_found);
  CHECK(store.find_customer_by_phone("555-0142").code() == store_errc::invalid);
  CHECK(store.find_customer(made->id)->last_name == "Lopez");
  CHECK(store.find_customer(made->id + 100).code() == store_errc::not_found);
  auto twin = store.create_customer(c);
  REQUIRE_FALSE(twin.ok());
  CHECK(twin.code() == store_errc::conflict);
  CHECK_THAT(twin.error().message, Catch::Contains("phone number already exists"));
}

TEST_CASE("creating a customer validates names, email, ZIP, birth date and contact preference") {
  auto store = make_store(fresh_database("t_customer_invalid"));
  customer base;
  base.first_name = "Sam";
  base.last_name = "Ng";
  base.phone = "217-555-0143";
  auto with = [&](auto change) {
    customer c = base;
    change(c);
    return store.create_customer(c);
  };
  CHECK(with([](customer& c) { c.last_name = " "; }).code() == store_errc::invalid);
  CHECK(with([](customer& c) { c.email = "sam.example.com"; }).code() == store_errc::invalid);
  CHECK(with([](customer& c) { c.zip = "6270"; }).code() == store_errc::invalid);
  CHECK(with([](customer& c) { c.date_of_birth = "1979-02-30"; }).code() == store_errc::invalid);
  CHECK(with([](customer& c) { c.preferred_contact = "pigeon"; }).code() == store_errc::invalid);
  CHECK(with([](customer& c) { c.phone = "12"; }).code() == store_errc::invalid);
  CHECK(with([](customer&) {}).ok());
}

TEST_CASE("verification by date of birth, ZIP or the last 6 of a VIN") {
  auto store = make_store(fresh_database("t_customer_verify"));
  auto c = add_customer(store, "+12175550144", 1);
  auto last6 = c.car.vin.substr(11);
  CHECK(*store.verify_customer(c.person.id, verify_method::date_of_birth, "1980-05-17"));
  CHECK(*store.verify_customer(c.person.id, verify_method::date_of_birth, "05/17/1980"));
  CHECK_FALSE(*store.verify_customer(c.person.id, verify_method::date_of_birth, "1980-05-18"));
  CHECK(*store.verify_customer(c.person.id, verify_method::zip, "62704"));
  CHECK(*store.verify_customer(c.person.id, verify_method::zip, "62704-1234"));
  CHECK_FALSE(*store.verify_customer(c.person.id, verify_method::zip, "62701"));
  CHECK(*store.verify_customer(c.person.id, verify_method::vin_last6, last6));
  std::string lower;
  for (char ch : last6) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  CHECK(*store.verify_customer(c.person.id, verify_method::vin_last6, lower));
  CHECK_FALSE(*store.verify_customer(c.person.id, verify_method::vin_last6, "000000"));
  // Another customer's VIN does not verify this one.
  auto other = add_customer(store, "+12175550145", 2);
  CHECK_FALSE(*store.verify_customer(c.person.id, verify_method::vin_last6, other.car.vin.substr(11)));
  CHECK(store.verify_customer(c.person.id, verify_method::date_of_birth, "May 17").code() == store_errc::invalid);
  CHECK(store.verify_customer(c.person.id, verify_method::zip, "627").code() == store_errc::invalid);
  CHECK(store.verify_customer(c.person.id, verify_method::vin_last6, "12345").code() == store_errc::invalid);
  CHECK(store.verify_customer(424242, verify_method::zip, "62704").code() == store_errc::not_found);
}

TEST_CASE("vehicles are added by VIN, decoded, and refused when the VIN is invalid") {
  auto store = make_store(fresh_database("t_customer_vehicles"));
  auto c = add_customer(store, "+12175550146", 1);
  new_vehicle v;
  v.vin = "1hgcm82633a004352";
  v.model = "Accord";
  v.mileage = 151000;
  auto added = store.add_vehicle(c.person.id, v);
  REQUIRE(added.ok());
  CHECK(added->vin == "1HGCM82633A004352");
  CHECK(added->make == "Honda");
  CHECK(added->year == 2003);
  auto again = store.add_vehicle(c.person.id, v);
  REQUIRE(again.ok());
  CHECK(again->id == added->id);
  auto vehicles = store.vehicles_of(c.person.id);
  REQUIRE(vehicles.ok());
  CHECK(vehicles->size() == 2);

  auto other = add_customer(store, "+12175550147", 2);
  CHECK(store.add_vehicle(other.person.id, v).code() == store_errc::conflict);
  v.vin = "1HGCM82633A004353";
  auto bad = store.add_vehicle(c.person.id, v);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.code() == store_errc::invalid);
  CHECK_THAT(bad.error().message, Catch::Contains("check digit"));
  v.vin = make_vin("5XY", "PG4A3", 2021, 'A', 5);
  v.year = 2018;
  CHECK_THAT(store.add_vehicle(c.person.id, v).error().message, Catch::Contains("model year 2021"));
  v.year = 0;
  v.model = "";
  CHECK(store.add_vehicle(c.person.id, v).code() == store_errc::invalid);
  v.model = "Sorento";
  CHECK(store.add_vehicle(999999, v).code() == store_errc::not_found);
}

TEST_CASE("service history is the customer's own, newest first, narrowed by vehicle") {
  auto url = fresh_database("t_customer_history");
  auto store = make_store(url);
  auto c = add_customer(store, "+12175550148", 1);
  auto other = add_customer(store, "+12175550149", 2);
  auto& conn = store.connection();
  for (auto [vehicle, date] : {std::pair{c.car.id, "2024-01-10"}, std::pair{c.car.id, "2024-06-02"},
                               std::pair{other.car.id, "2024-03-03"}})
    REQUIRE(conn.exec("INSERT INTO service_history (vehicle_id, service_type, performed_on, mileage, description,"
                      " cost_cents) VALUES ($1, 'oil_change', $2, 42000, 'synthetic', 4995)",
                      pg_params{}.add(vehicle).add(date)).ok());
  auto mine = store.service_history(c.person.id, std::nullopt, 10);
  REQUIRE(mine.ok());
  REQUIRE(mine->size() == 2);
  CHECK(mine->front().performed_on == "2024-06-02");
  CHECK(mine->front().vin == c.car.vin);
  CHECK(*mine->front().cost_cents == 4995);
  CHECK(store.service_history(c.person.id, std::nullopt, 1)->size() == 1);
  CHECK(store.service_history(c.person.id, c.car.id, 10)->size() == 2);
  CHECK(store.service_history(c.person.id, other.car.id, 10).code() == store_errc::forbidden);
  CHECK(store.service_history(c.person.id, 777777, 10).code() == store_errc::not_found);
  CHECK(store.service_history(c.person.id, std::nullopt, 0).code() == store_errc::invalid);
}

TEST_CASE("writing a call log twice stores one call and each turn once") {
  auto url = fresh_database("t_call_log");
  auto store = make_store(url);
  auto c = add_customer(store, "+12175550152", 1);
  ce::call_record call;
  call.call_sid = "CA0123456789abcdef";
  call.stream_sid = "MZ1";
  call.from = "+12175550152";
  call.started_unix_ms = 1'900'000'000'000;
  call.duration_ms = 65'000;
  call.ended_by = ce::end_reason::caller_hangup;
  call.barge_ins = 1;
  call.turns = {{0, "agent", "Thanks for calling Bart's Automotive.", "Thanks for calling Bart's Automotive.", false, 0, 900},
                {1, "caller", "I need an oil change", "", false, 4200, -1},
                {2, "agent", "Sure, let me check our calendar for you", "Sure, let me", true, 5100, 640}};
  REQUIRE(store.write_call_log(call, c.person.id).ok());
  call.duration_ms = 70'000;
  call.turns.push_back({3, "caller", "Tomorrow morning", "", false, 9000, -1});
  REQUIRE(store.write_call_log(call).ok());  // a retry with more turns
  REQUIRE(store.write_call_log(call).ok());

  auto& conn = store.connection();
  auto logs = conn.exec("SELECT count(*), max(duration_ms), max(customer_id), max(end_reason), max(barge_ins),"
                        " max(extract(epoch FROM started_at))::bigint FROM call_logs");
  REQUIRE(logs.ok());
  CHECK((*logs)[0].int64(0) == 1);
  CHECK((*logs)[0].int64(1) == 70'000);
  CHECK((*logs)[0].int64(2) == c.person.id);  // kept when the retry did not know it
  CHECK((*logs)[0].text(3) == "caller_hangup");
  CHECK((*logs)[0].int64(4) == 1);
  CHECK((*logs)[0].int64(5) == 1'900'000'000);
  auto turns = conn.exec("SELECT turn_index, speaker, heard, interrupted, latency_ms FROM call_turns"
                         " WHERE call_sid = $1 ORDER BY turn_index", pg_params{}.add(call.call_sid));
  REQUIRE(turns.ok());
  REQUIRE(turns->size() == 4);
  CHECK((*turns)[2].text(2) == "Sure, let me");
  CHECK((*turns)[2].boolean(3));
  CHECK((*turns)[2].int64(4) == 640);
  CHECK((*turns)[1].is_null(4));

  call.turns[1].speaker = "robot";
  CHECK(store.write_call_log(call).code() == store_errc::invalid);
  call.call_sid.clear();
  CHECK(store.write_call_log(call).code() == store_errc::invalid);
}
