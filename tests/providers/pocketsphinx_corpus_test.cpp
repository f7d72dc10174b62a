// The domain corpus: what callers say, in words the pronunciation dictionary knows.
#include "providers/pocketsphinx/domain_corpus.hpp"
#include "providers/pocketsphinx/phrase_template.hpp"
#include "providers/pocketsphinx/pronunciation_dict.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

namespace ce::stt::test {
dealership_facts bart_facts();
}

namespace {

using namespace ce;
using namespace ce::stt;

const std::string cmu_dict = stt_config{}.dict_path;

bool contains(const std::vector<std::string>& corpus, const std::string& sentence) {
  return std::find(corpus.begin(), corpus.end(), sentence) != corpus.end();
}

bool any_contains(const std::vector<std::string>& corpus, const std::string& phrase) {
  return std::any_of(corpus.begin(), corpus.end(), [&](const std::string& s) {
    return (" " + s + " ").find(" " + phrase + " ") != std::string::npos;
  });
}

} // namespace

TEST_CASE("stt corpus for Bart's Automotive has every word in the pronunciation dictionary") {
  auto corpus = build_domain_corpus(test::bart_facts());
  auto oov = out_of_vocabulary(corpus, cmu_dict);
  INFO("out of vocabulary: " << Catch::Detail::stringify(oov));
  CHECK(oov.empty());
}

TEST_CASE("stt corpus for default facts has every word in the pronunciation dictionary") {
  CHECK(out_of_vocabulary(build_domain_corpus(dealership_facts{}), cmu_dict).empty());
}

TEST_CASE("stt corpus is deterministic, normalized and a few thousand sentences long") {
  auto a = build_domain_corpus(test::bart_facts());
  auto b = build_domain_corpus(test::bart_facts());
  CHECK(a == b);
  CHECK(a.size() >= 2000);
  CHECK(a.size() <= 15000);
  for (const auto& s : a) {
    REQUIRE_FALSE(s.empty());
    REQUIRE(normalize_spoken(s) == s);
  }
  std::set<std::string> distinct(a.begin(), a.end());
  CHECK(distinct.size() > a.size() / 2);
}

TEST_CASE("stt corpus covers the caller intents of a service department") {
  auto c = build_domain_corpus(test::bart_facts());
  for (const char* sentence :
       {"what are your hours", "are you open on saturday", "what time do you close",
        "where are you located", "how much is an oil change", "i'd like to book an oil change",
        "can i reschedule my appointment", "i need to cancel my appointment",
        "can i talk to a person", "can i speak to a service advisor", "yes", "no", "okay",
        "sure", "that's right", "correct", "thank you", "goodbye", "my check engine light is on"})
    CHECK(contains(c, sentence));
  for (const char* phrase :
       {"my name is", "five five five", "twenty nineteen", "two thousand eighteen",
        "next tuesday", "ten a.m.", "two thirty", "in the morning", "in the afternoon",
        "thousand miles", "tire rotation", "brake inspection", "wheel alignment",
        "state inspection", "transmission", "air conditioning", "representative", "human",
        "tomorrow", "march fifth", "toyota camry", "honda civic", "chevy silverado"})
    CHECK(any_contains(c, phrase));
}

TEST_CASE("stt corpus speaks the dealership's own names, services and makes") {
  auto facts = test::bart_facts();
  facts.services.push_back({"detail", "a full detail", {"interior detailing"}, 120, ""});
  facts.makes_serviced.push_back("Subaru");
  auto c = build_domain_corpus(facts);
  CHECK(any_contains(c, "bart's automotive"));
  CHECK(any_contains(c, "twelve hundred north main street springfield"));
  CHECK(any_contains(c, "a full detail"));
  CHECK(any_contains(c, "interior detailing"));
  CHECK(any_contains(c, "subaru outback"));
  CHECK(any_contains(c, "g m c sierra"));
  CHECK(any_contains(c, "an air conditioning service"));
}

TEST_CASE("stt out_of_vocabulary lists unknown words once and everything for a missing dict") {
  std::vector<std::string> corpus = {"book an oil change", "zorblax oil zorblax", "qwfp"};
  CHECK(out_of_vocabulary(corpus, cmu_dict) == std::vector<std::string>{"qwfp", "zorblax"});
  CHECK(out_of_vocabulary(corpus, "/nonexistent/dict").size() == 6);
  std::string error;
  CHECK_FALSE(read_dictionary_words("/nonexistent/dict", &error));
  CHECK_THAT(error, Catch::Contains("/nonexistent/dict"));
}

TEST_CASE("stt spoken text writes numbers, years, ordinals and clock times as said") {
  CHECK(spoken_number(0) == "zero");
  CHECK(spoken_number(45) == "forty five");
  CHECK(spoken_number(120) == "one hundred twenty");
  CHECK(spoken_number(60000) == "sixty thousand");
  CHECK(spoken_year(2019) == "twenty nineteen");
  CHECK(spoken_year(2019, true) == "two thousand nineteen");
  CHECK(spoken_year(2005) == "two thousand five");
  CHECK(spoken_year(1998) == "nineteen ninety eight");
  CHECK(spoken_ordinal(1) == "first");
  CHECK(spoken_ordinal(22) == "twenty second");
  CHECK(spoken_ordinal(30) == "thirtieth");
  CHECK(normalize_spoken("Bart's Automotive, 1200 N. Main St.") ==
        "bart's automotive twelve hundred north main street");
  CHECK(normalize_spoken("Open 8:00 AM - 5:30 pm") == "open eight a.m. five thirty p.m.");
  CHECK(normalize_spoken("Call 555-1234 & ask") ==
        "call five five five one two three four and ask");
  CHECK(normalize_spoken("I am here at 10 am") == "i am here at ten a.m.");
  CHECK(normalize_spoken("A/C  service!") == "air conditioning service");
}

TEST_CASE("stt templates expand slots and alternatives, and sample big ones evenly") {
  slot_table slots{{"day", {"monday", "tuesday", "friday"}}, {"n", {"one", "two"}}};
  auto all = expand_template("{hi|} open {day} {at {n}|}", slots, 100);
  CHECK(all.size() == 2 * 3 * 3);
  CHECK(contains(all, "hi open monday at two"));
  CHECK(contains(all, "open friday"));
  auto some = expand_template("{hi|} open {day} {at {n}|}", slots, 6, 7);
  CHECK(some.size() == 6);
  CHECK(std::set<std::string>(some.begin(), some.end()).size() == 6);
  CHECK(some == expand_template("{hi|} open {day} {at {n}|}", slots, 6, 7));
  CHECK(expand_template("say {unknown}", slots, 10) == std::vector<std::string>{"say unknown"});
}
