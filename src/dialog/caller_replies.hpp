// caller_replies: how a caller's turn reads in the middle of a booking: a yes, a no, or a
// question for the policy rather than an answer ("tuesday" is a day for the booking, "are
// you open tuesday" is a question). Loose phrase matching, as everywhere in src/dialog.
#pragma once

#include "dialog/date_parse.hpp"
#include "dialog/intents.hpp"

#include <initializer_list>
#include <string_view>

namespace ce::dialog {

/// Any of the phrases occurs (loosely, see text_match.hpp).
bool any_phrase(const word_list& words, std::initializer_list<std::string_view> phrases);

/// "no", "none of those", "that doesn't work".
bool negative(const utterance_analysis& a);

/// "yes", "sure", "that works", "go ahead" (never when negative()).
bool affirmative(const utterance_analysis& a);

/// "how much ...", "how long ...".
bool price_question(const utterance_analysis& a);

/// A question for the policy to answer; `heard` is what the turn says about days and times.
bool genuine_question(const utterance_analysis& a, const when_wish& heard);

} // namespace ce::dialog
