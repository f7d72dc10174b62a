// Private to the tools: one function per tool (executor.cpp dispatches by name) and what
// the tools share: the caller scope, the shop's clock, and the result shapes of records.
#pragma once

#include "tools/executor.hpp"
#include "tools/tool_args.hpp"
#include "tools/tool_errors.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ce::tools {

using json = nlohmann::json;

/// One tool call in progress: where it runs, whose call it is, its arguments, and the
/// outcome it may add to (control requests, cache statistics).
struct tool_call {
  tool_env& env;
  caller_context& ctx;
  const json& args;
  tool_outcome& outcome;
};

using tool_result = checked<json>;

// customer_tools.cpp
tool_result lookup_customer(tool_call& c);
tool_result verify_customer(tool_call& c);
tool_result create_customer(tool_call& c);

// vehicle_tools.cpp
tool_result get_vehicles(tool_call& c);
tool_result add_vehicle(tool_call& c);
tool_result decode_vin(tool_call& c);
tool_result get_service_history(tool_call& c);

// availability_tools.cpp
tool_result get_available_slots(tool_call& c);

// appointment_tools.cpp
tool_result get_appointments(tool_call& c);
tool_result book_appointment(tool_call& c);
tool_result reschedule_appointment(tool_call& c);
tool_result cancel_appointment(tool_call& c);

// outbound_tools.cpp (calls placed by the reminder scheduler)
tool_result get_call_purpose(tool_call& c);
tool_result confirm_identity(tool_call& c);
tool_result confirm_appointment(tool_call& c);
tool_result record_call_outcome(tool_call& c);
tool_result opt_out_of_calls(tool_call& c);

// --- caller scope (scope.cpp) ---

/// The caller ID in E.164, or nullopt when withheld ("", "anonymous", unparsable).
std::optional<std::string> caller_id(const caller_context& ctx);
/// forbidden + verification_required unless the call's customer is verified.
std::optional<tool_error> require_verified(const caller_context& ctx);
/// Makes `c` the customer the call is about (verification is kept only for the same one).
void select_customer(caller_context& ctx, const store::customer& c);
/// The call is about nobody (yet); the call's verification attempts are kept.
void forget_customer(caller_context& ctx);
/// Cache-aside: Redis first, then PostgreSQL (and the answer put in Redis). nullopt: no
/// customer has that number. Redis failures only cost a cache error in the statistics.
checked<std::optional<store::customer>> customer_by_phone(tool_call& c, const std::string& e164);
/// Drops the customer's cache entry after a change (counted as an error when Redis fails).
void invalidate_customer(tool_call& c, const std::string& e164);

// --- the shop's clock and calendar (shop_time.cpp) ---

struct shop_now {
  store::local_time local;     ///< dealership-local date and minute
  std::int64_t unix_seconds = 0;
};
/// env.now() in the dealership's time zone (PostgreSQL does the zone math).
checked<shop_now> now_at_shop(tool_env& env);
/// The service's length; invalid_argument listing the valid ids when unknown.
checked<int> service_minutes(const tool_env& env, std::string_view service_type);
std::string service_name(const dealership_facts& facts, std::string_view service_type);
/// "YYYY-MM-DD HH:MM" (or with a T) -> local time; invalid_argument naming the argument.
checked<store::local_time> parse_start(std::string_view key, std::string_view text);
/// "YYYY-MM-DD" -> date; invalid_argument naming the argument.
checked<std::chrono::year_month_day> parse_date(std::string_view key, std::string_view text);
/// outside_hours when [start, start + minutes) is closed, in lunch, past closing or off
/// the slot grid.
std::optional<tool_error> check_bookable(const tool_env& env, const store::local_time& start, int minutes);
/// outside_hours when `start` is not after `now`.
std::optional<tool_error> check_future(const store::local_time& start, const shop_now& now);
/// conflict when the shop calendar (Google, when configured) has a busy block overlapping
/// [start, start + minutes); nothing when it is free, not configured or cannot say.
std::optional<tool_error> check_calendar_free(tool_call& c, const store::local_time& start, int minutes);

// --- result shapes (shapes.cpp) ---

json appointment_json(const dealership_facts& facts, const store::appointment& a);
json vehicle_json(const store::vehicle& v, bool with_mileage);

} // namespace ce::tools
