// Phone normalisation and the dealership's week (hours, lunch, slot grid, durations).
#include "store/phone.hpp"
#include "store/shop_calendar.hpp"
#include "store_env.hpp"

#include <catch2/catch.hpp>

using namespace ce::store;

TEST_CASE("phone numbers as callers say them become E.164") {
  for (const char* raw : {"(217) 555-0134", "217.555.0134", "2175550134", "1 217 555 0134", "+1 217-555-0134",
                          "+12175550134"}) {
    auto p = normalize_phone(raw);
    INFO(raw);
    REQUIRE(p.ok());
    CHECK(*p == "+12175550134");
  }
  auto uk = normalize_phone("+44 20 7946 0958");
  REQUIRE(uk.ok());
  CHECK(*uk == "+442079460958");
}

TEST_CASE("impossible phone numbers are refused with the reason") {
  auto short_number = normalize_phone("555-0134");
  REQUIRE_FALSE(short_number.ok());
  CHECK(short_number.code() == store_errc::invalid);
  CHECK_THAT(short_number.error().message, Catch::Contains("10 digits"));
  CHECK_THAT(normalize_phone("(117) 555-0134").error().message, Catch::Contains("area code"));
  CHECK_THAT(normalize_phone("217 155 0134").error().message, Catch::Contains("exchange"));
  CHECK_FALSE(normalize_phone("1-800-FLOWERS").ok());
  CHECK_FALSE(normalize_phone("").ok());
  CHECK_FALSE(normalize_phone("+1 217 555 013").ok());
  CHECK_FALSE(normalize_phone("+0 217 555 0134").ok());
}

TEST_CASE("the dealership's week comes from config/dealership.json") {
  auto cal = make_shop_calendar(test::facts());
  REQUIRE(cal.ok());
  CHECK(cal->bays == 4);
  CHECK(cal->slot_minutes == 30);
  CHECK(cal->time_zone == "America/Chicago");
  CHECK(cal->week[0].open);
  CHECK(cal->week[0].open_min == 8 * 60);
  CHECK(cal->week[0].close_min == 17 * 60);
  CHECK(cal->week[5].close_min == 12 * 60);
  CHECK_FALSE(cal->week[6].open);
  CHECK(cal->lunch_start_min == 12 * 60);
  CHECK(cal->lunch_end_min == 13 * 60);
  CHECK(*cal->duration_of("brake_pads") == 120);
  auto unknown = cal->duration_of("teleport");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("unknown service type") && Catch::Contains("oil_change"));
}

TEST_CASE("bookable times respect opening hours, lunch and the slot grid, with clear reasons") {
  auto cal = make_shop_calendar(test::facts());
  REQUIRE(cal.ok());
  auto at = [](const char* text) {
    auto t = parse_local_time(text);
    REQUIRE(t.ok());
    return *t;
  };
  // 2030-06-03 is a Monday, 2030-06-08 a Saturday, 2030-06-09 a Sunday.
  CHECK(cal->check_bookable(at("2030-06-03T08:00"), 30).ok());
  CHECK(cal->check_bookable(at("2030-06-03T16:30"), 30).ok());
  CHECK(cal->check_bookable(at("2030-06-03T13:00"), 120).ok());
  CHECK(cal->check_bookable(at("2030-06-08T11:00"), 60).ok());
  CHECK_THAT(cal->check_bookable(at("2030-06-09T10:00"), 30).error().message, Catch::Contains("closed on Sundays"));
  CHECK_THAT(cal->check_bookable(at("2030-06-03T07:30"), 30).error().message, Catch::Contains("opens at 08:00"));
  CHECK_THAT(cal->check_bookable(at("2030-06-03T16:30"), 60).error().message, Catch::Contains("after closing"));
  CHECK_THAT(cal->check_bookable(at("2030-06-08T11:30"), 60).error().message, Catch::Contains("12:00"));
  CHECK_THAT(cal->check_bookable(at("2030-06-03T11:00"), 120).error().message, Catch::Contains("lunch break"));
  CHECK_THAT(cal->check_bookable(at("2030-06-03T12:00"), 30).error().message, Catch::Contains("lunch break"));
  CHECK_THAT(cal->check_bookable(at("2030-06-03T09:15"), 30).error().message, Catch::Contains("every 30 minutes"));
}

TEST_CASE("malformed or impossible dates and times are refused") {
  CHECK(parse_local_time("2030-06-03T09:30").ok());
  CHECK(parse_local_time("2030-06-03 09:30").ok());
  CHECK(parse_local_time("2030-06-03T09:30:00").ok());
  CHECK_THAT(parse_local_time("2030-02-30T09:30").error().message, Catch::Contains("not a date"));
  CHECK_THAT(parse_local_time("2030-06-03T25:00").error().message, Catch::Contains("not a time"));
  CHECK_THAT(parse_local_time("tomorrow at nine").error().message, Catch::Contains("YYYY-MM-DD"));
  CHECK_FALSE(parse_local_date("03/06/2030").ok());
  CHECK_FALSE(parse_local_date("2030-13-01").ok());
}

TEST_CASE("facts that cannot describe a week are refused") {
  auto f = test::facts();
  f.lunch_break = "noon";
  CHECK_THAT(make_shop_calendar(f).error().message, Catch::Contains("lunch_break"));
  f = test::facts();
  f.hours[0].close = "07:00";
  CHECK_FALSE(make_shop_calendar(f).ok());
  f = test::facts();
  f.service_bays = 0;
  CHECK_FALSE(make_shop_calendar(f).ok());
}
