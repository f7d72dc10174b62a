// The pieces the booking flow is built from: spoken numbers, caller details (names,
// vehicles, identity answers), the agent's date/slot/code wording, which slots to offer
// and which one was picked, and reading tool results defensively.
#include "dialog/caller_details.hpp"
#include "dialog/number_words.hpp"
#include "dialog/slot_picking.hpp"
#include "dialog/slot_speech.hpp"
#include "dialog/text_match.hpp"
#include "dialog/tool_results.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog;

namespace {

word_list w(std::string_view s) {
  return normalize_words(s);
}

local_time at(int day, int hour, int minute = 0) {
  return {{2026, 11, day}, hour * 60 + minute};
}

} // namespace

TEST_CASE("spoken numbers, years, ordinals and digit strings are read") {
  CHECK(read_cardinal(w("seven"), 0)->value == 7);
  CHECK(read_cardinal(w("twenty one"), 0)->value == 21);
  CHECK(read_cardinal(w("one hundred fifty"), 0)->value == 150);
  CHECK(read_cardinal(w("fifteen hundred"), 0)->value == 1500);
  CHECK(read_cardinal(w("two thousand and nine"), 0)->value == 2009);
  CHECK_FALSE(read_cardinal(w("tuesday"), 0));
  CHECK(read_year(w("twenty nineteen"), 0)->value == 2019);
  CHECK(read_year(w("nineteen eighty five"), 0)->value == 1985);
  CHECK(read_year(w("twenty oh nine"), 0)->value == 2009);
  CHECK(read_year(w("two thousand eighteen"), 0)->value == 2018);
  CHECK(read_year(w("2019"), 0)->value == 2019);
  CHECK_FALSE(read_year(w("twenty one"), 0));
  CHECK(read_ordinal(w("twenty fourth"), 0)->value == 24);
  CHECK(read_ordinal(w("thirtieth"), 0)->value == 30);
  CHECK(read_ordinal(w("3rd"), 0)->value == 3);
  CHECK(collect_digits(w("my zip is six two seven oh four")) == "62704");
  CHECK(collect_digits(w("sixty two seven zero four")) == "62704");
  CHECK(collect_digits(w("double five one two three")) == "55123");
}

TEST_CASE("names are read without lead-ins and refused when they are not names") {
  auto john = parse_person_name(w("my name is john smith"));
  REQUIRE(john);
  CHECK(john->first == "John");
  CHECK(john->last == "Smith");
  CHECK(parse_person_name(w("john"))->last.empty());
  CHECK_FALSE(parse_person_name(w("i want an oil change")));
  CHECK_FALSE(parse_person_name(w("yes")));
  CHECK_FALSE(parse_person_name(w("six two seven")));
  CHECK(parse_last_name(w("it's smith"))== "Smith");
}

TEST_CASE("vehicles are read from year, make and model or a VIN") {
  auto civic = parse_vehicle(w("a twenty nineteen honda civic"));
  CHECK(civic.year == 2019);
  CHECK(civic.make == "Honda");
  CHECK(civic.model == "Civic");
  CHECK(civic.complete());
  auto f150 = parse_vehicle(w("my 2015 ford f one fifty"));
  CHECK(f150.model == "F-150");
  CHECK(f150.year == 2015);
  auto chevy = parse_vehicle(w("twenty twenty chevy silverado"));
  CHECK(chevy.make == "Chevrolet");
  CHECK(chevy.model == "Silverado");
  auto unlisted = parse_vehicle(w("two thousand twelve honda element"));
  CHECK(unlisted.model == "Element");
  CHECK_FALSE(parse_vehicle(w("honda")).complete());
  CHECK(parse_vehicle(w("vin one h g c m eight two six three three a zero zero four three five two")).vin ==
        "1HGCM82633A004352");
  CHECK(parse_vehicle(w("what are your hours")).empty());
}

TEST_CASE("identity answers become the verify_customer method and value") {
  auto zip = parse_identity(w("it's six two seven zero four"));
  REQUIRE(zip.answer);
  CHECK(zip.answer->method == "zip");
  CHECK(zip.answer->value == "62704");
  auto dob = parse_identity(w("march fifth nineteen eighty five"));
  CHECK(dob.answer->method == "date_of_birth");
  CHECK(dob.answer->value == "1985-03-05");
  auto vin = parse_identity(w("the last six of my vin are a one two three four five"));
  CHECK(vin.answer->method == "vin_last6");
  CHECK(vin.answer->value == "A12345");
  CHECK(parse_identity(w("six two seven")).partial_zip);
  CHECK_FALSE(parse_identity(w("hello")).answer);
}

TEST_CASE("a caller's vehicle is matched by model, make or year") {
  std::vector<vehicle_record> cars{{12, 2019, "Honda", "Civic", ""}, {13, 2021, "Toyota", "RAV4", ""},
                                   {14, 2016, "Honda", "CR-V", ""}};
  CHECK(match_vehicle(cars, w("the civic")) == 0u);
  CHECK(match_vehicle(cars, w("the toyota")) == 1u);
  CHECK(match_vehicle(cars, w("the c r v")) == 2u);
  CHECK(match_vehicle(cars, w("twenty sixteen")) == 2u);
  CHECK_FALSE(match_vehicle(cars, w("the honda")));  // two Hondas
  CHECK_FALSE(match_vehicle(cars, w("yes")));
}

TEST_CASE("dates, slots, codes and vehicles are worded for the phone") {
  CHECK(say_ordinal(1) == "first");
  CHECK(say_ordinal(24) == "twenty-fourth");
  CHECK(say_ordinal(30) == "thirtieth");
  CHECK(say_date({2026, 11, 24}) == "Tuesday, November twenty-fourth");
  CHECK(say_when(at(24, 9)) == "Tuesday, November twenty-fourth at nine a.m.");
  CHECK(say_when(at(24, 12)) == "Tuesday, November twenty-fourth at noon");
  CHECK(say_offer({at(24, 9), at(24, 10, 30)}) == "Tuesday, November twenty-fourth at nine a.m., or ten thirty a.m.");
  CHECK(say_offer({at(24, 9), at(25, 14)}) ==
        "Tuesday, November twenty-fourth at nine a.m., or Wednesday, November twenty-fifth at two p.m.");
  CHECK(say_code("B7K2M9") == "B, 7, K, 2, M, 9");
  CHECK(say_code("b7k-2m9") == "B, 7, K, 2, M, 9");
  CHECK(say_vehicle({12, 2019, "Honda", "Civic", ""}) == "2019 Honda Civic");
  CHECK(say_vehicle({12, 0, "", "", ""}) == "vehicle");
}

TEST_CASE("offers are two or three times, spread out, or the exact time asked for") {
  std::vector<local_time> free{at(24, 9), at(24, 9, 30), at(24, 10), at(24, 10, 30), at(24, 13), at(25, 8)};
  CHECK(choose_offer(free, {}).slots == std::vector<local_time>{at(24, 9), at(24, 10, 30), at(24, 13)});
  CHECK(choose_offer({at(24, 9), at(24, 9, 30), at(25, 8)}, {}).slots == std::vector<local_time>{at(24, 9), at(25, 8)});
  when_wish ten;
  ten.minutes = 600;
  auto exact = choose_offer(free, ten);
  CHECK(exact.exact);
  CHECK(exact.slots == std::vector<local_time>{at(24, 10)});
  when_wish eleven;
  eleven.minutes = 660;
  auto near = choose_offer(free, eleven);
  CHECK_FALSE(near.exact);
  CHECK(near.slots == std::vector<local_time>{at(24, 9, 30), at(24, 10), at(24, 10, 30)});
  CHECK(choose_offer({}, {}).slots.empty());
  CHECK(later_than(free, {at(24, 9), at(24, 10, 30)}) == std::vector<local_time>{at(24, 13), at(25, 8)});
  CHECK(earlier_than(free, {at(24, 10, 30)}) == std::vector<local_time>{at(24, 9, 30), at(24, 10)});
}

TEST_CASE("the caller's pick among offered slots is found by position, time or day") {
  std::vector<local_time> offered{at(24, 9), at(24, 10, 30)};
  CHECK(ordinal_choice(w("the first one"), 2) == 0u);
  CHECK(ordinal_choice(w("second"), 2) == 1u);
  CHECK(ordinal_choice(w("the last one"), 2) == 1u);
  CHECK_FALSE(ordinal_choice(w("the third one"), 2));
  CHECK_FALSE(ordinal_choice(w("the first of december"), 2));
  CHECK_FALSE(ordinal_choice(w("twenty first"), 2));
  when_wish two_thirty;
  two_thirty.minutes = 14 * 60 + 30;
  CHECK_FALSE(picked_slot(two_thirty, offered, offered));
  when_wish ten_thirty;
  ten_thirty.minutes = 630;
  CHECK(picked_slot(ten_thirty, offered, offered) == at(24, 10, 30));
  when_wish tuesday;
  tuesday.from = tuesday.to = civil_date{2026, 11, 24};
  CHECK_FALSE(picked_slot(tuesday, offered, offered));  // two slots that day
  CHECK(picked_slot(tuesday, {at(24, 9), at(25, 9)}, {}) == at(24, 9));
}

TEST_CASE("tool results are read defensively") {
  auto bad = read_tool_result("not json");
  CHECK_FALSE(bad.ok);
  CHECK(bad.error == "malformed");
  CHECK(read_tool_result(R"({"ok":false})").error == "malformed");
  auto err = read_tool_result(R"({"ok":false,"error":"forbidden","verification_required":true,"message":"Verify."})");
  CHECK(err.error == "forbidden");
  CHECK(err.verification_required);
  auto slots = read_tool_result(
    R"({"ok":true,"slots":[{"start":"2026-11-24 10:00"},{"start":"garbage"},{"start":"2026-11-24 09:00"},{"start":"2026-11-24 09:00"}]})");
  CHECK(slots.slots == std::vector<local_time>{at(24, 9), at(24, 10)});
  auto vehicles = read_tool_result(
    R"({"ok":true,"vehicles":[{"id":"12","year":2019,"make":"Honda","model":"Civic"},{"year":2020},{"id":-1.5}]})");
  REQUIRE(vehicles.vehicles.size() == 1);
  CHECK(vehicles.vehicles[0].id == 12);
  auto appt = read_tool_result(
    R"({"ok":true,"appointment":{"id":41,"confirmation_code":"B7K2M9","service_type":"oil_change","start":"2026-11-24 09:00"}})");
  REQUIRE(appt.appointment);
  CHECK(appt.appointment->confirmation_code == "B7K2M9");
  CHECK(appt.appointment->start == at(24, 9));
}
