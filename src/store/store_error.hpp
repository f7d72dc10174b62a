// The store's errors, as values. One enum for PostgreSQL, Redis and the domain checks, so
// the tools actor can turn any of them into one polite sentence.
//
// Policy: `unavailable` and `timeout` are transient (retry later, with backoff); everything
// else is permanent for the same arguments.
#pragma once

#include <cassert>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ce::store {

enum class store_errc {
  unavailable,  ///< server down, connection refused or lost
  timeout,      ///< the call's time bound passed (connect, statement or client deadline)
  conflict,     ///< unique or exclusion violation (SQLSTATE 23505, 23P01); slot taken
  invalid,      ///< bad argument: data exception (22xxx), not-null/check/fk (23xxx), domain check
  not_found,    ///< no such customer, vehicle or appointment
  forbidden,    ///< the record exists but is not the caller's
  other,        ///< anything else (a bug: syntax error, protocol error, ...)
};

constexpr std::string_view to_string(store_errc code) {
  switch (code) {
    case store_errc::unavailable: return "unavailable";
    case store_errc::timeout: return "timeout";
    case store_errc::conflict: return "conflict";
    case store_errc::invalid: return "invalid";
    case store_errc::not_found: return "not_found";
    case store_errc::forbidden: return "forbidden";
    case store_errc::other: return "other";
  }
  return "other";
}

/// True for errors worth retrying later with the same arguments.
constexpr bool is_transient(store_errc code) {
  return code == store_errc::unavailable || code == store_errc::timeout;
}

struct store_error {
  store_errc code = store_errc::other;
  std::string message;     ///< for logs and, for `invalid`/`not_found`, safe to paraphrase to callers
  std::string sqlstate;    ///< PostgreSQL SQLSTATE when the error came from the server
  std::string constraint;  ///< violated constraint, when the server named one
};

inline store_error make_error(store_errc code, std::string message) {
  return store_error{code, std::move(message), {}, {}};
}

/// A value or a store_error (std::expected is C++23).
template <class T>
class [[nodiscard]] result {
public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  result(store_error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const store_error& error() const { assert(!ok()); return std::get<1>(v_); }
  store_errc code() const { return ok() ? store_errc::other : error().code; }

private:
  std::variant<T, store_error> v_;
};

/// Reconnection state, for an actor that schedules its own retries.
struct backoff_state {
  int consecutive_failures = 0;       ///< connection failures since the last success
  std::chrono::milliseconds delay{0};  ///< suggested wait before the next attempt (0 = now)
};

/// For operations that return nothing but may fail.
struct done {};
using status = result<done>;

} // namespace ce::store
