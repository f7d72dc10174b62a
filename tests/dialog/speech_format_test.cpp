#include "dialog/speech_format.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog;

TEST_CASE("clock times are spoken the way a person says them") {
  CHECK(say_time("08:00") == "eight a.m.");
  CHECK(say_time("8:00") == "eight a.m.");
  CHECK(say_time("17:00") == "five p.m.");
  CHECK(say_time("12:30") == "twelve thirty p.m.");
  CHECK(say_time("09:05") == "nine oh five a.m.");
  CHECK(say_time("13:45") == "one forty-five p.m.");
  CHECK(say_time("12:00") == "noon");
  CHECK(say_time("00:00") == "midnight");
  CHECK(say_time("24:00") == "midnight");
}

TEST_CASE("malformed clock times are reported as missing, not guessed") {
  CHECK_FALSE(say_time(""));
  CHECK_FALSE(say_time("8"));
  CHECK_FALSE(say_time("25:00"));
  CHECK_FALSE(say_time("08:60"));
  CHECK_FALSE(say_time("ab:cd"));
  CHECK_FALSE(say_time("08:00pm"));
}

TEST_CASE("numbers are spelled out in words") {
  CHECK(say_number(0) == "zero");
  CHECK(say_number(13) == "thirteen");
  CHECK(say_number(49) == "forty-nine");
  CHECK(say_number(100) == "one hundred");
  CHECK(say_number(189) == "one hundred eighty-nine");
  CHECK(say_number(1200) == "one thousand two hundred");
  CHECK(say_number(2000005) == "two million five");
  CHECK(say_number(-3) == "minus three");
}

TEST_CASE("day lists collapse runs into ranges") {
  using d = weekday;
  CHECK(say_days({d::monday, d::tuesday, d::wednesday, d::thursday, d::friday}) == "Monday to Friday");
  CHECK(say_days({d::saturday}) == "Saturday");
  CHECK(say_days({d::saturday, d::sunday}) == "Saturday and Sunday");
  CHECK(say_days({d::friday, d::monday, d::wednesday}) == "Monday, Wednesday, and Friday");
  CHECK(say_days({d::monday, d::tuesday, d::wednesday, d::friday}) == "Monday to Wednesday and Friday");
  CHECK(say_days({}) == "");
}

TEST_CASE("weekday names parse in any case and as three-letter abbreviations") {
  CHECK(parse_weekday("saturday") == weekday::saturday);
  CHECK(parse_weekday("Monday") == weekday::monday);
  CHECK(parse_weekday("wed") == weekday::wednesday);
  CHECK_FALSE(parse_weekday("someday"));
  CHECK_FALSE(parse_weekday(""));
  CHECK(next_weekday(weekday::sunday) == weekday::monday);
}

TEST_CASE("prices are spoken like a person reads a price tag") {
  CHECK(say_price("$49.95") == "forty-nine ninety-five");
  CHECK(say_price("from $189") == "from one hundred eighty-nine dollars");
  CHECK(say_price("$25") == "twenty-five dollars");
  CHECK(say_price("$1") == "one dollar");
  CHECK(say_price("$149.50") == "one hundred forty-nine dollars and fifty cents");
  CHECK(say_price("$1,299") == "one thousand two hundred ninety-nine dollars");
  CHECK(say_price("$0.99") == "ninety-nine cents");
  CHECK(say_price("free") == "free");
  CHECK(say_price("from forty nine dollars") == "from forty nine dollars");
  CHECK(say_price("$") == "$");
}

TEST_CASE("durations are rounded into natural phrases") {
  CHECK(say_duration(30) == "thirty minutes");
  CHECK(say_duration(45) == "forty-five minutes");
  CHECK(say_duration(1) == "one minute");
  CHECK(say_duration(60) == "an hour");
  CHECK(say_duration(90) == "an hour and a half");
  CHECK(say_duration(120) == "two hours");
  CHECK(say_duration(150) == "two and a half hours");
  CHECK(say_duration(75) == "an hour and fifteen minutes");
  CHECK(say_duration(0) == "");
}

TEST_CASE("phone numbers are read digit by digit in groups") {
  CHECK(say_phone_number("+1 (217) 555-0100") == "two one seven, five five five, zero one zero zero");
  CHECK(say_phone_number("555-0100") == "five five five, zero one zero zero");
  CHECK(say_phone_number("no digits") == "");
}

TEST_CASE("addresses say house numbers, street types and states naturally") {
  CHECK(say_address("1200 Main Street, Springfield") == "twelve hundred Main Street, Springfield");
  CHECK(say_address("1234 Oak Ave., Springfield, IL 62701") ==
        "twelve thirty-four Oak Avenue, Springfield, Illinois six two seven zero one");
  CHECK(say_address("205 Elm St") == "two oh five Elm Street");
  CHECK(say_address("2000 Route 66") == "two thousand Route sixty-six");
  CHECK(say_address("") == "");
}

TEST_CASE("lists read with commas and a final conjunction") {
  CHECK(say_list({"a"}) == "a");
  CHECK(say_list({"a", "b"}) == "a and b");
  CHECK(say_list({"a", "b", "c"}) == "a, b, and c");
  CHECK(say_list({"a", "b"}, "or") == "a or b");
  CHECK(capitalize_first("an oil change") == "An oil change");
}
