// Servers going away and coming back, driven by scripts/services.sh on the test servers.
// These tests stop shared servers, so CTest runs them alone (RUN_SERIAL, by name: "stopped").
#include "store/cache.hpp"
#include "store_env.hpp"

#include <cstdlib>

using namespace ce::store;
using namespace ce::store::test;
using ms = std::chrono::milliseconds;

namespace {

// Runs scripts/services.sh on the fixture's servers (CE_SERVICES_DIR, CE_PG_PORT, ...
// come from the CTest environment). Refuses to touch any other server.
int services(const std::string& args) {
  const char* dir = std::getenv("CE_SERVICES_DIR");
  if (!dir || !*dir) FAIL("CE_SERVICES_DIR is not set: run through ctest (the store_db fixture sets it)");
  auto cmd = "env -u DATABASE_URL -u REDIS_URL " + std::string{CE_SOURCE_DIR} + "/scripts/services.sh " + args +
             " >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

ms since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - t0);
}

// Restarts the server even when a check fails half-way.
struct restart_on_exit {
  std::string what;
  ~restart_on_exit() { services("start " + what); }
};

} // namespace

TEST_CASE("while PostgreSQL is stopped the store answers unavailable quickly, then recovers") {
  auto url = fresh_database("t_outage_pg");
  auto o = options_for(url);
  o.connect_timeout_ms = 1000;
  auto made = dealership_store::create(o, facts());
  REQUIRE(made.ok());
  auto& store = *made;
  auto c = add_customer(store, "+12175550160", 1);
  ce::call_record call;
  call.call_sid = "CAoutage";
  call.from = c.person.phone;
  call.turns = {{0, "agent", "Hello", "Hello", false, 0, 500}};

  {
    restart_on_exit guard{"postgres"};
    REQUIRE(services("stop postgres") == 0);
    auto t0 = std::chrono::steady_clock::now();
    auto lost = store.find_customer(c.person.id);
    CHECK(since(t0) < ms(1500));
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.code() == store_errc::unavailable);
    t0 = std::chrono::steady_clock::now();
    auto refused = store.write_call_log(call, c.person.id);
    CHECK(since(t0) < ms(1500));
    CHECK(refused.code() == store_errc::unavailable);
    auto slots = store.available_slots({future_monday(), future_monday(), "oil_change", 5, {}});
    CHECK(slots.code() == store_errc::unavailable);
    CHECK(store.connection().backoff().consecutive_failures >= 2);
    CHECK(store.connection().backoff().delay >= ms(200));
    REQUIRE(services("start postgres") == 0);
  }
  auto back = store.find_customer(c.person.id);
  REQUIRE(back.ok());
  CHECK(back->id == c.person.id);
  CHECK(store.connection().backoff().consecutive_failures == 0);
  // What could not be written during the outage is written now, once.
  REQUIRE(store.write_call_log(call, c.person.id).ok());
  REQUIRE(store.write_call_log(call, c.person.id).ok());
  auto n = store.connection().exec("SELECT count(*) FROM call_turns WHERE call_sid = 'CAoutage'");
  REQUIRE(n.ok());
  CHECK((*n)[0].int64(0) == 1);
}

TEST_CASE("while Redis is stopped the cache answers unavailable quickly, then recovers") {
  redis_options o;
  o.url = redis_url();
  redis_connection redis{o};
  customer_cache cache{redis, 300};
  customer c;
  c.id = 7;
  c.first_name = "Lee";
  c.last_name = "Park";
  c.phone = "+12175550161";
  REQUIRE(cache.put(c).ok());
  {
    restart_on_exit guard{"redis"};
    REQUIRE(services("stop redis") == 0);
    auto t0 = std::chrono::steady_clock::now();
    auto got = cache.get(c.phone);
    CHECK(since(t0) < ms(1000));
    CHECK(got.code() == store_errc::unavailable);
    CHECK(cache.put(c).code() == store_errc::unavailable);
    CHECK(redis.backoff().consecutive_failures >= 2);
    REQUIRE(services("start redis") == 0);
  }
  REQUIRE(cache.put(c).ok());  // Redis has no persistence here: the entry is written again
  auto got = cache.get(c.phone);
  REQUIRE(got.ok());
  CHECK(got->has_value());
  CHECK(redis.backoff().consecutive_failures == 0);
}
