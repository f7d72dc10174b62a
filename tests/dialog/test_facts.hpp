// The dealership every dialog test talks about (Bart's Automotive, as the brief describes
// it), plus small helpers for reading a turn_output.
#pragma once

#include "callengine/call.hpp"
#include "callengine/config.hpp"
#include "dialog/policy.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog::test {

inline dealership_facts barts_facts() {
  dealership_facts f;
  f.name = "Bart's Automotive";
  f.address = "1200 Main Street, Springfield";
  f.phone = "+1 (217) 555-0100";
  f.hours = {{"monday", "08:00", "17:00"},   {"tuesday", "08:00", "17:00"},
             {"wednesday", "08:00", "17:00"}, {"thursday", "08:00", "17:00"},
             {"friday", "08:00", "17:00"},   {"saturday", "08:00", "12:00"},
             {"sunday", "", ""}};
  f.lunch_break = "12:00-13:00";
  f.services = {
    {"oil_change", "an oil change", {"oil change", "oil", "change my oil"}, 30, "$49.95"},
    {"tire_rotation", "a tire rotation", {"tire rotation", "rotate my tires", "tires rotated"}, 30, "$29.95"},
    {"brake_inspection", "a brake inspection", {"brake inspection", "brake check", "check my brakes"}, 45, "free"},
    {"brake_pads", "brake pad replacement", {"brake pads", "brake job", "new brakes", "replace my brakes"}, 120,
     "from $189"},
    {"battery", "a battery replacement", {"battery", "new battery", "dead battery"}, 30, "from $149"},
    {"alignment", "a wheel alignment", {"alignment", "wheel alignment", "align"}, 60, "$99"},
    {"state_inspection", "a state inspection", {"state inspection", "safety inspection"}, 30, "$25"},
    {"diagnostic", "a check engine light diagnostic", {"check engine light", "engine light", "diagnostic"}, 60,
     "$89"},
    {"ac_service", "an air conditioning service", {"air conditioning", "a c", "ac", "air conditioner"}, 60,
     "$129"},
  };
  f.makes_serviced = {"Ford", "Chevrolet", "Toyota", "Honda", "Nissan",
                      "Hyundai", "Kia", "Subaru", "Jeep", "Ram"};
  return f;
}

/// lookup_customer results in the contract's shape (docs/tools.md).
inline constexpr std::string_view caller_not_found = R"({"ok":true,"found":false,"verified":false})";
inline constexpr std::string_view caller_john =
  R"({"ok":true,"found":true,"customer":{"id":7,"first_name":"John"},"verified":false,)"
  R"("verification_methods":["date_of_birth","zip","vin_last6"]})";

/// An inbound call past its greeting: the caller-ID lookup answered with `lookup`.
inline local_policy greeted_policy(const dealership_facts& facts = barts_facts(),
                                   std::string_view lookup = caller_not_found) {
  local_policy p(facts, call_direction::inbound, "+15550001111");
  auto start = p.on_call_started();
  if (!start.tool_calls.empty()) p.on_tool_result(start.tool_calls.front().id, lookup);
  return p;
}

/// All sentences of a turn, joined by spaces.
inline std::string said(const turn_output& out) {
  std::string text;
  for (const auto& s : out.sentences) {
    if (!text.empty()) text += ' ';
    text += s;
  }
  return text;
}

inline bool calls_tool(const turn_output& out, std::string_view name) {
  for (const auto& t : out.tool_calls)
    if (t.name == name) return true;
  return false;
}

inline bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace ce::dialog::test
