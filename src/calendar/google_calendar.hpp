// google_calendar: the engine's handle on the shop's Google Calendar (protocols.md §8). It
// owns an asio thread running the Calendar client (OAuth2 refresh, retries) and offers
//  - blocking event operations for the mirror (insert / patch / delete, each bounded by
//    the client's deadline), and
//  - busy_between(): the calendar's busy intervals for a slot question, from a short cache
//    (google.freebusy_cache_s) or one freeBusy call the question waits for at most
//    google.freebusy_wait_ms. Unreachable Google gives nullopt (logged, with call_sid) and
//    is not asked again for a few seconds, so slots then come from PostgreSQL alone.
//
// Threading: every member is thread-safe; the blocking ones must not run on a CAF
// scheduler thread (detached actors, test threads). No Asio in this header.
#pragma once

#include "callengine/config.hpp"
#include "providers/google/calendar_types.hpp"
#include "providers/http/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ce::calendar {

/// [start_unix, end_unix), seconds since the epoch.
struct busy_period {
  std::int64_t start_unix = 0;
  std::int64_t end_unix = 0;
};

struct google_tuning {
  std::chrono::milliseconds op_deadline{8000};      ///< per operation, the client's retries included
  std::chrono::milliseconds retry_initial{250};     ///< the client's first backoff
  std::chrono::seconds unavailable_hold{10};        ///< after a failed freeBusy, don't ask again this long
  std::chrono::hours busy_window_min{24 * 7};       ///< a freeBusy fetch covers at least this much
};

class google_calendar {
public:
  google_calendar(const google_config& cfg, std::string time_zone, google_tuning tuning = {});
  ~google_calendar();
  google_calendar(const google_calendar&) = delete;
  google_calendar& operator=(const google_calendar&) = delete;

  const std::string& calendar_id() const;
  const std::string& time_zone() const;

  http::result<google::insert_outcome> insert(google::calendar_event event);
  http::result<google::calendar_event> patch(const std::string& event_id, google::event_patch patch);
  http::result<google::delete_outcome> remove(const std::string& event_id);

  /// Busy intervals overlapping [from_unix, to_unix); nullopt when Google could not say in
  /// time (then the caller goes on without them). `may_wait` false: from the cache only (a
  /// miss starts a fetch in the background and answers nullopt at once).
  std::optional<std::vector<busy_period>> busy_between(std::int64_t from_unix, std::int64_t to_unix,
                                                       const std::string& call_sid, bool may_wait = true);
  /// Forgets cached busy intervals (a test, or after the shop edits its calendar).
  void clear_busy_cache();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// "2026-06-02T09:00:00-04:00", "…Z", "…\.123Z" -> seconds since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
/// Seconds since the epoch -> "2026-06-02T13:00:00Z".
std::string format_rfc3339_utc(std::int64_t unix_seconds);

} // namespace ce::calendar
