#include "providers/pocketsphinx/expectation_grammar.hpp"

#include "providers/pocketsphinx/domain_vocabulary.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace ce::stt {
namespace {

using phrases = std::vector<std::string>;

bool is_operator(char c) {
  return c == ' ' || c == '[' || c == ']' || c == '(' || c == ')' || c == '|' || c == '*' ||
         c == '+' || c == ';';
}

/// The words of a JSGF rule body: rule references (<x>) and weights (/0.5/) skipped.
std::vector<std::string> body_words(std::string_view body) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < body.size()) {
    char c = body[i];
    if (c == '<' || c == '/') {
      auto end = body.find(c == '<' ? '>' : '/', i + 1);
      i = end == std::string_view::npos ? body.size() : end + 1;
    } else if (is_operator(c)) {
      ++i;
    } else {
      auto j = i;
      while (j < body.size() && !is_operator(body[j]) && body[j] != '<' && body[j] != '/') ++j;
      words.emplace_back(body.substr(i, j - i));
      i = j;
    }
  }
  return words;
}

std::string format_weight(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/%g/", w);
  return buf;
}

/// A JSGF grammar under construction; alternatives naming an unknown word are dropped.
class grammar_text {
public:
  /// Every word of the rules added with rule() weighs `word_weight`.
  grammar_text(std::string_view name, const word_set& known, double word_weight)
    : known_(known), word_weight_(format_weight(word_weight)) {
    text_ = "#JSGF V1.0;\ngrammar " + std::string(name) + ";\n";
  }

  /// `<name> = a | b | ...;`, or <VOID> when no alternative survives.
  void rule(std::string_view name, const phrases& alternatives, bool is_public = false) {
    std::vector<std::string> weighed;
    for (const auto& alt : alternatives) weighed.push_back(weigh_words(alt));
    rule_as_is(name, weighed, is_public);
  }

  /// rule() without weighing the words (they carry their own weights).
  void rule_as_is(std::string_view name, const phrases& alternatives, bool is_public = false) {
    std::set<std::string> seen;
    std::string body;
    for (const auto& alt : alternatives) {
      if (!known(alt) || !seen.insert(alt).second) continue;
      body += (body.empty() ? "" : " | ") + alt;
    }
    text_ += (is_public ? "public <" : "<") + std::string(name) + "> = " +
             (body.empty() ? "<VOID>" : body) + ";\n";
  }

  std::string take() { return std::move(text_); }

private:
  bool known(const std::string& alt) const {
    auto words = body_words(alt);
    return std::all_of(words.begin(), words.end(), [&](const std::string& w) {
      return known_.contains(w) || is_reject_word(w);
    });
  }

  /// "my <x> is" -> "/w/ my <x> /w/ is".
  std::string weigh_words(std::string_view alt) const {
    std::string out;
    std::size_t i = 0;
    while (i < alt.size()) {
      char c = alt[i];
      if (c == '<' || c == '/') {
        auto end = std::min(alt.find(c == '<' ? '>' : '/', i + 1), alt.size() - 1);
        out += alt.substr(i, end + 1 - i);
        i = end + 1;
      } else if (is_operator(c)) {
        out += c;
        ++i;
      } else {
        auto j = i;
        while (j < alt.size() && !is_operator(alt[j]) && alt[j] != '<' && alt[j] != '/') ++j;
        out += word_weight_ + " " + std::string(alt.substr(i, j - i));
        i = j;
      }
    }
    return out;
  }

  const word_set& known_;
  std::string word_weight_;
  std::string text_;
};

phrases numbers(int from, int to) {
  phrases out;
  for (int n = from; n <= to; ++n) out.push_back(spoken_number(n));
  return out;
}

phrases ordinals(int from, int to) {
  phrases out;
  for (int n = from; n <= to; ++n) out.push_back(spoken_ordinal(n));
  return out;
}

phrases weekdays() {
  return {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
}

phrases months() {
  return {"january", "february", "march",     "april",   "may",      "june",
          "july",    "august",   "september", "october", "november", "december"};
}

/// Hesitations and acknowledgements a caller starts an answer with.
phrases leads() { return {"um", "uh", "yeah", "yes", "sure", "okay", "so", "oh", "well"}; }

/// Two-digit number words: "oh five", "twelve", "eighty five" (rules <unit>, <teen>, <tens>).
void add_number_rules(grammar_text& g) {
  g.rule("unit", numbers(1, 9));
  g.rule("teen", numbers(10, 19));
  g.rule("tens", {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"});
  g.rule("two_digits", {"<teen>", "<tens> [<unit>]", "oh <unit>"});
  // 1900-2099 as said: "nineteen eighty five", "two thousand five", "twenty nineteen".
  g.rule("year", {"nineteen (<two_digits> | hundred)", "two thousand [[and] (<unit> | <teen>)]",
                  "twenty (<two_digits> | hundred)", "two thousand twenty [<unit>]"});
}

/// `<utterance>`: the answer, or the phone loop standing for anything else.
void add_utterance_rule(grammar_text& g, const grammar_options& o) {
  phrases phones;
  for (const auto& [word, pron] : reject_words())
    phones.push_back(format_weight(o.reject_phone) + " " + word);
  g.rule_as_is("reject_phone", phones);
  // Not "<reject_phone>+": sphinxbase closes a loop on the state it starts from, which
  // here is the start of the utterance, and the answer could then follow free phones.
  g.rule_as_is("utterance",
               {"<answer>", format_weight(o.reject_entry) + " <reject_phone> <reject_phone>*"},
               true);
}

void add_digits_rules(grammar_text& g) {
  g.rule("digit", {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight",
                   "nine"});
  g.rule("lead", leads());
  g.rule("carrier", {"my zip code is", "my zip is", "the zip code is", "zip code", "zip code is",
                     "my zip code", "it's", "it is", "that's", "that is", "my phone number is",
                     "my number is", "the number is", "my cell is", "my cell phone is",
                     "my cell number is", "phone number", "you can reach me at", "call me at",
                     "the last four digits are", "the last four are", "last four"});
  g.rule("prefix", {"<lead> [<carrier>]", "<carrier>"});
  // One to twelve digits: a ZIP code, a phone number, the last four digits of something.
  std::string run = "<digit>";
  for (int i = 1; i < 12; ++i) run = "<digit> [" + run + "]";
  g.rule("answer", {"[<prefix>] " + run});
}

void add_date_rules(grammar_text& g) {
  add_number_rules(g);
  g.rule("month", months());
  g.rule("day_ordinal", ordinals(1, 31));
  g.rule("day_number", numbers(1, 31));
  g.rule("month_number", {"<unit>", "ten", "eleven", "twelve", "oh <unit>"});
  g.rule("day_numeric", {"<day_number>", "oh <unit>"});
  g.rule("year_part", {"[of] <year>", "<two_digits>"});
  g.rule("date", {"<month> [the] (<day_ordinal> | <day_number>) [<year_part>]",
                  "[the] <day_ordinal> of <month> [<year_part>]",
                  "<month_number> [slash] <day_numeric> [slash] (<year> | <two_digits>)",
                  "<month> <year>"});
  g.rule("lead", leads());
  g.rule("carrier", {"my date of birth is", "my birthday is", "my birth date is", "date of birth",
                     "birthday", "it's", "it is", "that's", "i was born on", "i was born",
                     "born on", "on"});
  g.rule("prefix", {"<lead> [<carrier>]", "<carrier>"});
  g.rule("answer", {"[<prefix>] <date>"});
}

void add_yes_no_rules(grammar_text& g) {
  // No bare "i don't" or "i'm not": they would swallow "i don't know" / "i'm not sure".
  g.rule("yes", {"yes", "yeah", "yep", "yup", "sure", "okay", "correct", "right",
                 "that's right", "that's correct", "yes it is", "it is", "yes please",
                 "please", "of course", "absolutely", "definitely", "exactly", "sounds good",
                 "perfect", "that works", "that's fine", "go ahead", "yes sir", "yes ma'am",
                 "uh huh", "alright", "all right", "yes i do", "yes i am", "that's it",
                 "you got it", "great", "sure thing", "yes that's right", "yes that's correct"});
  g.rule("no", {"no", "nope", "nah", "no thanks", "no thank you", "not really", "that's wrong",
                "that's not right", "that's not correct", "not quite", "incorrect",
                "no it's not", "no it isn't", "wrong", "no sir", "no ma'am", "not at all",
                "no i don't", "no i'm not", "no that's wrong", "negative"});
  g.rule("lead", {"um", "uh", "oh", "well", "hmm"});
  g.rule("tail", {"please", "thanks", "thank you", "that's right", "that's correct"});
  g.rule("answer", {"[<lead>] (<yes> | <no>) [<tail>]"});
}

void add_name_rules(grammar_text& g) {
  g.rule("first", common_first_names());
  g.rule("last", common_surnames());
  g.rule("lead", {"um", "uh", "yeah", "yes", "sure", "okay", "hi", "hello", "oh"});
  g.rule("carrier", {"my name is", "my name's", "the name is", "name is", "it's", "it is",
                     "this is", "i'm", "i am", "it's under", "under", "it should be under",
                     "the appointment is under", "my first name is", "my last name is",
                     "last name", "first name"});
  g.rule("prefix", {"<lead> [<carrier>]", "<carrier>"});
  g.rule("answer", {"[<prefix>] (<first> [<last>] | <last>)"});
}

/// Makes with their models, "toyota [camry | corolla | ...]" (an alias shares its make's
/// models); models named with a word missing from `known` are left out. `models` gets every
/// model, for callers who name only the model.
phrases make_phrases(const dealership_facts& facts, const word_set& known, phrases& models) {
  std::vector<std::string> makes = common_makes();
  for (const auto& m : facts.makes_serviced) {
    auto make = normalize_spoken(m);
    makes.push_back(make == "gmc" ? "g m c" : make);
  }
  auto all_known = [&](const std::string& text) {
    auto words = split_words(text);
    return std::all_of(words.begin(), words.end(),
                       [&](const std::string& w) { return known.contains(w); });
  };
  phrases out;
  for (const auto& make : makes) {
    if (make.empty()) continue;
    auto names = make_aliases(make);
    names.push_back(make);
    std::string model_alt;
    for (const auto& m : models_of(make)) {
      if (!all_known(m)) continue;
      models.push_back(m);
      model_alt += (model_alt.empty() ? "" : " | ") + m;
    }
    for (const auto& name : names)
      out.push_back(model_alt.empty() ? name : name + " [" + model_alt + "]");
  }
  return out;
}

void add_vehicle_rules(grammar_text& g, const dealership_facts& facts, const word_set& known) {
  add_number_rules(g);
  // Model years as said, with the short forms: "an oh eight", "a ninety eight".
  g.rule("model_year", {"<year>", "oh <unit>", "<teen>", "twenty [<unit>]",
                        "(eighty | ninety) [<unit>]"});
  phrases models;
  auto makes = make_phrases(facts, known, models);
  g.rule("make", makes);
  g.rule("model", models);
  g.rule("kind", {"car", "truck", "suv", "van", "sedan", "pickup"});
  g.rule("lead", leads());
  g.rule("carrier", {"it's a", "it's an", "it is a", "it is an", "i have a", "i have an",
                     "i've got a", "i drive a", "i drive an", "my car is a", "my car is an",
                     "the car is a", "the car is an", "a", "an", "it's", "i have"});
  g.rule("prefix", {"<lead> [<carrier>]", "<carrier>"});
  g.rule("answer", {"[<prefix>] [<model_year>] (<make> | <model>) [<kind>]"});
}

void add_time_choice_rules(grammar_text& g) {
  g.rule("day", weekdays());
  g.rule("month", months());
  g.rule("ordinal", ordinals(1, 31));
  g.rule("hour", numbers(1, 12));
  g.rule("clock", {"<hour> [fifteen | thirty | forty five | o'clock] [a.m. | p.m.]", "noon"});
  g.rule("part", {"morning", "afternoon", "evening"});
  g.rule("when", {"today", "tomorrow", "the day after tomorrow", "[this | next] <day>",
                  "this week", "next week", "<month> [the] <ordinal>", "the <ordinal>",
                  "<day> the <ordinal>"});
  g.rule("at", {"at", "around", "after", "before", "about"});
  g.rule("slot", {"[on] <when> [[in the] <part>] [<at> <clock>]",
                  "[<at>] <clock> [in the <part>] [[on] <when>]",
                  "[in] [the] <part> [[on] <when>]", "first thing in the morning",
                  "after lunch", "before lunch", "any time", "anytime"});
  g.rule("pick", {"[the] (first | second | third | last | other | earlier | later) [one]",
                  "the (morning | afternoon) one", "the one (at <clock> | on <day>)",
                  "the <day> one", "either one", "either", "whichever", "any of those"});
  g.rule("other", {"another day", "a different day", "a different time", "another time",
                   "something else", "none of those", "none of them", "neither",
                   "neither of those", "something later", "something earlier",
                   "anything later", "anything earlier",
                   "(do you have | is there) anything (later | earlier | <when>)"});
  g.rule("reply", {"yes", "yeah", "sure", "okay", "no", "nope", "that works", "sounds good",
                   "perfect"});
  g.rule("lead", {"um", "uh", "yeah", "yes", "sure", "okay", "so", "well", "let's do",
                  "let's say", "i'll take", "i'd like", "how about", "can i do", "i can do",
                  "i'd prefer", "i prefer", "let's go with", "i'll go with", "can we do",
                  "what about", "can i come in"});
  g.rule("tail", {"works", "is fine", "is good", "works for me", "would be great", "please",
                  "is better", "would work"});
  g.rule("answer", {"[<lead>] (<slot> | <pick>) [<tail>]", "[<lead>] <other>", "<reply>"});
}

} // namespace

std::string_view to_string(expectation e) {
  switch (e) {
  case expectation::open: return "open";
  case expectation::digits: return "digits";
  case expectation::date: return "date";
  case expectation::yes_no: return "yes_no";
  case expectation::name: return "name";
  case expectation::vehicle: return "vehicle";
  case expectation::time_choice: return "time_choice";
  }
  return "open";
}

std::optional<expectation> expectation_from_string(std::string_view name) {
  if (name == "open") return expectation::open;
  for (auto e : grammar_expectations)
    if (to_string(e) == name) return e;
  return std::nullopt;
}

const std::vector<std::pair<std::string, std::string>>& reject_words() {
  static const auto words = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const char* phone : {"AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH",
                              "EH", "ER", "EY", "F",  "G",  "HH", "IH", "IY", "JH", "K",
                              "L",  "M",  "N",  "NG", "OW", "OY", "P",  "R",  "S",  "SH",
                              "T",  "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH"}) {
      std::string word = "rej_";
      for (const char* c = phone; *c != 0; ++c)
        word += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
      out.emplace_back(std::move(word), phone);
    }
    return out;
  }();
  return words;
}

bool is_reject_word(std::string_view word) { return word.starts_with("rej_"); }

std::string expectation_grammar(expectation e, const dealership_facts& facts,
                                const word_set& known, const grammar_options& options) {
  if (e == expectation::open) return {};
  grammar_text g(to_string(e), known, options.answer_word);
  switch (e) {
  case expectation::open: break;
  case expectation::digits: add_digits_rules(g); break;
  case expectation::date: add_date_rules(g); break;
  case expectation::yes_no: add_yes_no_rules(g); break;
  case expectation::name: add_name_rules(g); break;
  case expectation::vehicle: add_vehicle_rules(g, facts, known); break;
  case expectation::time_choice: add_time_choice_rules(g); break;
  }
  add_utterance_rule(g, options);
  return g.take();
}

std::vector<std::string> grammar_words(const std::string& jsgf) {
  std::set<std::string> words;
  std::size_t at = 0;
  while (at < jsgf.size()) {
    auto end = std::min(jsgf.find('\n', at), jsgf.size());
    std::string_view line(jsgf.data() + at, end - at);
    auto eq = line.find(" = ");
    bool is_rule = line.starts_with("<") || line.starts_with("public <");
    if (is_rule && eq != std::string_view::npos)
      for (auto& w : body_words(line.substr(eq + 3)))
        if (!is_reject_word(w)) words.insert(std::move(w));
    at = end + 1;
  }
  return {words.begin(), words.end()};
}

} // namespace ce::stt
