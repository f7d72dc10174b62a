// calendar: civil dates and local times for the booking conversation. The tools speak
// "YYYY-MM-DD" and "YYYY-MM-DD HH:MM" in the dealership's time zone; the policy reasons in
// whole days and minutes since midnight. Pure arithmetic (proleptic Gregorian calendar),
// no clock and no time zone database: "today" is whatever the engine told the policy.
#pragma once

#include "dialog/speech_format.hpp"

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace ce::dialog {

struct civil_date {
  int year = 0;
  int month = 0;  ///< 1..12
  int day = 0;    ///< 1..31
  auto operator<=>(const civil_date&) const = default;
};

/// A start time at the dealership: a date and minutes since midnight.
struct local_time {
  civil_date date;
  int minutes = 0;
  auto operator<=>(const local_time&) const = default;
};

int days_in_month(int year, int month);
bool is_valid(civil_date d);

/// Days since 1970-01-01 (negative before).
long long to_day_number(civil_date d);
civil_date from_day_number(long long days);
civil_date add_days(civil_date d, int days);
weekday weekday_of(civil_date d);

/// "2026-11-24" -> date; anything else (or an impossible date) -> nullopt.
std::optional<civil_date> parse_iso_date(std::string_view text);
std::string iso_date(civil_date d);

/// "2026-11-24 09:00" (a 'T' instead of the space is accepted) -> local time.
std::optional<local_time> parse_local_time(std::string_view text);
std::string iso_local_time(const local_time& t);

/// 1 -> "January" .. 12 -> "December"; "" otherwise.
std::string_view month_name(int month);

/// "november" -> 11, "sept" -> 9; anything else -> nullopt.
std::optional<int> parse_month(std::string_view word);

} // namespace ce::dialog
