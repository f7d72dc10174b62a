// The appointments' side of the Google Calendar mirror (src/calendar): which appointments
// still need mirroring, what an appointment looks like to the calendar, and recording that
// a version was mirrored (appointments.calendar_event_id, calendar_synced_at).
//
// Versions are the appointment's `updated_at` as PostgreSQL prints it: a mirror records the
// version it wrote, so a change made while the mirror was in flight stays pending.
//
// Blocking (libpq): for the mirror's detached actor.
#pragma once

#include "store/pg.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace ce::store {

/// An appointment as the calendar shows it (times local to the dealership, "YYYY-MM-DDTHH:MM:SS").
struct mirror_row {
  std::int64_t id = 0;
  std::string status;  ///< booked, confirmed, completed, cancelled, no_show
  std::string confirmation_code;
  std::string service_type;
  std::string starts_local;
  std::string ends_local;
  std::string calendar_event_id;  ///< "" when never mirrored
  std::string call_sid;           ///< the call that last changed it ("" when none)
  std::string version;            ///< updated_at, as text
  bool synced = false;            ///< this version is mirrored already
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::string vehicle;  ///< "2019 Honda Civic", "" when none
  int bay = 0;
  std::string notes;
};

struct pending_mirror {
  std::int64_t id = 0;
  std::string call_sid;
};

/// not_found when no such appointment.
result<mirror_row> load_mirror_row(pg_connection& conn, std::int64_t appointment_id, const std::string& time_zone);

/// Appointments whose current version is not mirrored, oldest change first: those starting
/// between a day ago and `horizon_days` ahead that are active, or were mirrored, or were
/// made by a call. At most `limit`.
result<std::vector<pending_mirror>> pending_mirrors(pg_connection& conn, int horizon_days, int limit);

/// Records that `version` of the appointment is mirrored as `event_id` ("" = no event).
status mark_mirrored(pg_connection& conn, std::int64_t appointment_id, const std::string& event_id,
                     const std::string& version);

} // namespace ce::store
