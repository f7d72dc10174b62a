#include "providers/pocketsphinx/domain_corpus.hpp"

#include "providers/pocketsphinx/domain_sentences.hpp"
#include "providers/pocketsphinx/domain_vocabulary.hpp"
#include "providers/pocketsphinx/phrase_template.hpp"
#include "providers/pocketsphinx/pronunciation_dict.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <algorithm>
#include <set>

namespace ce::stt {
namespace {

const std::vector<std::string> weekdays = {"monday", "tuesday", "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};
const std::vector<std::string> months = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
const std::vector<std::string> digit_words = {"zero", "one", "two",   "three", "four",
                                              "five", "six", "seven", "eight", "nine"};

std::vector<std::string> unique_sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::erase(v, std::string{});
  return v;
}

std::vector<std::string> date_phrases() {
  std::vector<std::string> dates = {"today", "tomorrow", "the day after tomorrow",
                                    "next week", "this week", "later this week",
                                    "sometime next week", "this weekend", "next weekend",
                                    "tomorrow morning", "tomorrow afternoon", "this afternoon",
                                    "as soon as possible", "early next week", "monday morning"};
  for (const auto& d : weekdays) {
    for (const char* form : {"", "this ", "next "}) dates.push_back(form + d);
    dates.push_back(d + " morning");
    dates.push_back(d + " afternoon");
    dates.push_back("next " + d + " morning");
  }
  for (std::size_t m = 0; m < months.size(); ++m)
    for (int day = 1; day <= 31; day += (m % 2 == 0 ? 2 : 3)) {
      dates.push_back(months[m] + " " + spoken_ordinal(day));
      if (day % 4 == 1) dates.push_back(months[m] + " " + spoken_number(day));
    }
  for (int day = 1; day <= 31; ++day) {
    dates.push_back("the " + spoken_ordinal(day));
    dates.push_back(weekdays[static_cast<std::size_t>(day) % 7] + " the " + spoken_ordinal(day));
  }
  return dates;
}

/// Dates with "on" where people put one: "on monday", "on the fifth", "on march fifth".
std::vector<std::string> when_phrases(const std::vector<std::string>& dates) {
  std::vector<std::string> out = dates;
  for (const auto& d : dates) {
    bool weekday = std::find(weekdays.begin(), weekdays.end(), d) != weekdays.end();
    bool month_day = std::any_of(months.begin(), months.end(),
                                 [&](const std::string& m) { return d.starts_with(m + " "); });
    if (weekday || month_day || d.starts_with("the ") || d.find(" the ") != std::string::npos)
      out.push_back("on " + d);
  }
  return out;
}

/// Clock times: "ten", "ten thirty", "ten a.m.", "noon", "ten in the morning".
std::vector<std::string> clock_phrases() {
  std::vector<std::string> times = {"noon"};
  const std::vector<int> hours = {7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6};
  for (int h : hours) {
    auto hour = spoken_number(h);
    bool morning = h >= 7 && h <= 11;
    const char* half = morning ? "a.m." : "p.m.";
    for (auto form : {hour, hour + " o'clock", hour + " " + half, hour + " thirty",
                      hour + " fifteen", hour + " forty five", hour + " thirty " + half,
                      hour + (morning ? " in the morning" : " in the afternoon")})
      times.push_back(form);
  }
  return times;
}

/// Clock times and looser ones: "around ten", "after lunch", "in the morning".
std::vector<std::string> time_phrases(const std::vector<std::string>& clock) {
  std::vector<std::string> times = clock;
  for (const char* loose : {"around noon", "first thing in the morning", "in the morning",
                            "in the afternoon", "early morning", "late afternoon",
                            "after lunch", "before lunch", "at noon", "any time",
                            "end of the day"})
    times.emplace_back(loose);
  for (int h : {7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5})
    for (const char* prefix : {"around ", "after ", "before "})
      times.push_back(prefix + spoken_number(h));
  return times;
}

std::vector<std::string> year_phrases() {
  std::vector<std::string> years;
  for (int y = 2005; y <= 2025; ++y) {
    years.push_back(spoken_year(y));
    if (y >= 2010) years.push_back(spoken_year(y, true));
  }
  for (int y : {1998, 1999, 2000}) years.push_back(spoken_year(y));
  return years;
}

std::vector<std::string> digit_strings() {
  // Every digit pair appears; "oh" stands for zero as often as people say it.
  std::vector<std::string> out;
  std::uint64_t state = 0x2545F4914F6CDD1DULL;
  auto next_digit = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % 11);
  };
  auto word = [](std::size_t d) { return d == 10 ? std::string("oh") : digit_words[d]; };
  for (std::size_t a = 0; a < 11; ++a)
    for (std::size_t b = 0; b < 11; ++b) {
      std::string s = word(a) + " " + word(b);
      for (int i = 0; i < 5; ++i) s += " " + word(next_digit());
      out.push_back(s);
    }
  for (int i = 0; i < 40; ++i) {
    std::string s;
    for (int k = 0; k < 10; ++k) s += (k ? " " : "") + word(next_digit());
    out.push_back(s);
  }
  return out;
}

/// Thousands of miles as said: "forty five", "a hundred and twenty", "one fifty".
std::vector<std::string> mileage_numbers() {
  std::vector<std::string> out;
  for (int n = 5; n <= 250; n += 5) {
    out.push_back(spoken_number(n));
    if (n > 100 && n < 200) {
      auto rest = spoken_number(n - 100);
      out.push_back("a hundred and " + rest);
      out.push_back("one hundred and " + rest);
      if (n % 10 == 0 && n - 100 >= 20) out.push_back("one " + rest);
    }
  }
  out.push_back("a hundred");
  return out;
}

/// "svc_a": services as said after a verb ("an oil change", "brakes"); "svc": bare
/// countable names ("oil change"). The dealership's own count three times: callers ask
/// about them most.
void add_service_slots(const dealership_facts& facts, slot_table& slots) {
  std::vector<std::string> svc_a;
  std::vector<std::string> svc;
  for (const auto& s : common_services()) {
    for (const auto& p : s.countable) {
      svc_a.push_back(with_article(p));
      svc.push_back(p);
    }
    for (const auto& p : s.bare) svc_a.push_back(p);
  }
  for (const auto& offer : facts.services) {
    for (int i = 0; i < 3; ++i) svc_a.push_back(normalize_spoken(offer.name));
    for (const auto& k : offer.keywords) {
      auto kw = normalize_spoken(k);
      bool plural = !kw.empty() && kw.back() == 's' && !kw.ends_with("ss");
      for (int i = 0; i < 3; ++i) svc_a.push_back(plural ? kw : with_article(kw));
      if (!plural) svc.push_back(kw);
    }
  }
  std::erase(svc_a, std::string{});
  slots["svc_a"] = std::move(svc_a);
  slots["svc"] = unique_sorted(std::move(svc));
}

/// "make" (the dealership's makes three times, then common ones and aliases) and
/// "vehicle" ("toyota camry", "camry").
void add_vehicle_slots(const dealership_facts& facts, slot_table& slots) {
  std::vector<std::string> makes;
  for (const auto& m : facts.makes_serviced) {
    auto make = normalize_spoken(m);
    if (make == "gmc") make = "g m c";
    for (int i = 0; i < 3 && !make.empty(); ++i) makes.push_back(make);
  }
  for (const auto& m : common_makes()) makes.push_back(m);
  std::vector<std::string> all_makes = makes;
  std::vector<std::string> vehicles;
  for (const auto& make : makes) {
    auto names = make_aliases(make);
    all_makes.insert(all_makes.end(), names.begin(), names.end());
    names.push_back(make);
    for (const auto& model : models_of(make)) {
      for (const auto& name : names) vehicles.push_back(name + " " + model);
      vehicles.push_back(model);
    }
  }
  slots["make"] = std::move(all_makes);
  slots["vehicle"] = unique_sorted(std::move(vehicles));
}

/// A fact as spoken, or `fallback` when the fact is empty.
std::string spoken_or(const std::string& fact, const char* fallback) {
  auto spoken = normalize_spoken(fact);
  return spoken.empty() ? fallback : spoken;
}

slot_table make_slots(const dealership_facts& facts) {
  slot_table slots;
  slots["day"] = weekdays;
  slots["month"] = months;
  slots["date"] = date_phrases();
  slots["when"] = when_phrases(slots["date"]);
  slots["clock"] = clock_phrases();
  slots["time"] = time_phrases(slots["clock"]);
  slots["year"] = year_phrases();
  slots["first"] = common_first_names();
  slots["last"] = common_surnames();
  slots["digits"] = digit_strings();
  slots["digit"] = digit_words;
  slots["name"] = {spoken_or(facts.name, "the dealership")};
  slots["address"] = {spoken_or(facts.address, "main street")};
  slots["thousand"] = mileage_numbers();
  slots["problem"] = problem_sentences();
  add_service_slots(facts, slots);
  add_vehicle_slots(facts, slots);
  return slots;
}

} // namespace

std::vector<std::string> build_domain_corpus(const dealership_facts& facts) {
  auto slots = make_slots(facts);
  corpus_writer w(slots);
  add_conversation_sentences(w);
  add_details_sentences(w);
  auto sentences = w.take();
  std::erase(sentences, std::string{});
  return sentences;
}

std::vector<std::string> out_of_vocabulary(const std::vector<std::string>& corpus,
                                           const std::string& dict_path) {
  std::string error;
  auto words = read_dictionary_words(dict_path, &error);
  return missing_words(corpus, words ? *words : word_set{});
}

} // namespace ce::stt
