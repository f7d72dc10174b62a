// VIN decoding is offline and pure: check digit, alphabet, model year, manufacturer.
#include "store/seed_data.hpp"
#include "store/vin.hpp"

#include <catch2/catch.hpp>

using namespace ce::store;

TEST_CASE("a real Honda VIN passes the check digit and decodes to a 2003 Honda") {
  auto v = decode_vin("1HGCM82633A004352", 2025);
  REQUIRE(v.ok());
  CHECK(v->make == "Honda");
  CHECK(v->model_year == 2003);
  CHECK(v->wmi == "1HG");
  CHECK(v->country == "United States");
  CHECK(v->plant == 'A');
  CHECK(v->serial == "004352");
  CHECK(vin_check_digit("1HGCM82633A004352") == '3');
}

TEST_CASE("the textbook VIN with check digit X is valid and its year comes from position 7") {
  // 49 CFR 565 example: position 7 is a digit, so K is 1989, not 2019.
  auto v = decode_vin("1M8GDM9AXKP042788", 2025);
  REQUIRE(v.ok());
  CHECK(v->model_year == 1989);
  CHECK(v->make.empty());
  CHECK(v->manufacturer == "unknown manufacturer");
  CHECK(vin_check_digit("1M8GDM9AXKP042788") == 'X');
}

TEST_CASE("VINs are normalised: lower case, spaces and dashes are accepted") {
  auto v = validate_vin(" 1hgcm826-33a 004352 ");
  REQUIRE(v.ok());
  CHECK(*v == "1HGCM82633A004352");
}

TEST_CASE("a wrong check digit is refused with a sentence saying so") {
  auto v = validate_vin("1HGCM82643A004352");
  REQUIRE_FALSE(v.ok());
  CHECK(v.code() == store_errc::invalid);
  CHECK_THAT(v.error().message, Catch::Contains("check digit"));
  CHECK_THAT(v.error().message, Catch::Contains("should be 3"));
  // A single wrong character anywhere else is caught by the check digit too.
  CHECK_FALSE(validate_vin("1HGCM82633A004353").ok());
  CHECK_FALSE(validate_vin("2HGCM82633A004352").ok());
}

TEST_CASE("VINs of the wrong length, with I O Q or with symbols are refused") {
  auto short_vin = validate_vin("1HGCM82633A00435");
  REQUIRE_FALSE(short_vin.ok());
  CHECK_THAT(short_vin.error().message, Catch::Contains("17 characters") && Catch::Contains("16"));
  CHECK_FALSE(validate_vin("1HGCM82633A0043521").ok());
  auto with_o = validate_vin("1HGCM82633AO04352");
  REQUIRE_FALSE(with_o.ok());
  CHECK_THAT(with_o.error().message, Catch::Contains("letter O"));
  CHECK_FALSE(validate_vin("1HGCM8263IA004352").ok());
  CHECK_FALSE(validate_vin("1HGCM82633A00435*").ok());
  CHECK_FALSE(validate_vin("").ok());
  // European VINs have no check digit: not valid as North American VINs.
  CHECK_FALSE(validate_vin("WP0ZZZ99ZTS392124").ok());
}

TEST_CASE("model years: position 7 picks the 30-year cycle, never a year in the future") {
  CHECK(model_year_from_code('A', true, 2025) == 2010);
  CHECK(model_year_from_code('A', false, 2025) == 1980);
  CHECK(model_year_from_code('R', true, 2025) == 2024);
  CHECK(model_year_from_code('S', true, 2025) == 2025);
  CHECK(model_year_from_code('T', true, 2025) == 2026);   // next year's models are on sale
  CHECK(model_year_from_code('V', true, 2025) == 1997);   // 2027 is too far ahead
  CHECK(model_year_from_code('5', false, 2025) == 2005);
  CHECK(model_year_from_code('5', true, 2025) == 2005);   // 2035 impossible
  CHECK(model_year_from_code('U', true, 2025) == 0);
  CHECK(model_year_from_code('0', true, 2025) == 0);
  CHECK(model_year_code(2003) == '3');
  CHECK(model_year_code(2024) == 'R');
  CHECK(model_year_code(1979) == '?');
}

TEST_CASE("the WMI names the make, and Stellantis VINs are told apart by position 5") {
  auto make_of = [](std::string_view wmi, std::string_view vds) {
    auto vin = make_vin(wmi, vds, 2020, 'A', 123456);
    REQUIRE(vin.size() == 17);
    auto d = decode_vin(vin, 2025);
    REQUIRE(d.ok());
    CHECK(d->model_year == 2020);
    return d->make;
  };
  CHECK(make_of("1FT", "EW1EP") == "Ford");
  CHECK(make_of("3GN", "AXKEV") == "Chevrolet");
  CHECK(make_of("JTD", "KARFU") == "Toyota");
  CHECK(make_of("JTH", "BA1D2") == "Lexus");
  CHECK(make_of("5J6", "RW2H5") == "Honda");
  CHECK(make_of("JN1", "AZ4EH") == "Nissan");
  CHECK(make_of("KMH", "D84LF") == "Hyundai");
  CHECK(make_of("5XY", "PG4A3") == "Kia");
  CHECK(make_of("JF2", "SKAGC") == "Subaru");
  CHECK(make_of("1C4", "RJFAG") == "Jeep");
  CHECK(make_of("1C4", "RDJDG") == "Dodge");
  CHECK(make_of("1C6", "RR7LT") == "Ram");
  CHECK(make_of("3D7", "KS28C") == "Ram");
  CHECK(make_of("ZZZ", "AAAAA").empty());
}

TEST_CASE("every seed model makes VINs that validate and decode back to its make and year") {
  int serial = 0;
  for (const auto& m : seed_data::models) {
    for (int year : {m.first_year, 2009, 2010, 2024}) {
      if (year < m.first_year || (m.last_year && year > m.last_year)) continue;
      auto vin = make_vin(m.wmi, m.vds, year, 'K', ++serial);
      INFO(m.make << " " << m.model << " " << year << " " << vin);
      auto d = decode_vin(vin, 2025);
      REQUIRE(d.ok());
      CHECK(d->make == m.make);
      CHECK(d->model_year == year);
    }
  }
}

TEST_CASE("make_vin refuses arguments a VIN cannot hold") {
  CHECK(make_vin("1HG", "CV1F3", 1979, 'A', 1).empty());
  CHECK(make_vin("1HG", "CV1F3", 2020, 'O', 1).empty());
  CHECK(make_vin("1HG", "CV1", 2020, 'A', 1).empty());
  CHECK(make_vin("1HG", "CV1F3", 2020, 'A', 1000000).empty());
  CHECK(make_vin("1QG", "CV1F3", 2020, 'A', 1).empty());
}
