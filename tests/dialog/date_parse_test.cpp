// Dates and times as callers say them, resolved against "today" (Monday 2026-11-23).
#include "dialog/date_parse.hpp"

#include "dialog/text_match.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog;

namespace {

constexpr civil_date today{2026, 11, 23};  // a Monday

when_wish when(std::string_view said, when_options options = {}) {
  return parse_when(normalize_words(said), today, options);
}

std::optional<civil_date> day_of(std::string_view said) {
  return when(said).from;
}

std::optional<int> clock(std::string_view said, bool bare = true) {
  return parse_clock_words(normalize_words(said), bare);
}

} // namespace

TEST_CASE("civil dates know their weekday and add across months and years") {
  CHECK(weekday_of(today) == weekday::monday);
  CHECK(weekday_of({2026, 11, 24}) == weekday::tuesday);
  CHECK(weekday_of({2024, 2, 29}) == weekday::thursday);
  CHECK(add_days({2026, 11, 30}, 1) == civil_date{2026, 12, 1});
  CHECK(add_days({2026, 12, 31}, 1) == civil_date{2027, 1, 1});
  CHECK(add_days({2024, 3, 1}, -1) == civil_date{2024, 2, 29});
  CHECK(from_day_number(to_day_number({1999, 7, 4})) == civil_date{1999, 7, 4});
}

TEST_CASE("dates and times in the tools' format are read and written exactly") {
  CHECK(parse_iso_date("2026-11-24") == civil_date{2026, 11, 24});
  for (auto bad : {"", "2026-11-31", "2026-13-01", "26-11-24", "2026/11/24", "2026-11-24x", "tomorrow"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso_date(bad));
  }
  CHECK(iso_date({2026, 1, 5}) == "2026-01-05");
  auto t = parse_local_time("2026-11-24 09:30");
  REQUIRE(t);
  CHECK(t->date == civil_date{2026, 11, 24});
  CHECK(t->minutes == 570);
  CHECK(parse_local_time("2026-11-24T14:00")->minutes == 840);
  CHECK_FALSE(parse_local_time("2026-11-24 25:00"));
  CHECK(iso_local_time({{2026, 11, 24}, 540}) == "2026-11-24 09:00");
}

TEST_CASE("weekdays mean the next one to come") {
  CHECK(day_of("tuesday") == civil_date{2026, 11, 24});
  CHECK(day_of("next tuesday") == civil_date{2026, 11, 24});
  CHECK(day_of("on friday") == civil_date{2026, 11, 27});
  CHECK(day_of("monday") == civil_date{2026, 11, 30});  // today is Monday: the next one
  CHECK(day_of("this monday") == today);
  CHECK(day_of("tuesdays") == civil_date{2026, 11, 24});
  CHECK(day_of("tuesday next week") == civil_date{2026, 12, 1});
  CHECK(day_of("next week thursday") == civil_date{2026, 12, 3});
  CHECK(when("saturday").to == civil_date{2026, 11, 28});
}

TEST_CASE("relative days and ranges are resolved") {
  CHECK(day_of("today") == today);
  CHECK(day_of("tomorrow") == civil_date{2026, 11, 24});
  CHECK(day_of("the day after tomorrow") == civil_date{2026, 11, 25});
  auto next_week = when("sometime next week");
  CHECK(next_week.from == civil_date{2026, 11, 30});
  CHECK(next_week.to == civil_date{2026, 12, 6});
  auto this_week = when("anytime this week");
  CHECK(this_week.from == today);
  CHECK(this_week.to == civil_date{2026, 11, 29});
  CHECK(when("this weekend").from == civil_date{2026, 11, 28});
}

TEST_CASE("days of the month and month names are resolved to the next such date") {
  CHECK(day_of("monday the thirtieth") == civil_date{2026, 11, 30});
  CHECK(day_of("the thirtieth") == civil_date{2026, 11, 30});
  CHECK(day_of("november twenty fourth") == civil_date{2026, 11, 24});
  CHECK(day_of("november the twenty fourth") == civil_date{2026, 11, 24});
  CHECK(day_of("the twenty fourth of november") == civil_date{2026, 11, 24});
  CHECK(day_of("november twenty four") == civil_date{2026, 11, 24});
  CHECK(day_of("november 24th") == civil_date{2026, 11, 24});
  CHECK(day_of("december first") == civil_date{2026, 12, 1});
  CHECK(day_of("the first of december") == civil_date{2026, 12, 1});
  CHECK(day_of("january fifth") == civil_date{2027, 1, 5});
  CHECK(day_of("november twentieth") == civil_date{2027, 11, 20});  // already past this year
  CHECK(day_of("the fifth") == civil_date{2026, 12, 5});
  CHECK(day_of("november twenty fourth twenty twenty seven") == civil_date{2027, 11, 24});
  CHECK_FALSE(day_of("february thirtieth"));
}

TEST_CASE("clock times are read as the shop's hours") {
  CHECK(clock("nine") == 540);
  CHECK(clock("at nine", false) == 540);
  CHECK_FALSE(clock("nine", false));
  CHECK(clock("nine a m", false) == 540);
  CHECK(clock("nine am") == 540);
  CHECK(clock("two p m", false) == 840);
  CHECK(clock("two") == 840);  // one to six without a.m./p.m. is the afternoon
  CHECK(clock("ten thirty") == 630);
  CHECK(clock("nine oh five") == 545);
  CHECK(clock("twelve fifteen") == 735);
  CHECK(clock("noon") == 720);
  CHECK(clock("half past nine") == 570);
  CHECK(clock("quarter to ten") == 585);
  CHECK(clock("quarter after two") == 855);
  CHECK(clock("eight in the morning") == 480);
  CHECK(clock("four o'clock") == 960);
  CHECK(clock("the ten thirty one") == 630);
}

TEST_CASE("numbers that are not clock times are left alone") {
  CHECK_FALSE(clock("the first one"));
  CHECK_FALSE(clock("that one"));
  CHECK_FALSE(clock("in two weeks"));
  CHECK_FALSE(clock("twenty one"));
  CHECK_FALSE(when("november twenty fourth").minutes);
}

TEST_CASE("a day and a time together, with parts of the day") {
  auto w = when("tuesday at ten a m");
  CHECK(w.from == civil_date{2026, 11, 24});
  CHECK(w.minutes == 600);
  auto afternoon = when("thursday afternoon");
  CHECK(afternoon.from == civil_date{2026, 11, 26});
  CHECK(afternoon.part == day_part::afternoon);
  CHECK(when("tomorrow morning").part == day_part::morning);
  CHECK(when("after lunch").part == day_part::afternoon);
  auto both = when("the twenty fourth at nine");
  CHECK(both.from == civil_date{2026, 11, 24});
  CHECK(both.minutes == 540);
}

TEST_CASE("preferences without a date are recognised") {
  CHECK(when("as soon as possible").soonest);
  CHECK(when("whatever's the first available").soonest);
  CHECK(when("no another day").another_day);
  CHECK(when("do you have a different day").another_day);
  CHECK(when("anything later").later);
  CHECK(when("something earlier").earlier);
  CHECK(when("yes").empty());
  CHECK(when("the second one", {true, false}).empty());
}

TEST_CASE("recogniser noise around a date does not hide it") {
  auto w = when("uh tuesday at uh nine");
  CHECK(w.from == civil_date{2026, 11, 24});
  CHECK(w.minutes == 540);
  CHECK(day_of("um how about wednesday please") == civil_date{2026, 11, 25});
}

TEST_CASE("without today's date relative days need one, full dates do not") {
  auto w = parse_when(normalize_words("tuesday at nine"), std::nullopt);
  CHECK(w.needs_date);
  CHECK(w.day_name == weekday::tuesday);
  CHECK_FALSE(w.from);
  CHECK(w.minutes == 540);
  CHECK(parse_when(normalize_words("tomorrow"), std::nullopt).needs_date);
  auto full = parse_when(normalize_words("november twenty fourth twenty twenty six"), std::nullopt);
  CHECK(full.from == civil_date{2026, 11, 24});
  CHECK_FALSE(full.needs_date);
}

TEST_CASE("dates of birth are read with a year") {
  auto dob = [](std::string_view s) { return parse_birth_date(normalize_words(s)); };
  CHECK(dob("march fifth nineteen eighty five") == civil_date{1985, 3, 5});
  CHECK(dob("it's the fifth of march nineteen eighty five") == civil_date{1985, 3, 5});
  CHECK(dob("march five eighty five") == civil_date{1985, 3, 5});
  CHECK(dob("three five nineteen eighty five") == civil_date{1985, 3, 5});
  CHECK(dob("july fourth two thousand one") == civil_date{2001, 7, 4});
  CHECK_FALSE(dob("march fifth"));
  CHECK_FALSE(dob("six two seven zero four"));
}

TEST_CASE("an ordinal right before a.m. or p.m. is a misheard hour, not a day of the month") {
  auto w = when("the eighth a.m. one");
  CHECK_FALSE(w.from);
  CHECK(w.minutes == 8 * 60);
  CHECK(when("the second p.m. one").minutes == 14 * 60);
  CHECK(when("the eighth at nine").from == civil_date{2026, 12, 8});
}
