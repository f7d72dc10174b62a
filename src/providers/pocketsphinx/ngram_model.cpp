#include "providers/pocketsphinx/ngram_model.hpp"

#include "providers/pocketsphinx/spoken_text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

namespace ce::stt {
namespace {

using word_id = int;
using bigram = std::array<word_id, 2>;
using trigram = std::array<word_id, 3>;

/// Modified Kneser-Ney discounts for counts 1, 2 and 3+ (Chen & Goodman).
struct discounts {
  std::array<double, 3> d{0.5, 1.0, 1.5};

  double of(long count) const { return count <= 0 ? 0.0 : d[std::min<long>(count, 3) - 1]; }
};

template <class Map>
discounts estimate_discounts(const Map& counts, double scale) {
  std::array<double, 5> n{};  // n[k] = how many n-grams occur exactly k times (k = 1..4)
  for (const auto& [key, c] : counts)
    if (c >= 1 && c <= 4) n[static_cast<std::size_t>(c)] += 1;
  discounts out;
  if (n[1] <= 0 || n[2] <= 0 || n[3] <= 0 || n[4] <= 0) return out;
  double y = n[1] / (n[1] + 2 * n[2]);
  std::array<double, 3> d = {1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2],
                             3 - 4 * y * n[4] / n[3]};
  for (std::size_t k = 0; k < 3; ++k)
    if (d[k] > 0.05 && d[k] < static_cast<double>(k + 1)) out.d[k] = d[k];
  for (auto& v : out.d) v *= scale;
  return out;
}

/// Per context: total count, and how many followers were seen once, twice, 3+ times.
struct context_stats {
  double total = 0;
  std::array<double, 3> followers{};

  void add(long count) {
    total += static_cast<double>(count);
    followers[static_cast<std::size_t>(std::min<long>(count, 3) - 1)] += 1;
  }
  /// The probability mass the context leaves to the lower order.
  double gamma(const discounts& disc) const {
    double mass = 0;
    for (std::size_t k = 0; k < 3; ++k) mass += disc.d[k] * followers[k];
    return total > 0 ? mass / total : 1.0;
  }
};

class trigram_estimator {
public:
  trigram_estimator(const std::vector<std::string>& sentences, const ngram_options& options)
    : options_(options) {
    collect_vocabulary(sentences);
    count(sentences);
    estimate();
  }

  std::string arpa() const;

private:
  void collect_vocabulary(const std::vector<std::string>& sentences);
  void count(const std::vector<std::string>& sentences);
  void estimate();

  ngram_options options_;
  std::vector<std::string> words_;  // sorted; id = index
  std::map<std::string, word_id, std::less<>> ids_;
  word_id bos_ = 0;
  word_id eos_ = 0;

  std::map<trigram, long> tri_counts_;   // raw counts
  std::map<bigram, long> bi_counts_;     // continuation counts (raw after <s>)
  std::vector<long> uni_counts_;         // continuation counts

  std::vector<double> p1_;               // unigram probabilities
  std::map<bigram, double> p2_;          // interpolated bigram probabilities
  std::map<trigram, double> p3_;         // interpolated trigram probabilities
  std::vector<double> bow1_;             // backoff weight of unigram contexts
  std::map<bigram, double> bow2_;        // backoff weight of bigram contexts
};

void trigram_estimator::collect_vocabulary(const std::vector<std::string>& sentences) {
  std::map<std::string, int, std::less<>> seen{{"<s>", 0}, {"</s>", 0}};
  for (const auto& s : sentences)
    for (auto& w : split_words(s)) seen.emplace(std::move(w), 0);
  for (const auto& [w, unused] : seen) {
    ids_[w] = static_cast<word_id>(words_.size());
    words_.push_back(w);
  }
  bos_ = ids_.at("<s>");
  eos_ = ids_.at("</s>");
}

void trigram_estimator::count(const std::vector<std::string>& sentences) {
  std::map<bigram, long> raw_bigrams;
  for (const auto& s : sentences) {
    auto tokens = split_words(s);
    if (tokens.empty()) continue;
    std::vector<word_id> ids{bos_};
    for (const auto& t : tokens) ids.push_back(ids_.at(t));
    ids.push_back(eos_);
    raw_bigrams[{ids[0], ids[1]}] += 1;
    for (std::size_t i = 2; i < ids.size(); ++i) {
      tri_counts_[{ids[i - 2], ids[i - 1], ids[i]}] += 1;
      raw_bigrams[{ids[i - 1], ids[i]}] += 1;
    }
  }
  uni_counts_.assign(words_.size(), 0);
  if (!options_.continuation_counts) {
    bi_counts_ = raw_bigrams;
    for (const auto& [b, c] : raw_bigrams) uni_counts_[static_cast<std::size_t>(b[1])] += c;
    return;
  }
  // Kneser-Ney: a lower-order n-gram counts the distinct words seen before it, except
  // n-grams starting with <s>, which nothing can precede and keep their raw counts.
  for (const auto& [t, c] : tri_counts_) bi_counts_[{t[1], t[2]}] += 1;
  for (const auto& [b, c] : raw_bigrams)
    if (b[0] == bos_) bi_counts_[b] = c;
  for (const auto& [b, c] : bi_counts_) uni_counts_[static_cast<std::size_t>(b[1])] += 1;
}

void trigram_estimator::estimate() {
  // Unigrams undiscounted: the vocabulary is closed (no <unk> to reserve mass for).
  double uni_total = 0;
  for (auto c : uni_counts_) uni_total += static_cast<double>(c);
  p1_.assign(words_.size(), 0.0);
  for (std::size_t w = 0; w < words_.size(); ++w)
    p1_[w] = uni_total > 0 ? static_cast<double>(uni_counts_[w]) / uni_total : 0.0;

  auto d2 = estimate_discounts(bi_counts_, options_.discount_scale);
  std::vector<context_stats> ctx1(words_.size());
  for (const auto& [b, c] : bi_counts_) ctx1[static_cast<std::size_t>(b[0])].add(c);
  bow1_.assign(words_.size(), 1.0);
  for (std::size_t v = 0; v < words_.size(); ++v) bow1_[v] = ctx1[v].gamma(d2);
  for (const auto& [b, c] : bi_counts_) {
    const auto& ctx = ctx1[static_cast<std::size_t>(b[0])];
    p2_[b] = (static_cast<double>(c) - d2.of(c)) / ctx.total +
             bow1_[static_cast<std::size_t>(b[0])] * p1_[static_cast<std::size_t>(b[1])];
  }

  auto d3 = estimate_discounts(tri_counts_, options_.discount_scale);
  std::map<bigram, context_stats> ctx2;
  for (const auto& [t, c] : tri_counts_) ctx2[{t[0], t[1]}].add(c);
  for (const auto& [h, stats] : ctx2) bow2_[h] = stats.gamma(d3);
  for (const auto& [t, c] : tri_counts_) {
    bigram h{t[0], t[1]};
    p3_[t] = (static_cast<double>(c) - d3.of(c)) / ctx2.at(h).total +
             bow2_.at(h) * p2_.at({t[1], t[2]});
  }
}

std::string format_log(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", p > 0 ? std::log10(p) : -99.0);
  return buf;
}

std::string trigram_estimator::arpa() const {
  std::string out = "\\data\\\n";
  out += "ngram 1=" + std::to_string(words_.size()) + "\n";
  out += "ngram 2=" + std::to_string(p2_.size()) + "\n";
  out += "ngram 3=" + std::to_string(p3_.size()) + "\n\n\\1-grams:\n";
  std::vector<bool> is_context(words_.size(), false);
  for (const auto& [b, p] : p2_) is_context[static_cast<std::size_t>(b[0])] = true;
  for (std::size_t w = 0; w < words_.size(); ++w) {
    out += static_cast<word_id>(w) == bos_ ? "-99" : format_log(p1_[w]);
    out += '\t' + words_[w];
    if (is_context[w]) out += '\t' + format_log(bow1_[w]);
    out += '\n';
  }
  out += "\n\\2-grams:\n";
  for (const auto& [b, p] : p2_) {
    out += format_log(p) + '\t' + words_[static_cast<std::size_t>(b[0])] + ' ' +
           words_[static_cast<std::size_t>(b[1])];
    if (auto it = bow2_.find(b); it != bow2_.end()) out += '\t' + format_log(it->second);
    out += '\n';
  }
  out += "\n\\3-grams:\n";
  for (const auto& [t, p] : p3_)
    out += format_log(p) + '\t' + words_[static_cast<std::size_t>(t[0])] + ' ' +
           words_[static_cast<std::size_t>(t[1])] + ' ' + words_[static_cast<std::size_t>(t[2])] +
           '\n';
  out += "\n\\end\\\n";
  return out;
}

} // namespace

std::string build_arpa_trigram(const std::vector<std::string>& sentences) {
  return build_arpa_trigram(sentences, ngram_options{});
}

std::string build_arpa_trigram(const std::vector<std::string>& sentences,
                               const ngram_options& options) {
  auto scale = options.discount_scale > 0 && options.discount_scale <= 1 ? options.discount_scale
                                                                         : 1.0;
  auto effective = options;
  effective.discount_scale = scale;
  return trigram_estimator(sentences, effective).arpa();
}

} // namespace ce::stt
