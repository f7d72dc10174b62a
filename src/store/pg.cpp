#include "store/pg.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace ce::store {

using clock = std::chrono::steady_clock;

namespace {

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

} // namespace

store_errc classify_sqlstate(std::string_view s) {
  if (s.size() != 5) return store_errc::other;
  auto cls = s.substr(0, 2);
  if (cls == "08" || cls == "53" || s == "57P01" || s == "57P02" || s == "57P03")
    return store_errc::unavailable;
  if (s == "57014" || s == "55P03") return store_errc::timeout;
  if (s == "23505" || s == "23P01" || s == "40001" || s == "40P01") return store_errc::conflict;
  if (cls == "22" || cls == "23") return store_errc::invalid;
  return store_errc::other;
}

// --- pg_params --------------------------------------------------------------------------

pg_params& pg_params::add(std::string_view text) {
  values_.emplace_back(std::string{text});
  return *this;
}
pg_params& pg_params::add(std::int64_t number) {
  values_.emplace_back(std::to_string(number));
  return *this;
}
pg_params& pg_params::add(bool flag) {
  values_.emplace_back(flag ? "true" : "false");
  return *this;
}
pg_params& pg_params::add(double number) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", number);
  values_.emplace_back(buf);
  return *this;
}
pg_params& pg_params::add_null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

// --- rows -------------------------------------------------------------------------------

bool pg_row::is_null(int col) const { return PQgetisnull(res_, row_, col) != 0; }

std::string_view pg_row::text(int col) const {
  return {PQgetvalue(res_, row_, col), static_cast<std::size_t>(PQgetlength(res_, row_, col))};
}

std::optional<std::string> pg_row::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return std::string{text(col)};
}

std::int64_t pg_row::int64(int col) const {
  auto t = text(col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

std::optional<std::int64_t> pg_row::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

double pg_row::real(int col) const {
  return is_null(col) ? 0.0 : std::strtod(PQgetvalue(res_, row_, col), nullptr);
}

bool pg_row::boolean(int col) const {
  auto t = text(col);
  return !t.empty() && t[0] == 't';
}

pg_rows::pg_rows(pg_result* res) : res_(res) {}
void pg_rows::deleter::operator()(pg_result* r) const { PQclear(r); }
int pg_rows::size() const { return res_ ? PQntuples(res_.get()) : 0; }
int pg_rows::columns() const { return res_ ? PQnfields(res_.get()) : 0; }
int pg_rows::column(std::string_view name) const {
  return res_ ? PQfnumber(res_.get(), std::string{name}.c_str()) : -1;
}
std::int64_t pg_rows::affected() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_.get());
  std::int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

// --- connection -------------------------------------------------------------------------

pg_connection::pg_connection(pg_options options) : options_(std::move(options)) {}

pg_connection::~pg_connection() { disconnect(); }

pg_connection::pg_connection(pg_connection&& other) noexcept
    : options_(std::move(other.options_)), conn_(std::exchange(other.conn_, nullptr)),
      tx_open_(std::exchange(other.tx_open_, false)), failures_(other.failures_) {}

pg_connection& pg_connection::operator=(pg_connection&& other) noexcept {
  if (this != &other) {
    disconnect();
    options_ = std::move(other.options_);
    conn_ = std::exchange(other.conn_, nullptr);
    tx_open_ = std::exchange(other.tx_open_, false);
    failures_ = other.failures_;
  }
  return *this;
}

void pg_connection::disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

bool pg_connection::connected() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

backoff_state pg_connection::backoff() const {
  if (failures_ == 0) return {};
  auto delay = options_.backoff_initial;
  for (int i = 1; i < failures_ && delay < options_.backoff_max; ++i) delay *= 2;
  return {failures_, std::min(delay, options_.backoff_max)};
}

void pg_connection::note_failure() { failures_ = std::min(failures_ + 1, 30); }

clock::time_point pg_connection::query_deadline() const {
  return clock::now() + std::chrono::milliseconds(options_.statement_timeout_ms + options_.client_margin_ms);
}

status pg_connection::wait_socket(bool for_write, clock::time_point deadline) {
  int fd = PQsocket(conn_);
  if (fd < 0) return make_error(store_errc::unavailable, "no socket");
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return make_error(store_errc::timeout, "no answer from PostgreSQL in time");
    pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (n > 0) return done{};
    if (n < 0 && errno != EINTR) return make_error(store_errc::unavailable, std::string{"poll: "} + std::strerror(errno));
  }
}

status pg_connection::connect() {
  if (connected()) return done{};
  disconnect();
  char* parse_err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options_.url.c_str(), &parse_err);
  if (!parsed) {
    std::string msg = parse_err ? trimmed(parse_err) : "cannot parse";
    PQfreemem(parse_err);
    return make_error(store_errc::invalid, "bad database URL: " + msg);
  }
  PQconninfoFree(parsed);

  std::string server_opts = "-c statement_timeout=" + std::to_string(options_.statement_timeout_ms) +
                            " -c lock_timeout=" + std::to_string(options_.lock_timeout_ms) +
                            " -c idle_in_transaction_session_timeout=" +
                            std::to_string(options_.statement_timeout_ms * 6);
  if (!options_.time_zone.empty()) server_opts += " -c TimeZone=" + options_.time_zone;
  // libpq's own connect_timeout is per host in whole seconds (min 2); the poll loop below
  // enforces the exact bound.
  std::string timeout_s = std::to_string(std::max(2, (options_.connect_timeout_ms + 999) / 1000));
  const char* keys[] = {"dbname", "connect_timeout", "application_name", "options",
                        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        nullptr};
  const char* vals[] = {options_.url.c_str(), timeout_s.c_str(), options_.application_name.c_str(),
                        server_opts.c_str(), "1", "10", "3", "3", nullptr};
  conn_ = PQconnectStartParams(keys, vals, 1);
  if (!conn_) return make_error(store_errc::unavailable, "out of memory connecting to PostgreSQL");

  auto deadline = clock::now() + std::chrono::milliseconds(options_.connect_timeout_ms);
  auto poll_status = PGRES_POLLING_WRITING;
  while (PQstatus(conn_) != CONNECTION_BAD) {
    if (poll_status == PGRES_POLLING_OK) break;
    if (poll_status == PGRES_POLLING_FAILED) break;
    if (auto w = wait_socket(poll_status == PGRES_POLLING_WRITING, deadline); !w) {
      disconnect();
      note_failure();
      return make_error(store_errc::unavailable, "connecting to PostgreSQL: " + w.error().message);
    }
    poll_status = PQconnectPoll(conn_);
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    auto msg = trimmed(PQerrorMessage(conn_));
    disconnect();
    note_failure();
    return make_error(store_errc::unavailable, "cannot connect to PostgreSQL: " + msg);
  }
  // Server notices (e.g. "table does not exist, skipping") are not errors: drop them
  // instead of letting libpq print them on stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(conn_, 1) != 0) {
    disconnect();
    note_failure();
    return make_error(store_errc::unavailable, "cannot set the connection non-blocking");
  }
  failures_ = 0;
  return done{};
}

status pg_connection::ensure_connected() {
  if (connected()) return done{};
  if (tx_open_)
    return make_error(store_errc::unavailable, "connection to PostgreSQL lost inside a transaction");
  return connect();
}

store_error pg_connection::lost(std::string what) {
  std::string msg = "connection to PostgreSQL lost";
  if (conn_) {
    auto detail = trimmed(PQerrorMessage(conn_));
    if (!detail.empty()) msg += ": " + detail;
  }
  if (!what.empty()) msg += " (" + what + ")";
  disconnect();
  note_failure();
  return make_error(store_errc::unavailable, std::move(msg));
}

store_error pg_connection::result_error(pg_result* res) {
  if (PQstatus(conn_) == CONNECTION_BAD) return lost({});
  store_error e;
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
  e.sqlstate = state ? state : "";
  e.constraint = constraint ? constraint : "";
  e.code = classify_sqlstate(e.sqlstate);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  e.message = primary ? primary : trimmed(PQresultErrorMessage(res));
  if (e.code == store_errc::unavailable) {
    disconnect();  // admin shutdown and friends: this session is gone
    note_failure();
  }
  return e;
}

// The server did not answer in time (it may still be busy: its statement_timeout ends the
// statement) or the socket failed. Either way this session is dropped; the next call
// reconnects.
store_error pg_connection::waited_too_long(store_error e) {
  if (e.code != store_errc::timeout) return lost(e.message);
  disconnect();
  note_failure();
  return e;
}

status pg_connection::flush(clock::time_point deadline) {
  for (;;) {
    int r = PQflush(conn_);
    if (r == 0) return done{};
    if (r < 0) return lost("sending");
    if (auto w = wait_socket(true, deadline); !w) return waited_too_long(w.error());
    if (PQconsumeInput(conn_) == 0) return lost("receiving");
  }
}

result<pg_rows> pg_connection::finish_query(clock::time_point deadline, bool expect_copy) {
  if (auto f = flush(deadline); !f) return f.error();
  std::optional<store_error> first_error;
  pg_rows last;
  for (;;) {
    while (PQisBusy(conn_)) {
      if (auto w = wait_socket(false, deadline); !w) return waited_too_long(w.error());
      if (PQconsumeInput(conn_) == 0) return lost("receiving");
    }
    PGresult* res = PQgetResult(conn_);
    if (!res) break;
    auto st = PQresultStatus(res);
    if (expect_copy && st == PGRES_COPY_IN) return pg_rows{res};
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      if (!first_error) first_error = result_error(res);
      PQclear(res);
      if (!conn_) return *first_error;
      continue;
    }
    if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
      PQclear(res);
      return lost("unexpected COPY state");
    }
    last = pg_rows{res};
  }
  if (PQstatus(conn_) == CONNECTION_BAD) return lost({});
  if (first_error) return *first_error;
  return last;
}

result<pg_rows> pg_connection::exec(std::string_view sql, const pg_params& params) {
  if (auto c = ensure_connected(); !c) return c.error();
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
  std::string text{sql};
  if (PQsendQueryParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0) == 0)
    return lost("sending the query");
  return finish_query(query_deadline(), false);
}

status pg_connection::exec_script(std::string_view sql) {
  if (auto c = ensure_connected(); !c) return c.error();
  std::string text{sql};
  if (PQsendQuery(conn_, text.c_str()) == 0) return lost("sending the script");
  auto r = finish_query(query_deadline(), false);
  if (!r) return r.error();
  return done{};
}

result<std::int64_t> pg_connection::copy_in(std::string_view copy_sql, std::string_view data) {
  if (auto c = ensure_connected(); !c) return c.error();
  std::string text{copy_sql};
  if (PQsendQuery(conn_, text.c_str()) == 0) return lost("sending COPY");
  auto deadline = query_deadline();
  auto started = finish_query(deadline, true);
  if (!started) return started.error();
  constexpr std::size_t chunk = 256 * 1024;
  for (std::size_t at = 0; at < data.size();) {
    auto n = std::min(chunk, data.size() - at);
    int r = PQputCopyData(conn_, data.data() + at, static_cast<int>(n));
    if (r < 0) return lost("COPY data");
    if (r == 0) {  // send buffer full: wait until the socket drains
      if (auto w = wait_socket(true, deadline); !w) return lost("COPY stalled");
      if (PQflush(conn_) < 0) return lost("COPY data");
      continue;
    }
    at += n;
  }
  for (;;) {
    int r = PQputCopyEnd(conn_, nullptr);
    if (r == 1) break;
    if (r < 0) return lost("COPY end");
    if (auto w = wait_socket(true, deadline); !w) return lost("COPY stalled");
  }
  auto done_rows = finish_query(deadline, false);
  if (!done_rows) return done_rows.error();
  return done_rows->affected();
}

status pg_connection::begin() {
  if (tx_open_) return make_error(store_errc::other, "transaction already open");
  auto r = exec("BEGIN");
  if (!r) return r.error();
  tx_open_ = true;
  return done{};
}

status pg_connection::commit() {
  if (!tx_open_) return make_error(store_errc::other, "no open transaction");
  if (!connected()) {
    tx_open_ = false;
    return make_error(store_errc::unavailable, "connection to PostgreSQL lost before COMMIT");
  }
  tx_open_ = false;
  auto r = exec("COMMIT");
  if (!r) return r.error();
  return done{};
}

status pg_connection::rollback() {
  if (!tx_open_) return done{};
  tx_open_ = false;
  if (!connected()) return done{};  // nothing left to roll back: the server did it
  auto r = exec("ROLLBACK");
  if (!r) return r.error();
  return done{};
}

pg_transaction::~pg_transaction() {
  if (open_) (void) conn_.rollback();
}

status pg_transaction::begin() {
  auto r = conn_.begin();
  open_ = r.ok();
  return r;
}

status pg_transaction::commit() {
  open_ = false;
  return conn_.commit();
}

} // namespace ce::store
