// The dealership's week as the store checks it: opening hours per weekday, the lunch
// break, bays, slot granularity and service durations, from dealership_facts. Dates and
// times are local to the dealership (facts.timezone); PostgreSQL does the time-zone math.
#pragma once

#include "callengine/config.hpp"
#include "store/store_error.hpp"

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace ce::store {

struct day_hours {
  bool open = false;
  int open_min = 0;   ///< minutes after midnight
  int close_min = 0;
};

/// A local date and time (no zone), e.g. 2025-03-04 09:30.
struct local_time {
  std::chrono::year_month_day date;
  int minute_of_day = 0;
};

struct shop_calendar {
  std::array<day_hours, 7> week{};  ///< index 0 = Monday .. 6 = Sunday (ISO order)
  int lunch_start_min = -1;         ///< -1 = no lunch break
  int lunch_end_min = -1;
  int bays = 1;
  int slot_minutes = 30;
  std::string time_zone;
  std::map<std::string, int, std::less<>> durations;  ///< service id -> minutes

  const day_hours& hours_on(std::chrono::year_month_day date) const;
  /// Minutes of a service type; `invalid` naming the known ids when unknown.
  result<int> duration_of(std::string_view service_type) const;
  /// `invalid` with a sentence when [start, start + minutes) is not bookable: closed that
  /// day, before opening, past closing, across the lunch break, or off the slot grid.
  status check_bookable(const local_time& start, int minutes) const;
};

/// `invalid` when the facts cannot describe a week: bad "HH:MM", close before open, a bad
/// lunch break, bays or slot length below 1, no time zone.
result<shop_calendar> make_shop_calendar(const dealership_facts& facts);

/// "2025-03-04" (a real calendar date).
result<std::chrono::year_month_day> parse_local_date(std::string_view text);
/// "2025-03-04T09:30", "2025-03-04 09:30" or with ":00" seconds.
result<local_time> parse_local_time(std::string_view text);
/// "HH:MM" -> minutes after midnight, -1 when malformed.
int parse_clock(std::string_view text);

std::string format_date(std::chrono::year_month_day date);  ///< "2025-03-04"
std::string format_clock(int minute_of_day);                ///< "09:30"
std::string format_local(const local_time& t);              ///< "2025-03-04 09:30"

} // namespace ce::store
