// The libpq wrapper against a real PostgreSQL: parameters, typed rows, COPY, transactions,
// error classification, and every call bounded in time.
#include "store_env.hpp"

#include <csignal>
#include <sys/types.h>

using namespace ce::store;
using namespace ce::store::test;
using ms = std::chrono::milliseconds;

namespace {

ms since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - t0);
}

} // namespace

TEST_CASE("pg: parameters travel as text, NULLs as NULL, rows come back typed") {
  pg_connection conn{options_for(server_url())};
  auto r = conn.exec("SELECT $1::bigint * 2, $2::text, $3::boolean, $4::double precision, $5::text IS NULL,"
                     " 'it''s'::text, NULL::int",
                     pg_params{}.add(std::int64_t{21}).add("héllo\ttab").add(true).add(2.5).add_null());
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK(r->columns() == 7);
  auto row = (*r)[0];
  CHECK(row.int64(0) == 42);
  CHECK(row.text(1) == "héllo\ttab");
  CHECK(row.boolean(2));
  CHECK(row.real(3) == 2.5);
  CHECK(row.boolean(4));
  CHECK(row.text(5) == "it's");
  CHECK(row.is_null(6));
  CHECK_FALSE(row.opt_int64(6).has_value());
  CHECK(r->column("text") == 1);
  CHECK(r->column("nope") == -1);
  // Injection is just text.
  auto inj = conn.exec("SELECT $1::text", pg_params{}.add("'; DROP TABLE x; --"));
  REQUIRE(inj.ok());
  CHECK((*inj)[0].text(0) == "'; DROP TABLE x; --");
}

TEST_CASE("pg: errors are classified from their SQLSTATE") {
  CHECK(classify_sqlstate("23505") == store_errc::conflict);
  CHECK(classify_sqlstate("23P01") == store_errc::conflict);
  CHECK(classify_sqlstate("40001") == store_errc::conflict);
  CHECK(classify_sqlstate("22007") == store_errc::invalid);
  CHECK(classify_sqlstate("23502") == store_errc::invalid);
  CHECK(classify_sqlstate("23503") == store_errc::invalid);
  CHECK(classify_sqlstate("08006") == store_errc::unavailable);
  CHECK(classify_sqlstate("57P01") == store_errc::unavailable);
  CHECK(classify_sqlstate("53300") == store_errc::unavailable);
  CHECK(classify_sqlstate("57014") == store_errc::timeout);
  CHECK(classify_sqlstate("42601") == store_errc::other);
  CHECK(classify_sqlstate("") == store_errc::other);

  pg_connection conn{options_for(server_url())};
  auto bad_date = conn.exec("SELECT $1::date", pg_params{}.add("2030-02-30"));
  CHECK(bad_date.code() == store_errc::invalid);
  CHECK(bad_date.error().sqlstate == "22008");
  auto syntax = conn.exec("SELEC 1");
  CHECK(syntax.code() == store_errc::other);
  CHECK(syntax.error().sqlstate == "42601");
  CHECK(conn.exec("SELECT 1").ok());  // the connection survives statement errors
}

TEST_CASE("pg: COPY loads rows and transactions roll back unless committed") {
  auto url = fresh_database("t_pg_copy", false);
  pg_connection conn{options_for(url)};
  REQUIRE(conn.exec_script("CREATE TABLE t (id int PRIMARY KEY, name text, note text);").ok());
  auto n = conn.copy_in("COPY t (id, name, note) FROM STDIN", "1\tone\t\\N\n2\ttwo\ttab\\there\n3\tthree\tx\n");
  REQUIRE(n.ok());
  CHECK(*n == 3);
  auto bad = conn.copy_in("COPY t (id, name, note) FROM STDIN", "4\tfour\tx\n1\tdup\tx\n");
  CHECK(bad.code() == store_errc::conflict);
  {
    pg_transaction tx{conn};
    REQUIRE(tx.begin().ok());
    REQUIRE(conn.exec("DELETE FROM t").ok());
    CHECK(conn.in_transaction());
  }  // not committed: rolled back
  CHECK_FALSE(conn.in_transaction());
  auto rows = conn.exec("SELECT count(*), max(note) FILTER (WHERE id = 2), bool_and(note IS NULL) FILTER (WHERE id = 1) FROM t");
  REQUIRE(rows.ok());
  CHECK((*rows)[0].int64(0) == 3);
  CHECK((*rows)[0].text(1) == "tab\there");
  CHECK((*rows)[0].boolean(2));
  {
    pg_transaction tx{conn};
    REQUIRE(tx.begin().ok());
    REQUIRE(conn.exec("DELETE FROM t WHERE id = 3").ok());
    REQUIRE(tx.commit().ok());
  }
  CHECK((*conn.exec("SELECT count(*) FROM t"))[0].int64(0) == 2);
  CHECK((*conn.exec("UPDATE t SET note = 'y'")).affected() == 2);
}

TEST_CASE("pg: a refused connection or a bad URL fails at once with a clear error") {
  auto o = options_for("postgresql://postgres@127.0.0.1:1/callengine");
  o.connect_timeout_ms = 1000;
  pg_connection refused{o};
  auto t0 = std::chrono::steady_clock::now();
  auto r = refused.exec("SELECT 1");
  CHECK(since(t0) < ms(1500));
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == store_errc::unavailable);
  CHECK_THAT(r.error().message, Catch::Contains("cannot connect"));
  CHECK(refused.backoff().consecutive_failures == 1);
  CHECK(refused.backoff().delay == ms(100));
  (void) refused.exec("SELECT 1");
  (void) refused.exec("SELECT 1");
  CHECK(refused.backoff().delay == ms(400));

  pg_connection garbage{options_for("postgresql://[bad")};
  CHECK(garbage.exec("SELECT 1").code() == store_errc::invalid);
}

TEST_CASE("pg: a statement past statement_timeout is a timeout and the session stays usable") {
  auto o = options_for(server_url());
  o.statement_timeout_ms = 300;
  pg_connection conn{o};
  auto t0 = std::chrono::steady_clock::now();
  auto slow = conn.exec("SELECT pg_sleep(5)");
  CHECK(since(t0) < ms(1500));
  CHECK(slow.code() == store_errc::timeout);
  CHECK(conn.exec("SELECT 1").ok());
}

TEST_CASE("pg: a server that stops answering costs at most the client deadline") {
  auto o = options_for(server_url());
  o.statement_timeout_ms = 400;
  o.client_margin_ms = 300;
  pg_connection conn{o};
  auto pid = conn.exec("SELECT pg_backend_pid()");
  REQUIRE(pid.ok());
  auto backend = static_cast<pid_t>((*pid)[0].int64(0));
  // Freeze our server process: it can neither answer nor cancel itself.
  if (::kill(backend, SIGSTOP) != 0) {
    WARN("cannot signal the PostgreSQL backend (not root?): client-deadline test not run");
    return;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto r = conn.exec("SELECT 1");
  auto took = since(t0);
  ::kill(backend, SIGCONT);
  CHECK(took >= ms(650));
  CHECK(took < ms(1500));
  CHECK(r.code() == store_errc::timeout);
  CHECK_FALSE(conn.connected());
  CHECK(conn.exec("SELECT 1").ok());  // reconnects
}

TEST_CASE("pg: a connection lost inside a transaction is not silently replaced") {
  pg_connection conn{options_for(server_url())};
  pg_connection killer{options_for(server_url())};
  REQUIRE(conn.begin().ok());
  auto pid = conn.exec("SELECT pg_backend_pid()");
  REQUIRE(pid.ok());
  REQUIRE(killer.exec("SELECT pg_terminate_backend($1::int)", pg_params{}.add((*pid)[0].int64(0))).ok());
  auto lost = conn.exec("SELECT 1");
  CHECK(lost.code() == store_errc::unavailable);
  auto still = conn.exec("SELECT 1");
  REQUIRE_FALSE(still.ok());
  CHECK_THAT(still.error().message, Catch::Contains("inside a transaction"));
  CHECK(conn.commit().code() == store_errc::unavailable);
  CHECK_FALSE(conn.in_transaction());
  auto back = conn.exec("SELECT 1");
  CHECK(back.ok());
  CHECK(conn.backoff().consecutive_failures == 0);
}
