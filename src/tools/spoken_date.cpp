#include "tools/spoken_date.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <set>
#include <vector>

namespace ce::tools {

namespace {

using tokens = std::vector<std::string>;

constexpr std::array<std::string_view, 10> units = {"zero", "one", "two",   "three", "four",
                                                    "five", "six", "seven", "eight", "nine"};
constexpr std::array<std::string_view, 10> unit_ordinals = {"",      "first",   "second", "third",  "fourth",
                                                            "fifth", "sixth", "seventh", "eighth", "ninth"};
constexpr std::array<std::string_view, 10> teens = {"ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                                    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
constexpr std::array<std::string_view, 10> teen_ordinals = {
  "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
  "nineteenth"};
constexpr std::array<std::string_view, 10> tens = {"", "", "twenty", "thirty", "forty", "fifty",
                                                   "sixty", "seventy", "eighty", "ninety"};

struct month_name {
  std::string_view name;
  int number;
};
constexpr month_name months[] = {
  {"january", 1}, {"jan", 1},  {"february", 2}, {"feb", 2},  {"march", 3},     {"mar", 3},
  {"april", 4},   {"apr", 4},  {"may", 5},      {"june", 6}, {"jun", 6},       {"july", 7},
  {"jul", 7},     {"august", 8}, {"aug", 8},    {"september", 9}, {"sept", 9}, {"sep", 9},
  {"october", 10}, {"oct", 10}, {"november", 11}, {"nov", 11}, {"december", 12}, {"dec", 12}};

template <std::size_t N>
int index_of(const std::array<std::string_view, N>& words, std::string_view w) {
  for (std::size_t i = 0; i < N; ++i)
    if (!words[i].empty() && words[i] == w) return static_cast<int>(i);
  return -1;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::optional<std::string> format_if_valid(int y, int m, int d) {
  using namespace std::chrono;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string{buf};
}

// "1985-03-04", "03/04/1985", "3.4.1985": digit groups with one kind of separator.
std::optional<std::string> numeric_date(std::string_view text) {
  std::vector<std::string> groups(1);
  char separator = 0;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      groups.back().push_back(c);
    } else if ((c == '-' || c == '/' || c == '.') && (separator == 0 || separator == c) && !groups.back().empty()) {
      separator = c;
      groups.emplace_back();
    } else {
      return std::nullopt;
    }
  }
  if (groups.size() != 3 || groups[0].empty() || groups[1].empty() || groups[2].empty()) return std::nullopt;
  if (groups[1].size() > 2) return std::nullopt;
  if (groups[0].size() == 4 && groups[2].size() <= 2)
    return format_if_valid(to_int(groups[0]), to_int(groups[1]), to_int(groups[2]));
  if (groups[2].size() == 4 && groups[0].size() <= 2)
    return format_if_valid(to_int(groups[2]), to_int(groups[0]), to_int(groups[1]));
  return std::nullopt;  // two-digit years are ambiguous
}

tokens tokenize(std::string_view text) {
  static const std::set<std::string, std::less<>> fillers = {"the", "of", "and", "on", "a"};
  tokens out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && !fillers.contains(cur)) out.push_back(cur);
    cur.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    else flush();
  }
  flush();
  return out;
}

// 0..99 said as cardinal words or written as 1-2 digits; -1 otherwise.
int under_100(const tokens& t) {
  if (t.size() == 1) {
    if (all_digits(t[0]) && t[0].size() <= 2) return to_int(t[0]);
    if (int u = index_of(units, t[0]); u >= 0) return u;
    if (int n = index_of(teens, t[0]); n >= 0) return 10 + n;
    if (int n = index_of(tens, t[0]); n >= 0) return 10 * n;
  }
  if (t.size() == 2) {
    int ten = index_of(tens, t[0]);
    int unit = index_of(units, t[1]);
    if (ten >= 2 && unit >= 1) return 10 * ten + unit;
  }
  return -1;
}

// A day of the month: "4", "4th", "fourth", "four", "twenty first", "thirty"; -1 otherwise.
int day_of_month(const tokens& t) {
  if (t.size() == 1) {
    std::string_view w = t[0];
    if (w.size() > 2 && (w.ends_with("st") || w.ends_with("nd") || w.ends_with("rd") || w.ends_with("th")) &&
        all_digits(w.substr(0, w.size() - 2)))
      w.remove_suffix(2);
    if (all_digits(w) && w.size() <= 2) return to_int(w);
    if (int u = index_of(unit_ordinals, w); u >= 1) return u;
    if (int n = index_of(teen_ordinals, w); n >= 0) return 10 + n;
    if (w == "twentieth") return 20;
    if (w == "thirtieth") return 30;
  }
  if (t.size() == 2) {
    int ten = index_of(tens, t[0]);
    int unit = index_of(unit_ordinals, t[1]);
    if ((ten == 2 || ten == 3) && unit >= 1) return 10 * ten + unit;
  }
  int n = under_100(t);
  return n >= 1 && n <= 31 ? n : -1;
}

tokens slice(const tokens& t, std::size_t from, std::size_t to) {
  return tokens(t.begin() + static_cast<std::ptrdiff_t>(from), t.begin() + static_cast<std::ptrdiff_t>(to));
}

// The second half of a year said in pairs: "eighty five", "oh five", "twelve", "hundred".
int year_tail(const tokens& t) {
  if (t.size() == 1 && t[0] == "hundred") return 0;
  if (t.size() == 2 && (t[0] == "oh" || t[0] == "o" || t[0] == "zero")) {
    int u = index_of(units, t[1]);
    return u >= 1 ? u : -1;
  }
  int n = under_100(t);
  return n >= 10 ? n : -1;
}

// "1985", "nineteen eighty five", "two thousand one", "twenty ten", "nineteen oh five"; -1 otherwise.
int year_of(const tokens& t) {
  if (t.empty()) return -1;
  if (t.size() == 1) return all_digits(t[0]) && t[0].size() == 4 ? to_int(t[0]) : -1;
  if (t[1] == "thousand") {
    int thousands = under_100(slice(t, 0, 1));
    int rest = t.size() == 2 ? 0 : under_100(slice(t, 2, t.size()));
    return thousands >= 1 && thousands <= 2 && rest >= 0 ? thousands * 1000 + rest : -1;
  }
  for (std::size_t split = 1; split < t.size() && split <= 2; ++split) {
    int head = under_100(slice(t, 0, split));
    if (head < 10) continue;
    auto rest = slice(t, split, t.size());
    if (rest.size() >= 2 && rest[0] == "hundred") {  // "nineteen hundred five"
      int n = under_100(slice(rest, 1, rest.size()));
      if (n >= 0) return head * 100 + n;
      continue;
    }
    int tail = year_tail(rest);
    if (tail >= 0) return head * 100 + tail;
  }
  return -1;
}

std::optional<std::string> worded_date(std::string_view text) {
  auto t = tokenize(text);
  std::optional<std::size_t> at;
  int month = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    for (const auto& m : months)
      if (t[i] == m.name) {
        if (at) return std::nullopt;  // two months named
        at = i;
        month = m.number;
      }
  if (!at) return std::nullopt;
  if (*at > 0)  // "the fourth of March 1985"
    return format_if_valid(year_of(slice(t, *at + 1, t.size())), month, day_of_month(slice(t, 0, *at)));
  // "March fourth nineteen eighty five": the day takes one or two words; exactly one split may fit.
  std::optional<std::string> found;
  for (std::size_t k = 1; k <= 2 && *at + 1 + k < t.size(); ++k) {
    auto d = format_if_valid(year_of(slice(t, *at + 1 + k, t.size())), month, day_of_month(slice(t, *at + 1, *at + 1 + k)));
    if (!d) continue;
    if (found && *found != *d) return std::nullopt;
    found = d;
  }
  return found;
}

} // namespace

std::optional<std::string> parse_spoken_date(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (auto d = numeric_date(text)) return d;
  return worded_date(text);
}

} // namespace ce::tools
