// Google Calendar v3 values the engine uses (protocols.md §8.3, §8.4). Times are RFC 3339
// strings exactly as Google takes and gives them; no JSON library types here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::google {

/// `EventDateTime`: {dateTime (with an offset, or with timeZone), timeZone} or {date}.
struct event_time {
  std::string date_time;  ///< "2026-06-02T10:30:00-05:00" or "2026-06-02T10:30:00" + time_zone
  std::string time_zone;  ///< IANA, e.g. "America/Chicago"
  std::string date;       ///< all-day events only: "2026-06-02"
};

struct event_attendee {
  std::string email;
  std::string display_name;
  bool optional = false;
  std::string response_status;  ///< needsAction, declined, tentative, accepted
};

struct calendar_event {
  /// base32hex ([a-v0-9], 5–1024 chars), chosen by us: the idempotency key of a booking
  /// (make_event_id). Required by insert_event.
  std::string id;
  std::string summary;
  std::string description;
  std::string location;
  event_time start;
  event_time end;
  std::string status;        ///< confirmed (default), tentative, cancelled
  std::string transparency;  ///< opaque (default) or transparent
  std::vector<event_attendee> attendees;
  std::map<std::string, std::string> private_properties;  ///< extendedProperties.private
  std::map<std::string, std::string> shared_properties;   ///< extendedProperties.shared
  std::optional<bool> reminders_use_default;
  // Filled in by Google (read-only):
  std::string html_link;
  std::string etag;
  std::string created;
  std::string updated;
  std::string ical_uid;
};

/// Only the fields set are sent (PATCH semantics: arrays and maps given replace the old).
struct event_patch {
  std::optional<std::string> summary;
  std::optional<std::string> description;
  std::optional<std::string> location;
  std::optional<event_time> start;
  std::optional<event_time> end;
  std::optional<std::string> status;
  std::optional<std::string> transparency;
  std::optional<std::map<std::string, std::string>> private_properties;  ///< send the full map
};

struct time_period {
  std::string start;  ///< inclusive
  std::string end;    ///< exclusive
};

struct free_busy_query {
  std::string time_min;  ///< RFC 3339 with offset
  std::string time_max;
  std::string time_zone;  ///< of the response; empty: UTC
  std::vector<std::string> calendars{"primary"};
};

struct calendar_busy {
  std::vector<time_period> busy;      ///< merged by Google
  std::vector<std::string> errors;    ///< reasons of a per-calendar failure (e.g. notFound)
};

struct free_busy_result {
  std::string time_min;
  std::string time_max;
  /// Keyed as Google answered (normally the id as sent).
  std::map<std::string, calendar_busy> calendars;
};

struct insert_outcome {
  calendar_event event;
  /// The id existed already (a retried booking): the stored event is returned; a
  /// cancelled one was confirmed again.
  bool already_existed = false;
};

enum class delete_outcome { deleted, already_deleted };

/// A deterministic event id for a booking: base32hex (lowercase, [a-v0-9]) of the first
/// 160 bits of SHA-256(booking_key), 32 characters. The same booking always maps to the
/// same event, so an insert retried after a lost answer can never book twice.
std::string make_event_id(std::string_view booking_key);
/// `^[a-v0-9]{5,1024}$`
bool valid_event_id(std::string_view id);

} // namespace ce::google
