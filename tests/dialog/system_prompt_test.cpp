// The cloud LLM's system prompt: facts from config, call type, and the caller's record
// only as far as the tools revealed it (no personal data before verification).
#include "dialog/system_prompt.hpp"

#include <catch2/catch.hpp>

using namespace ce;
using namespace ce::dialog;

namespace {

dealership_facts facts() {
  dealership_facts f;
  f.name = "Bart's Automotive";
  f.address = "1200 Main Street, Springfield";
  f.timezone = "America/Chicago";
  f.hours = {{"monday", "08:00", "17:00"}, {"saturday", "08:00", "12:00"}, {"sunday", "", ""}};
  f.lunch_break = "12:00-13:00";
  f.services = {{"oil_change", "oil change", {"oil"}, 30, "$49.95"}, {"alignment", "wheel alignment", {}, 60, "$99"}};
  f.makes_serviced = {"Ford", "Toyota"};
  return f;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("the inbound prompt states the dealership's facts from config", "[dialog][prompt]") {
  prompt_context ctx;
  ctx.today = "2026-11-24";
  ctx.weekday = weekday_of(ctx.today);
  auto p = build_system_prompt(facts(), ctx);
  CHECK(has(p, "answering the phone for Bart's Automotive"));
  CHECK(has(p, "1200 Main Street, Springfield"));
  CHECK(has(p, "Monday 08:00-17:00"));
  CHECK(has(p, "Sunday closed"));
  CHECK(has(p, "12:00-13:00"));
  CHECK(has(p, "oil_change: oil change, 30 min, $49.95"));
  CHECK(has(p, "alignment: wheel alignment, 60 min, $99"));
  CHECK(has(p, "Ford, Toyota"));
  CHECK(has(p, "Today is Tuesday, 2026-11-24."));
  CHECK(has(p, "Unknown so far"));
  CHECK_FALSE(has(p, "remind"));
}

TEST_CASE("the outbound prompt is a reminder call that verifies before details", "[dialog][prompt]") {
  prompt_context ctx;
  ctx.direction = call_direction::outbound;
  auto p = build_system_prompt(facts(), ctx);
  CHECK(has(p, "remind them of an upcoming service appointment"));
  CHECK(has(p, "verify_customer"));
  CHECK_FALSE(has(p, "Today is"));
}

TEST_CASE("the caller's record enters the prompt only as far as the tools revealed it", "[dialog][prompt]") {
  prompt_caller caller;
  prompt_context ctx;
  // lookup: only the first name is revealed (the tool contract); not verified yet
  CHECK(update_prompt_caller(caller, "lookup_customer",
                             R"({"ok":true,"found":true,"customer":{"id":7,"first_name":"Dana","last_name":"Leak"},"verified":false})"));
  CHECK(caller.lookup_done);
  REQUIRE(caller.customer_id == 7);
  CHECK(caller.first_name == "Dana");
  CHECK(caller.last_name.empty());  // even if a result carried it, not before verification
  ctx.caller = caller;
  auto p = build_system_prompt(facts(), ctx);
  CHECK(has(p, "first name Dana"));
  CHECK(has(p, "NOT verified"));
  CHECK_FALSE(has(p, "Leak"));

  // a failed check changes nothing
  CHECK_FALSE(update_prompt_caller(caller, "verify_customer", R"({"ok":true,"verified":false,"attempts_left":2})"));
  CHECK_FALSE(caller.verified);
  // verified: the last name may be used
  CHECK(update_prompt_caller(caller, "verify_customer",
                             R"({"ok":true,"verified":true,"attempts_left":3,"customer":{"id":7,"first_name":"Dana","last_name":"Reyes"}})"));
  CHECK(caller.verified);
  CHECK(caller.last_name == "Reyes");
  ctx.caller = caller;
  p = build_system_prompt(facts(), ctx);
  CHECK(has(p, "Verified customer: Dana Reyes (customer id 7)"));

  // a lookup of another record drops the verification
  CHECK(update_prompt_caller(caller, "lookup_customer", R"({"ok":true,"found":true,"customer":{"id":9,"first_name":"Sam"}})"));
  CHECK_FALSE(caller.verified);
  CHECK(caller.last_name.empty());
}

TEST_CASE("no record, failures and garbage leave the caller as it was", "[dialog][prompt]") {
  prompt_caller caller;
  CHECK(update_prompt_caller(caller, "lookup_customer", R"({"ok":true,"found":false})"));
  CHECK(caller.lookup_done);
  CHECK_FALSE(caller.customer_id);
  prompt_context ctx;
  ctx.caller = caller;
  CHECK(has(build_system_prompt(facts(), ctx), "No customer record"));
  CHECK_FALSE(update_prompt_caller(caller, "verify_customer", R"({"ok":false,"error":"too_many_attempts"})"));
  // after an answered lookup, a failed later one changes nothing
  CHECK_FALSE(update_prompt_caller(caller, "lookup_customer", R"({"ok":false,"error":"unavailable"})"));
  CHECK_FALSE(update_prompt_caller(caller, "lookup_customer", "not json"));
  CHECK_FALSE(update_prompt_caller(caller, "get_vehicles", R"({"ok":true,"vehicles":[]})"));
  CHECK(update_prompt_caller(caller, "create_customer",
                             R"({"ok":true,"customer":{"id":12,"first_name":"Lee","last_name":"Park"},"verified":true})"));
  CHECK(caller.verified);
  CHECK(caller.customer_id == 12);
}

TEST_CASE("a failed caller-ID lookup is said as such, not as 'no record'", "[dialog][prompt]") {
  prompt_caller caller;
  CHECK(update_prompt_caller(caller, "lookup_customer",
                             R"({"ok":false,"error":"invalid_argument","message":"The caller ID is withheld."})"));
  CHECK(caller.lookup_done);
  CHECK(caller.lookup_failed);
  prompt_context ctx;
  ctx.caller = caller;
  auto p = build_system_prompt(facts(), ctx);
  CHECK(has(p, "caller ID could not be checked"));
  CHECK_FALSE(has(p, "No customer record"));
  // a later lookup with a number the caller gives finds them
  CHECK(update_prompt_caller(caller, "lookup_customer", R"({"ok":true,"found":true,"customer":{"id":3,"first_name":"Ana"}})"));
  CHECK_FALSE(caller.lookup_failed);
  CHECK(caller.customer_id == 3);
}

TEST_CASE("weekday_of names the day of a date and refuses invalid dates", "[dialog][prompt]") {
  CHECK(weekday_of("2026-11-24") == "tuesday");
  CHECK(weekday_of("2024-02-29") == "thursday");
  CHECK(weekday_of("2026-02-30").empty());
  CHECK(weekday_of("2026-13-01").empty());
  CHECK(weekday_of("tomorrow").empty());
  CHECK(weekday_of("").empty());
}
