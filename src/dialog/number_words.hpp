// number_words: reading numbers the way the recogniser writes them, as lowercase words:
// cardinals ("one hundred fifty"), years ("twenty nineteen", "two thousand nine"),
// ordinals ("twenty fourth", "24th") and digit strings ("six two seven oh four").
// Every reader starts at a word index and reports how many words it used; none throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog {

using word_list = std::vector<std::string>;

struct number_match {
  long long value = 0;
  std::size_t words = 0;  ///< words consumed, >= 1
};

/// "zero" -> 0 .. "nine" -> 9 ("oh" is only a digit inside a digit string).
std::optional<int> digit_word(std::string_view w);

/// 0..999999 spelled out: "seven", "twenty one", "fifteen hundred", "two thousand and nine".
std::optional<number_match> read_cardinal(const word_list& words, std::size_t at);

/// 1..39 as an ordinal: "first", "twenty fourth", "thirtieth", "24th".
std::optional<number_match> read_ordinal(const word_list& words, std::size_t at);

/// 1900..2099: "nineteen eighty five", "twenty oh nine", "twenty twenty six",
/// "two thousand nineteen".
std::optional<number_match> read_year(const word_list& words, std::size_t at);

struct digit_run {
  std::string digits;
  std::size_t words = 0;
};

/// Digits read one group at a time from `at`: "six two seven oh four" -> "62704",
/// "sixty two" -> "62", "double five" -> "55". Empty when words[at] is not a number.
digit_run read_digits(const word_list& words, std::size_t at);

/// Every digit run of the utterance, concatenated ("my zip is six two seven zero four").
std::string collect_digits(const word_list& words);

} // namespace ce::dialog
