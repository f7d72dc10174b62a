// A scripted phone call against the local policy for the booking conversations: the
// caller's lines, the results the tools would return (in the JSON shape of
// docs/tools.md), and readers for what the agent said and which tool it called.
#pragma once

#include "dialog/policy.hpp"
#include "dialog/test_facts.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace ce::dialog::test {

/// Monday, November 23rd 2026: "tomorrow" is Tuesday the 24th.
inline constexpr std::string_view monday = "2026-11-23";

class scripted_call {
 public:
  explicit scripted_call(std::string_view lookup = caller_john, std::string_view today = monday)
    : policy_(barts_facts(), call_direction::inbound, "+15550001111") {
    if (!today.empty()) policy_.set_date(today);
    last_ = policy_.on_call_started();
    answer(lookup);
  }

  const turn_output& say(std::string_view caller) {
    last_ = policy_.on_user(caller);
    return last_;
  }

  /// The caller presses keys, one by one; the output of the last key press.
  const turn_output& press(std::string_view keys) {
    for (char k : keys) last_ = policy_.on_dtmf(k);
    return last_;
  }

  /// The result of the tool call the last turn ended with.
  const turn_output& answer(std::string_view result_json) {
    REQUIRE_FALSE(last_.tool_calls.empty());
    auto id = last_.tool_calls.back().id;
    last_ = policy_.on_tool_result(id, result_json);
    return last_;
  }

  void barge_in(std::string_view heard) { policy_.on_interrupted(heard); }

  const turn_output& last() const { return last_; }
  std::string text() const { return said(last_); }
  std::string tool() const { return last_.tool_calls.empty() ? std::string() : last_.tool_calls.back().name; }
  nlohmann::json args() const {
    REQUIRE_FALSE(last_.tool_calls.empty());
    return nlohmann::json::parse(last_.tool_calls.back().arguments_json);
  }
  local_policy& policy() { return policy_; }

 private:
  local_policy policy_;
  turn_output last_;
};

namespace results {

inline std::string verified(bool ok, int attempts_left = 2) {
  nlohmann::json j{{"ok", true}, {"verified", ok}, {"attempts_left", attempts_left}};
  if (ok) j["customer"] = {{"id", 7}, {"first_name", "John"}, {"last_name", "Smith"}};
  return j.dump();
}

inline const std::string civic =
  R"({"ok":true,"vehicles":[{"id":12,"year":2019,"make":"Honda","model":"Civic","vin_last6":"A12345"}]})";

inline const std::string civic_and_rav4 =
  R"({"ok":true,"vehicles":[{"id":12,"year":2019,"make":"Honda","model":"Civic","vin_last6":"A12345"},)"
  R"({"id":13,"year":2021,"make":"Toyota","model":"RAV4","vin_last6":"B67890","mileage":18000}]})";

/// get_available_slots with these starts ("2026-11-24 09:00"), 30 minutes each.
inline std::string slots(std::initializer_list<std::string_view> starts, std::string_view service = "oil_change") {
  nlohmann::json list = nlohmann::json::array();
  for (auto s : starts) list.push_back({{"start", s}, {"end", ""}, {"free_bays", 2}});
  return nlohmann::json{{"ok", true}, {"service_type", service}, {"duration_min", 30}, {"slots", list}}.dump();
}

inline nlohmann::json appointment(long long id, std::string_view code, std::string_view type, std::string_view start,
                                  std::string_view status = "booked") {
  return {{"id", id},         {"confirmation_code", code}, {"service_type", type}, {"service_name", type},
          {"start", start},   {"end", ""},                 {"vehicle_id", 12},     {"status", status}};
}

inline std::string appointments(std::initializer_list<nlohmann::json> list) {
  return nlohmann::json{{"ok", true}, {"appointments", nlohmann::json::array_t(list)}}.dump();
}

inline std::string changed(const nlohmann::json& appt) {
  return nlohmann::json{{"ok", true}, {"appointment", appt}}.dump();
}

inline std::string error(std::string_view code, std::string_view message = "Something went wrong.") {
  return nlohmann::json{{"ok", false}, {"error", code}, {"message", message}}.dump();
}

inline const nlohmann::json oil_change_tuesday = appointment(41, "B7K2M9", "oil_change", "2026-11-24 09:00");
inline const nlohmann::json rotation_monday = appointment(42, "C8L3N1", "tire_rotation", "2026-11-30 10:00");

} // namespace results

/// John, verified by ZIP after asking to book `request`; the call waits for get_vehicles.
inline scripted_call verified_booking(std::string_view request = "i'd like to book an oil change") {
  scripted_call call;
  call.say(request);
  call.say("six two seven zero four");
  call.answer(results::verified(true));
  return call;
}

} // namespace ce::dialog::test
