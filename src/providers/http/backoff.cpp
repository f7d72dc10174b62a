#include "providers/http/backoff.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace ce::http {

jitter_source::jitter_source() : rng_(std::random_device{}()) {}

std::chrono::milliseconds backoff_delay(const retry_policy& policy, int retry_index, double unit) {
  const double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::max(0, retry_index));
  const double capped = std::min(base, static_cast<double>(policy.max_backoff.count()));
  const double jittered = capped * (1.0 - policy.jitter * std::clamp(unit, 0.0, 1.0));
  return std::chrono::milliseconds(static_cast<std::int64_t>(jittered));
}

std::optional<std::chrono::milliseconds> retry_delay(const provider_error& err, const retry_policy& policy,
                                                     int attempts_made, std::chrono::milliseconds time_left,
                                                     double unit) {
  if (err.is_permanent()) return std::nullopt;
  if (err.should_retry && !*err.should_retry) return std::nullopt;
  if (attempts_made >= policy.max_attempts) return std::nullopt;
  std::chrono::milliseconds delay{0};
  if (err.retry_after) {
    if (*err.retry_after > policy.max_server_delay) return std::nullopt;
    delay = *err.retry_after;
  }
  if (delay.count() <= 0) delay = backoff_delay(policy, attempts_made - 1, unit);
  if (delay >= time_left) return std::nullopt;
  return delay;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    double seconds = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || p != value.data() + value.size() || seconds < 0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
  }
  // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  const std::string text(value);
  if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto diff = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return std::max(diff, std::chrono::milliseconds(0));
}

void apply_retry_hints(provider_error& err, std::string_view retry_after_ms, std::string_view retry_after,
                       std::string_view should_retry) {
  if (!retry_after_ms.empty()) {
    double ms = 0;
    auto [p, ec] = std::from_chars(retry_after_ms.data(), retry_after_ms.data() + retry_after_ms.size(), ms);
    if (ec == std::errc{} && ms >= 0) err.retry_after = std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  }
  if (!err.retry_after && !retry_after.empty())
    err.retry_after = parse_retry_after(retry_after, std::chrono::system_clock::now());
  if (should_retry == "true") err.should_retry = true;
  else if (should_retry == "false") err.should_retry = false;
}

} // namespace ce::http
