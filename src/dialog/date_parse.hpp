// date_parse: what day and time a caller asks for, read from recognised words relative
// to the dealership's "today": weekdays (the next one to come), "today", "tomorrow",
// "next week", "monday the thirtieth", "november twenty fourth", clock times ("nine",
// "ten thirty", "two p m", "noon", "half past nine") and parts of the day. Also dates of
// birth for verification. Pure functions; whatever cannot be resolved is left empty.
#pragma once

#include "dialog/calendar.hpp"
#include "dialog/number_words.hpp"

#include <optional>

namespace ce::dialog {

enum class day_part { any, morning, afternoon };

struct when_wish {
  std::optional<civil_date> from;   ///< first day wanted
  std::optional<civil_date> to;     ///< last day wanted (== from for one day); empty = open
  std::optional<int> minutes;       ///< a clock time, minutes since midnight
  day_part part = day_part::any;
  std::optional<weekday> day_name;  ///< a weekday the caller named
  bool soonest = false;             ///< "first available", "as soon as possible"
  bool another_day = false;         ///< "another day", "a different day"
  bool later = false;               ///< "anything later"
  bool earlier = false;             ///< "anything earlier"
  bool needs_date = false;          ///< a day named relative to today, which is unknown

  /// Nothing about days or times was said.
  bool empty() const;
  /// A day, a range of days or a time was given (not only a preference).
  bool has_day() const { return from.has_value(); }
};

struct when_options {
  /// A lone hour ("nine") counts as a clock time; otherwise it needs "at", minutes or a.m./p.m.
  bool bare_hours = false;
  /// "the first" / "the second" may be days of the month (off while choosing among options).
  bool small_ordinal_days = true;
};

when_wish parse_when(const word_list& words, std::optional<civil_date> today, when_options options = {});

/// The first clock time in the words (minutes since midnight). Hours without a.m./p.m.
/// are read as business hours: seven to eleven in the morning, one to six in the afternoon.
std::optional<int> parse_clock_words(const word_list& words, bool bare_hours);

/// "march fifth nineteen eighty five", "the fifth of march eighty five", "three five
/// nineteen eighty five" -> date; a year is required.
std::optional<civil_date> parse_birth_date(const word_list& words);

/// The weekday a word names ("tuesday", "tuesdays"), if any.
std::optional<weekday> weekday_word(std::string_view word);

} // namespace ce::dialog
