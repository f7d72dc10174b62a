#include "dialog/number_words.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ce::dialog {

namespace {

constexpr std::array<std::string_view, 20> small_words = {
  "zero",    "one",     "two",     "three",     "four",     "five",    "six",
  "seven",   "eight",   "nine",    "ten",       "eleven",   "twelve",  "thirteen",
  "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};

constexpr std::array<std::string_view, 8> tens_words = {"twenty", "thirty",  "forty",  "fifty",
                                                        "sixty",  "seventy", "eighty", "ninety"};

struct ordinal_word {
  std::string_view word;
  int value;
};

constexpr std::array<ordinal_word, 23> ordinal_words = {{
  {"first", 1},       {"second", 2},      {"third", 3},       {"fourth", 4},       {"forth", 4},
  {"fifth", 5},       {"sixth", 6},       {"seventh", 7},     {"eighth", 8},       {"ninth", 9},
  {"tenth", 10},      {"eleventh", 11},   {"twelfth", 12},    {"thirteenth", 13},  {"fourteenth", 14},
  {"fifteenth", 15},  {"sixteenth", 16},  {"seventeenth", 17}, {"eighteenth", 18}, {"nineteenth", 19},
  {"twentieth", 20},  {"thirtieth", 30},  {"fortieth", 40}}};

std::optional<int> small_value(std::string_view w) {
  for (std::size_t i = 0; i < small_words.size(); ++i)
    if (w == small_words[i]) return static_cast<int>(i);
  return std::nullopt;
}

std::optional<int> tens_value(std::string_view w) {
  for (std::size_t i = 0; i < tens_words.size(); ++i)
    if (w == tens_words[i]) return static_cast<int>(i + 2) * 10;
  if (w == "fourty") return 40;
  return std::nullopt;
}

std::optional<int> ordinal_value(std::string_view w) {
  for (const auto& o : ordinal_words)
    if (w == o.word) return o.value;
  return std::nullopt;
}

const std::string* word_at(const word_list& words, std::size_t i) {
  return i < words.size() ? &words[i] : nullptr;
}

/// 0..99: "seven", "seventeen", "seventy", "seventy seven".
std::optional<number_match> below_hundred(const word_list& words, std::size_t at) {
  auto w = word_at(words, at);
  if (w == nullptr) return std::nullopt;
  if (auto small = small_value(*w)) return number_match{*small, 1};
  auto tens = tens_value(*w);
  if (!tens) return std::nullopt;
  if (auto next = word_at(words, at + 1)) {
    auto unit = small_value(*next);
    if (unit && *unit >= 1 && *unit <= 9) return number_match{*tens + *unit, 2};
  }
  return number_match{*tens, 1};
}

bool is_word(const word_list& words, std::size_t i, std::string_view w) {
  return i < words.size() && words[i] == w;
}

/// 0..9999 written with "hundred": "three hundred and five", "fifteen hundred", "a hundred".
std::optional<number_match> below_thousands(const word_list& words, std::size_t at) {
  std::optional<number_match> lead;
  if (is_word(words, at, "a") && is_word(words, at + 1, "hundred")) lead = number_match{1, 1};
  else lead = below_hundred(words, at);
  if (!lead) return std::nullopt;
  std::size_t i = at + lead->words;
  if (!is_word(words, i, "hundred") || lead->value == 0) return lead;
  number_match out{lead->value * 100, lead->words + 1};
  i = at + out.words;
  std::size_t skip = is_word(words, i, "and") ? 1 : 0;
  if (auto rest = below_hundred(words, i + skip); rest && rest->value > 0) {
    out.value += rest->value;
    out.words += skip + rest->words;
  }
  return out;
}

} // namespace

std::optional<int> digit_word(std::string_view w) {
  auto v = small_value(w);
  if (v && *v <= 9) return v;
  return std::nullopt;
}

std::optional<number_match> read_cardinal(const word_list& words, std::size_t at) {
  auto lead = below_thousands(words, at);
  if (!lead) return std::nullopt;
  std::size_t i = at + lead->words;
  if (!is_word(words, i, "thousand") || lead->value == 0 || lead->value > 999) return lead;
  number_match out{lead->value * 1000, lead->words + 1};
  i = at + out.words;
  std::size_t skip = is_word(words, i, "and") ? 1 : 0;
  if (auto rest = below_thousands(words, i + skip); rest && rest->value > 0 && rest->value < 1000) {
    out.value += rest->value;
    out.words += skip + rest->words;
  }
  return out;
}

std::optional<number_match> read_ordinal(const word_list& words, std::size_t at) {
  auto w = word_at(words, at);
  if (w == nullptr) return std::nullopt;
  if (auto v = ordinal_value(*w)) return number_match{*v, 1};
  if (auto tens = tens_value(*w)) {
    auto next = word_at(words, at + 1);
    auto unit = next != nullptr ? ordinal_value(*next) : std::nullopt;
    if (unit && *unit <= 9) return number_match{*tens + *unit, 2};
    return std::nullopt;
  }
  // "24th", "1st", "2nd", "3rd"
  std::size_t digits = 0;
  while (digits < w->size() && std::isdigit(static_cast<unsigned char>((*w)[digits])) != 0) ++digits;
  if (digits == 0 || digits > 2 || w->size() != digits + 2) return std::nullopt;
  auto suffix = std::string_view(*w).substr(digits);
  if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") return std::nullopt;
  int value = std::stoi(w->substr(0, digits));
  if (value < 1) return std::nullopt;
  return number_match{value, 1};
}

std::optional<number_match> read_year(const word_list& words, std::size_t at) {
  if (auto whole = read_cardinal(words, at); whole && whole->words >= 2 && whole->value >= 1900 && whole->value <= 2099)
    return whole;
  auto w = word_at(words, at);
  if (w == nullptr || (*w != "nineteen" && *w != "twenty")) return std::nullopt;
  int century = *w == "nineteen" ? 1900 : 2000;
  if (auto oh = word_at(words, at + 1); oh != nullptr && (*oh == "oh" || *oh == "o" || *oh == "zero")) {
    auto unit = word_at(words, at + 2) != nullptr ? digit_word(words[at + 2]) : std::nullopt;
    if (unit && *unit >= 1) return number_match{century + *unit, 3};
    return std::nullopt;
  }
  auto rest = below_hundred(words, at + 1);
  if (!rest || rest->value < 10) return std::nullopt;
  return number_match{century + rest->value, 1 + rest->words};
}

digit_run read_digits(const word_list& words, std::size_t at) {
  digit_run run;
  std::size_t i = at;
  while (i < words.size()) {
    const auto& w = words[i];
    if (auto d = digit_word(w)) {
      run.digits += static_cast<char>('0' + *d);
      ++i;
    } else if ((w == "oh" || w == "o") && !run.digits.empty()) {
      run.digits += '0';
      ++i;
    } else if (w == "double" && i + 1 < words.size() && digit_word(words[i + 1])) {
      run.digits.append(2, static_cast<char>('0' + *digit_word(words[i + 1])));
      i += 2;
    } else if (auto small = small_value(w)) {  // ten .. nineteen
      run.digits += std::to_string(*small);
      ++i;
    } else if (tens_value(w)) {
      auto two = below_hundred(words, i);
      run.digits += std::to_string(two->value);
      i += two->words;
    } else if (w == "hundred" && !run.digits.empty()) {
      run.digits += "00";
      ++i;
    } else if (w == "thousand" && !run.digits.empty()) {
      run.digits += "000";
      ++i;
    } else if (std::all_of(w.begin(), w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }) &&
               !w.empty()) {
      run.digits += w;
      ++i;
    } else {
      break;
    }
  }
  run.words = i - at;
  return run;
}

std::string collect_digits(const word_list& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size();) {
    auto run = read_digits(words, i);
    if (run.words == 0) {
      ++i;
      continue;
    }
    out += run.digits;
    i += run.words;
  }
  return out;
}

} // namespace ce::dialog
