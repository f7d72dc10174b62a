#include "providers/pocketsphinx/spoken_text.hpp"

#include <array>
#include <cctype>
#include <map>

namespace ce::stt {
namespace {

constexpr std::array<std::string_view, 20> small_numbers = {
  "zero",    "one",     "two",       "three",    "four",     "five",    "six",
  "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
  "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};

constexpr std::array<std::string_view, 10> tens_words = {
  "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

constexpr std::array<std::string_view, 20> ordinal_words = {
  "zeroth",     "first",      "second",      "third",     "fourth",
  "fifth",      "sixth",      "seventh",     "eighth",    "ninth",
  "tenth",      "eleventh",   "twelfth",     "thirteenth", "fourteenth",
  "fifteenth",  "sixteenth",  "seventeenth", "eighteenth", "nineteenth"};

void append_word(std::string& out, std::string_view word) {
  if (word.empty()) return;
  if (!out.empty()) out += ' ';
  out += word;
}

std::string below_thousand(int n) {
  std::string out;
  if (n >= 100) {
    append_word(out, small_numbers[static_cast<std::size_t>(n / 100)]);
    append_word(out, "hundred");
    n %= 100;
    if (n == 0) return out;
  }
  if (n < 20) {
    append_word(out, small_numbers[static_cast<std::size_t>(n)]);
  } else {
    append_word(out, tens_words[static_cast<std::size_t>(n / 10)]);
    if (n % 10 != 0) append_word(out, small_numbers[static_cast<std::size_t>(n % 10)]);
  }
  return out;
}

/// "12" -> "twelve", "05" -> "oh five", "00" -> "hundred" (as in "nineteen hundred").
std::string digit_pair(int n) {
  if (n == 0) return "hundred";
  if (n < 10) return "oh " + std::string(small_numbers[static_cast<std::size_t>(n)]);
  return below_thousand(n);
}

std::string read_digit_run(std::string_view digits, bool digit_by_digit) {
  std::string out;
  if (digit_by_digit || digits.size() >= 5 || (digits.size() > 1 && digits.front() == '0')) {
    for (char c : digits) append_word(out, small_numbers[static_cast<std::size_t>(c - '0')]);
    return out;
  }
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  if (digits.size() == 4 && value % 1000 != 0 && (value / 100) % 10 != 0) {
    // House numbers and years are read in pairs: 1234 -> "twelve thirty four".
    append_word(out, below_thousand(value / 100));
    append_word(out, digit_pair(value % 100));
    return out;
  }
  return spoken_number(value);
}

const std::map<std::string, std::string, std::less<>>& abbreviations() {
  static const std::map<std::string, std::string, std::less<>> table = {
    {"st", "street"}, {"ave", "avenue"}, {"rd", "road"},     {"blvd", "boulevard"},
    {"dr", "drive"},  {"hwy", "highway"}, {"ln", "lane"},    {"ct", "court"},
    {"pkwy", "parkway"}, {"ste", "suite"}, {"mr", "mister"}, {"mrs", "missus"},
    {"a/c", "air conditioning"}};
  return table;
}

const std::map<std::string, std::string, std::less<>>& directions() {
  static const std::map<std::string, std::string, std::less<>> table = {
    {"n", "north"}, {"s", "south"}, {"e", "east"}, {"w", "west"},
    {"ne", "northeast"}, {"nw", "northwest"}, {"se", "southeast"}, {"sw", "southwest"}};
  return table;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '\'';
}

} // namespace

std::string spoken_number(int n) {
  if (n < 0 || n >= 1'000'000) return {};
  if (n < 1000) return below_thousand(n);
  std::string out = below_thousand(n / 1000);
  append_word(out, "thousand");
  if (n % 1000 != 0) append_word(out, below_thousand(n % 1000));
  return out;
}

std::string spoken_year(int year, bool alternative) {
  if (year >= 2000 && year < 2010) return "two thousand" + (year == 2000 ? std::string{} :
                                     " " + std::string(small_numbers[year - 2000]));
  if (year >= 2010 && year < 2100 && alternative) return spoken_number(year);
  if (year >= 1000 && year < 10000) {
    std::string out = below_thousand(year / 100);
    append_word(out, digit_pair(year % 100));
    return out;
  }
  return spoken_number(year);
}

std::string spoken_ordinal(int n) {
  if (n <= 0 || n > 99) return {};
  if (n < 20) return std::string(ordinal_words[static_cast<std::size_t>(n)]);
  if (n % 10 == 0) {
    std::string tens(tens_words[static_cast<std::size_t>(n / 10)]);
    return tens.substr(0, tens.size() - 1) + "ieth";
  }
  return std::string(tens_words[static_cast<std::size_t>(n / 10)]) + " " +
         std::string(ordinal_words[static_cast<std::size_t>(n % 10)]);
}

std::string normalize_spoken(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  bool after_number = false;  // "8 am" / "8am" -> "eight a.m."
  while (i < text.size()) {
    char c = text[i];
    if (c == '&') {
      after_number = false;
      append_word(out, "and");
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      std::size_t j = i;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) != 0) ++j;
      auto run = text.substr(i, j - i);
      if (i > 0 && text[i - 1] == ':' && run.size() == 2) {
        // Minutes of a clock time: "8:00" -> "eight", "8:05" -> "eight oh five".
        int minutes = (run[0] - '0') * 10 + (run[1] - '0');
        if (minutes != 0) append_word(out, digit_pair(minutes));
      } else {
        // Runs joined by dashes are phone numbers: "555-1234" is read digit by digit.
        auto is_digit_at = [&](std::size_t k) {
          return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k])) != 0;
        };
        bool dashed = (j < text.size() && text[j] == '-' && is_digit_at(j + 1)) ||
                      (i >= 2 && text[i - 1] == '-' && is_digit_at(i - 2));
        append_word(out, read_digit_run(run, dashed));
      }
      after_number = true;
      i = j;
    } else if (is_word_char(c) || c == '/') {
      std::size_t j = i;
      std::string word;
      while (j < text.size() && (std::isalpha(static_cast<unsigned char>(text[j])) != 0 ||
                                 text[j] == '\'' || text[j] == '/' || text[j] == '.')) {
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[j])));
        ++j;
      }
      if (j == i) {  // a lone apostrophe or slash
        ++i;
        continue;
      }
      i = j;
      // Keep "a.m."/"p.m." whole; any other dot ends the word.
      std::string key = word;
      std::erase(key, '.');
      bool dotted = word.find('.') != std::string::npos;
      if (key == "am" && (dotted || after_number)) key = "a.m.";
      if (key == "pm" && (dotted || after_number)) key = "p.m.";
      if (dotted) {  // "N. Main St." -> "north main street"
        if (auto it = directions().find(key); it != directions().end()) key = it->second;
      }
      after_number = false;
      if (auto it = abbreviations().find(key); it != abbreviations().end()) key = it->second;
      std::erase_if(key, [](char ch) { return ch == '/'; });
      while (!key.empty() && key.front() == '\'') key.erase(key.begin());
      while (!key.empty() && key.back() == '\'') key.pop_back();
      append_word(out, key);
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) words.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return words;
}

} // namespace ce::stt
