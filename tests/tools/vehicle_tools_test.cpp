// get_vehicles, add_vehicle, decode_vin and get_service_history against a real PostgreSQL.
#include "tools_env.hpp"

using namespace ce::tools;
using namespace ce::tools::test;
using ce::store::make_vin;

namespace {

void add_history(tool_rig& rig, std::int64_t vehicle_id, const std::string& type, const std::string& date,
                 const std::string& mileage, const std::string& notes) {
  auto r = rig.shop.connection().exec(
    "INSERT INTO service_history (vehicle_id, service_type, performed_on, mileage, description)"
    " VALUES ($1, $2, $3::date, $4::int, $5)",
    ce::store::pg_params{}.add(vehicle_id).add(type).add(date).add(mileage.empty() ? std::optional<std::string>{}
                                                                                  : mileage).add(notes));
  INFO((r ? "" : r.error().message));
  REQUIRE(r.ok());
}

} // namespace

TEST_CASE("get_vehicles lists the verified caller's vehicles and nobody else's") {
  tool_rig rig{"t_tools_vehicles", "+12175550501"};
  auto c = rig.customer("+12175550501", 1);
  rig.customer("+12175550502", 2);
  rig.count("WITH u AS (UPDATE vehicles SET mileage = 48200 WHERE id = " + std::to_string(c.car.id) +
            " RETURNING 1) SELECT count(*) FROM u");
  rig.verify_caller();
  auto r = rig.call("get_vehicles");
  REQUIRE(r["vehicles"].size() == 1);
  CHECK(r["vehicles"][0] == json{{"id", c.car.id},
                                 {"year", 2019},
                                 {"make", "Honda"},
                                 {"model", "Accord"},
                                 {"vin_last6", c.car.vin.substr(11)},
                                 {"mileage", 48200}});
  CHECK(rig.ctx.vehicle_ids.count(c.car.id) == 1);
}

TEST_CASE("add_vehicle registers a VIN for the verified caller, taking make and year from it") {
  tool_rig rig{"t_tools_add_vehicle", "+12175550503"};
  rig.customer("+12175550503", 1);
  rig.verify_caller();
  auto vin = make_vin("JTD", "KB20U", 2016, 'U', 503);
  // Read out with spaces and in lower case, as callers do.
  std::string spoken;
  for (std::size_t i = 0; i < vin.size(); ++i) spoken += std::string(i % 4 == 0 ? " " : "") +
                                                        static_cast<char>(std::tolower(static_cast<unsigned char>(vin[i])));
  auto r = rig.call("add_vehicle", {{"vin", spoken}, {"model", "Prius"}, {"mileage", 91000}});
  REQUIRE(r["ok"] == true);
  CHECK(r["vehicle"]["make"] == "Toyota");
  CHECK(r["vehicle"]["year"] == 2016);
  CHECK(r["vehicle"]["model"] == "Prius");
  CHECK(r["vehicle"]["vin_last6"] == vin.substr(11));
  CHECK_FALSE(r["vehicle"].contains("mileage"));
  auto id = r["vehicle"]["id"].get<std::int64_t>();
  CHECK(rig.ctx.vehicle_ids.count(id) == 1);
  // Adding it again returns the same vehicle.
  CHECK(rig.call("add_vehicle", {{"vin", vin}, {"model", "Prius"}})["vehicle"]["id"] == id);
  CHECK(rig.count("SELECT count(*) FROM vehicles") == 2);
}

TEST_CASE("add_vehicle refuses a wrong check digit, another customer's VIN, a wrong year and incomplete data") {
  tool_rig rig{"t_tools_add_vehicle_bad", "+12175550504"};
  rig.customer("+12175550504", 1);
  auto other = rig.customer("+12175550505", 2);
  rig.verify_caller();
  auto vin = make_vin("1FT", "EW1EP", 2020, 'K', 504);
  auto broken = vin;
  broken[8] = broken[8] == '7' ? '8' : '7';
  auto r = rig.call("add_vehicle", {{"vin", broken}, {"model", "F-150"}});
  CHECK(error_of(r) == "invalid_argument");
  CHECK_THAT(message_of(r), Catch::Contains("check digit"));
  CHECK(error_of(rig.call("add_vehicle", {{"vin", "1FTEW1EP"}, {"model", "F-150"}})) == "invalid_argument");
  CHECK(error_of(rig.call("add_vehicle", {{"vin", vin}, {"model", "F-150"}, {"year", 2012}})) == "invalid_argument");
  CHECK(error_of(rig.call("add_vehicle", {{"vin", vin}})) == "invalid_argument");
  auto theirs = rig.call("add_vehicle", {{"vin", other.car.vin}, {"model", "Accord"}});
  CHECK(error_of(theirs) == "forbidden");
  CHECK(error_of(rig.call("add_vehicle", {{"make", "Ford"}})) == "invalid_argument");
  CHECK(error_of(rig.call("add_vehicle", {{"make", "Ford"}, {"model", "F-150"}})) == "invalid_argument");
  CHECK(error_of(rig.call("add_vehicle", {{"vin", vin}, {"model", "F-150"}, {"mileage", -5}})) == "invalid_argument");
  CHECK(rig.count("SELECT count(*) FROM vehicles") == 2);
}

TEST_CASE("decode_vin checks the check digit and decodes model year and manufacturer offline") {
  tool_rig rig{"t_tools_decode_vin", "+12175550506"};
  auto vin = make_vin("1HG", "CV1F3", 2019, 'A', 506);
  auto ok = rig.call("decode_vin", {{"vin", vin}});
  CHECK(ok["valid"] == true);
  CHECK(ok["check_digit_ok"] == true);
  CHECK(ok["vin"] == vin);
  CHECK(ok["model_year"] == 2019);
  CHECK(ok["make"] == "Honda");
  CHECK_THAT(ok["manufacturer"].get<std::string>(), Catch::Contains("Honda"));

  auto broken = vin;
  broken[8] = broken[8] == '7' ? '8' : '7';
  auto bad = rig.call("decode_vin", {{"vin", broken}});
  CHECK(bad["ok"] == true);
  CHECK(bad["valid"] == false);
  CHECK(bad["check_digit_ok"] == false);
  CHECK_FALSE(bad.contains("model_year"));

  auto short_vin = rig.call("decode_vin", {{"vin", "1HGCV1F3"}});
  CHECK(short_vin["valid"] == false);
  CHECK(short_vin["check_digit_ok"] == false);
  auto letter_o = vin;
  letter_o[12] = 'O';
  CHECK(rig.call("decode_vin", {{"vin", letter_o}})["valid"] == false);
}

TEST_CASE("service history is the verified caller's own, newest first, and another customer's vehicle is forbidden") {
  tool_rig rig{"t_tools_history", "+12175550507"};
  auto c = rig.customer("+12175550507", 1);
  auto other = rig.customer("+12175550508", 2);
  add_history(rig, c.car.id, "oil_change", "2025-03-02", "30100", "synthetic 0W-20");
  add_history(rig, c.car.id, "brake_pads", "2026-01-15", "", "");
  add_history(rig, other.car.id, "alignment", "2026-02-01", "10", "");
  rig.verify_caller();
  auto r = rig.call("get_service_history");
  REQUIRE(r["history"].size() == 2);
  CHECK(r["history"][0] == json{{"date", "2026-01-15"}, {"service", "brake pad replacement"}, {"vehicle_id", c.car.id}});
  CHECK(r["history"][1] == json{{"date", "2025-03-02"},
                                {"service", "oil change"},
                                {"vehicle_id", c.car.id},
                                {"mileage", 30100},
                                {"notes", "synthetic 0W-20"}});
  CHECK(rig.call("get_service_history", {{"vehicle_id", c.car.id}, {"limit", 1}})["history"].size() == 1);
  CHECK(error_of(rig.call("get_service_history", {{"vehicle_id", other.car.id}})) == "forbidden");
  CHECK(error_of(rig.call("get_service_history", {{"vehicle_id", 999999}})) == "not_found");
  CHECK(error_of(rig.call("get_service_history", {{"limit", 0}})) == "invalid_argument");
}

TEST_CASE("add_vehicle registers a car known only by make, model and year, once") {
  tool_rig rig{"t_tools_add_vehicle_no_vin", "+12175550507"};
  rig.customer("+12175550507", 1);
  rig.verify_caller();
  auto first = rig.call("add_vehicle", {{"make", "Honda"}, {"model", "Civic"}, {"year", 2019}});
  REQUIRE(first["ok"] == true);
  CHECK(first["vehicle"]["make"] == "Honda");
  CHECK(first["vehicle"]["year"] == 2019);
  CHECK(first["vehicle"]["vin_last6"] == "");
  auto again = rig.call("add_vehicle", {{"make", "honda"}, {"model", "civic"}, {"year", 2019}});
  CHECK(again["vehicle"]["id"] == first["vehicle"]["id"]);
  CHECK(rig.count("SELECT count(*) FROM vehicles WHERE vin IS NULL") == 1);
  CHECK(error_of(rig.call("add_vehicle", {{"make", "Honda"}, {"model", "Civic"}, {"year", 1950}})) == "invalid_argument");
}
