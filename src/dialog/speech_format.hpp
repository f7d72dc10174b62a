// speech_format: turning facts (clock times, days, prices, durations, phone numbers,
// street addresses) into words the way a person says them on the phone, so the TTS engine
// reads them naturally ("08:00" -> "eight a.m.", "$49.95" -> "forty-nine ninety-five").
// Pure functions, no state; malformed input is returned as an empty optional or passed
// through unchanged, never thrown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog {

enum class weekday { monday, tuesday, wednesday, thursday, friday, saturday, sunday };

inline constexpr int days_per_week = 7;

/// "Monday" .. "Sunday".
std::string_view weekday_name(weekday d);

/// "monday", "Monday", "mon" -> weekday; anything else -> nullopt.
std::optional<weekday> parse_weekday(std::string_view text);

weekday next_weekday(weekday d);

/// 49 -> "forty-nine", 189 -> "one hundred eighty-nine", 1200 -> "one thousand two hundred".
std::string say_number(long long n);

/// "08:00" / "8:00" -> minutes since midnight (0..1440); anything else -> nullopt.
std::optional<int> parse_clock(std::string_view hhmm);

/// Minutes since midnight -> "eight a.m.", "twelve thirty p.m.", "noon", "midnight".
std::string say_clock(int minutes);

/// "08:00" -> "eight a.m."; nullopt when the text is not a clock time.
std::optional<std::string> say_time(std::string_view hhmm);

/// Joins items as a person lists them: "a", "a and b", "a, b, and c".
std::string say_list(const std::vector<std::string>& items, std::string_view conjunction = "and");

/// Days in week order, runs of three or more as ranges: "Monday to Friday",
/// "Saturday and Sunday", "Monday, Wednesday, and Friday".
std::string say_days(std::vector<weekday> days);

/// Dollar amounts inside a price text are spoken, the rest is kept:
/// "$49.95" -> "forty-nine ninety-five", "from $189" -> "from one hundred eighty-nine
/// dollars", "free" -> "free".
std::string say_price(std::string_view price);

/// 30 -> "thirty minutes", 60 -> "an hour", 90 -> "an hour and a half",
/// 120 -> "two hours", 75 -> "an hour and fifteen minutes"; <= 0 -> "".
std::string say_duration(int minutes);

/// Digits grouped as people read them: "+12175550100" -> "two one seven, five five five,
/// zero one zero zero". Empty when the text holds no digits.
std::string say_phone_number(std::string_view phone);

/// "1200 Main St., Springfield, IL 62701" -> "twelve hundred Main Street, Springfield,
/// Illinois six two seven zero one".
std::string say_address(std::string_view address);

/// First letter upper-cased (ASCII).
std::string capitalize_first(std::string text);

} // namespace ce::dialog
