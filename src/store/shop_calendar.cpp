#include "store/shop_calendar.hpp"

#include <charconv>
#include <cstdio>

namespace ce::store {

namespace {

constexpr std::string_view day_names[] = {"monday", "tuesday", "wednesday", "thursday",
                                          "friday", "saturday", "sunday"};

int iso_index(std::chrono::year_month_day date) {
  return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{date}}.iso_encoding()) - 1;
}

std::string capitalised(std::string_view day) {
  std::string s{day};
  if (!s.empty()) s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

bool read_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size();
}

} // namespace

int parse_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  int h = 0, m = 0;
  if (!read_int(text.substr(0, 2), h) || !read_int(text.substr(3, 2), m)) return -1;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string format_clock(int minute_of_day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buf;
}

std::string format_date(std::chrono::year_month_day date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

std::string format_local(const local_time& t) { return format_date(t.date) + " " + format_clock(t.minute_of_day); }

result<std::chrono::year_month_day> parse_local_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_int(text.substr(0, 4), y) ||
      !read_int(text.substr(5, 2), m) || !read_int(text.substr(8, 2), d))
    return make_error(store_errc::invalid, "dates are written YYYY-MM-DD, not '" + std::string{text} + "'");
  std::chrono::year_month_day date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                   std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok() || y < 1900 || y > 2200)
    return make_error(store_errc::invalid, std::string{text} + " is not a date on the calendar");
  return date;
}

result<local_time> parse_local_time(std::string_view text) {
  if (text.size() == 19 && text.substr(16) == ":00") text = text.substr(0, 16);
  if (text.size() != 16 || (text[10] != 'T' && text[10] != ' '))
    return make_error(store_errc::invalid,
                      "times are written YYYY-MM-DDTHH:MM (local time), not '" + std::string{text} + "'");
  auto date = parse_local_date(text.substr(0, 10));
  if (!date) return date.error();
  int minute = parse_clock(text.substr(11, 5));
  if (minute < 0 || minute >= 24 * 60)
    return make_error(store_errc::invalid, std::string{text.substr(11, 5)} + " is not a time of day");
  return local_time{*date, minute};
}

const day_hours& shop_calendar::hours_on(std::chrono::year_month_day date) const {
  return week[static_cast<std::size_t>(iso_index(date))];
}

result<int> shop_calendar::duration_of(std::string_view service_type) const {
  if (auto it = durations.find(service_type); it != durations.end()) return it->second;
  std::string known;
  for (const auto& [id, minutes] : durations) known += (known.empty() ? "" : ", ") + id;
  return make_error(store_errc::invalid,
                    "unknown service type '" + std::string{service_type} + "' (known: " + known + ")");
}

status shop_calendar::check_bookable(const local_time& start, int minutes) const {
  const auto& h = hours_on(start.date);
  auto day = capitalised(day_names[iso_index(start.date)]);
  if (!h.open) return make_error(store_errc::invalid, "the shop is closed on " + day + "s");
  int end = start.minute_of_day + minutes;
  if (start.minute_of_day < h.open_min)
    return make_error(store_errc::invalid, "on " + day + "s the shop opens at " + format_clock(h.open_min));
  if (end > h.close_min)
    return make_error(store_errc::invalid, "a " + std::to_string(minutes) + "-minute service starting at " +
                                             format_clock(start.minute_of_day) + " would end after closing (" +
                                             format_clock(h.close_min) + " on " + day + "s)");
  if (lunch_start_min >= 0 && start.minute_of_day < lunch_end_min && end > lunch_start_min)
    return make_error(store_errc::invalid, "a " + std::to_string(minutes) + "-minute service starting at " +
                                             format_clock(start.minute_of_day) + " would overlap the lunch break (" +
                                             format_clock(lunch_start_min) + "-" + format_clock(lunch_end_min) + ")");
  if ((start.minute_of_day - h.open_min) % slot_minutes != 0)
    return make_error(store_errc::invalid, "appointments start every " + std::to_string(slot_minutes) +
                                             " minutes from " + format_clock(h.open_min));
  return done{};
}

result<shop_calendar> make_shop_calendar(const dealership_facts& facts) {
  shop_calendar cal;
  for (const auto& h : facts.hours) {
    std::size_t i = 0;
    while (i < 7 && day_names[i] != h.day) ++i;
    if (i == 7) return make_error(store_errc::invalid, "dealership.hours: unknown day '" + h.day + "'");
    if (h.open.empty()) continue;
    int open = parse_clock(h.open), close = parse_clock(h.close);
    if (open < 0 || close < 0 || close <= open)
      return make_error(store_errc::invalid, "dealership.hours." + h.day + ": expected open < close as HH:MM");
    cal.week[i] = {true, open, close};
  }
  if (!facts.lunch_break.empty()) {
    auto dash = facts.lunch_break.find('-');
    int from = dash == std::string::npos ? -1 : parse_clock(std::string_view{facts.lunch_break}.substr(0, dash));
    int to = dash == std::string::npos ? -1 : parse_clock(std::string_view{facts.lunch_break}.substr(dash + 1));
    if (from < 0 || to <= from)
      return make_error(store_errc::invalid, "dealership.lunch_break: expected HH:MM-HH:MM, got '" +
                                               facts.lunch_break + "'");
    cal.lunch_start_min = from;
    cal.lunch_end_min = to;
  }
  if (facts.service_bays < 1) return make_error(store_errc::invalid, "dealership.service_bays must be at least 1");
  if (facts.slot_minutes < 5 || facts.slot_minutes > 240)
    return make_error(store_errc::invalid, "dealership.slot_minutes must be between 5 and 240");
  if (facts.timezone.empty()) return make_error(store_errc::invalid, "dealership.timezone is empty");
  cal.bays = facts.service_bays;
  cal.slot_minutes = facts.slot_minutes;
  cal.time_zone = facts.timezone;
  for (const auto& s : facts.services) {
    if (s.duration_min < 5 || s.duration_min > 8 * 60)
      return make_error(store_errc::invalid, "dealership.services." + s.id + ".duration_min out of range");
    cal.durations[s.id] = s.duration_min;
  }
  return cal;
}

} // namespace ce::store
