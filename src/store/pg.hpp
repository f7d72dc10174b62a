// A small blocking PostgreSQL client over libpq, for one detached actor per connection.
//
// Every call has a bounded time: connecting is bounded by `connect_timeout_ms`, every
// statement by the server's `statement_timeout` and, on the client side, by a deadline a
// little past it (the socket is polled; a server that stops answering costs at most that
// deadline, then the connection is dropped). Errors are values (store_error), classified in
// one place (classify_sqlstate). A lost connection makes the failing call return
// `unavailable`; the next call reconnects. backoff() tells an actor when a retry is sensible.
//
// Not thread-safe: one pg_connection belongs to one actor (or one thread) at a time.
#pragma once

#include "store/store_error.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace ce::store {

struct pg_options {
  std::string url;                   ///< postgresql://user@host:port/db?... (libpq URI or key=value)
  int connect_timeout_ms = 3000;     ///< whole connection setup, DNS to authentication
  int statement_timeout_ms = 5000;   ///< server-side bound on each statement
  int lock_timeout_ms = 3000;        ///< server-side bound on waiting for a lock
  int client_margin_ms = 1000;       ///< client deadline = statement timeout + this
  std::string application_name = "callengine";
  std::string time_zone;             ///< session TimeZone when set (e.g. America/Chicago)
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{10000};
};

/// Maps a SQLSTATE to the store's error codes: 08xxx, 57P01-03, 53xxx -> unavailable;
/// 57014, 55P03 -> timeout; 23505, 23P01, 40001, 40P01 -> conflict; 22xxx, other 23xxx ->
/// invalid; anything else -> other.
store_errc classify_sqlstate(std::string_view sqlstate);

/// Statement parameters, sent as text (PostgreSQL casts them: `$1::date`). nullopt = NULL.
class pg_params {
public:
  pg_params() = default;
  pg_params& add(std::string_view text);
  pg_params& add(const char* text) { return add(std::string_view{text}); }
  pg_params& add(const std::string& text) { return add(std::string_view{text}); }
  pg_params& add(std::int64_t number);
  pg_params& add(int number) { return add(static_cast<std::int64_t>(number)); }
  pg_params& add(bool flag);
  pg_params& add(double number);
  pg_params& add_null();
  template <class T>
  pg_params& add(const std::optional<T>& value) {
    return value ? add(*value) : add_null();
  }
  std::size_t size() const { return values_.size(); }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

private:
  std::vector<std::optional<std::string>> values_;
};

/// One row of a pg_rows (a view: valid while the pg_rows lives).
class pg_row {
public:
  pg_row(const pg_result* res, int row) : res_(res), row_(row) {}
  bool is_null(int col) const;
  std::string_view text(int col) const;  ///< "" for NULL
  std::optional<std::string> opt_text(int col) const;
  std::int64_t int64(int col) const;     ///< 0 for NULL
  std::optional<std::int64_t> opt_int64(int col) const;
  int int32(int col) const { return static_cast<int>(int64(col)); }
  double real(int col) const;
  bool boolean(int col) const;            ///< PostgreSQL's 't'

private:
  const pg_result* res_;
  int row_;
};

/// The rows of a statement (owns the libpq result).
class pg_rows {
public:
  pg_rows() = default;
  explicit pg_rows(pg_result* res);
  int size() const;
  bool empty() const { return size() == 0; }
  int columns() const;
  int column(std::string_view name) const;  ///< index, or -1
  pg_row operator[](int row) const { return pg_row{res_.get(), row}; }
  /// Rows affected by INSERT/UPDATE/DELETE/COPY (PQcmdTuples).
  std::int64_t affected() const;

private:
  struct deleter { void operator()(pg_result* r) const; };
  std::unique_ptr<pg_result, deleter> res_;
};

class pg_connection {
public:
  explicit pg_connection(pg_options options);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;
  pg_connection(pg_connection&& other) noexcept;
  pg_connection& operator=(pg_connection&& other) noexcept;

  /// Connects now (calls connect on demand too). No-op when connected.
  status connect();
  void disconnect();
  bool connected() const;

  /// One statement with parameters (extended protocol).
  result<pg_rows> exec(std::string_view sql, const pg_params& params = {});
  /// Several statements separated by `;`, no parameters (simple protocol; migrations).
  status exec_script(std::string_view sql);
  /// `COPY table (cols) FROM STDIN` fed with `data` in COPY text format (tab-separated
  /// columns, `\N` for NULL, one line per row). Returns the number of rows loaded.
  result<std::int64_t> copy_in(std::string_view copy_sql, std::string_view data);

  /// Transactions. While a transaction is open, a lost connection is not silently replaced:
  /// every call fails `unavailable` until rollback() (which then succeeds) or commit().
  status begin();
  status commit();
  status rollback();
  bool in_transaction() const { return tx_open_; }

  backoff_state backoff() const;
  const pg_options& options() const { return options_; }

private:
  status ensure_connected();
  status wait_socket(bool for_write, std::chrono::steady_clock::time_point deadline);
  result<pg_rows> finish_query(std::chrono::steady_clock::time_point deadline, bool expect_copy);
  status flush(std::chrono::steady_clock::time_point deadline);
  store_error lost(std::string what);
  store_error waited_too_long(store_error e);
  store_error result_error(pg_result* res);
  void note_failure();
  std::chrono::steady_clock::time_point query_deadline() const;

  pg_options options_;
  pg_conn* conn_ = nullptr;
  bool tx_open_ = false;
  int failures_ = 0;
};

/// Rolls back on scope exit unless committed.
class pg_transaction {
public:
  explicit pg_transaction(pg_connection& conn) : conn_(conn) {}
  ~pg_transaction();
  pg_transaction(const pg_transaction&) = delete;
  pg_transaction& operator=(const pg_transaction&) = delete;
  status begin();
  status commit();

private:
  pg_connection& conn_;
  bool open_ = false;
};

} // namespace ce::store
