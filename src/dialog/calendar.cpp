#include "dialog/calendar.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace ce::dialog {

namespace {

constexpr std::array<std::string_view, 12> month_names = {
  "January", "February", "March",     "April",   "May",      "June",
  "July",    "August",   "September", "October", "November", "December"};

bool digits_at(std::string_view s, std::size_t from, std::size_t count) {
  if (s.size() < from + count) return false;
  for (std::size_t i = from; i < from + count; ++i)
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  return true;
}

int number_at(std::string_view s, std::size_t from, std::size_t count) {
  int n = 0;
  for (std::size_t i = from; i < from + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

} // namespace

int days_in_month(int year, int month) {
  constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[static_cast<std::size_t>(month - 1)];
}

bool is_valid(civil_date d) {
  return d.year >= 1 && d.year <= 9999 && d.day >= 1 && d.day <= days_in_month(d.year, d.month);
}

// Howard Hinnant's days_from_civil / civil_from_days.
long long to_day_number(civil_date d) {
  long long y = d.year - (d.month <= 2 ? 1 : 0);
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long mp = (d.month + 9) % 12;
  long long doy = (153 * mp + 2) / 5 + d.day - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

civil_date from_day_number(long long days) {
  days += 719468;
  long long era = (days >= 0 ? days : days - 146096) / 146097;
  long long doe = days - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

civil_date add_days(civil_date d, int days) {
  return from_day_number(to_day_number(d) + days);
}

weekday weekday_of(civil_date d) {
  // 1970-01-01 was a Thursday (index 3 with Monday = 0).
  long long n = (to_day_number(d) + 3) % days_per_week;
  if (n < 0) n += days_per_week;
  return static_cast<weekday>(n);
}

std::optional<civil_date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!digits_at(text, 0, 4) || !digits_at(text, 5, 2) || !digits_at(text, 8, 2)) return std::nullopt;
  civil_date d{number_at(text, 0, 4), number_at(text, 5, 2), number_at(text, 8, 2)};
  if (!is_valid(d)) return std::nullopt;
  return d;
}

std::string iso_date(civil_date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<local_time> parse_local_time(std::string_view text) {
  if (text.size() < 16 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':') return std::nullopt;
  auto date = parse_iso_date(text.substr(0, 10));
  if (!date || !digits_at(text, 11, 2) || !digits_at(text, 14, 2)) return std::nullopt;
  int h = number_at(text, 11, 2);
  int m = number_at(text, 14, 2);
  if (h > 23 || m > 59) return std::nullopt;
  return local_time{*date, h * 60 + m};
}

std::string iso_local_time(const local_time& t) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.minutes / 60 % 24, t.minutes % 60);
  return iso_date(t.date) + " " + buf;
}

std::string_view month_name(int month) {
  if (month < 1 || month > 12) return {};
  return month_names[static_cast<std::size_t>(month - 1)];
}

std::optional<int> parse_month(std::string_view word) {
  std::string key;
  for (char c : word) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < month_names.size(); ++i) {
    std::string name;
    for (char c : month_names[i]) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (key == name) return static_cast<int>(i + 1);
  }
  if (key == "sept") return 9;
  return std::nullopt;
}

} // namespace ce::dialog
