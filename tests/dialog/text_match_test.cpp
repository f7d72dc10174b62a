#include "dialog/text_match.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog;

TEST_CASE("normalising lowercases, strips punctuation and expands contractions") {
  CHECK(normalize("What's your ADDRESS?") == "what is your address");
  CHECK(normalize("I don't know, that's all!") == "i do not know that is all");
  CHECK(normalize("can't won't i'm you're we'll") == "can not will not i am you are we will");
  CHECK(normalize("Bart's Automotive") == "bart automotive");
  CHECK(normalize("that\xE2\x80\x99s it") == "that is it");
  CHECK(normalize("  ") == "");
}

TEST_CASE("normalising drops recogniser fillers and spells digits") {
  CHECK(normalize("uh are you um open saturday") == "are you open saturday");
  CHECK(normalize("press 0") == "press zero");
  CHECK(normalize("a 2015 honda") == "a two thousand fifteen honda");
  CHECK(normalize("uh huh") == "yes");
  CHECK(normalize("do you fix b m w") == "do you fix bmw");
  CHECK(normalize("check-engine light") == "check engine light");
}

TEST_CASE("word matching tolerates endings and small slips in long words") {
  CHECK(words_match("tires", "tire"));
  CHECK(words_match("rotated", "rotation"));
  CHECK(words_match("closing", "close"));
  CHECK(words_match("hours", "hour"));
  CHECK(words_match("batteries", "battery"));
  CHECK(words_match("inspection", "inspect"));
  CHECK(words_match("adviser", "advisor"));
  CHECK_FALSE(words_match("hour", "your"));
  CHECK_FALSE(words_match("no", "know"));
  CHECK_FALSE(words_match("change", "charge"));
  CHECK_FALSE(words_match("monday", "sunday"));
}

TEST_CASE("phrases match in order with a few stray words between them") {
  auto words = normalize_words("how much would it be for an oil change");
  CHECK(phrase("how much").find_in(words) == 0u);
  CHECK(phrase("oil change").find_in(words) == 7u);
  CHECK(phrase("how much oil").find_in(words) == std::nullopt);  // too far apart
  CHECK(phrase("change oil").find_in(words) == std::nullopt);    // wrong order
  CHECK(phrase("talk to person").find_in(normalize_words("i want to talk to a real person")) == 3u);
}

TEST_CASE("optional phrase words may be missing") {
  phrase p("how much is? an? oil change");
  CHECK(p.required_words() == 4);
  CHECK(p.find_in(normalize_words("how much oil change")));
  CHECK(p.find_in(normalize_words("how much is an oil change")));
  CHECK_FALSE(p.find_in(normalize_words("how much is it")));
  CHECK_FALSE(phrase("").find_in(normalize_words("anything")));
}
