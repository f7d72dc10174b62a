// get_available_slots: free start times for a service, from PostgreSQL, after "now" at
// the dealership.
#include "tools/tool_impl.hpp"

#include <algorithm>

namespace ce::tools {

namespace {

constexpr int default_days = 7;   // date_to defaults to a week from date_from
constexpr int max_range_days = 62;
constexpr int default_slots = 5;
constexpr int max_slots = 20;
constexpr int noon = 12 * 60;

using date = std::chrono::year_month_day;

struct slot_args {
  std::string service_type;
  int minutes = 0;
  date from, to;
  std::string part_of_day;  ///< "", "morning" or "afternoon"
  int max = default_slots;
};

checked<date> date_to_of(const json& args, const date& from) {
  auto text = opt_string(args, "date_to");
  if (!text) return text.error();
  if (!*text) return date{std::chrono::sys_days{from} + std::chrono::days{default_days - 1}};
  auto to = parse_date("date_to", **text);
  if (!to) return to.error();
  auto span = (std::chrono::sys_days{*to} - std::chrono::sys_days{from}).count();
  if (span < 0) return fail(tool_errc::invalid_argument, "Argument 'date_to' is before 'date_from'");
  if (span > max_range_days)
    return fail(tool_errc::invalid_argument, "Ask for at most " + std::to_string(max_range_days) + " days at a time");
  return *to;
}

checked<slot_args> read_slot_args(tool_call& c) {
  slot_args a;
  auto service = need_string(c.args, "service_type");
  if (!service) return service.error();
  a.service_type = *service;
  auto from_text = need_string(c.args, "date_from");
  if (!from_text) return from_text.error();
  auto part = opt_string(c.args, "part_of_day");
  if (!part) return part.error();
  auto max = opt_int(c.args, "max");
  if (!max) return max.error();
  auto minutes = service_minutes(c.env, a.service_type);
  if (!minutes) return minutes.error();
  a.minutes = *minutes;
  auto from = parse_date("date_from", *from_text);
  if (!from) return from.error();
  a.from = *from;
  auto to = date_to_of(c.args, a.from);
  if (!to) return to.error();
  a.to = *to;
  a.part_of_day = lower(part->value_or(""));
  if (!a.part_of_day.empty() && a.part_of_day != "morning" && a.part_of_day != "afternoon")
    return fail(tool_errc::invalid_argument, "Argument 'part_of_day' must be morning or afternoon");
  if (*max)
    if (auto e = check_range("max", **max, 1, max_slots)) return *e;
  a.max = static_cast<int>(max->value_or(default_slots));
  return a;
}

std::optional<tool_error> check_dates(const tool_env& env, const slot_args& a, const shop_now& now) {
  if (a.from < now.local.date)
    return fail(tool_errc::outside_hours, "Argument 'date_from' " + store::format_date(a.from) +
                                            " is in the past (today is " + store::format_date(now.local.date) +
                                            " at the dealership)");
  for (auto d = std::chrono::sys_days{a.from}; d <= std::chrono::sys_days{a.to}; d += std::chrono::days{1})
    if (env.store.calendar().hours_on(date{d}).open) return std::nullopt;
  return fail(tool_errc::outside_hours, "The shop is closed on every day from " + store::format_date(a.from) +
                                          " to " + store::format_date(a.to));
}

bool in_part_of_day(const store::slot& s, const std::string& part) {
  if (part.empty()) return true;
  auto start = store::parse_local_time(s.starts_local);
  if (!start) return false;
  return part == "morning" ? start->minute_of_day < noon : start->minute_of_day >= noon;
}

// The shop calendar's busy periods over the candidate slots (none when not configured or
// Google cannot say in time: then PostgreSQL alone decides).
std::vector<busy_period> calendar_busy_for(tool_call& c, const std::vector<store::slot>& slots, int minutes) {
  if (!c.env.calendar_busy || slots.empty()) return {};
  auto from = slots.front().starts_unix, to = slots.front().starts_unix;
  for (const auto& s : slots) {
    from = std::min(from, s.starts_unix);
    to = std::max(to, s.starts_unix);
  }
  auto busy = c.env.calendar_busy(from, to + minutes * 60, c.ctx.call_sid, true);
  return busy ? std::move(*busy) : std::vector<busy_period>{};
}

bool overlaps_busy(const store::slot& s, int minutes, const std::vector<busy_period>& busy) {
  auto end = s.starts_unix + minutes * 60;
  for (const auto& b : busy)
    if (b.start_unix < end && b.end_unix > s.starts_unix) return true;
  return false;
}

} // namespace

tool_result get_available_slots(tool_call& c) {
  auto a = read_slot_args(c);
  if (!a) return a.error();
  auto now = now_at_shop(c.env);
  if (!now) return now.error();
  if (auto e = check_dates(c.env, *a, *now)) return *e;
  store::slot_query q;
  q.from_date = store::format_date(a->from);
  q.to_date = store::format_date(a->to);
  q.service_type = a->service_type;
  // filtered below (part of day, shop calendar), earliest first
  q.max_slots = a->part_of_day.empty() && !c.env.calendar_busy ? a->max : 200;
  q.not_before_unix = now->unix_seconds;
  auto slots = c.env.store.available_slots(q);
  if (!slots) return from_store(slots.error());
  auto busy = calendar_busy_for(c, *slots, a->minutes);
  auto list = json::array();
  for (const auto& s : *slots) {
    if (!in_part_of_day(s, a->part_of_day)) continue;
    if (overlaps_busy(s, a->minutes, busy)) continue;
    if (static_cast<int>(list.size()) >= a->max) break;
    list.push_back(json{{"start", s.starts_local}, {"end", s.ends_local}, {"free_bays", s.free_bays}});
  }
  return json{{"ok", true}, {"service_type", a->service_type}, {"duration_min", a->minutes}, {"slots", std::move(list)}};
}

} // namespace ce::tools
