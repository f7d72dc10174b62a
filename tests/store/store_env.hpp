// What the store tests share: the real servers started by the `store: start services`
// fixture (scripts/services.sh on test ports), a fresh migrated database per test, the
// dealership facts from config/, and dates safely in the future.
#pragma once

#include "common/config_loader.hpp"
#include "store/dealership_store.hpp"
#include "store/migrations.hpp"
#include "store/pg.hpp"
#include "store/redis.hpp"
#include "store/vin.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

namespace ce::store::test {

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

/// The test servers: ctest passes the fixture's URLs (CE_TEST_*); run by hand, the tests
/// use the project's dev servers (scripts/services.sh start). They only ever create and
/// drop databases named t_* and write Redis keys of their own.
inline std::string server_url() {
  return env_or("CE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/callengine");
}
inline std::string redis_url() { return env_or("CE_TEST_REDIS_URL", "redis://127.0.0.1:56379/0"); }

/// `url` with its database name replaced.
inline std::string with_database(const std::string& url, const std::string& db) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  auto query = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + db + rest;
}

inline pg_options options_for(const std::string& url) {
  pg_options o;
  o.url = url;
  o.connect_timeout_ms = 3000;
  o.statement_timeout_ms = 20000;
  o.application_name = "tests_store";
  return o;
}

/// Drops and creates database `name` on the test server, applies the migrations, returns
/// its URL. Each test case uses its own, so tests may run in parallel.
inline std::string fresh_database(const std::string& name, bool migrated = true) {
  pg_connection admin{options_for(with_database(server_url(), "postgres"))};
  auto drop = admin.exec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  INFO("test server " << server_url() << ": " << (drop ? "" : drop.error().message));
  REQUIRE(drop.ok());
  REQUIRE(admin.exec("CREATE DATABASE \"" + name + "\"").ok());
  auto url = with_database(server_url(), name);
  if (migrated) {
    pg_connection conn{options_for(url)};
    auto m = migrate(conn, std::string{CE_SOURCE_DIR} + "/config/migrations");
    INFO((m ? "" : m.error().message));
    REQUIRE(m.ok());
  }
  return url;
}

inline const dealership_facts& facts() {
  static const dealership_facts f = [] {
    auto loaded = load_config(std::string{CE_SOURCE_DIR} + "/config/engine.json", {});
    if (!loaded.config) FAIL("config: " << loaded.error);
    return loaded.config->dealership;
  }();
  return f;
}

inline dealership_store make_store(const std::string& url) {
  auto s = dealership_store::create(options_for(url), facts());
  REQUIRE(s.ok());
  return std::move(*s);
}

/// A Monday (dealership hours 08:00-17:00, lunch 12-13) at least `weeks_ahead` weeks away.
inline std::string future_monday(int weeks_ahead = 3) {
  using namespace std::chrono;
  auto today = floor<days>(system_clock::now());
  auto d = today + days{7 * weeks_ahead};
  while (weekday{d} != Monday) d += days{1};
  return format_date(year_month_day{d});
}

inline std::string next_day(const std::string& date, int n = 1) {
  auto d = parse_local_date(date);
  REQUIRE(d.ok());
  return format_date(std::chrono::year_month_day{std::chrono::sys_days{*d} + std::chrono::days{n}});
}

/// A customer with a vehicle, for booking tests.
struct test_customer {
  customer person;
  vehicle car;
};

inline test_customer add_customer(dealership_store& store, const std::string& phone, int serial) {
  customer c;
  c.first_name = "Test";
  c.last_name = "Caller" + std::to_string(serial);
  c.phone = phone;
  c.date_of_birth = "1980-05-17";
  c.zip = "62704";
  auto made = store.create_customer(c);
  INFO((made ? "" : made.error().message));
  REQUIRE(made.ok());
  new_vehicle v;
  v.vin = make_vin("1HG", "CV1F3", 2019, 'A', 900000 + serial);
  v.model = "Accord";
  auto car = store.add_vehicle(made->id, v);
  INFO((car ? "" : car.error().message));
  REQUIRE(car.ok());
  return {*made, *car};
}

} // namespace ce::store::test
