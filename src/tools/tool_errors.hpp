// Private to the tools: the contract's error codes (docs/tools.md) as values, a small
// value-or-error type for the tool code, and the one place store errors become tool errors.
#pragma once

#include "store/store_error.hpp"

#include <nlohmann/json.hpp>

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ce::tools {

enum class tool_errc {
  invalid_argument,
  outside_hours,
  not_found,
  forbidden,
  conflict,
  too_many_attempts,
  unavailable,
  unknown_tool,
};

std::string_view to_string(tool_errc code);

struct tool_error {
  tool_errc code = tool_errc::invalid_argument;
  std::string message;                 ///< one plain-English sentence
  bool verification_required = false;  ///< forbidden only: verify the caller first
  std::string detail;                  ///< for logs only: the store's own error, when one caused this
};

/// `text` as one sentence: first letter upper case, a full stop at the end.
std::string sentence(std::string_view text);
/// A tool_error whose message is made a sentence.
tool_error fail(tool_errc code, std::string_view text);

/// The contract's code for a store error. Transient and unexpected store failures are
/// `unavailable` with a polite sentence (the store's own text is for logs, not callers).
tool_error from_store(const store::store_error& e);

/// {"ok":false,"error":...,"message":...[,"verification_required":true]}
nlohmann::json failure_json(const tool_error& e);

/// A value or a tool_error.
template <class T>
class [[nodiscard]] checked {
public:
  checked(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  checked(tool_error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& operator*() { assert(ok()); return std::get<0>(v_); }
  const T& operator*() const { assert(ok()); return std::get<0>(v_); }
  T* operator->() { return &**this; }
  const T* operator->() const { return &**this; }
  const tool_error& error() const { assert(!ok()); return std::get<1>(v_); }

private:
  std::variant<T, tool_error> v_;
};

} // namespace ce::tools
