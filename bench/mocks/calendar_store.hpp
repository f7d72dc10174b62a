// The Google Calendar mock's in-memory calendars (protocols.md §8.3-8.5, §9.6): events per
// calendarId with the server-side fields filled in, and the operations with Google's
// validation and error shapes (`{"error":{"errors":[{domain, reason, message}], code,
// message}}`). Thread-safe (one mutex); no networking.
#pragma once

#include "mocks/time_util.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace ce::mocks {

/// An HTTP status and JSON body (an empty body for 204).
struct api_result {
  unsigned status = 200;
  nlohmann::json body;
};

/// Google's error body for `status` with one error entry.
nlohmann::json google_error_body(unsigned status, std::string_view reason, std::string_view message,
                                 std::string_view domain = "global", std::string_view location_type = {},
                                 std::string_view location = {});

using query_pairs = std::vector<std::pair<std::string, std::string>>;

class calendar_store {
public:
  explicit calendar_store(zone_db& zones);

  /// Replaces everything with the configured calendars (id -> seed events) in `time_zone`.
  /// Seed events go through insert; the first failure is returned as a message.
  std::string reset(const nlohmann::json& calendars, const std::string& time_zone);
  bool has_calendar(const std::string& id) const;

  api_result insert(const std::string& calendar, nlohmann::json event);
  api_result patch(const std::string& calendar, const std::string& id, const nlohmann::json& changes);
  api_result update(const std::string& calendar, const std::string& id, nlohmann::json event);
  api_result remove(const std::string& calendar, const std::string& id);
  api_result get(const std::string& calendar, const std::string& id) const;
  api_result list(const std::string& calendar, const query_pairs& query) const;
  api_result free_busy(const nlohmann::json& request);

  /// Every stored event of a calendar (cancelled ones too), for tests.
  std::vector<nlohmann::json> events(const std::string& calendar) const;

private:
  struct stored {
    nlohmann::json resource;
    std::int64_t start_ms = 0;
    std::int64_t end_ms = 0;
    std::uint64_t order = 0;
  };
  struct calendar {
    std::unordered_map<std::string, stored> events;
  };

  /// Reads `start`/`end` of an event; an error result when either is unusable.
  std::optional<api_result> read_times(const nlohmann::json& event, std::int64_t& start, std::int64_t& end) const;
  std::optional<std::int64_t> read_event_time(const nlohmann::json& t, const char* which, std::string& error) const;
  void stamp(nlohmann::json& resource, const std::string& calendar, bool created);
  std::string new_id();
  std::string etag();

  zone_db& zones_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, calendar> calendars_;
  std::string time_zone_ = "UTC";
  std::uint64_t counter_ = 0;
};

/// True when `id` is 5-1024 characters of base32hex (`a-v`, `0-9`).
bool valid_event_id(std::string_view id);

} // namespace ce::mocks
