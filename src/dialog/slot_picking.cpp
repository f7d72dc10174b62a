#include "dialog/slot_picking.hpp"

#include <algorithm>
#include <cstdlib>

namespace ce::dialog {

namespace {

constexpr std::size_t max_offered = 3;
constexpr int spread_minutes = 90;

bool same_clock(int wanted, int slot) {
  return wanted == slot || wanted + 12 * 60 == slot || wanted - 12 * 60 == slot;
}

bool on_days(const local_time& t, const when_wish& w) {
  if (!w.from) return !w.day_name || weekday_of(t.date) == *w.day_name;
  auto last = w.to ? *w.to : *w.from;
  return t.date >= *w.from && t.date <= last;
}

std::vector<local_time> spread(const std::vector<local_time>& free) {
  std::vector<local_time> out;
  for (const auto& s : free) {
    if (out.size() == max_offered) break;
    if (out.empty() || (s.date == out.front().date && s.minutes - out.back().minutes >= spread_minutes))
      out.push_back(s);
  }
  if (out.size() >= 2) return out;
  for (const auto& s : free) {
    if (!out.empty() && s.date > out.front().date) {
      out.push_back(s);
      break;
    }
  }
  return out;
}

} // namespace

slot_offer choose_offer(const std::vector<local_time>& free, const when_wish& wish) {
  slot_offer offer;
  if (free.empty()) return offer;
  if (!wish.minutes) {
    offer.slots = spread(free);
    return offer;
  }
  for (const auto& s : free) {
    if (s.minutes == *wish.minutes && on_days(s, wish)) {
      offer.slots = {s};
      offer.exact = true;
      return offer;
    }
  }
  // Nearest to the wanted time on the first day that has any.
  std::vector<local_time> day;
  for (const auto& s : free)
    if (s.date == free.front().date) day.push_back(s);
  std::stable_sort(day.begin(), day.end(), [&](const local_time& a, const local_time& b) {
    return std::abs(a.minutes - *wish.minutes) < std::abs(b.minutes - *wish.minutes);
  });
  if (day.size() > max_offered) day.resize(max_offered);
  std::sort(day.begin(), day.end());
  offer.slots = day;
  return offer;
}

std::vector<local_time> later_than(const std::vector<local_time>& free, const std::vector<local_time>& offered) {
  if (offered.empty()) return {};
  auto last = *std::max_element(offered.begin(), offered.end());
  std::vector<local_time> after;
  for (const auto& s : free)
    if (s > last) after.push_back(s);
  return spread(after);
}

std::vector<local_time> earlier_than(const std::vector<local_time>& free, const std::vector<local_time>& offered) {
  if (offered.empty()) return {};
  auto first = *std::min_element(offered.begin(), offered.end());
  std::vector<local_time> before;
  for (const auto& s : free)
    if (s < first) before.push_back(s);
  if (before.size() > 2) before.erase(before.begin(), before.end() - 2);
  return before;
}

std::optional<std::size_t> ordinal_choice(const word_list& words, std::size_t count) {
  if (count == 0) return std::nullopt;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto& w = words[i];
    bool next_is_of = i + 1 < words.size() && words[i + 1] == "of";
    bool after_number = i > 0 && read_cardinal(words, i - 1).has_value();
    bool after_day = i > 0 && (weekday_word(words[i - 1]) || parse_month(words[i - 1]) ||
                               (i > 1 && words[i - 1] == "the" && (weekday_word(words[i - 2]) || parse_month(words[i - 2]))));
    if (next_is_of || after_number || after_day) continue;
    std::optional<std::size_t> pick;
    if (w == "first" || w == "1st" || w == "earliest") pick = 0;
    else if (w == "second" || w == "2nd" || w == "middle") pick = 1;
    else if (w == "third" || w == "3rd") pick = 2;
    else if (w == "last" || w == "latest" || w == "final") pick = count - 1;
    else if ((w == "earlier" || w == "later") && i + 1 < words.size() && words[i + 1] == "one")
      pick = w == "earlier" ? 0 : count - 1;
    if (pick && *pick < count) return pick;
  }
  return std::nullopt;
}

std::optional<local_time> picked_slot(const when_wish& heard, const std::vector<local_time>& offered,
                                      const std::vector<local_time>& free) {
  auto matches = [&](const local_time& s) {
    if (heard.minutes && !same_clock(*heard.minutes, s.minutes)) return false;
    return (!heard.from && !heard.day_name) || on_days(s, heard);
  };
  if (heard.minutes) {
    for (const auto* list : {&offered, &free})
      for (const auto& s : *list)
        if (matches(s)) return s;
    return std::nullopt;
  }
  if (!heard.from && !heard.day_name) return std::nullopt;
  std::vector<local_time> on_day;
  for (const auto& s : offered)
    if (matches(s)) on_day.push_back(s);
  if (on_day.size() == 1) return on_day.front();
  return std::nullopt;
}

} // namespace ce::dialog
