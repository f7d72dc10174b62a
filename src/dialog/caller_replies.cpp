#include "dialog/caller_replies.hpp"

#include "dialog/text_match.hpp"

#include <algorithm>
#include <string>

namespace ce::dialog {

namespace {

bool has_any_word(const word_list& words, std::initializer_list<std::string_view> options) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return std::find(options.begin(), options.end(), w) != options.end();
  });
}

} // namespace

bool any_phrase(const word_list& words, std::initializer_list<std::string_view> phrases) {
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](std::string_view p) { return phrase(p).find_in(words, 0).has_value(); });
}

bool negative(const utterance_analysis& a) {
  return a.reply == intent::no || any_phrase(a.words, {"none of those", "neither", "does not work", "can not make it",
                                                       "can not do", "wrong", "not that"});
}

bool affirmative(const utterance_analysis& a) {
  if (negative(a)) return false;
  return a.reply == intent::yes || any_phrase(a.words, {"that works", "works for me", "that is fine", "fine",
                                                        "sounds good", "perfect", "great", "book it", "do it",
                                                        "go ahead", "that is right", "correct"});
}

bool price_question(const utterance_analysis& a) {
  return a.scores[static_cast<std::size_t>(intent::price)] >= 3 ||
         a.scores[static_cast<std::size_t>(intent::duration)] >= 3;
}

/// A question for the policy, not an answer: "tuesday" or "anything open tuesday" is a
/// day for the booking, "are you open tuesday" or "what are your hours" is a question.
bool genuine_question(const utterance_analysis& a, const when_wish& heard) {
  if (!asks_question(a)) return false;
  if (a.content != intent::hours || heard.empty()) return true;
  return has_any_word(a.words, {"hour", "hours", "close", "closing", "closes", "closed"}) ||
         any_phrase(a.words, {"are you open", "when do you open", "what time do you open"});
}

} // namespace ce::dialog
