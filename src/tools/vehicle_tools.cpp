// get_vehicles, add_vehicle, decode_vin, get_service_history.
#include "store/vin.hpp"
#include "tools/tool_impl.hpp"

namespace ce::tools {

namespace {

constexpr int default_history = 5;
constexpr int max_history = 50;
constexpr int max_mileage = 2'000'000;

int current_year(tool_env& env) {
  auto today = std::chrono::floor<std::chrono::days>(env.now());
  return static_cast<int>(std::chrono::year_month_day{today}.year());
}

struct vehicle_args {
  std::optional<std::string> vin, make, model;
  std::optional<std::int64_t> year, mileage;
};

checked<vehicle_args> read_vehicle_args(tool_call& c) {
  vehicle_args v;
  for (auto [key, out] : {std::pair{"vin", &v.vin}, std::pair{"make", &v.make}, std::pair{"model", &v.model}}) {
    auto s = opt_string(c.args, key);
    if (!s) return s.error();
    *out = *s;
  }
  auto year = opt_int(c.args, "year");
  if (!year) return year.error();
  v.year = *year;
  auto mileage = opt_int(c.args, "mileage");
  if (!mileage) return mileage.error();
  v.mileage = *mileage;
  if (v.year)
    if (auto e = check_range("year", *v.year, 1980, current_year(c.env) + 1)) return *e;
  if (v.mileage)
    if (auto e = check_range("mileage", *v.mileage, 0, max_mileage)) return *e;
  return v;
}

// What add_vehicle can register: a VIN (make and year come from it), or make, model and year.
std::optional<tool_error> check_registrable(const vehicle_args& v) {
  if (!v.vin) {
    if (!v.make || !v.model || !v.year)
      return fail(tool_errc::invalid_argument, "Give either the 17-character VIN, or the make, model and year");
    return std::nullopt;
  }
  auto valid = store::validate_vin(*v.vin);
  if (!valid) return fail(tool_errc::invalid_argument, "Argument 'vin': " + valid.error().message);
  if (!v.model) return fail(tool_errc::invalid_argument, "Missing the vehicle's 'model' (for example Camry or F-150)");
  return std::nullopt;
}

} // namespace

tool_result get_vehicles(tool_call& c) {
  if (auto e = require_verified(c.ctx)) return *e;
  auto cars = c.env.store.vehicles_of(*c.ctx.customer_id);
  if (!cars) return from_store(cars.error());
  auto list = json::array();
  for (const auto& v : *cars) {
    c.ctx.vehicle_ids.insert(v.id);
    list.push_back(vehicle_json(v, true));
  }
  return json{{"ok", true}, {"vehicles", std::move(list)}};
}

tool_result add_vehicle(tool_call& c) {
  auto v = read_vehicle_args(c);
  if (!v) return v.error();
  if (auto e = check_registrable(*v)) return *e;
  if (auto e = require_verified(c.ctx)) return *e;
  store::new_vehicle nv;
  nv.vin = v->vin.value_or("");
  nv.make = v->make.value_or("");
  nv.model = *v->model;
  nv.year = static_cast<int>(v->year.value_or(0));
  if (v->mileage) nv.mileage = static_cast<int>(*v->mileage);
  auto added = c.env.store.add_vehicle(*c.ctx.customer_id, nv);
  if (!added) {
    if (added.code() == store::store_errc::conflict)
      return fail(tool_errc::forbidden, "That VIN is registered to another customer");
    return from_store(added.error());
  }
  invalidate_customer(c, c.ctx.customer_phone);
  c.ctx.vehicle_ids.insert(added->id);
  return json{{"ok", true}, {"vehicle", vehicle_json(*added, false)}};
}

tool_result decode_vin(tool_call& c) {
  auto raw = need_string(c.args, "vin");
  if (!raw) return raw.error();
  auto vin = store::normalize_vin(*raw);
  json out{{"ok", true}, {"vin", vin}, {"valid", false}, {"check_digit_ok", false}};
  char expected = store::vin_check_digit(vin);  // '?' unless 17 characters a VIN may hold
  out["check_digit_ok"] = expected != '?' && vin[8] == expected;
  auto info = store::decode_vin(vin, current_year(c.env));
  if (!info) {
    out["problem"] = sentence(info.error().message);
    return out;
  }
  out["valid"] = true;
  if (info->model_year != 0) out["model_year"] = info->model_year;
  out["manufacturer"] = info->manufacturer;
  if (!info->make.empty()) out["make"] = info->make;
  return out;
}

tool_result get_service_history(tool_call& c) {
  auto vehicle_id = opt_int(c.args, "vehicle_id");
  if (!vehicle_id) return vehicle_id.error();
  auto limit = opt_int(c.args, "limit");
  if (!limit) return limit.error();
  if (*limit)
    if (auto e = check_range("limit", **limit, 1, max_history)) return *e;
  int n = static_cast<int>(limit->value_or(default_history));
  if (auto e = require_verified(c.ctx)) return *e;
  auto records = c.env.store.service_history(*c.ctx.customer_id, *vehicle_id, n);
  if (!records) return from_store(records.error());
  auto list = json::array();
  for (const auto& r : *records) {
    c.ctx.vehicle_ids.insert(r.vehicle_id);
    json item{{"date", r.performed_on}, {"service", service_name(c.env.facts, r.service_type)}, {"vehicle_id", r.vehicle_id}};
    if (r.mileage) item["mileage"] = *r.mileage;
    if (!r.description.empty()) item["notes"] = r.description;
    list.push_back(std::move(item));
  }
  return json{{"ok", true}, {"history", std::move(list)}};
}

} // namespace ce::tools
