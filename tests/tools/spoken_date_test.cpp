// Dates of birth as callers say them (pure: no servers needed).
#include "tools/spoken_date.hpp"

#include <catch2/catch.hpp>

using ce::tools::parse_spoken_date;

TEST_CASE("dates of birth are read in ISO, US numeric and spoken forms") {
  struct said {
    const char* text;
    const char* date;
  };
  for (const auto& s : {said{"1985-03-04", "1985-03-04"},
                        said{" 03/04/1985 ", "1985-03-04"},
                        said{"3/4/1985", "1985-03-04"},
                        said{"03-04-1985", "1985-03-04"},
                        said{"3.4.1985", "1985-03-04"},
                        said{"March 4, 1985", "1985-03-04"},
                        said{"march 4th 1985", "1985-03-04"},
                        said{"Mar. 4 1985", "1985-03-04"},
                        said{"march fourth nineteen eighty five", "1985-03-04"},
                        said{"March fourth, nineteen eighty-five", "1985-03-04"},
                        said{"the fourth of march nineteen eighty five", "1985-03-04"},
                        said{"4 March 1985", "1985-03-04"},
                        said{"march four nineteen eighty five", "1985-03-04"},
                        said{"december twenty first nineteen ninety", "1990-12-21"},
                        said{"december twenty one nineteen ninety", "1990-12-21"},
                        said{"july thirtieth two thousand", "2000-07-30"},
                        said{"june 1st two thousand and one", "2001-06-01"},
                        said{"january ninth twenty ten", "2010-01-09"},
                        said{"sept 12 nineteen oh five", "1905-09-12"},
                        said{"february twenty ninth two thousand four", "2004-02-29"},
                        said{"the 17th of May, 1980", "1980-05-17"}}) {
    INFO(s.text);
    auto d = parse_spoken_date(s.text);
    REQUIRE(d.has_value());
    CHECK(*d == s.date);
  }
}

TEST_CASE("text that is not one calendar date of birth is not read as one") {
  for (const char* text : {"", "sometime in may", "03/04/85", "1985-02-30", "february twenty ninth nineteen ninety",
                           "march", "march fourth", "13/01/1985", "march april 1985", "1985", "march 4 1985 or so",
                           "thirty second of march 1985", "march fourth eighteen eighty five"}) {
    INFO(text);
    CHECK_FALSE(parse_spoken_date(text).has_value());
  }
}
