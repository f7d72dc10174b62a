// Text as a caller would say it: lowercase words separated by single spaces, numbers
// written out, punctuation dropped. The language model, the corpus and the word error
// rate all compare text in this form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ce::stt {

/// English words for 0 <= n < 1'000'000 ("one hundred twenty three"; "zero" for 0).
std::string spoken_number(int n);

/// A calendar year the way people say it: 2019 -> "twenty nineteen", 2005 -> "two thousand
/// five", 1998 -> "nineteen ninety eight". `alternative` selects the other common form
/// where one exists (2019 -> "two thousand nineteen", 2005 -> "oh five" is not used).
std::string spoken_year(int year, bool alternative = false);

/// 1 -> "first", 22 -> "twenty second" (1..31).
std::string spoken_ordinal(int n);

/// Lowercases, turns "&" into "and", digit runs into words (a run of 5 or more digits, like
/// a phone number, is read digit by digit), drops punctuation except apostrophes and the
/// dots inside "a.m."/"p.m.", and collapses whitespace.
std::string normalize_spoken(std::string_view text);

/// Splits normalized text on spaces.
std::vector<std::string> split_words(std::string_view text);

} // namespace ce::stt
