// lookup_customer, verify_customer and create_customer against a real PostgreSQL and Redis:
// what is revealed before verification, the attempt limit, the customer cache.
#include "tools_env.hpp"

using namespace ce::tools;
using namespace ce::tools::test;

TEST_CASE("a lookup by caller ID reveals only the first name and how the caller can be verified") {
  tool_rig rig{"t_tools_lookup", "+12175550401"};
  auto c = rig.customer("+12175550401", 1);
  auto r = rig.call("lookup_customer");
  CHECK(r["ok"] == true);
  CHECK(r["found"] == true);
  CHECK(r["verified"] == false);
  CHECK(r["customer"] == json{{"id", c.person.id}, {"first_name", "Test"}});
  CHECK(r["verification_methods"] == json{"date_of_birth", "zip", "vin_last6"});
  CHECK(rig.ctx.customer_id == c.person.id);
  CHECK_FALSE(rig.ctx.verified);
  // A number the caller says, in any spelling, finds its customer too.
  auto other = rig.customer("+12175550402", 2);
  auto spoken = rig.call("lookup_customer", {{"phone", "(217) 555-0402"}});
  CHECK(spoken["customer"]["id"] == other.person.id);
  CHECK(rig.ctx.customer_id == other.person.id);
}

TEST_CASE("a lookup says found false for an unknown number and asks for one when the caller ID is withheld") {
  tool_rig rig{"t_tools_lookup_none", "+12175550403"};
  auto none = rig.call("lookup_customer");
  CHECK(none["ok"] == true);
  CHECK(none["found"] == false);
  CHECK_FALSE(none.contains("customer"));
  CHECK_FALSE(rig.ctx.customer_id);
  auto bad = rig.call("lookup_customer", {{"phone", "555-01"}});
  CHECK(error_of(bad) == "invalid_argument");
  CHECK_THAT(message_of(bad), Catch::Contains("phone"));
  rig.ctx.caller_phone = "anonymous";
  auto withheld = rig.call("lookup_customer");
  CHECK(error_of(withheld) == "invalid_argument");
  CHECK_THAT(message_of(withheld), Catch::Contains("withheld"));
}

TEST_CASE("a second lookup of the same number is served from Redis and counted as a cache hit") {
  tool_rig rig{"t_tools_cache_hit", "+12175550404"};
  auto c = rig.customer("+12175550404", 1);
  auto first = rig.call("lookup_customer");
  CHECK(rig.last.cache.misses == 1);
  CHECK(rig.last.cache.hits == 0);
  CHECK(rig.last.cache.errors == 0);
  // Change the row behind the cache's back: the answer still comes from Redis.
  rig.count("WITH u AS (UPDATE customers SET first_name = 'Renamed' WHERE id = " + std::to_string(c.person.id) +
            " RETURNING 1) SELECT count(*) FROM u");
  auto second = rig.call("lookup_customer");
  CHECK(rig.last.cache.hits == 1);
  CHECK(rig.last.cache.misses == 0);
  CHECK(second["customer"]["first_name"] == "Test");
  CHECK(rig.cache.hits() == 1);
}

TEST_CASE("adding a vehicle or creating a customer invalidates the cached record") {
  tool_rig rig{"t_tools_cache_invalidate", "+12175550405"};
  auto c = rig.customer("+12175550405", 1);
  rig.verify_caller();  // the lookup put the record in Redis
  auto cached = rig.cache.get(c.person.phone);
  REQUIRE(cached.ok());
  CHECK(cached->has_value());
  auto added = rig.call("add_vehicle", {{"vin", ce::store::make_vin("1FA", "HP3F2", 2021, 'L', 4405)}, {"model", "Focus"}});
  REQUIRE(added["ok"] == true);
  CHECK_FALSE(rig.cache.get(c.person.phone)->has_value());
  rig.call("lookup_customer");
  CHECK(rig.last.cache.misses == 1);
  rig.call("lookup_customer");
  CHECK(rig.last.cache.hits == 1);

  // A new caller: an entry for their number (left by anyone) is dropped when they register.
  tool_rig fresh{"t_tools_cache_invalidate_new", "+12175550406"};
  ce::store::customer ghost = c.person;
  ghost.phone = "+12175550406";
  REQUIRE(fresh.cache.put(ghost).ok());
  auto made = fresh.call("create_customer", {{"first_name", "Nia"}, {"last_name", "Okafor"}});
  REQUIRE(made["ok"] == true);
  CHECK_FALSE(fresh.cache.get("+12175550406")->has_value());
}

TEST_CASE("without Redis the lookup goes to PostgreSQL and counts nothing") {
  tool_rig rig{"t_tools_no_cache", "+12175550407"};
  rig.env.cache = nullptr;
  auto c = rig.customer("+12175550407", 1);
  for (int i = 0; i < 2; ++i) {
    auto r = rig.call("lookup_customer");
    CHECK(r["customer"]["id"] == c.person.id);
    CHECK(rig.last.cache.hits + rig.last.cache.misses + rig.last.cache.errors == 0);
  }
  CHECK(rig.cache.hits() + rig.cache.misses() == 0);
}

TEST_CASE("with Redis unreachable the lookup still answers and counts a cache error") {
  tool_rig rig{"t_tools_redis_down", "+12175550408"};
  auto o = redis_at("redis://127.0.0.1:1/0");
  o.connect_timeout_ms = 200;
  ce::store::redis_connection dead{o};
  ce::store::customer_cache dead_cache{dead, 300};
  rig.env.cache = &dead_cache;
  auto c = rig.customer("+12175550408", 1);
  auto r = rig.call("lookup_customer");
  CHECK(r["customer"]["id"] == c.person.id);
  CHECK(rig.last.cache.errors == 1);
  rig.verify_caller();
  CHECK(rig.call("add_vehicle", {{"vin", ce::store::make_vin("1FA", "HP3F2", 2021, 'L', 4408)}, {"model", "Focus"}})["ok"] ==
        true);
  CHECK(rig.last.cache.errors == 1);  // the invalidation failed and the call went on
}

TEST_CASE("verification accepts a date of birth in ISO, US or spoken form, a ZIP or the last 6 of a VIN") {
  tool_rig rig{"t_tools_verify", "+12175550409"};
  auto c = rig.customer("+12175550409", 1);
  struct answer {
    const char* method;
    std::string value;
  };
  for (const auto& a : {answer{"date_of_birth", "1980-05-17"}, answer{"date_of_birth", "05/17/1980"},
                        answer{"date_of_birth", "may seventeenth nineteen eighty"},
                        answer{"date_of_birth", "the 17th of May, 1980"}, answer{"zip", "62704"},
                        answer{"zip", "six two seven oh four"}, answer{"vin_last6", c.car.vin.substr(11)}}) {
    INFO(a.method << " " << a.value);
    rig.ctx = new_call("CAtools0001", "+12175550409");
    rig.call("lookup_customer");
    auto v = rig.call("verify_customer", {{"method", a.method}, {"value", a.value}});
    CHECK(v["verified"] == true);
    CHECK(v["attempts_left"] == 3);
    CHECK(v["customer"] == json{{"id", c.person.id}, {"first_name", "Test"}, {"last_name", "Caller1"}});
    CHECK(rig.ctx.verified);
  }
  // Without a lookup first, verification is about the caller ID's customer.
  rig.ctx = new_call("CAtools0001", "+12175550409");
  CHECK(rig.call("verify_customer", {{"method", "zip"}, {"value", "62704"}})["verified"] == true);
}

TEST_CASE("three failed verifications end verification for the rest of the call") {
  tool_rig rig{"t_tools_verify_limit", "+12175550410"};
  rig.customer("+12175550410", 1);
  rig.customer("+12175550411", 2);
  rig.call("lookup_customer");
  for (int left : {2, 1, 0}) {
    auto v = rig.call("verify_customer", {{"method", "date_of_birth"}, {"value", "1980-05-18"}});
    CHECK(v["verified"] == false);
    CHECK(v["attempts_left"] == left);
    CHECK_FALSE(v.contains("customer"));
  }
  auto refused = rig.call("verify_customer", {{"method", "date_of_birth"}, {"value", "1980-05-17"}});
  CHECK(error_of(refused) == "too_many_attempts");
  CHECK_FALSE(rig.ctx.verified);
  // Looking up another number does not buy new attempts.
  rig.call("lookup_customer", {{"phone", "+12175550411"}});
  CHECK(error_of(rig.call("verify_customer", {{"method", "zip"}, {"value", "62704"}})) == "too_many_attempts");
  CHECK(error_of(rig.call("get_vehicles")) == "forbidden");
}

TEST_CASE("a malformed verification answer is refused without using an attempt") {
  tool_rig rig{"t_tools_verify_malformed", "+12175550412"};
  rig.customer("+12175550412", 1);
  rig.call("lookup_customer");
  for (const auto& [method, value] : {std::pair{"zip", "6270"}, std::pair{"date_of_birth", "sometime in may"},
                                      std::pair{"vin_last6", "12"}, std::pair{"shoe_size", "11"}}) {
    INFO(method << " " << value);
    auto v = rig.call("verify_customer", {{"method", method}, {"value", value}});
    CHECK(error_of(v) == "invalid_argument");
  }
  CHECK(rig.ctx.verify_attempts == 0);
  CHECK_THAT(message_of(rig.call("verify_customer", {{"method", "shoe_size"}, {"value", "1"}})),
             Catch::Contains("date_of_birth, zip or vin_last6"));
}

TEST_CASE("verification with no customer selected is not_found") {
  tool_rig rig{"t_tools_verify_nobody", "+12175550413"};
  auto v = rig.call("verify_customer", {{"method", "zip"}, {"value", "62704"}});
  CHECK(error_of(v) == "not_found");
  CHECK(rig.ctx.verify_attempts == 0);
}

TEST_CASE("personal data is forbidden until the caller is verified") {
  tool_rig rig{"t_tools_unverified", "+12175550414"};
  auto c = rig.customer("+12175550414", 1);
  auto start = future_monday() + " 09:00";
  std::vector<std::pair<const char*, json>> personal = {
    {"get_vehicles", json::object()},
    {"get_service_history", json::object()},
    {"get_appointments", json::object()},
    {"book_appointment", {{"service_type", "oil_change"}, {"vehicle_id", c.car.id}, {"start", start}}},
    {"reschedule_appointment", {{"appointment_id", 1}, {"new_start", start}}},
    {"cancel_appointment", {{"confirmation_code", "ACDEFG"}}},
    {"add_vehicle", {{"vin", ce::store::make_vin("1FA", "HP3F2", 2021, 'L', 4414)}, {"model", "Focus"}}}};
  for (bool looked_up : {false, true}) {
    if (looked_up) rig.call("lookup_customer");
    for (const auto& [name, args] : personal) {
      INFO(name << (looked_up ? " after lookup" : " before lookup"));
      auto r = rig.call(name, args);
      CHECK(error_of(r) == "forbidden");
      CHECK(r.value("verification_required", false) == true);
    }
  }
  CHECK(rig.count("SELECT count(*) FROM appointments") == 0);
  CHECK(rig.count("SELECT count(*) FROM vehicles") == 1);
}

TEST_CASE("once verified, looking up someone else's number is forbidden") {
  tool_rig rig{"t_tools_lookup_other", "+12175550415"};
  auto me = rig.customer("+12175550415", 1);
  rig.customer("+12175550416", 2);
  rig.verify_caller();
  auto r = rig.call("lookup_customer", {{"phone", "217-555-0416"}});
  CHECK(error_of(r) == "forbidden");
  CHECK(rig.ctx.customer_id == me.person.id);
  CHECK(rig.ctx.verified);
  auto own = rig.call("lookup_customer", {{"phone", "217 555 0415"}});
  CHECK(own["verified"] == true);
}

TEST_CASE("a new caller is registered with the caller ID and counts as verified") {
  tool_rig rig{"t_tools_create", "+12175550417"};
  auto made = rig.call("create_customer", {{"first_name", " Rosa "},
                                           {"last_name", "Diaz"},
                                           {"zip", "62703"},
                                           {"date_of_birth", "march fourth nineteen eighty five"},
                                           {"email", "rosa@example.com"}});
  REQUIRE(made["ok"] == true);
  CHECK(made["verified"] == true);
  CHECK(made["customer"]["first_name"] == "Rosa");
  CHECK(made["customer"]["last_name"] == "Diaz");
  CHECK(rig.ctx.verified);
  CHECK(rig.ctx.customer_id == made["customer"]["id"].get<std::int64_t>());
  auto row = rig.shop.find_customer_by_phone("+12175550417");
  REQUIRE(row.ok());
  CHECK(row->date_of_birth == "1985-03-04");
  CHECK(row->zip == "62703");
  CHECK(rig.call("get_vehicles")["vehicles"] == json::array());
}

TEST_CASE("create_customer refuses another number, a taken number and an unreadable birth date") {
  tool_rig rig{"t_tools_create_refused", "+12175550418"};
  auto other = rig.call("create_customer", {{"first_name", "Al"}, {"last_name", "Ng"}, {"phone", "217-555-0499"}});
  CHECK(error_of(other) == "forbidden");
  auto dob = rig.call("create_customer", {{"first_name", "Al"}, {"last_name", "Ng"}, {"date_of_birth", "someday"}});
  CHECK(error_of(dob) == "invalid_argument");
  CHECK_THAT(message_of(dob), Catch::Contains("date of birth"));
  CHECK(error_of(rig.call("create_customer", {{"first_name", "Al"}, {"last_name", "Ng"}, {"zip", "123"}})) ==
        "invalid_argument");
  CHECK(rig.count("SELECT count(*) FROM customers") == 0);
  // Same number as the caller ID, written differently: fine.
  CHECK(rig.call("create_customer", {{"first_name", "Al"}, {"last_name", "Ng"}, {"phone", "(217) 555-0418"}})["ok"] ==
        true);
  // In a second call from the same number, the number is taken.
  rig.ctx = new_call("CAtools0002", "+12175550418");
  auto twice = rig.call("create_customer", {{"first_name", "Al"}, {"last_name", "Ng"}});
  CHECK(error_of(twice) == "conflict");
  CHECK_THAT(message_of(twice), Catch::Contains("already exists"));
  CHECK(rig.count("SELECT count(*) FROM customers") == 1);
}

TEST_CASE("with the caller ID withheld a new caller registers with the number they say") {
  tool_rig rig{"t_tools_create_withheld", ""};
  auto missing = rig.call("create_customer", {{"first_name", "Kim"}, {"last_name", "Lee"}});
  CHECK(error_of(missing) == "invalid_argument");
  auto made = rig.call("create_customer", {{"first_name", "Kim"}, {"last_name", "Lee"}, {"phone", "217.555.0419"}});
  REQUIRE(made["ok"] == true);
  CHECK(rig.ctx.customer_phone == "+12175550419");
}
