// reminder_scheduler: the long-lived actor that calls customers before their appointments
// (reminders) and after their service (follow-ups).
//
// Lifetime: process-wide, spawned by the engine at start, stopped after the drain. A
// detached actor with its own PostgreSQL connection (libpq blocks; no scheduler thread
// waits for it). Every tick (reminders.tick_ms) it:
//   - takes the scheduler lock (a session-level advisory lock) unless it holds it: only
//     one node of several sharing a database schedules; when that node dies PostgreSQL
//     releases the lock and another node's next tick takes it over;
//   - as the holder, creates the shop day's jobs once it is past reminders.run_at, and
//     claims due jobs (FOR UPDATE SKIP LOCKED, inside the calling window, never on a
//     closed day, at most reminders.max_concurrent live and calls_per_second new) and
//     places each through Twilio REST (the REST client lives on an I/O shard; its answer
//     comes back as a message).
// Every node records Twilio's status and AMD callbacks for any job (a callback may reach
// any node behind a load balancer).
//
// Safety: calls are placed only in one of two modes. Test mode (reminders.test_number /
// CE_REMINDER_TEST_NUMBER): every call goes to that number and nothing else is dialled.
// Live mode (reminders.live: true, no test number): the customers' own numbers. Neither:
// jobs are created and kept, nothing is dialled. Twilio's account SID, auth token and
// from number are needed too. The mode is logged at start.
#pragma once

#include "actors/services.hpp"
#include "callengine/media_port.hpp"

#include <caf/all.hpp>

#include <string>

namespace ce::runtime {
class shard;
}

namespace ce::actors {

/// "test", "live" or "off", and why, for the start-up log line and the metrics.
struct reminders_mode {
  std::string mode;
  std::string detail;
  bool places_calls() const { return mode == "test" || mode == "live"; }
};
reminders_mode reminders_mode_of(const engine_config& cfg);

/// Lines of calls.max_concurrent_calls kept for outbound calls (0 when none are placed);
/// inbound calls get the rest, outbound calls never more than these.
int outbound_lines(const engine_config& cfg);

/// gateway -> scheduler: a Twilio callback about an outbound call.
struct outbound_callback {
  outbound_call_event event;
};

/// `today`: kept current with the shop's date (calls use it for "today" and "tomorrow").
caf::actor spawn_reminder_scheduler(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                    ce::metrics::registry& metrics, runtime::shard* rest_shard,
                                    std::shared_ptr<shop_date> today = nullptr);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::outbound_callback)
