#include "dialog/intents.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace ce::dialog {

namespace {

/// Content intents need this score, conversational ones (thanks, yes, ...) need 2.
constexpr int content_threshold = 3;
constexpr int social_threshold = 2;
constexpr std::size_t max_services_answered = 3;

struct rule {
  intent which;
  std::string_view text;
  int weight;
};

// Phrase weights: a word that settles the intent on its own weighs 4-6; a word that only
// hints weighs 1-3 and needs a companion. Scores of one intent add up.
constexpr rule intent_rules[] = {
  {intent::hours, "hour", 4}, {intent::hours, "open", 3}, {intent::hours, "close", 3},
  {intent::hours, "what time", 2}, {intent::hours, "when", 1}, {intent::hours, "your schedule", 4},
  {intent::hours, "business", 1},

  {intent::address, "address", 5}, {intent::address, "where are you", 4}, {intent::address, "where", 2},
  {intent::address, "located", 5}, {intent::address, "location", 5}, {intent::address, "direction", 5},
  {intent::address, "how do i get", 4}, {intent::address, "get there", 3}, {intent::address, "find you", 4},
  {intent::address, "what street", 4},

  {intent::phone, "phone number", 6}, {intent::phone, "phone", 3}, {intent::phone, "telephone", 4},
  {intent::phone, "number", 2}, {intent::phone, "call you", 2},

  {intent::services, "what service", 5}, {intent::services, "service do you", 4},
  {intent::services, "do you offer", 4}, {intent::services, "offer", 2},
  {intent::services, "what do you do", 4}, {intent::services, "what kind of work", 5},
  {intent::services, "do you do", 2}, {intent::services, "do you fix", 3}, {intent::services, "repair", 1},

  {intent::price, "how much", 5}, {intent::price, "price", 5}, {intent::price, "cost", 5},
  {intent::price, "charge", 3}, {intent::price, "expensive", 4}, {intent::price, "cheap", 3},
  {intent::price, "quote", 3}, {intent::price, "estimate", 3}, {intent::price, "fee", 3},

  {intent::duration, "how long", 5}, {intent::duration, "take", 1}, {intent::duration, "duration", 5},

  {intent::makes, "what make", 6}, {intent::makes, "make", 2}, {intent::makes, "brand", 5},
  {intent::makes, "what kind of car", 5}, {intent::makes, "what car", 3}, {intent::makes, "work on", 3},
  {intent::makes, "foreign", 3}, {intent::makes, "domestic", 3},

  {intent::capabilities, "what can you do", 6}, {intent::capabilities, "what can you help", 6},
  {intent::capabilities, "what can i ask", 6}, {intent::capabilities, "help", 3},
  {intent::capabilities, "option", 3}, {intent::capabilities, "menu", 3},

  {intent::appointment, "appointment", 5}, {intent::appointment, "book", 4},
  {intent::appointment, "schedule", 3}, {intent::appointment, "reschedule", 6},
  {intent::appointment, "cancel", 6}, {intent::appointment, "cancellation", 6},
  {intent::appointment, "bring my? car in", 5}, {intent::appointment, "bring it in", 4},
  {intent::appointment, "drop off", 4}, {intent::appointment, "drop it off", 4},
  {intent::appointment, "come in", 2}, {intent::appointment, "availability", 4},
  {intent::appointment, "is my car ready", 6}, {intent::appointment, "car ready", 5},
  {intent::appointment, "vehicle ready", 5}, {intent::appointment, "truck ready", 5},
  {intent::appointment, "is it ready", 4}, {intent::appointment, "status", 4},
  {intent::appointment, "where is my car", 6}, {intent::appointment, "pick up my car", 5},
  {intent::appointment, "move it", 4}, {intent::appointment, "move my", 4}, {intent::appointment, "change it", 4},
  {intent::appointment, "change one", 4}, {intent::appointment, "change that", 4},

  {intent::human, "person", 5}, {intent::human, "human", 5}, {intent::human, "someone", 3},
  {intent::human, "somebody", 3}, {intent::human, "representative", 5}, {intent::human, "advisor", 5},
  {intent::human, "operator", 5}, {intent::human, "agent", 4}, {intent::human, "live person", 6},
  {intent::human, "talk to", 2}, {intent::human, "speak to", 2}, {intent::human, "speak with", 2},
  {intent::human, "talk with", 2}, {intent::human, "talk to a", 4}, {intent::human, "speak to a", 4},
  {intent::human, "want to talk", 4}, {intent::human, "want to speak", 4}, {intent::human, "transfer me", 5}, {intent::human, "connect me", 5},
  {intent::human, "manager", 4}, {intent::human, "receptionist", 5}, {intent::human, "front desk", 5},
  {intent::human, "customer service", 4}, {intent::human, "mechanic", 3}, {intent::human, "technician", 3},
  {intent::human, "press zero", 5}, {intent::human, "zero", 3},

  {intent::repeat, "repeat", 5}, {intent::repeat, "say that again", 6}, {intent::repeat, "say again", 5},
  {intent::repeat, "come again", 5}, {intent::repeat, "pardon", 5}, {intent::repeat, "what did you say", 6},
  {intent::repeat, "one more time", 4}, {intent::repeat, "did not catch", 4},
  {intent::repeat, "did not hear", 4},

  {intent::greeting, "hello", 3}, {intent::greeting, "hi", 3}, {intent::greeting, "hey", 2},
  {intent::greeting, "are you there", 4}, {intent::greeting, "anyone there", 4},
  {intent::greeting, "good morning", 3}, {intent::greeting, "good afternoon", 3},
  {intent::greeting, "good evening", 3},

  {intent::thanks, "thank", 3}, {intent::thanks, "appreciate", 3},

  {intent::goodbye, "bye", 4}, {intent::goodbye, "have a good day", 4}, {intent::goodbye, "have a nice day", 4},
  {intent::goodbye, "see you", 3}, {intent::goodbye, "talk to you later", 4},

  {intent::done, "that is all", 5}, {intent::done, "that is it", 5}, {intent::done, "nothing else", 5},
  {intent::done, "i am good", 3}, {intent::done, "all set", 4}, {intent::done, "i am done", 4},
  {intent::done, "that will be all", 5}, {intent::done, "that was all", 4},
  {intent::done, "that is everything", 5}, {intent::done, "no more question", 5},

  {intent::yes, "yes", 3}, {intent::yes, "yeah", 3}, {intent::yes, "yep", 3}, {intent::yes, "yup", 3},
  {intent::yes, "yea", 3}, {intent::yes, "sure", 3}, {intent::yes, "okay", 2}, {intent::yes, "all right", 2},
  {intent::yes, "please", 2}, {intent::yes, "correct", 3}, {intent::yes, "absolutely", 3},
  {intent::yes, "definitely", 3}, {intent::yes, "of course", 3}, {intent::yes, "go ahead", 3},
  {intent::yes, "sounds good", 3}, {intent::yes, "that would be great", 3}, {intent::yes, "please do", 3},
  {intent::yes, "i would like that", 3},

  {intent::no, "no", 3}, {intent::no, "nope", 3}, {intent::no, "nah", 3}, {intent::no, "not really", 3},
  {intent::no, "not now", 3}, {intent::no, "do not need", 3}, {intent::no, "do not want", 3},
  {intent::no, "not interested", 3}, {intent::no, "i am good", 2}, {intent::no, "never mind", 3},
};

struct kind_rule {
  appointment_kind kind;
  std::string_view text;
};

// Checked in order; the first hit decides. Anything else about appointments is booking.
constexpr kind_rule appointment_kind_rules[] = {
  {appointment_kind::cancel, "cancel"}, {appointment_kind::cancel, "cancellation"},
  {appointment_kind::reschedule, "reschedule"}, {appointment_kind::reschedule, "change my? appointment"},
  {appointment_kind::reschedule, "move my? appointment"}, {appointment_kind::reschedule, "different time"},
  {appointment_kind::reschedule, "different day"}, {appointment_kind::reschedule, "push back"},
  {appointment_kind::reschedule, "move"}, {appointment_kind::reschedule, "change it"},
  {appointment_kind::reschedule, "change one"}, {appointment_kind::reschedule, "change that"},
  {appointment_kind::check, "check on? my? appointment"}, {appointment_kind::check, "confirm"},
  {appointment_kind::check, "when is my"}, {appointment_kind::check, "what time is my"},
  {appointment_kind::check, "do i have an appointment"}, {appointment_kind::check, "ready"},
  {appointment_kind::check, "status"}, {appointment_kind::check, "look up"},
  {appointment_kind::check, "where is my car"},
};

struct alias {
  std::string_view words;
  std::string_view spoken;
};

// Makes a caller may name that are not in the dealership's list, and nicknames.
constexpr alias known_makes[] = {
  {"chevy", "Chevrolet"}, {"chevrolet", "Chevrolet"}, {"vw", "Volkswagen"},
  {"volkswagen", "Volkswagen"}, {"bmw", "BMW"}, {"mercedes", "Mercedes-Benz"},
  {"benz", "Mercedes-Benz"}, {"audi", "Audi"}, {"lexus", "Lexus"}, {"acura", "Acura"},
  {"infiniti", "Infiniti"}, {"infinity", "Infiniti"}, {"mazda", "Mazda"},
  {"mitsubishi", "Mitsubishi"}, {"volvo", "Volvo"}, {"tesla", "Tesla"}, {"dodge", "Dodge"},
  {"chrysler", "Chrysler"}, {"gmc", "GMC"}, {"buick", "Buick"}, {"cadillac", "Cadillac"},
  {"lincoln", "Lincoln"}, {"porsche", "Porsche"}, {"land rover", "Land Rover"},
  {"jaguar", "Jaguar"}, {"fiat", "Fiat"}, {"genesis", "Genesis"}, {"ford", "Ford"},
  {"toyota", "Toyota"}, {"honda", "Honda"}, {"nissan", "Nissan"}, {"hyundai", "Hyundai"},
  {"kia", "Kia"}, {"subaru", "Subaru"}, {"jeep", "Jeep"}, {"ram", "Ram"},
};

// Service-name words too general to identify a service on their own.
constexpr std::string_view generic_service_words[] = {
  "a", "an", "the", "service", "replacement", "replace", "inspection", "inspect", "change",
  "check", "repair", "light", "diagnostic", "system", "fluid", "new", "job", "and", "of", "my",
};

constexpr std::string_view digit_words[] = {"zero", "oh", "one", "two", "three", "four",
                                            "five", "six", "seven", "eight", "nine"};

bool is_content(intent i) {
  return i >= intent::hours && i <= intent::human;
}

bool has_word(const std::vector<std::string>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

bool has_any_word(const std::vector<std::string>& words, std::initializer_list<std::string_view> options) {
  return std::any_of(options.begin(), options.end(), [&](auto w) { return has_word(words, w); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string strip_article(const std::string& name) {
  for (std::string_view article : {"a ", "an ", "the "}) {
    if (lower(name).rfind(article, 0) == 0) return name.substr(article.size());
  }
  return name;
}

} // namespace

bool asks_question(const utterance_analysis& a) {
  auto score = [&](intent i) { return a.scores[static_cast<std::size_t>(i)]; };
  switch (a.content) {
    case intent::hours:  // a day alone adds 3 to hours
      return score(intent::hours) - (a.day_kind != day_ref::none && score(intent::appointment) < content_threshold ? 3 : 0) >=
             content_threshold;
    case intent::address:
    case intent::phone:
    case intent::services:
    case intent::price:
    case intent::duration:
    case intent::capabilities:
      return true;
    case intent::service_info:
      return score(intent::price) >= content_threshold || score(intent::duration) >= content_threshold ||
             score(intent::services) >= content_threshold;
    case intent::makes:  // a make alone adds 5
      return score(intent::makes) - (a.make ? 5 : 0) >= content_threshold;
    default:
      return false;
  }
}

std::string_view to_string(intent i) {
  constexpr std::string_view names[] = {
    "none",    "hours",        "address",     "phone",  "services", "service_info", "price",
    "duration", "makes",       "capabilities", "appointment", "human", "repeat", "greeting",
    "thanks",  "goodbye",      "done",        "yes",    "no"};
  return names[static_cast<std::size_t>(i)];
}

intent_matcher::intent_matcher(const dealership_facts& facts) {
  for (const auto& r : intent_rules) rules_.push_back({r.which, phrase(r.text), r.weight});
  for (const auto& r : appointment_kind_rules) appointment_kinds_.emplace_back(r.kind, phrase(r.text));
  for (std::string_view d : {"direction", "get there", "how do i get", "how to get", "find you"})
    directions_.emplace_back(d);

  for (const auto& s : facts.services) {
    service_phrases sp;
    for (const auto& k : s.keywords) sp.keywords.emplace_back(k);
    auto bare_name = strip_article(s.name);
    sp.keywords.emplace_back(bare_name);
    auto id_words = s.id;
    std::replace(id_words.begin(), id_words.end(), '_', ' ');
    sp.keywords.emplace_back(id_words);
    for (auto& w : normalize_words(bare_name)) {
      bool generic = std::any_of(std::begin(generic_service_words), std::end(generic_service_words),
                                 [&](auto g) { return words_match(w, g); });
      if (!generic) sp.distinctive.push_back(std::move(w));
    }
    sp.keywords.erase(std::remove_if(sp.keywords.begin(), sp.keywords.end(), [](const phrase& p) { return p.empty(); }),
                      sp.keywords.end());
    services_.push_back(std::move(sp));
  }

  for (const auto& m : facts.makes_serviced) makes_.push_back({phrase(m), m, true});
  for (const auto& a : known_makes) {
    auto serviced = std::find_if(facts.makes_serviced.begin(), facts.makes_serviced.end(),
                                 [&](const std::string& m) { return lower(m) == lower(a.spoken); });
    if (serviced != facts.makes_serviced.end()) makes_.push_back({phrase(a.words), *serviced, true});
    else makes_.push_back({phrase(a.words), std::string(a.spoken), false});
  }
}

utterance_analysis intent_matcher::analyse(std::string_view utterance) const {
  utterance_analysis a;
  a.words = normalize_words(utterance);
  if (a.words.empty()) return a;
  a.first_at.fill(a.words.size());
  for (const auto& r : rules_) {
    if (auto at = r.words.find_in(a.words)) {
      auto i = static_cast<std::size_t>(r.which);
      a.scores[i] += r.weight;
      a.first_at[i] = std::min(a.first_at[i], *at);
    }
  }
  find_day(a);
  find_make(a);
  find_services(a);
  classify(a);
  return a;
}

void intent_matcher::find_day(utterance_analysis& a) const {
  for (const auto& w : a.words) {
    for (int d = 0; d < days_per_week; ++d) {
      auto day = static_cast<weekday>(d);
      if (words_match(w, lower(weekday_name(day)))) {
        a.day_kind = day_ref::named;
        a.day = day;
        return;
      }
    }
    if (w == "today" || w == "tonight") a.day_kind = day_ref::today;
    else if (w == "tomorrow") a.day_kind = day_ref::tomorrow;
    else if (words_match(w, "weekend")) a.day_kind = day_ref::weekend;
    else if (words_match(w, "weekday")) a.day_kind = day_ref::weekdays;
    if (a.day_kind != day_ref::none) return;
  }
}

void intent_matcher::find_make(utterance_analysis& a) const {
  std::size_t best_at = a.words.size();
  for (const auto& m : makes_) {
    auto at = m.words.find_in(a.words, 0);
    if (at && *at < best_at) {
      best_at = *at;
      a.make = m.spoken;
      a.make_serviced = m.serviced;
    }
  }
}

void intent_matcher::find_services(utterance_analysis& a) const {
  std::vector<std::size_t> score(services_.size(), 0);
  for (std::size_t i = 0; i < services_.size(); ++i) {
    for (const auto& k : services_[i].keywords)
      if (k.find_in(a.words)) score[i] = std::max(score[i], k.required_words() * 2);
  }
  // No keyword phrase: fall back to the words that single out a service by name.
  if (std::all_of(score.begin(), score.end(), [](auto s) { return s == 0; })) {
    for (std::size_t i = 0; i < services_.size(); ++i) {
      for (const auto& d : services_[i].distinctive) {
        bool found = std::any_of(a.words.begin(), a.words.end(), [&](const auto& w) { return words_match(w, d); });
        if (found) ++score[i];
      }
    }
  }
  if (score.empty()) return;
  auto best = *std::max_element(score.begin(), score.end());
  if (best == 0) return;
  for (std::size_t i = 0; i < score.size() && a.services.size() < max_services_answered; ++i)
    if (score[i] == best) a.services.push_back(i);
}

void intent_matcher::classify(utterance_analysis& a) const {
  auto at = [&](intent i) -> int& { return a.scores[static_cast<std::size_t>(i)]; };
  // "zero" inside a spoken number ("six two seven zero four") is not "press zero".
  auto digits = std::count_if(a.words.begin(), a.words.end(), [](const std::string& w) {
    return std::find(std::begin(digit_words), std::end(digit_words), w) != std::end(digit_words);
  });
  if (has_word(a.words, "zero") && digits >= 2 && at(intent::human) <= 3) at(intent::human) = 0;
  // Among digits, a lone "human" is a misheard "seven" ("six two human zero four"); asking
  // for a person takes a verb or another word for one.
  bool asks_for_someone = has_word(a.words, "talk") || has_word(a.words, "speak") || has_word(a.words, "person") ||
                          has_word(a.words, "transfer") || has_word(a.words, "connect") || has_word(a.words, "someone");
  if (has_word(a.words, "human") && digits >= 2 && !asks_for_someone) at(intent::human) = 0;
  // A day next to booking words is when to come in, not an hours question.
  if (a.day_kind != day_ref::none && at(intent::appointment) < content_threshold) at(intent::hours) += 3;
  if (a.make) at(intent::makes) += 5;

  int best = content_threshold - 1;
  for (std::size_t i = 0; i < intent_count; ++i) {
    auto which = static_cast<intent>(i);
    if (is_content(which) && a.scores[i] > best) {
      best = a.scores[i];
      a.content = which;
    }
  }
  bool about_a_service = a.content == intent::none || a.content == intent::price || a.content == intent::duration ||
                         a.content == intent::services || a.content == intent::capabilities;
  if (!a.services.empty() && about_a_service) a.content = intent::service_info;

  a.thanks = at(intent::thanks) >= social_threshold;
  a.goodbye = at(intent::goodbye) >= social_threshold;
  a.done = at(intent::done) >= social_threshold;
  a.greeting = at(intent::greeting) >= social_threshold;
  a.repeat = at(intent::repeat) >= social_threshold;
  bool yes = at(intent::yes) >= social_threshold;
  bool no = at(intent::no) >= social_threshold;
  auto yes_at = a.first_at[static_cast<std::size_t>(intent::yes)];
  auto no_at = a.first_at[static_cast<std::size_t>(intent::no)];
  if (yes && (!no || yes_at < no_at)) a.reply = intent::yes;
  else if (no) a.reply = intent::no;

  for (const auto& [kind, words] : appointment_kinds_) {
    if (words.find_in(a.words)) {
      a.appointment = kind;
      break;
    }
  }
  a.asks_closing_time = has_any_word(a.words, {"close", "closing", "closes", "shut"});
  a.asks_if_open = has_word(a.words, "open") && !has_any_word(a.words, {"what", "when", "hour", "hours", "time"});
  a.asks_directions = std::any_of(directions_.begin(), directions_.end(),
                                  [&](const phrase& p) { return p.find_in(a.words).has_value(); });
}

} // namespace ce::dialog
