#include "dialog/answers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <utility>

namespace ce::dialog::answers {

namespace {

constexpr std::size_t services_listed = 4;

struct day_hours {
  enum class state { unknown, closed, open } status = state::unknown;
  int from = 0;  ///< minutes since midnight
  int to = 0;
};

using week = std::array<day_hours, days_per_week>;

struct span {
  int from = 0;
  int to = 0;
};

week week_table(const dealership_facts& facts) {
  week w{};
  for (const auto& h : facts.hours) {
    auto d = parse_weekday(h.day);
    if (!d) continue;
    auto& slot = w[static_cast<std::size_t>(*d)];
    if (h.open.empty() || h.close.empty()) {
      slot.status = day_hours::state::closed;
      continue;
    }
    auto from = parse_clock(h.open);
    auto to = parse_clock(h.close);
    if (from && to && *from < *to) slot = {day_hours::state::open, *from, *to};
  }
  return w;
}

/// "12:00-13:00" (spaces and an en dash tolerated) -> span.
std::optional<span> parse_lunch(std::string_view text) {
  std::string clean;
  for (char c : text)
    if (c != ' ') clean += c;
  auto dash = clean.find('-');
  auto dash_len = std::size_t{1};
  if (dash == std::string::npos) {
    dash = clean.find("\xE2\x80\x93");
    dash_len = 3;
  }
  if (dash == std::string::npos) return std::nullopt;
  auto from = parse_clock(std::string_view(clean).substr(0, dash));
  auto to = parse_clock(std::string_view(clean).substr(dash + dash_len));
  if (!from || !to || *from >= *to) return std::nullopt;
  return span{*from, *to};
}

bool lunch_applies(const day_hours& d, const std::optional<span>& lunch) {
  return lunch && d.status == day_hours::state::open && d.from < lunch->from && lunch->to <= d.to;
}

std::string lunch_words(const span& lunch) {
  return "from " + say_clock(lunch.from) + " to " + say_clock(lunch.to);
}

/// "On Saturday" for one day, "Monday to Friday" for several.
std::string days_lead(const std::vector<weekday>& days) {
  if (days.size() == 1) return "On " + std::string(weekday_name(days.front()));
  return say_days(days);
}

sentences week_hours(const week& w, const std::optional<span>& lunch, const std::vector<weekday>& asked,
                     bool closing_time) {
  std::vector<std::pair<std::pair<int, int>, std::vector<weekday>>> groups;
  std::vector<weekday> closed;
  std::vector<weekday> lunch_days;
  for (auto d : asked) {
    const auto& h = w[static_cast<std::size_t>(d)];
    if (h.status == day_hours::state::closed) closed.push_back(d);
    if (h.status != day_hours::state::open) continue;
    auto key = closing_time ? std::pair{0, h.to} : std::pair{h.from, h.to};
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
    if (it == groups.end()) groups.push_back({key, {d}});
    else it->second.push_back(d);
    if (lunch_applies(h, lunch)) lunch_days.push_back(d);
  }
  sentences out;
  for (const auto& [times, days] : groups) {
    if (closing_time) out.push_back(days_lead(days) + ", we close at " + say_clock(times.second) + ".");
    else
      out.push_back(days_lead(days) + ", we're open from " + say_clock(times.first) + " to " +
                    say_clock(times.second) + ".");
  }
  if (!closed.empty()) out.push_back("We're closed on " + say_days(closed) + ".");
  if (!lunch_days.empty()) {
    std::size_t open_days = 0;
    for (const auto& g : groups) open_days += g.second.size();
    auto words = "we close for lunch " + lunch_words(*lunch) + ".";
    if (lunch_days.size() == open_days) out.push_back("We also close for lunch " + lunch_words(*lunch) + ".");
    else out.push_back(days_lead(lunch_days) + ", " + words);
  }
  if (out.empty()) out.emplace_back("I'm sorry, I don't have our opening hours on hand.");
  return out;
}

std::vector<weekday> day_range(weekday first, weekday last) {
  std::vector<weekday> out;
  for (int d = static_cast<int>(first); d <= static_cast<int>(last); ++d) out.push_back(static_cast<weekday>(d));
  return out;
}

sentences one_day_hours(const week& w, const std::optional<span>& lunch, weekday day, day_ref ref,
                        const hours_question& q) {
  const auto& h = w[static_cast<std::size_t>(day)];
  std::string name(weekday_name(day));
  std::string label = ref == day_ref::today ? "today" : ref == day_ref::tomorrow ? "tomorrow" : "on " + name;
  std::string lead = ref == day_ref::today ? "Today" : ref == day_ref::tomorrow ? "Tomorrow" : "On " + name;
  sentences out;
  if (h.status == day_hours::state::unknown) {
    out.push_back("I'm sorry, I don't have our hours for " + name + ".");
    return out;
  }
  if (h.status == day_hours::state::closed) {
    if (q.if_open) out.emplace_back("No.");
    out.push_back("We're closed " + label + ".");
    auto next = next_weekday(day);
    for (int i = 0; i < days_per_week - 1; ++i, next = next_weekday(next)) {
      const auto& n = w[static_cast<std::size_t>(next)];
      if (n.status != day_hours::state::open) continue;
      bool is_tomorrow = ref == day_ref::today && i == 0;
      out.push_back("We open again " + (is_tomorrow ? std::string("tomorrow") : "on " + std::string(weekday_name(next))) +
                    " at " + say_clock(n.from) + ".");
      break;
    }
    return out;
  }
  if (q.if_open) out.emplace_back("Yes.");
  if (q.closing_time) out.push_back(lead + ", we close at " + say_clock(h.to) + ".");
  else out.push_back(lead + ", we're open from " + say_clock(h.from) + " to " + say_clock(h.to) + ".");
  if (lunch_applies(h, lunch)) out.push_back("We also close for lunch " + lunch_words(*lunch) + ".");
  return out;
}

std::string plural_of_last_word(const std::string& name) {
  if (name.empty()) return name;
  auto ends = [&](std::string_view s) { return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
  if (ends("s") || ends("x") || ends("ch") || ends("sh")) return name + "es";
  if (ends("y") && name.size() >= 2 && std::string_view("aeiou").find(name[name.size() - 2]) == std::string_view::npos)
    return name.substr(0, name.size() - 1) + "ies";
  return name + "s";
}

std::string strip_article(const std::string& name) {
  for (std::string_view article : {"a ", "an ", "the ", "A ", "An ", "The "}) {
    if (name.rfind(article, 0) == 0) return name.substr(article.size());
  }
  return name;
}

std::string lower_copy(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// "is forty-nine ninety-five", "starts at one hundred eighty-nine dollars", "is free".
std::string price_phrase(const std::string& price) {
  auto spoken = say_price(price);
  auto low = lower_copy(spoken);
  if (low.empty()) return {};
  if (low.rfind("from ", 0) == 0) return "starts at " + spoken.substr(5);
  if (low.rfind("starting at ", 0) == 0) return "starts at " + spoken.substr(12);
  return "is " + spoken;
}

std::string service_sentence(const service_offer& s) {
  auto subject = capitalize_first(with_article(s.name));
  auto price = price_phrase(s.price);
  auto duration = say_duration(s.duration_min);
  if (!price.empty() && !duration.empty()) return subject + " " + price + " and takes about " + duration + ".";
  if (!price.empty()) return subject + " " + price + ".";
  if (!duration.empty()) return subject + " takes about " + duration + ".";
  return subject + " is one of our services.";
}

} // namespace

std::string with_article(const std::string& name) {
  auto low = lower_copy(name);
  for (std::string_view article : {"a ", "an ", "the "})
    if (low.rfind(article, 0) == 0) return name;
  if (name.empty()) return name;
  bool vowel = std::string_view("aeiou").find(low.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + name;
}

sentences hours(const dealership_facts& facts, const hours_question& q) {
  auto w = week_table(facts);
  auto lunch = parse_lunch(facts.lunch_break);
  std::optional<weekday> day;
  if (q.ref == day_ref::named) day = q.day;
  else if (q.ref == day_ref::today) day = q.today;
  else if (q.ref == day_ref::tomorrow && q.today) day = next_weekday(*q.today);
  if (day) return one_day_hours(w, lunch, *day, q.ref, q);
  if (q.ref == day_ref::weekend) return week_hours(w, lunch, day_range(weekday::saturday, weekday::sunday), q.closing_time);
  if (q.ref == day_ref::weekdays) return week_hours(w, lunch, day_range(weekday::monday, weekday::friday), q.closing_time);
  return week_hours(w, lunch, day_range(weekday::monday, weekday::sunday), q.closing_time);
}

sentences address(const dealership_facts& facts, bool with_directions) {
  if (facts.address.empty()) return {"I'm sorry, I don't have our address on hand."};
  sentences out{"We're at " + say_address(facts.address) + "."};
  if (with_directions)
    out.push_back("If you search for " + facts.name + " in your maps app, it will take you right to us.");
  return out;
}

sentences phone(const dealership_facts& facts) {
  auto spoken = say_phone_number(facts.phone);
  if (spoken.empty()) return {"I'm sorry, I don't have our phone number on hand."};
  return {"Our phone number is " + spoken + "."};
}

sentences services_overview(const dealership_facts& facts) {
  if (facts.services.empty()) return {"I'm sorry, I don't have our list of services on hand."};
  std::vector<std::string> names;
  for (std::size_t i = 0; i < facts.services.size() && i < services_listed; ++i)
    names.push_back(plural_of_last_word(strip_article(facts.services[i].name)));
  if (facts.services.size() > services_listed) names.emplace_back("more");
  return {"Our services include " + say_list(names) + "."};
}

sentences service_details(const dealership_facts& facts, const std::vector<std::size_t>& which) {
  sentences out;
  bool unpriced = false;
  for (auto i : which) {
    if (i >= facts.services.size()) continue;
    out.push_back(service_sentence(facts.services[i]));
    unpriced = unpriced || facts.services[i].price.empty();
  }
  if (unpriced) out.emplace_back("A service advisor can give you an exact price.");
  return out;
}

sentences without_service(const dealership_facts& facts, bool duration) {
  sentences out{duration ? "It depends on the service." : "Prices depend on the service."};
  if (!facts.services.empty()) {
    const auto& s = facts.services.front();
    auto example = duration ? with_article(s.name) + " takes about " + say_duration(s.duration_min)
                            : with_article(s.name) + " " + price_phrase(s.price);
    bool known = duration ? s.duration_min > 0 : !s.price.empty();
    if (known) out.push_back("For example, " + example + ".");
  }
  return out;
}

sentences makes(const dealership_facts& facts, const std::optional<std::string>& make, bool serviced) {
  if (make && serviced) return {"Yes, we service " + *make + " vehicles."};
  sentences out;
  if (make) out.push_back("Sorry, we don't service " + *make + " vehicles.");
  if (facts.makes_serviced.empty()) {
    if (!make) out.emplace_back("I'm sorry, I don't have the list of makes we service on hand.");
    return out;
  }
  out.push_back((make ? "We work on " : "We service ") + say_list(facts.makes_serviced) + ".");
  return out;
}

sentences capabilities() {
  return {"I can tell you our hours, our address, and our services and prices.",
          "I can also book, move or cancel a service appointment, or connect you with a service advisor."};
}

} // namespace ce::dialog::answers
