// What the mocks received and did, for test assertions (`GET /__mock/log`), plus cheap
// counters (`GET /__mock/stats`). The log is a bounded ring: once `limit` entries are held,
// the oldest go first. Audio frames are counted, never logged one by one.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::mocks {

/// The services, each with its own counters and log entries.
enum class service { stt, tts, openai, google, twilio, control };
inline constexpr std::size_t service_count = 6;

std::string_view to_string(service s);
/// Parses a service name; false when unknown.
bool parse_service(std::string_view name, service& out);

struct service_counters {
  std::atomic<std::int64_t> open{0};          ///< live connections / streams
  std::atomic<std::uint64_t> accepted{0};     ///< connections or requests accepted
  std::atomic<std::uint64_t> rejected{0};     ///< handshakes / requests answered with an error
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> faults{0};
};

class recorder {
public:
  explicit recorder(std::size_t limit = 20000);

  /// Appends `{seq, t_ms, service, event, ...fields}`; returns its sequence number.
  std::uint64_t add(service s, std::string_view event, nlohmann::json fields = nlohmann::json::object());

  /// Entries with seq > `since`, oldest first, optionally of one service and/or event
  /// (an exact name, or a prefix when it ends with '.' or '*'), at most `limit` of them.
  std::vector<nlohmann::json> entries(std::optional<service> s = std::nullopt, std::uint64_t since = 0,
                                      std::string_view event_prefix = {},
                                      std::size_t limit = SIZE_MAX) const;
  std::uint64_t last_seq() const;
  void clear();
  void set_limit(std::size_t limit);

  service_counters& counters(service s) { return counters_[static_cast<std::size_t>(s)]; }
  nlohmann::json stats() const;

  /// Milliseconds since the recorder was created (the log's time base).
  std::int64_t now_ms() const;

private:
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  mutable std::mutex mutex_;
  std::deque<nlohmann::json> entries_;
  std::uint64_t seq_ = 0;
  std::size_t limit_;
  std::array<service_counters, service_count> counters_;
};

} // namespace ce::mocks
