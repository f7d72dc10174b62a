// calendar_mirror: mirrors appointment changes to the shop's Google Calendar, off the call
// path. Store workers send `calendar_changed` after a successful book / reschedule /
// cancel and go on at once; this detached actor (libpq and the Google calls block) drives
// calendar::calendar_mirror: a bounded, de-duplicated queue with jittered backoff, and a
// reconcile pass over PostgreSQL at start and every google.reconcile_interval_s, so an
// appointment changed while Google or the engine was down is mirrored later. Metrics:
// ce_calendar_mirrored_total, ce_calendar_mirror_failures_total,
// ce_calendar_mirror_dropped_total, ce_calendar_mirror_queue.
//
// Lifetime: process-wide, spawned by the engine only when Google is configured.
#pragma once

#include "actors/services.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace ce::calendar {
class google_calendar;
}

namespace ce::actors {

/// store worker -> calendar_mirror, fire and forget.
struct calendar_changed {
  std::int64_t appointment_id = 0;
  std::string call_sid;
};

caf::actor spawn_calendar_mirror(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                 std::shared_ptr<calendar::google_calendar> google, ce::metrics::registry& metrics);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::calendar_changed)
