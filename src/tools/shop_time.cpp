// The shop's clock and calendar as the tools check them: what "now" is at the dealership,
// service lengths, and whether a start time is bookable. Checks answer `outside_hours`
// (closed, lunch, past closing, off the grid, in the past) or `invalid_argument` (format).
#include "tools/tool_impl.hpp"

namespace ce::tools {

checked<shop_now> now_at_shop(tool_env& env) {
  auto unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(env.now().time_since_epoch()).count();
  auto r = env.store.connection().exec(
    "SELECT to_char(to_timestamp($1::double precision) AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI')",
    store::pg_params{}.add(static_cast<std::int64_t>(unix_seconds)).add(env.store.calendar().time_zone));
  if (!r) return from_store(r.error());
  if (r->empty()) return fail(tool_errc::unavailable, "The scheduling system could not tell the time");
  auto local = store::parse_local_time((*r)[0].text(0));
  if (!local) return fail(tool_errc::unavailable, "The scheduling system could not tell the time");
  return shop_now{*local, unix_seconds};
}

checked<int> service_minutes(const tool_env& env, std::string_view service_type) {
  auto minutes = env.store.calendar().duration_of(service_type);
  if (minutes) return *minutes;
  std::string known;
  for (const auto& s : env.facts.services) known += (known.empty() ? "" : ", ") + s.id;
  return fail(tool_errc::invalid_argument,
              "Unknown service_type '" + std::string{service_type} + "'; valid service types are: " + known);
}

std::string service_name(const dealership_facts& facts, std::string_view service_type) {
  for (const auto& s : facts.services)
    if (s.id == service_type) return s.name;
  std::string name{service_type};
  for (auto& ch : name)
    if (ch == '_') ch = ' ';
  return name;
}

checked<store::local_time> parse_start(std::string_view key, std::string_view text) {
  auto t = store::parse_local_time(text);
  if (t) return *t;
  return fail(tool_errc::invalid_argument, "Argument '" + std::string{key} +
                                             "' must be a local time written YYYY-MM-DD HH:MM (24-hour), not '" +
                                             std::string{text} + "'");
}

checked<std::chrono::year_month_day> parse_date(std::string_view key, std::string_view text) {
  auto d = store::parse_local_date(text);
  if (d) return *d;
  return fail(tool_errc::invalid_argument,
              "Argument '" + std::string{key} + "' must be a date written YYYY-MM-DD, not '" + std::string{text} + "'");
}

std::optional<tool_error> check_bookable(const tool_env& env, const store::local_time& start, int minutes) {
  auto ok = env.store.calendar().check_bookable(start, minutes);
  if (ok) return std::nullopt;
  return fail(tool_errc::outside_hours, format_local(start) + " is not bookable: " + ok.error().message);
}

std::optional<tool_error> check_future(const store::local_time& start, const shop_now& now) {
  // "YYYY-MM-DD HH:MM" strings order like the times they name.
  if (store::format_local(start) > store::format_local(now.local)) return std::nullopt;
  return fail(tool_errc::outside_hours, store::format_local(start) + " is in the past (it is now " +
                                          store::format_local(now.local) + " at the dealership)");
}

std::optional<tool_error> check_calendar_free(tool_call& c, const store::local_time& start, int minutes) {
  if (!c.env.calendar_busy) return std::nullopt;
  auto r = c.env.store.connection().exec("SELECT extract(epoch FROM ($1::timestamp AT TIME ZONE $2))::bigint",
                                         store::pg_params{}.add(store::format_local(start))
                                           .add(c.env.store.calendar().time_zone));
  if (!r || r->empty()) return std::nullopt;  // the booking itself will report the store's state
  auto from = (*r)[0].int64(0);
  // Cached only: the slots just offered filled the cache; a booking never waits for Google.
  auto busy = c.env.calendar_busy(from, from + minutes * 60, c.ctx.call_sid, false);
  if (!busy || busy->empty()) return std::nullopt;
  return fail(tool_errc::conflict, "The shop is not taking appointments at " + store::format_local(start) +
                                     " (blocked on the shop calendar); offer the caller other times from "
                                     "get_available_slots");
}

} // namespace ce::tools
