// The grammars of expected answers: for each expectation but `open`, a JSGF grammar of how
// callers give that kind of answer, generated from the same word lists as the domain
// corpus (names, makes and models, dates, clock times) and the dealership's facts.
#pragma once

#include "callengine/config.hpp"
#include "providers/pocketsphinx/expectation.hpp"
#include "providers/pocketsphinx/pronunciation_dict.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::stt {

/// Every grammar has a second branch besides the answer: a loop of phones that stands for
/// anything said outside the expectation ("can i talk to a person"). Both branches are
/// scored in the same search, so which one wins is a fair comparison; these weights
/// (probabilities, as JSGF weights) hold the loop back so that it wins only when the
/// grammar fits clearly worse than free phones.
struct grammar_options {
  /// Weight of every word of an answer. A grammar has no language model to make extra
  /// words cost: without it "seven" comes out as "three oh one".
  double answer_word = 0.01;
  double reject_entry = 1e-3;  ///< entering the loop
  double reject_phone = 0.5;   ///< each phone in it
};

/// The words of the phone loop ("rej_aa", "rej_b", ...) with their pronunciations ("AA",
/// "B"): one per phone of the CMU dictionary. prepare_domain_model adds them to the
/// dictionary.
const std::vector<std::pair<std::string, std::string>>& reject_words();
bool is_reject_word(std::string_view word);

/// The JSGF text of the answers to `e` (empty for expectation::open): the answer itself
/// ("six two seven zero one", "march fifth nineteen eighty five") with the short carrier
/// phrases callers put around it ("my zip code is ...", "um", "it's a ..."), or the phone
/// loop. Alternatives with a word missing from `known` are left out, so that pocketsphinx
/// accepts the grammar with a dictionary of `known` words plus reject_words().
/// Deterministic for given facts, words and options.
std::string expectation_grammar(expectation e, const dealership_facts& facts,
                                const word_set& known, const grammar_options& options = {});

/// The distinct words of a grammar made by expectation_grammar, sorted, without the
/// reject_words().
std::vector<std::string> grammar_words(const std::string& jsgf);

} // namespace ce::stt
