// Migrations against a real PostgreSQL, and the database-level guarantee against
// double-booking.
#include "store_env.hpp"

#include <future>
#include <thread>

using namespace ce::store;
using namespace ce::store::test;

namespace {

std::string migrations_dir() { return std::string{CE_SOURCE_DIR} + "/config/migrations"; }

std::int64_t scalar(pg_connection& conn, const std::string& sql) {
  auto r = conn.exec(sql);
  INFO(sql << ": " << (r ? "" : r.error().message));
  REQUIRE(r.ok());
  return (*r)[0].int64(0);
}

} // namespace

TEST_CASE("migrations apply once: a second run finds nothing to do") {
  auto url = fresh_database("t_migrate_once", false);
  pg_connection conn{options_for(url)};
  auto files = read_migrations(migrations_dir());
  REQUIRE(files.ok());
  REQUIRE(files->size() >= 3);

  auto first = migrate(conn, *files);
  REQUIRE(first.ok());
  CHECK(first->applied.size() == files->size());
  CHECK(first->already_applied.empty());
  auto second = migrate(conn, *files);
  REQUIRE(second.ok());
  CHECK(second->applied.empty());
  CHECK(second->already_applied.size() == files->size());
  CHECK(scalar(conn, "SELECT count(*) FROM schema_migrations") == static_cast<std::int64_t>(files->size()));
  for (const char* table : {"customers", "vehicles", "appointments", "service_history", "call_logs", "call_turns",
                            "reminder_jobs", "reminder_attempts", "scheduler_runs"})
    CHECK(scalar(conn, std::string{"SELECT count(*) FROM information_schema.tables WHERE table_name = '"} + table +
                         "'") == 1);
}

TEST_CASE("engines migrating the same database at the same time apply each file exactly once") {
  auto url = fresh_database("t_migrate_race", false);
  std::vector<std::future<result<migration_report>>> runs;
  for (int i = 0; i < 4; ++i)
    runs.push_back(std::async(std::launch::async, [url] {
      pg_connection conn{options_for(url)};
      return migrate(conn, migrations_dir());
    }));
  std::size_t applied = 0;
  for (auto& r : runs) {
    auto report = r.get();
    INFO((report ? "" : report.error().message));
    REQUIRE(report.ok());
    applied += report->applied.size();
  }
  auto files = read_migrations(migrations_dir());
  REQUIRE(files.ok());
  CHECK(applied == files->size());
  pg_connection conn{options_for(url)};
  CHECK(scalar(conn, "SELECT count(*) FROM schema_migrations") == static_cast<std::int64_t>(files->size()));
}

TEST_CASE("a migration edited after it was applied is refused") {
  auto url = fresh_database("t_migrate_edited", false);
  pg_connection conn{options_for(url)};
  auto files = read_migrations(migrations_dir());
  REQUIRE(files.ok());
  REQUIRE(migrate(conn, *files).ok());
  (*files)[0].sql += "\n-- edited\n";
  (*files)[0].checksum = "0000000000000000";
  auto again = migrate(conn, *files);
  REQUIRE_FALSE(again.ok());
  CHECK(again.code() == store_errc::invalid);
  CHECK_THAT(again.error().message, Catch::Contains((*files)[0].name) && Catch::Contains("changed"));
}

TEST_CASE("a failing migration leaves nothing behind and reports the file") {
  auto url = fresh_database("t_migrate_failing", false);
  pg_connection conn{options_for(url)};
  std::vector<migration_file> files{{"0001", "0001_ok.sql", "CREATE TABLE a (x int);", "1"},
                                    {"0002", "0002_bad.sql", "CREATE TABLE b (x int); SELEC 1;", "2"}};
  auto r = migrate(conn, files);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("0002_bad.sql"));
  CHECK(scalar(conn, "SELECT count(*) FROM schema_migrations") == 1);
  CHECK(scalar(conn, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'b'") == 0);
  CHECK(read_migrations("/nonexistent/migrations").code() == store_errc::invalid);
}

TEST_CASE("the database itself refuses overlapping active appointments on one bay") {
  auto url = fresh_database("t_exclusion");
  pg_connection conn{options_for(url)};
  REQUIRE(conn.exec("INSERT INTO customers (id, first_name, last_name, phone) VALUES (1, 'Ann', 'Lee', '+12175550101')").ok());
  auto insert = [&](int bay, const char* from, const char* to, const char* status, const char* code) {
    return conn.exec("INSERT INTO appointments (customer_id, service_type, starts_at, ends_at, bay, status,"
                     " confirmation_code) VALUES (1, 'oil_change', $1, $2, $3, $4, $5)",
                     pg_params{}.add(from).add(to).add(bay).add(status).add(code));
  };
  REQUIRE(insert(1, "2030-06-03 10:00-05", "2030-06-03 11:00-05", "booked", "AAAAAA").ok());
  auto overlap = insert(1, "2030-06-03 10:30-05", "2030-06-03 11:30-05", "confirmed", "AAAAAC");
  REQUIRE_FALSE(overlap.ok());
  CHECK(overlap.code() == store_errc::conflict);
  CHECK(overlap.error().sqlstate == "23P01");
  CHECK(overlap.error().constraint == "appointments_no_overlap");
  CHECK(insert(2, "2030-06-03 10:30-05", "2030-06-03 11:30-05", "booked", "AAAAAD").ok());      // other bay
  CHECK(insert(1, "2030-06-03 11:00-05", "2030-06-03 11:30-05", "booked", "AAAAAE").ok());      // adjacent
  CHECK(insert(1, "2030-06-03 10:15-05", "2030-06-03 10:45-05", "cancelled", "AAAAAF").ok());   // inactive
  auto dup_code = insert(3, "2030-06-03 10:00-05", "2030-06-03 10:30-05", "booked", "AAAAAA");
  CHECK(dup_code.error().sqlstate == "23505");
  auto reversed = insert(4, "2030-06-03 10:00-05", "2030-06-03 09:00-05", "booked", "AAAAAG");
  CHECK(reversed.code() == store_errc::invalid);
  // Re-activating a cancelled appointment that now overlaps is refused as well.
  auto reactivate = conn.exec("UPDATE appointments SET status = 'booked' WHERE confirmation_code = 'AAAAAF'");
  CHECK(reactivate.code() == store_errc::conflict);
}
