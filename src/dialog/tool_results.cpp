#include "dialog/tool_results.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace ce::dialog {

namespace {

using json = nlohmann::json;

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool flag_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

/// Ids are integers in the contract; digit strings are accepted too.
std::optional<long long> id_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {
    auto s = it->get<std::string>();
    if (s.empty() || s.size() > 18 ||
        !std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
      return std::nullopt;
    return std::stoll(s);
  }
  return std::nullopt;
}

int int_of(const json& j, const char* key) {
  auto v = id_of(j, key);
  return v && *v >= 0 && *v < 100000 ? static_cast<int>(*v) : 0;
}

std::optional<vehicle_record> read_vehicle(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto id = id_of(j, "id");
  if (!id) return std::nullopt;
  return vehicle_record{*id, int_of(j, "year"), text_of(j, "make"), text_of(j, "model"), text_of(j, "vin_last6")};
}

std::optional<appointment_record> read_appointment(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto id = id_of(j, "id");
  auto start = parse_local_time(text_of(j, "start"));
  if (!id || !start) return std::nullopt;
  appointment_record a;
  a.id = *id;
  a.confirmation_code = text_of(j, "confirmation_code");
  a.service_type = text_of(j, "service_type");
  a.service_name = text_of(j, "service_name");
  a.start = *start;
  a.vehicle_id = id_of(j, "vehicle_id").value_or(0);
  a.status = text_of(j, "status");
  return a;
}

void read_customer(const json& j, tool_result& r) {
  auto c = j.find("customer");
  if (c == j.end() || !c->is_object()) return;
  r.first_name = text_of(*c, "first_name");
  r.last_name = text_of(*c, "last_name");
}

template <typename Record, typename Reader>
std::vector<Record> read_list(const json& j, const char* key, Reader reader) {
  std::vector<Record> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& item : *it)
    if (auto r = reader(item)) out.push_back(std::move(*r));
  return out;
}

std::optional<local_time> read_slot(const json& j) {
  if (!j.is_object()) return std::nullopt;
  return parse_local_time(text_of(j, "start"));
}

} // namespace

tool_result read_tool_result(std::string_view text) {
  tool_result r;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    r.error = "malformed";
    return r;
  }
  auto ok = j.find("ok");
  r.ok = ok != j.end() && ok->is_boolean() && ok->get<bool>();
  if (!r.ok) {
    r.error = text_of(j, "error");
    if (r.error.empty()) r.error = "malformed";
    r.message = text_of(j, "message");
    r.verification_required = flag_of(j, "verification_required");
    return r;
  }
  r.found = flag_of(j, "found");
  r.verified = flag_of(j, "verified");
  if (auto left = id_of(j, "attempts_left")) r.attempts_left = static_cast<int>(std::min(*left, 100LL));
  read_customer(j, r);
  if (auto m = j.find("verification_methods"); m != j.end() && m->is_array())
    for (const auto& v : *m)
      if (v.is_string()) r.verification_methods.push_back(v.get<std::string>());
  r.vehicles = read_list<vehicle_record>(j, "vehicles", read_vehicle);
  if (auto v = j.find("vehicle"); v != j.end()) r.vehicle = read_vehicle(*v);
  r.appointments = read_list<appointment_record>(j, "appointments", read_appointment);
  if (auto a = j.find("appointment"); a != j.end()) r.appointment = read_appointment(*a);
  r.slots = read_list<local_time>(j, "slots", read_slot);
  std::sort(r.slots.begin(), r.slots.end());
  r.slots.erase(std::unique(r.slots.begin(), r.slots.end()), r.slots.end());
  return r;
}

} // namespace ce::dialog
