// result<T>: a value or a provider_error (errors as values; C++20 has no std::expected).
// Kept as a plain pair with a flag rather than a std::variant: GCC 12 reports false
// "may be used uninitialized" warnings when such variants are moved through std::function.
#pragma once

#include "providers/http/provider_error.hpp"

#include <type_traits>
#include <utility>

namespace ce::http {

/// The value of a successful operation that returns nothing.
struct done_t {};

template <class T = done_t>
class result {
  static_assert(std::is_default_constructible_v<T>, "result<T> needs a default-constructible T");

public:
  result(T value) : ok_(true), value_(std::move(value)) {}
  result(provider_error error) : ok_(false), error_(std::move(error)) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }

  /// Only when ok().
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }

  /// Only when !ok().
  const provider_error& error() const { return error_; }
  provider_error& error() { return error_; }

private:
  bool ok_;
  T value_{};
  provider_error error_{};
};

} // namespace ce::http
