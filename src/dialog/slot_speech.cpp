#include "dialog/slot_speech.hpp"

#include "dialog/speech_format.hpp"

#include <array>
#include <cctype>

namespace ce::dialog {

namespace {

constexpr std::array<std::string_view, 20> small_ordinals = {
  "zeroth",     "first",      "second",      "third",      "fourth",    "fifth",     "sixth",
  "seventh",    "eighth",     "ninth",       "tenth",      "eleventh",  "twelfth",   "thirteenth",
  "fourteenth", "fifteenth",  "sixteenth",   "seventeenth", "eighteenth", "nineteenth"};

constexpr std::array<std::string_view, 10> tens_ordinals = {
  "", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"};

constexpr std::array<std::string_view, 10> tens_cardinals = {
  "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

std::string join_or(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? ", or " : ", ";
    out += items[i];
  }
  return out;
}

} // namespace

std::string say_ordinal(int n) {
  if (n < 0 || n >= 100) return say_number(n) + "th";
  if (n < 20) return std::string(small_ordinals[static_cast<std::size_t>(n)]);
  if (n % 10 == 0) return std::string(tens_ordinals[static_cast<std::size_t>(n / 10)]);
  return std::string(tens_cardinals[static_cast<std::size_t>(n / 10)]) + "-" +
         std::string(small_ordinals[static_cast<std::size_t>(n % 10)]);
}

std::string say_date(civil_date d) {
  return std::string(weekday_name(weekday_of(d))) + ", " + std::string(month_name(d.month)) + " " + say_ordinal(d.day);
}

std::string say_when(const local_time& t) {
  return say_date(t.date) + " at " + say_clock(t.minutes);
}

std::string say_offer(const std::vector<local_time>& slots) {
  std::vector<std::string> items;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    bool same_day = i > 0 && slots[i].date == slots[i - 1].date;
    items.push_back(same_day ? say_clock(slots[i].minutes) : say_when(slots[i]));
  }
  return join_or(items);
}

std::string say_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string say_vehicle(const vehicle_record& v) {
  std::string out;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += ' ';
    out += part;
  };
  if (v.year > 0) add(std::to_string(v.year));
  add(v.make);
  add(v.model);
  return out.empty() ? std::string("vehicle") : out;
}

std::string bare_service_name(const std::string& name) {
  for (std::string_view article : {"a ", "an ", "the ", "A ", "An ", "The "})
    if (name.rfind(article, 0) == 0) return name.substr(article.size());
  return name;
}

} // namespace ce::dialog
