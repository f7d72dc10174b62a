// Retries: only for non-permanent errors, with jittered exponential backoff, honouring
// the server's hints (retry-after-ms, Retry-After, x-should-retry), and only while the
// operation's deadline leaves room for another attempt.
#pragma once

#include "providers/http/provider_error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace ce::http {

struct retry_policy {
  /// Attempts in all, the first one included (OpenAI's SDK: 1 + 2 retries).
  int max_attempts = 3;
  /// Delay before the first retry; doubles per retry up to `max_backoff`.
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{2000};
  /// Each computed delay is multiplied by (1 - jitter * U[0,1)).
  double jitter = 0.25;
  /// A server asking for a longer wait than this is not retried at all.
  std::chrono::milliseconds max_server_delay{120000};
};

/// Uniform [0,1) numbers for the jitter (one per client; not thread-safe, used on its io thread).
class jitter_source {
public:
  jitter_source();
  explicit jitter_source(std::uint64_t seed) : rng_(seed) {}
  double next() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }

private:
  std::mt19937_64 rng_;
};

/// The backoff before retry number `retry_index` (0 = first retry), with jitter `unit`.
std::chrono::milliseconds backoff_delay(const retry_policy& policy, int retry_index, double unit);

/// Whether to retry after `err`, given `attempts_made` attempts so far and `time_left`
/// before the deadline; the delay to wait, or nullopt to give up.
std::optional<std::chrono::milliseconds> retry_delay(const provider_error& err, const retry_policy& policy,
                                                     int attempts_made, std::chrono::milliseconds time_left,
                                                     double unit);

/// Retry-After: delta-seconds ("1", "0.5") or an HTTP-date, relative to `now`.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

/// Reads the three retry hints from response headers into `err` (any of them may be empty).
void apply_retry_hints(provider_error& err, std::string_view retry_after_ms, std::string_view retry_after,
                       std::string_view should_retry);

} // namespace ce::http
