// A backoff trigram language model estimated from sentences, written as ARPA text.
#pragma once

#include <string>
#include <vector>

namespace ce::stt {

/// Estimates an interpolated modified Kneser-Ney trigram model from `sentences` (words
/// separated by spaces; each sentence is wrapped in <s> ... </s>) and returns it in ARPA
/// format, as pocketsphinx reads it. Lower orders use continuation counts; every backoff
/// weight is the interpolation weight of its context, so each context's distribution over
/// the vocabulary sums to one. <s> gets log10 probability -99 (it is never predicted).
/// The vocabulary is exactly the words of `sentences` (no <unk>). Deterministic: the same
/// sentences give the same text. Empty input gives a model of <s> and </s> only.
std::string build_arpa_trigram(const std::vector<std::string>& sentences);

struct ngram_options {
  /// Multiplies the estimated discounts (0 < scale <= 1): smaller values keep more
  /// probability on n-grams seen in the corpus, making the model closer to a grammar.
  double discount_scale = 1.0;
  /// Lower orders from continuation counts (Kneser-Ney) rather than raw counts
  /// (interpolated absolute discounting).
  bool continuation_counts = true;
};
std::string build_arpa_trigram(const std::vector<std::string>& sentences,
                               const ngram_options& options);

} // namespace ce::stt
