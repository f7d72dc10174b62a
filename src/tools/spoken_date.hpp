// Dates as callers say them (and as a speech recogniser or an LLM writes them down), for
// dates of birth: "1985-03-04", "03/04/1985" (US order, also with - or .), "March 4, 1985",
// "march fourth nineteen eighty five", "the fourth of March 1985", "4 Mar 1985",
// "june 1st two thousand and one", "nineteen oh five". Pure: no clock, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ce::tools {

/// "YYYY-MM-DD" for a real calendar date between 1900 and 2200 said in one of the forms
/// above; nullopt for anything else (including a day the month does not have).
std::optional<std::string> parse_spoken_date(std::string_view text);

} // namespace ce::tools
