// The seed command against a real PostgreSQL: counts, valid VINs, unique phones,
// appointments inside business hours and never overlapping on a bay, determinism.
#include "store/seed.hpp"
#include "store/vin.hpp"
#include "store_env.hpp"

#include <set>
#include <sstream>

using namespace ce::store;
using namespace ce::store::test;

namespace {

std::int64_t scalar(pg_connection& conn, const std::string& sql) {
  auto r = conn.exec(sql);
  INFO(sql << ": " << (r ? "" : r.error().message));
  REQUIRE(r.ok());
  return (*r)[0].int64(0);
}

std::string fingerprint(pg_connection& conn) {
  auto r = conn.exec("SELECT md5(string_agg(concat_ws('|', c.id, c.first_name, c.last_name, c.phone, c.email, c.date_of_birth, c.zip, c.address), ',' ORDER BY c.id)) FROM customers c"
                     " UNION ALL SELECT md5(string_agg(concat_ws('|', v.id, v.vin, v.customer_id, v.year), ',' ORDER BY v.id)) FROM vehicles v"
                     " UNION ALL SELECT md5(string_agg(concat_ws('|', a.id, a.bay, a.service_type, a.status, a.confirmation_code),"
                     " ',' ORDER BY a.id)) FROM appointments a");
  REQUIRE(r.ok());
  std::string out;
  for (int i = 0; i < r->size(); ++i) out += std::string{(*r)[i].text(0)} + ";";
  return out;
}

} // namespace

TEST_CASE("seed loads 10,000 customers, 16,000 valid vehicles and 8,000 sane appointments") {
  auto url = fresh_database("t_seed", false);
  ce::store_config cfg;
  cfg.database_url = url;
  seed_options o;
  o.migrations_dir = std::string{CE_SOURCE_DIR} + "/config/migrations";
  std::ostringstream progress;
  REQUIRE(seed_command(cfg, facts(), o, progress) == 0);
  INFO(progress.str());
  CHECK_THAT(progress.str(), Catch::Contains("10000 customers") && Catch::Contains(" s"));

  pg_connection conn{options_for(url)};
  CHECK(scalar(conn, "SELECT count(*) FROM customers") == 10000);
  CHECK(scalar(conn, "SELECT count(*) FROM vehicles") == 16000);
  CHECK(scalar(conn, "SELECT count(*) FROM appointments") == 8000);
  CHECK(scalar(conn, "SELECT count(*) FROM service_history") > 8000);
  CHECK(scalar(conn, "SELECT count(DISTINCT phone) FROM customers") == 10000);
  CHECK(scalar(conn, "SELECT count(*) FROM customers WHERE phone !~ '^\\+1[2-9][0-9]{2}55501[0-9]{2}$'") == 0);
  CHECK(scalar(conn, "SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = c.id)") == 0);

  // Every VIN passes the check digit and decodes to the make and year stored with it.
  auto vins = conn.exec("SELECT vin, make, year FROM vehicles");
  REQUIRE(vins.ok());
  int bad = 0;
  std::set<std::string> makes;
  for (int i = 0; i < vins->size(); ++i) {
    auto row = (*vins)[i];
    auto d = decode_vin(row.text(0));
    if (!d || d->make != row.text(1) || d->model_year != row.int32(2)) ++bad;
    makes.insert(std::string{row.text(1)});
  }
  CHECK(bad == 0);
  CHECK(makes == std::set<std::string>(facts().makes_serviced.begin(), facts().makes_serviced.end()));

  // Appointments: inside opening hours, clear of lunch, never two on one bay at once
  // (all of them, not only the active ones the constraint covers), past and future.
  CHECK(scalar(conn, "SELECT count(*) FROM appointments a JOIN appointments b ON a.bay = b.bay AND a.id < b.id"
                     " AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)") == 0);
  CHECK(scalar(conn, "SELECT count(*) FROM appointments WHERE"
                     " (starts_at AT TIME ZONE 'America/Chicago')::time < '08:00'"
                     " OR (ends_at AT TIME ZONE 'America/Chicago')::time > '17:00'"
                     " OR extract(isodow FROM starts_at AT TIME ZONE 'America/Chicago') = 7"
                     " OR (extract(isodow FROM starts_at AT TIME ZONE 'America/Chicago') = 6"
                     "     AND (ends_at AT TIME ZONE 'America/Chicago')::time > '12:00')"
                     " OR ((starts_at AT TIME ZONE 'America/Chicago')::time < '13:00'"
                     "     AND (ends_at AT TIME ZONE 'America/Chicago')::time > '12:00')") == 0);
  CHECK(scalar(conn, "SELECT count(*) FROM appointments WHERE bay NOT BETWEEN 1 AND 4") == 0);
  CHECK(scalar(conn, "SELECT count(*) FROM appointments WHERE starts_at > now() AND status IN ('booked', 'confirmed')") > 200);
  CHECK(scalar(conn, "SELECT count(*) FROM appointments WHERE starts_at < now() AND status = 'completed'") > 5000);
  CHECK(scalar(conn, "SELECT count(*) FROM appointments a JOIN vehicles v ON v.id = a.vehicle_id"
                     " WHERE v.customer_id <> a.customer_id") == 0);
  CHECK(scalar(conn, "SELECT count(*) FROM vehicles v WHERE v.last_service_date IS DISTINCT FROM"
                     " (SELECT max(performed_on) FROM service_history h WHERE h.vehicle_id = v.id)") == 0);
  // New rows get fresh ids after the explicit ids of the seed.
  auto store = make_store(url);
  auto added = add_customer(store, "+12175550999", 1);
  CHECK(added.person.id == 10001);
}

TEST_CASE("seeding is deterministic, refuses to pile onto data, and --reset reloads") {
  auto url = fresh_database("t_seed_again");
  pg_connection conn{options_for(url)};
  seed_options o;
  o.customers = 500;
  o.vehicles = 800;
  o.appointments = 400;
  std::ostringstream progress;
  auto first = seed_database(conn, facts(), o, progress);
  INFO((first ? "" : first.error().message));
  REQUIRE(first.ok());
  CHECK(first->appointments == 400);
  auto print = fingerprint(conn);

  auto skipped = seed_database(conn, facts(), o, progress);
  REQUIRE(skipped.ok());
  CHECK(skipped->skipped);
  CHECK(scalar(conn, "SELECT count(*) FROM customers") == 500);

  o.reset = true;
  REQUIRE(seed_database(conn, facts(), o, progress).ok());
  CHECK(fingerprint(conn) == print);
  o.seed += 1;
  REQUIRE(seed_database(conn, facts(), o, progress).ok());
  CHECK(fingerprint(conn) != print);
}

TEST_CASE("seed arguments are parsed with clear errors") {
  auto o = parse_seed_args({"--reset", "--seed", "7", "--customers", "100", "--vehicles", "150", "--appointments",
                            "60", "--migrations", "/tmp/m"});
  REQUIRE(o.ok());
  CHECK(o->reset);
  CHECK(o->seed == 7);
  CHECK(o->customers == 100);
  CHECK(o->vehicles == 150);
  CHECK(o->appointments == 60);
  CHECK(o->migrations_dir == "/tmp/m");
  CHECK_THAT(parse_seed_args({"--customers", "lots"}).error().message, Catch::Contains("--customers"));
  CHECK(parse_seed_args({"--frobnicate", "1"}).code() == store_errc::invalid);
  CHECK(parse_seed_args({"--seed"}).code() == store_errc::invalid);
}
