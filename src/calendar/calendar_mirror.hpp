// calendar_mirror: keeps the shop's Google Calendar in step with the appointments in
// PostgreSQL. State-based and idempotent: for an appointment it loads the current row and
// makes the calendar match it — an active appointment is inserted under its own event id
// (mirror_event_id; a 409 means it is there already, and it is then patched to the current
// times), a cancelled one is deleted (already gone = done), a completed one is left alone —
// and records the mirrored version (store/calendar_sync.hpp). A retry, a duplicate
// notification or a restart can therefore never create a second event.
//
// Queue: bounded (google.mirror_queue) and de-duplicated by appointment; failures are
// retried with jittered exponential backoff up to google.mirror_max_attempts (permanent
// errors at once give up); what is dropped or given up stays pending in PostgreSQL and is
// found again by reconcile(), run at start and every google.reconcile_interval_s.
//
// Blocking (libpq, Google with the client's deadline): driven by a detached actor
// (actors/calendar_mirror.hpp) or a test thread. Not thread-safe.
#pragma once

#include "calendar/google_calendar.hpp"
#include "store/pg.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

namespace ce::metrics {
class registry;
class counter;
class gauge;
} // namespace ce::metrics

namespace spdlog {
class logger;
}

namespace ce::calendar {

struct mirror_options {
  std::size_t max_queue = 1000;
  int max_attempts = 8;
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{120000};
  double jitter = 0.3;  ///< each delay times U[1 - jitter, 1 + jitter)
  int horizon_days = 60;
  std::string time_zone;  ///< the dealership's (IANA)
  std::string shop_name;
  std::map<std::string, std::string> service_names;  ///< service id -> spoken name
};

/// The event id of an appointment: base32hex of a hash of its id and confirmation code.
std::string mirror_event_id(std::int64_t appointment_id, const std::string& confirmation_code);

class calendar_mirror {
public:
  using clock = std::chrono::steady_clock;

  /// `metrics` may be null (no counters).
  calendar_mirror(store::pg_connection conn, std::shared_ptr<google_calendar> google, mirror_options options,
                  ce::metrics::registry* metrics);
  ~calendar_mirror();

  /// Queues an appointment that changed. false when the queue is full (it stays pending in
  /// PostgreSQL for the next reconcile; counted as dropped).
  bool enqueue(std::int64_t appointment_id, const std::string& call_sid);
  /// Queues the appointments PostgreSQL says are not mirrored (as many as fit); their
  /// number, or nullopt when PostgreSQL could not be asked.
  std::optional<std::size_t> reconcile();
  /// Mirrors up to `budget` queued appointments that are due at `now`; how many it tried.
  /// After a failure that will be retried it stops, and the other due ones wait as long.
  std::size_t run_due(clock::time_point now, std::size_t budget);
  /// When the earliest queued appointment is due (nullopt: nothing queued).
  std::optional<clock::time_point> next_due() const;
  std::size_t depth() const { return items_.size(); }

  struct totals {
    std::uint64_t mirrored = 0;  ///< appointment versions now matching the calendar
    std::uint64_t failed = 0;    ///< attempts that failed (each retry counts)
    std::uint64_t gave_up = 0;   ///< appointments left to the next reconcile
    std::uint64_t dropped = 0;   ///< notifications refused: queue full
  };
  const totals& counts() const { return totals_; }

private:
  struct item {
    std::string call_sid;
    clock::time_point due;
    int attempts = 0;
  };
  enum class step { done, retry, give_up };

  step mirror_one(std::int64_t id, item& it);
  void after_failure(std::int64_t id, item& it, bool permanent, const std::string& what);
  void publish();

  store::pg_connection conn_;
  std::shared_ptr<google_calendar> google_;
  mirror_options opt_;
  std::shared_ptr<spdlog::logger> log_;
  std::unordered_map<std::int64_t, item> items_;
  std::deque<std::int64_t> order_;  ///< ids in arrival order (items_ holds the due times)
  std::mt19937_64 rng_;
  totals totals_;
  ce::metrics::counter* ok_metric_ = nullptr;
  ce::metrics::counter* failed_metric_ = nullptr;
  ce::metrics::counter* dropped_metric_ = nullptr;
  ce::metrics::gauge* depth_metric_ = nullptr;
};

} // namespace ce::calendar
