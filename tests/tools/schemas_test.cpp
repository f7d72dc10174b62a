// The LLM's view of the tools (tool_definitions_json) against what execute() really does.
#include "tools/tool_schemas.hpp"
#include "tools_env.hpp"

#include <map>
#include <set>

using namespace ce::tools;
using namespace ce::tools::test;

namespace {

json definitions() {
  auto j = json::parse(tool_definitions_json(), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  REQUIRE(j.is_array());
  return j;
}

const json& function_named(const json& tools, const std::string& name) {
  for (const auto& t : tools)
    if (t["function"]["name"] == name) return t["function"];
  FAIL("no schema for " << name);
  return tools;  // not reached
}

// A valid value for every property any tool has, so one argument at a time can be taken
// away or given the wrong type.
json sample_value(const std::string& property) {
  static const std::map<std::string, json> samples = {
    {"phone", "+12175550300"},       {"method", "zip"},
    {"value", "62704"},              {"vehicle_id", 1},
    {"limit", 3},                    {"service_type", "oil_change"},
    {"date_from", future_monday()},  {"date_to", next_day(future_monday(), 2)},
    {"part_of_day", "morning"},      {"max", 3},
    {"start", future_monday() + " 09:00"}, {"new_start", future_monday() + " 10:00"},
    {"notes", "rattles"},            {"appointment_id", 1},
    {"confirmation_code", "ACDEFG"}, {"first_name", "Ada"},
    {"last_name", "Lovelace"},       {"zip", "62704"},
    {"date_of_birth", "1980-01-02"}, {"email", "ada@example.com"},
    {"vin", ce::store::make_vin("1HG", "CV1F3", 2019, 'A', 123456)},
    {"make", "Honda"},               {"model", "Accord"},
    {"year", 2019},                  {"mileage", 42000},
    {"reason", "caller is done"}};
  auto it = samples.find(property);
  if (it == samples.end()) FAIL("no sample value for property " << property);
  return it->second;
}

json wrong_type_for(const json& schema) { return schema["type"] == "integer" ? json("twelve") : json(12); }

} // namespace

TEST_CASE("the tool definitions are an OpenAI tools array with one function per tool") {
  auto tools = definitions();
  auto names = tool_names();
  CHECK(names.size() == 14);
  CHECK(tools.size() == names.size());
  std::set<std::string> seen;
  for (const auto& t : tools) {
    INFO(t.dump());
    CHECK(t["type"] == "function");
    const auto& fn = t["function"];
    REQUIRE(fn["name"].is_string());
    CHECK(seen.insert(fn["name"].get<std::string>()).second);
    CHECK(fn["description"].get<std::string>().size() > 40);
    const auto& p = fn["parameters"];
    CHECK(p["type"] == "object");
    REQUIRE(p["properties"].is_object());
    REQUIRE(p["required"].is_array());
    for (const auto& [key, prop] : p["properties"].items()) {
      INFO(key);
      CHECK((prop["type"] == "string" || prop["type"] == "integer"));
      CHECK_FALSE(prop["description"].get<std::string>().empty());
    }
    for (const auto& r : p["required"]) CHECK(p["properties"].contains(r.get<std::string>()));
  }
  CHECK(seen == std::set<std::string>(names.begin(), names.end()));
}

TEST_CASE("a tool is strict exactly when every property is required, and then allows no other keys") {
  std::set<std::string> strict;
  for (const auto& t : definitions()) {
    const auto& fn = t["function"];
    const auto& p = fn["parameters"];
    bool all_required = p["properties"].size() == p["required"].size();
    INFO(fn["name"]);
    CHECK(fn.contains("strict") == all_required);
    if (all_required) {
      CHECK(fn["strict"] == true);
      CHECK(p["additionalProperties"] == false);
      strict.insert(fn["name"].get<std::string>());
    }
  }
  CHECK(strict == std::set<std::string>{"verify_customer", "get_vehicles", "get_appointments", "decode_vin",
                                        "transfer_to_human", "end_call"});
}

TEST_CASE("given the dealership's facts, service_type may only be one of its service ids") {
  auto tools = json::parse(tool_definitions_json(facts()));
  std::set<std::string> ids;
  for (const auto& s : facts().services) ids.insert(s.id);
  for (const char* name : {"get_available_slots", "book_appointment"}) {
    const auto& prop = function_named(tools, name)["parameters"]["properties"]["service_type"];
    INFO(name);
    REQUIRE(prop["enum"].is_array());
    CHECK(prop["enum"].get<std::set<std::string>>() == ids);
    CHECK_THAT(prop["description"].get<std::string>(), Catch::Contains("brake_pads"));
  }
  CHECK_FALSE(function_named(definitions(), "book_appointment")["parameters"]["properties"]["service_type"].contains(
    "enum"));
}

TEST_CASE("execute requires exactly the arguments the schemas mark required, with the types they declare") {
  tool_rig rig{"t_tools_schema_args", "+12175550300"};
  for (const auto& t : definitions()) {
    const auto& fn = t["function"];
    auto name = fn["name"].get<std::string>();
    const auto& props = fn["parameters"]["properties"];
    json all = json::object();
    json required_only = json::object();
    for (const auto& [key, prop] : props.items()) all[key] = sample_value(key);
    for (const auto& r : fn["parameters"]["required"]) required_only[r.get<std::string>()] = sample_value(r);

    for (const auto& r : fn["parameters"]["required"]) {
      auto key = r.get<std::string>();
      INFO(name << " without " << key);
      json args = all;
      args.erase(key);
      auto result = rig.call(name, args);
      CHECK(error_of(result) == "invalid_argument");
      CHECK_THAT(message_of(result), Catch::Contains("'" + key + "'"));
      rig.ctx = new_call("CAtools0001", "+12175550300");
    }
    for (const auto& [key, prop] : props.items()) {
      INFO(name << " with " << key << " of the wrong type");
      json args = all;
      args[key] = wrong_type_for(prop);
      auto result = rig.call(name, args);
      CHECK(error_of(result) == "invalid_argument");
      CHECK_THAT(message_of(result), Catch::Contains("'" + key + "'"));
      rig.ctx = new_call("CAtools0001", "+12175550300");
    }
    INFO(name << " with only its required arguments");
    auto result = rig.call(name, required_only);
    CHECK_THAT(message_of(result), !Catch::Contains("Missing required argument"));
    rig.ctx = new_call("CAtools0001", "+12175550300");
  }
  // Tools whose arguments are "one of": nothing at all is an invalid_argument, not a crash.
  for (const char* name : {"reschedule_appointment", "cancel_appointment", "add_vehicle"}) {
    INFO(name);
    CHECK(error_of(rig.call(name, json{{"new_start", future_monday() + " 10:00"}})) == "invalid_argument");
  }
}
