#include "dialog/caller_details.hpp"

#include "dialog/calendar.hpp"
#include "dialog/date_parse.hpp"
#include "dialog/text_match.hpp"

#include <algorithm>
#include <cctype>

namespace ce::dialog {

namespace {

struct make_name {
  std::string_view spoken;
  std::string_view name;
};

constexpr make_name makes[] = {
  {"ford", "Ford"},         {"chevrolet", "Chevrolet"}, {"chevy", "Chevrolet"},   {"toyota", "Toyota"},
  {"honda", "Honda"},       {"nissan", "Nissan"},       {"hyundai", "Hyundai"},   {"kia", "Kia"},
  {"subaru", "Subaru"},     {"jeep", "Jeep"},           {"ram", "Ram"},           {"dodge", "Dodge"},
  {"gmc", "GMC"},           {"mazda", "Mazda"},         {"volkswagen", "Volkswagen"}, {"vw", "Volkswagen"},
  {"bmw", "BMW"},           {"audi", "Audi"},           {"lexus", "Lexus"},       {"acura", "Acura"},
  {"buick", "Buick"},       {"cadillac", "Cadillac"},   {"chrysler", "Chrysler"}, {"mitsubishi", "Mitsubishi"},
  {"volvo", "Volvo"},       {"tesla", "Tesla"},         {"lincoln", "Lincoln"},   {"infiniti", "Infiniti"},
  {"mercedes", "Mercedes-Benz"}, {"benz", "Mercedes-Benz"}, {"pontiac", "Pontiac"}};

struct model_name {
  std::string_view spoken;  ///< as recognised words
  std::string_view name;
  std::string_view make;
};

// Common models of the makes the shop services, longest phrases first.
constexpr model_name models[] = {
  {"grand cherokee", "Grand Cherokee", "Jeep"}, {"santa fe", "Santa Fe", "Hyundai"},
  {"f one fifty", "F-150", "Ford"}, {"f two fifty", "F-250", "Ford"}, {"rav four", "RAV4", "Toyota"},
  {"four runner", "4Runner", "Toyota"}, {"fifteen hundred", "1500", "Ram"}, {"cr v", "CR-V", "Honda"},
  {"crv", "CR-V", "Honda"}, {"hr v", "HR-V", "Honda"}, {"hrv", "HR-V", "Honda"}, {"f150", "F-150", "Ford"},
  {"civic", "Civic", "Honda"}, {"accord", "Accord", "Honda"}, {"pilot", "Pilot", "Honda"},
  {"odyssey", "Odyssey", "Honda"}, {"camry", "Camry", "Toyota"}, {"corolla", "Corolla", "Toyota"},
  {"tacoma", "Tacoma", "Toyota"}, {"tundra", "Tundra", "Toyota"}, {"highlander", "Highlander", "Toyota"},
  {"prius", "Prius", "Toyota"}, {"sienna", "Sienna", "Toyota"}, {"escape", "Escape", "Ford"},
  {"explorer", "Explorer", "Ford"}, {"focus", "Focus", "Ford"}, {"fusion", "Fusion", "Ford"},
  {"mustang", "Mustang", "Ford"}, {"ranger", "Ranger", "Ford"}, {"bronco", "Bronco", "Ford"},
  {"silverado", "Silverado", "Chevrolet"}, {"malibu", "Malibu", "Chevrolet"}, {"equinox", "Equinox", "Chevrolet"},
  {"tahoe", "Tahoe", "Chevrolet"}, {"impala", "Impala", "Chevrolet"}, {"traverse", "Traverse", "Chevrolet"},
  {"altima", "Altima", "Nissan"}, {"sentra", "Sentra", "Nissan"}, {"rogue", "Rogue", "Nissan"},
  {"pathfinder", "Pathfinder", "Nissan"}, {"maxima", "Maxima", "Nissan"}, {"elantra", "Elantra", "Hyundai"},
  {"sonata", "Sonata", "Hyundai"}, {"tucson", "Tucson", "Hyundai"}, {"sorento", "Sorento", "Kia"},
  {"sportage", "Sportage", "Kia"}, {"optima", "Optima", "Kia"}, {"forte", "Forte", "Kia"},
  {"soul", "Soul", "Kia"}, {"outback", "Outback", "Subaru"}, {"forester", "Forester", "Subaru"},
  {"impreza", "Impreza", "Subaru"}, {"crosstrek", "Crosstrek", "Subaru"}, {"legacy", "Legacy", "Subaru"},
  {"wrangler", "Wrangler", "Jeep"}, {"cherokee", "Cherokee", "Jeep"}, {"compass", "Compass", "Jeep"},
  {"gladiator", "Gladiator", "Jeep"}};

constexpr std::string_view name_fillers[] = {
  "my", "name", "names", "is", "this", "it", "i", "am", "yes", "yeah", "sure", "okay", "hi", "hello",
  "first", "last", "and", "the", "call", "me", "please", "thanks", "thank", "you", "of", "course",
  "so", "well", "oh", "yep", "mr", "mrs", "ms", "miss", "doctor", "dr", "sir", "its", "that", "would",
  "be", "go", "ahead", "are"};

constexpr std::string_view not_names[] = {
  "want", "need", "book", "appointment", "what", "how", "where", "when", "why", "can", "could",
  "do", "does", "not", "no", "don't", "service", "change", "car", "know", "hours", "price"};

constexpr std::string_view vin_fillers[] = {
  "vin", "is", "the", "my", "it", "number", "its", "that", "and", "please", "vehicle", "identification", "okay", "are", "last", "six", "of"};

bool listed(std::string_view w, const auto& list) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

std::string title_case(std::string w) {
  if (!w.empty()) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
  return w;
}

bool alphabetic(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

bool spelled_piece(const std::string& w) {
  bool vowel = std::any_of(w.begin(), w.end(), [](char c) { return std::string_view("aeiou").find(c) != std::string_view::npos; });
  return alphabetic(w) && (w.size() == 1 || (!vowel && w.size() <= 4));
}

/// "s m i t h" arrives as "sm i th" (the recogniser's "a" and "i" stay apart): rejoin.
word_list join_spelled(const word_list& words) {
  word_list out;
  for (std::size_t i = 0; i < words.size();) {
    std::size_t j = i;
    while (j < words.size() && spelled_piece(words[j])) ++j;
    if (j - i >= 2) {
      std::string joined;
      for (std::size_t k = i; k < j; ++k) joined += words[k];
      out.push_back(std::move(joined));
      i = j;
    } else {
      out.push_back(words[i++]);
    }
  }
  return out;
}

std::vector<std::string> name_words(const word_list& spoken) {
  std::vector<std::string> out;
  for (const auto& w : join_spelled(spoken)) {
    if (listed(w, not_names) || digit_word(w) || read_cardinal(word_list{w}, 0)) return {};
    if (listed(w, name_fillers) || !alphabetic(w) || w.size() < 2) continue;
    out.push_back(w);
  }
  return out;
}

/// Letters and digits spelled after `from`, at most 17: "one h g c m" -> "1HGCM".
std::string spelled_characters(const word_list& words, std::size_t from) {
  constexpr std::size_t vin_length = 17;
  std::string out;
  for (std::size_t i = from; i < words.size() && out.size() < vin_length; ++i) {
    const auto& w = words[i];
    if (auto d = digit_word(w)) {
      out += static_cast<char>('0' + *d);
    } else if (w == "oh") {
      out += '0';
    } else if (w == "double" && i + 1 < words.size() && digit_word(words[i + 1])) {
      out.append(2, static_cast<char>('0' + *digit_word(words[i + 1])));
      ++i;
    } else if (listed(w, vin_fillers)) {
      continue;
    } else if (w.size() <= vin_length &&
               std::all_of(w.begin(), w.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
      for (char c : w) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
      break;
    }
  }
  return out.substr(0, std::min(out.size(), vin_length));
}

std::optional<std::size_t> index_of(const word_list& words, std::string_view w) {
  auto it = std::find(words.begin(), words.end(), w);
  if (it == words.end()) return std::nullopt;
  return static_cast<std::size_t>(it - words.begin());
}

} // namespace

std::optional<person_name> parse_person_name(const word_list& words) {
  auto names = name_words(words);
  if (names.empty() || names.size() > 4) return std::nullopt;
  person_name out{title_case(names.front()), names.size() > 1 ? title_case(names.back()) : std::string{}};
  return out;
}

std::optional<std::string> parse_last_name(const word_list& words) {
  auto names = name_words(words);
  if (names.empty() || names.size() > 2) return std::nullopt;
  return title_case(names.back());
}

vehicle_description parse_vehicle(const word_list& words) {
  vehicle_description v;
  if (auto at = index_of(words, "vin")) {
    auto chars = spelled_characters(words, *at + 1);
    if (chars.size() == 17) v.vin = chars;
    return v;
  }
  std::vector<bool> used(words.size(), false);
  for (std::size_t i = 0; i < words.size() && !v.year; ++i) {
    if (auto y = read_year(words, i)) {
      v.year = static_cast<int>(y->value);
      std::fill_n(used.begin() + static_cast<std::ptrdiff_t>(i), y->words, true);
    }
  }
  std::optional<std::size_t> make_at;
  for (std::size_t i = 0; i < words.size() && v.make.empty(); ++i) {
    for (const auto& m : makes) {
      if (!used[i] && (words[i] == m.spoken || words_match(words[i], m.spoken))) {
        v.make = std::string(m.name);
        make_at = i;
        used[i] = true;
        break;
      }
    }
  }
  for (const auto& m : models) {
    phrase p(m.spoken);
    auto at = p.find_in(words, 0);
    if (!at || used[*at]) continue;
    if (!v.make.empty() && v.make != m.make) continue;
    v.model = std::string(m.name);
    if (v.make.empty()) v.make = std::string(m.make);
    return v;
  }
  if (make_at) {  // an unlisted model: the words after the make
    std::string model;
    for (std::size_t i = *make_at + 1; i < words.size() && i <= *make_at + 2; ++i) {
      if (used[i] || !alphabetic(words[i]) || listed(words[i], name_fillers) || listed(words[i], vin_fillers)) break;
      model += (model.empty() ? "" : " ") + title_case(words[i]);
    }
    v.model = model;
  }
  return v;
}

void merge_vehicle(vehicle_description& into, const vehicle_description& heard) {
  if (heard.year) into.year = heard.year;
  if (!heard.make.empty() && heard.make != into.make) {
    into.make = heard.make;
    if (heard.model.empty()) into.model.clear();
  }
  if (!heard.model.empty()) into.model = heard.model;
  if (!heard.vin.empty()) into.vin = heard.vin;
}

identity_reading parse_identity(const word_list& words) {
  identity_reading r;
  auto vin_at = index_of(words, "vin");
  if (!vin_at) {
    auto six = phrase("last six").find_in(words, 0);
    if (six) vin_at = *six + 1;
  }
  if (vin_at) {
    auto chars = spelled_characters(words, *vin_at + 1);
    if (chars.size() >= 6) r.answer = identity_answer{"vin_last6", chars.substr(chars.size() - 6)};
    return r;
  }
  if (auto dob = parse_birth_date(words)) {
    r.answer = identity_answer{"date_of_birth", iso_date(*dob)};
    return r;
  }
  auto digits = collect_digits(words);
  if (digits.size() >= 5) r.answer = identity_answer{"zip", digits.substr(0, 5)};
  else if (!digits.empty()) r.partial_zip = true;
  return r;
}

std::optional<std::size_t> match_vehicle(const std::vector<vehicle_record>& vehicles, const word_list& words) {
  std::optional<int> year;
  for (std::size_t i = 0; i < words.size() && !year; ++i)
    if (auto y = read_year(words, i)) year = static_cast<int>(y->value);
  auto heard = parse_vehicle(words);
  std::vector<int> scores;
  for (const auto& v : vehicles) {
    int score = 0;
    if (year && *year == v.year) score += 3;
    std::string make_key;
    for (char c : v.make) make_key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!heard.make.empty() && heard.make == v.make) score += 2;
    else if (std::any_of(words.begin(), words.end(), [&](const std::string& w) { return words_match(w, make_key); }))
      score += 2;
    std::string model_key;
    for (char c : v.model)
      if (std::isalpha(static_cast<unsigned char>(c)) != 0) model_key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!heard.model.empty() && heard.model == v.model) score += 4;
    else if (model_key.size() >= 3 &&
             std::any_of(words.begin(), words.end(), [&](const std::string& w) { return words_match(w, model_key); }))
      score += 4;
    scores.push_back(score);
  }
  if (scores.empty()) return std::nullopt;
  auto best = std::max_element(scores.begin(), scores.end());
  if (*best == 0 || std::count(scores.begin(), scores.end(), *best) > 1) return std::nullopt;
  return static_cast<std::size_t>(best - scores.begin());
}

} // namespace ce::dialog
