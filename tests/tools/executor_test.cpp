// The executor's boundary: call control, unknown tools, malformed arguments, and an
// unreachable PostgreSQL (a store pointed at a closed port) answered as `unavailable`.
#include "tools_env.hpp"

using namespace ce::tools;
using namespace ce::tools::test;

TEST_CASE("end_call and transfer_to_human answer ok and ask the engine to act after the turn") {
  tool_rig rig{"t_tools_control", "+12175550701"};
  auto end = rig.call("end_call", {{"reason", "caller said goodbye"}});
  CHECK(end == json{{"ok", true}});
  REQUIRE(rig.last.control);
  CHECK(rig.last.control->what == control_request::action::end_call);
  CHECK(rig.last.control->reason == "caller said goodbye");
  auto transfer = rig.call("transfer_to_human", {{"reason", "wants a quote for body work"}});
  CHECK(transfer == json{{"ok", true}});
  REQUIRE(rig.last.control);
  CHECK(rig.last.control->what == control_request::action::transfer_to_human);
  CHECK(error_of(rig.call("end_call")) == "invalid_argument");
  CHECK_FALSE(rig.last.control);
  CHECK_FALSE(rig.call("lookup_customer").empty());
  CHECK_FALSE(rig.last.control);
}

TEST_CASE("an unknown tool or malformed arguments get an error result, never an exception") {
  tool_rig rig{"t_tools_malformed", "+12175550702"};
  auto unknown = rig.call("order_pizza");
  CHECK(error_of(unknown) == "unknown_tool");
  CHECK_THAT(message_of(unknown), Catch::Contains("order_pizza"));
  for (const char* text : {"{\"service_type\": ", "[1,2]", "\"text\"", "nul", "{\"a\":1}}"}) {
    INFO(text);
    CHECK(error_of(rig.call_text("get_available_slots", text)) == "invalid_argument");
  }
  // No arguments at all is {}: decode_vin then misses its VIN.
  auto empty = rig.call_text("decode_vin", "");
  CHECK(error_of(empty) == "invalid_argument");
  CHECK_THAT(message_of(empty), Catch::Contains("'vin'"));
  // null counts as absent; unknown keys are ignored.
  auto null_phone = rig.call("lookup_customer", {{"phone", nullptr}, {"mood", "cheerful"}});
  CHECK(null_phone["ok"] == true);
  // Integers must be integers.
  rig.customer("+12175550702", 1);
  rig.verify_caller();
  for (const json& bad : {json(1.5), json("7"), json(true)}) {
    INFO(bad.dump());
    auto r = rig.call("get_service_history", {{"vehicle_id", bad}});
    CHECK(error_of(r) == "invalid_argument");
    CHECK_THAT(message_of(r), Catch::Contains("integer"));
  }
}

TEST_CASE("with PostgreSQL unreachable every data tool answers unavailable and the call goes on") {
  auto o = ce::store::test::options_for("postgresql://postgres@127.0.0.1:1/callengine");
  o.connect_timeout_ms = 1000;
  auto made = ce::store::dealership_store::create(o, facts());
  REQUIRE(made.ok());
  tool_env env{*made, nullptr, facts()};
  auto ctx = new_call("CAtools0703", "+12175550703");
  auto run = [&](std::string_view name, const json& args) {
    auto out = execute(env, ctx, name, args.dump());
    auto j = json::parse(out.result_json);
    INFO(name << " -> " << out.result_json);
    return j;
  };
  auto monday = future_monday();
  auto looked = run("lookup_customer", json::object());
  CHECK(error_of(looked) == "unavailable");
  CHECK(message_of(looked) == "The scheduling system is unreachable right now.");
  {
    auto out = execute(env, ctx, "lookup_customer", "{}");
    CHECK_THAT(out.detail, Catch::StartsWith("store unavailable"));
    CHECK(out.result_json.find("store unavailable") == std::string::npos);
  }
  CHECK(error_of(run("verify_customer", {{"method", "zip"}, {"value", "62704"}})) == "unavailable");
  CHECK(error_of(run("create_customer", {{"first_name", "Ana"}, {"last_name", "Cruz"}})) == "unavailable");
  CHECK(error_of(run("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday}})) == "unavailable");
  // Verified earlier in the call (before the outage): the personal tools fail the same way.
  ctx.customer_id = 1;
  ctx.verified = true;
  for (const auto& [name, args] : std::vector<std::pair<const char*, json>>{
         {"get_vehicles", json::object()},
         {"get_service_history", json::object()},
         {"get_appointments", json::object()},
         {"book_appointment", {{"service_type", "oil_change"}, {"vehicle_id", 1}, {"start", monday + " 09:00"}}},
         {"reschedule_appointment", {{"appointment_id", 1}, {"new_start", monday + " 10:00"}}},
         {"cancel_appointment", {{"confirmation_code", "ACDEFG"}}},
         {"add_vehicle", {{"vin", ce::store::make_vin("1HG", "CV1F3", 2019, 'A', 703)}, {"model", "Civic"}}}}) {
    INFO(name);
    CHECK(error_of(run(name, args)) == "unavailable");
  }
  // Tools that need no database still work.
  CHECK(run("decode_vin", {{"vin", ce::store::make_vin("1HG", "CV1F3", 2019, 'A', 703)}})["valid"] == true);
  CHECK(run("end_call", {{"reason", "system down"}})["ok"] == true);
  CHECK(ctx.verify_attempts == 0);
}
