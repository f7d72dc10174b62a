#include "dialog/speech_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace ce::dialog {

namespace {

constexpr std::array<std::string_view, days_per_week> day_names = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

constexpr std::array<std::string_view, 20> small_numbers = {
  "zero",    "one",     "two",       "three",    "four",     "five",    "six",
  "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
  "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};

constexpr std::array<std::string_view, 10> tens_words = {
  "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

/// 0..999
std::string say_below_thousand(int n) {
  std::string out;
  if (n >= 100) {
    out = std::string(small_numbers[n / 100]) + " hundred";
    n %= 100;
    if (n == 0) return out;
    out += ' ';
  }
  if (n < 20) return out + std::string(small_numbers[n]);
  out += tens_words[n / 10];
  if (n % 10 != 0) out += "-" + std::string(small_numbers[n % 10]);
  return out;
}

std::string say_digits(std::string_view digits) {
  std::string out;
  for (char c : digits) {
    if (!out.empty()) out += ' ';
    out += small_numbers[c - '0'];
  }
  return out;
}

/// Two digits as in a year or a house number: "05" -> "oh five", "34" -> "thirty-four".
std::string say_pair(int n) {
  if (n < 10) return "oh " + std::string(small_numbers[n]);
  return say_below_thousand(n);
}

/// House numbers: "1200" -> "twelve hundred", "123" -> "one twenty-three".
std::string say_house_number(std::string_view digits) {
  if (digits.size() > 4 || digits.front() == '0') return say_digits(digits);
  int n = std::stoi(std::string(digits));
  if (digits.size() <= 2) return say_number(n);
  if (digits.size() == 3) {
    if (n % 100 == 0) return say_number(n);
    return say_number(n / 100) + " " + say_pair(n % 100);
  }
  if (n % 1000 == 0) return say_number(n);
  if (n % 100 == 0) return say_number(n / 100) + " hundred";
  return say_number(n / 100) + " " + say_pair(n % 100);
}

/// dollars and cents -> "forty-nine ninety-five", "one hundred eighty-nine dollars".
std::string say_amount(long long dollars, int cents) {
  if (cents == 0) return say_number(dollars) + (dollars == 1 ? " dollar" : " dollars");
  if (dollars == 0) return say_number(cents) + (cents == 1 ? " cent" : " cents");
  if (dollars < 100 && cents >= 10) return say_number(dollars) + " " + say_number(cents);
  return say_number(dollars) + (dollars == 1 ? " dollar and " : " dollars and ") + say_number(cents) +
         (cents == 1 ? " cent" : " cents");
}

/// Parses "$1,234.50" starting at `pos` (just after the '$'); advances pos on success.
std::optional<std::string> take_amount(std::string_view text, std::size_t& pos) {
  std::size_t i = pos;
  std::string digits;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 ||
                             (text[i] == ',' && !digits.empty() && i + 1 < text.size() &&
                              std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0))) {
    if (text[i] != ',') digits += text[i];
    ++i;
  }
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  int cents = 0;
  if (i + 2 < text.size() && text[i] == '.' && std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0 &&
      std::isdigit(static_cast<unsigned char>(text[i + 2])) != 0) {
    cents = (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
    i += 3;
  }
  pos = i;
  return say_amount(std::stoll(digits), cents);
}

struct abbreviation {
  std::string_view short_form;
  std::string_view long_form;
};

constexpr std::array<abbreviation, 14> street_abbreviations = {{
  {"st", "Street"}, {"ave", "Avenue"}, {"rd", "Road"}, {"blvd", "Boulevard"}, {"dr", "Drive"},
  {"ln", "Lane"}, {"hwy", "Highway"}, {"pkwy", "Parkway"}, {"ct", "Court"}, {"pl", "Place"},
  {"ste", "Suite"}, {"cir", "Circle"}, {"fwy", "Freeway"}, {"trl", "Trail"}}};

constexpr std::array<abbreviation, 51> states = {{
  {"AL", "Alabama"}, {"AK", "Alaska"}, {"AZ", "Arizona"}, {"AR", "Arkansas"},
  {"CA", "California"}, {"CO", "Colorado"}, {"CT", "Connecticut"}, {"DE", "Delaware"},
  {"DC", "D.C."}, {"FL", "Florida"}, {"GA", "Georgia"}, {"HI", "Hawaii"}, {"ID", "Idaho"},
  {"IL", "Illinois"}, {"IN", "Indiana"}, {"IA", "Iowa"}, {"KS", "Kansas"}, {"KY", "Kentucky"},
  {"LA", "Louisiana"}, {"ME", "Maine"}, {"MD", "Maryland"}, {"MA", "Massachusetts"},
  {"MI", "Michigan"}, {"MN", "Minnesota"}, {"MS", "Mississippi"}, {"MO", "Missouri"},
  {"MT", "Montana"}, {"NE", "Nebraska"}, {"NV", "Nevada"}, {"NH", "New Hampshire"},
  {"NJ", "New Jersey"}, {"NM", "New Mexico"}, {"NY", "New York"}, {"NC", "North Carolina"},
  {"ND", "North Dakota"}, {"OH", "Ohio"}, {"OK", "Oklahoma"}, {"OR", "Oregon"},
  {"PA", "Pennsylvania"}, {"RI", "Rhode Island"}, {"SC", "South Carolina"},
  {"SD", "South Dakota"}, {"TN", "Tennessee"}, {"TX", "Texas"}, {"UT", "Utah"},
  {"VT", "Vermont"}, {"VA", "Virginia"}, {"WA", "Washington"}, {"WV", "West Virginia"},
  {"WI", "Wisconsin"}, {"WY", "Wyoming"}}};

/// One word of an address (punctuation already split off) in spoken form.
std::string say_address_word(std::string_view core, bool first, bool after_comma) {
  if (all_digits(core)) {
    if (first) return say_house_number(core);
    if (core.size() == 5) return say_digits(core);  // ZIP code
    return core.size() <= 4 ? say_number(std::stoi(std::string(core))) : say_digits(core);
  }
  if (!first) {
    auto key = lower(core);
    for (const auto& a : street_abbreviations)
      if (key == a.short_form) return std::string(a.long_form);
  }
  if (after_comma && core.size() == 2) {
    for (const auto& s : states)
      if (core == s.short_form) return std::string(s.long_form);
  }
  return std::string(core);
}

} // namespace

std::string_view weekday_name(weekday d) {
  return day_names[static_cast<std::size_t>(d)];
}

std::optional<weekday> parse_weekday(std::string_view text) {
  auto key = lower(text);
  if (key.size() < 3) return std::nullopt;
  for (std::size_t i = 0; i < day_names.size(); ++i) {
    auto name = lower(day_names[i]);
    if (key == name || key == name.substr(0, 3)) return static_cast<weekday>(i);
  }
  return std::nullopt;
}

weekday next_weekday(weekday d) {
  return static_cast<weekday>((static_cast<int>(d) + 1) % days_per_week);
}

std::string say_number(long long n) {
  if (n < 0) return "minus " + say_number(-n);
  if (n < 1000) return say_below_thousand(static_cast<int>(n));
  constexpr std::array<std::pair<long long, std::string_view>, 3> scales = {
    {{1'000'000'000LL, "billion"}, {1'000'000LL, "million"}, {1'000LL, "thousand"}}};
  std::string out;
  for (const auto& [size, word] : scales) {
    if (n >= size) {
      out += (out.empty() ? "" : " ") + say_number(n / size) + " " + std::string(word);
      n %= size;
    }
  }
  if (n > 0) out += " " + say_below_thousand(static_cast<int>(n));
  return out;
}

std::optional<int> parse_clock(std::string_view hhmm) {
  auto colon = hhmm.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || hhmm.size() != colon + 3)
    return std::nullopt;
  auto hh = hhmm.substr(0, colon);
  auto mm = hhmm.substr(colon + 1);
  if (!all_digits(hh) || !all_digits(mm)) return std::nullopt;
  int h = std::stoi(std::string(hh));
  int m = std::stoi(std::string(mm));
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string say_clock(int minutes) {
  minutes = ((minutes % 1440) + 1440) % 1440;
  int h = minutes / 60;
  int m = minutes % 60;
  if (m == 0 && h == 12) return "noon";
  if (m == 0 && h == 0) return "midnight";
  int h12 = h % 12 == 0 ? 12 : h % 12;
  std::string out = say_number(h12);
  if (m != 0) out += " " + say_pair(m);
  out += h < 12 ? " a.m." : " p.m.";
  return out;
}

std::optional<std::string> say_time(std::string_view hhmm) {
  auto minutes = parse_clock(hhmm);
  if (!minutes) return std::nullopt;
  return say_clock(*minutes);
}

std::string say_list(const std::vector<std::string>& items, std::string_view conjunction) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      if (items.size() > 2) out += ",";
      out += " ";
      if (i + 1 == items.size()) out += std::string(conjunction) + " ";
    }
    out += items[i];
  }
  return out;
}

std::string say_days(std::vector<weekday> days) {
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < days.size();) {
    std::size_t j = i;
    while (j + 1 < days.size() && static_cast<int>(days[j + 1]) == static_cast<int>(days[j]) + 1) ++j;
    if (j - i >= 2) {
      parts.push_back(std::string(weekday_name(days[i])) + " to " + std::string(weekday_name(days[j])));
    } else {
      for (std::size_t k = i; k <= j; ++k) parts.emplace_back(weekday_name(days[k]));
    }
    i = j + 1;
  }
  return say_list(parts);
}

std::string say_price(std::string_view price) {
  std::string out;
  for (std::size_t i = 0; i < price.size();) {
    if (price[i] == '$') {
      std::size_t pos = i + 1;
      if (auto spoken = take_amount(price, pos)) {
        out += *spoken;
        i = pos;
        continue;
      }
    }
    out += price[i++];
  }
  return out;
}

std::string say_duration(int minutes) {
  if (minutes <= 0) return {};
  if (minutes < 60) return say_number(minutes) + (minutes == 1 ? " minute" : " minutes");
  int hours = minutes / 60;
  int rest = minutes % 60;
  std::string h = hours == 1 ? "an hour" : say_number(hours) + " hours";
  if (rest == 0) return h;
  if (rest == 30) return hours == 1 ? "an hour and a half" : say_number(hours) + " and a half hours";
  return h + " and " + say_duration(rest);
}

std::string say_phone_number(std::string_view phone) {
  std::string digits;
  for (char c : phone)
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) digits += c;
  if (digits.size() == 11 && digits.front() == '1') digits.erase(0, 1);
  std::vector<std::size_t> groups;
  if (digits.size() == 10) groups = {3, 3, 4};
  else if (digits.size() == 7) groups = {3, 4};
  else groups = {digits.size()};
  std::string out;
  std::size_t at = 0;
  for (auto len : groups) {
    if (!out.empty()) out += ", ";
    out += say_digits(std::string_view(digits).substr(at, len));
    at += len;
  }
  return out;
}

std::string say_address(std::string_view address) {
  std::string out;
  bool first = true;
  bool after_comma = false;
  std::size_t i = 0;
  while (i < address.size()) {
    if (address[i] == ' ') {
      ++i;
      continue;
    }
    auto end = address.find(' ', i);
    if (end == std::string_view::npos) end = address.size();
    auto token = address.substr(i, end - i);
    auto core_end = token.find_last_not_of(",.");
    if (core_end == std::string_view::npos) {  // bare punctuation
      out += token;
      i = end;
      continue;
    }
    auto word = token.substr(0, core_end + 1);
    auto tail = token.substr(core_end + 1);
    auto spoken = say_address_word(word, first, after_comma);
    bool expanded = spoken != word;
    std::string kept_tail;
    for (char c : tail)
      if (c == ',' || !expanded) kept_tail += c;
    if (!out.empty()) out += ' ';
    out += spoken + kept_tail;
    after_comma = tail.find(',') != std::string_view::npos;
    first = false;
    i = end;
  }
  return out;
}

std::string capitalize_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

} // namespace ce::dialog
