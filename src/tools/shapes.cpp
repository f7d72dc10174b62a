// How records appear in tool results (docs/tools.md). Only what the agent may say.
#include "tools/tool_impl.hpp"

namespace ce::tools {

json appointment_json(const dealership_facts& facts, const store::appointment& a) {
  return json{{"id", a.id},
              {"confirmation_code", a.confirmation_code},
              {"service_type", a.service_type},
              {"service_name", service_name(facts, a.service_type)},
              {"start", a.starts_local},
              {"end", a.ends_local},
              {"vehicle_id", a.vehicle_id ? json(*a.vehicle_id) : json(nullptr)},
              {"status", a.status}};
}

json vehicle_json(const store::vehicle& v, bool with_mileage) {
  json j{{"id", v.id},
         {"year", v.year},
         {"make", v.make},
         {"model", v.model},
         {"vin_last6", v.vin.size() >= 6 ? v.vin.substr(v.vin.size() - 6) : v.vin}};
  if (with_mileage && v.mileage) j["mileage"] = *v.mileage;
  return j;
}

} // namespace ce::tools
