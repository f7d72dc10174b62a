// The trigram ARPA writer: well-formed, normalised, and loadable by pocketsphinx.
#include "providers/pocketsphinx/decoder.hpp"
#include "providers/pocketsphinx/domain_corpus.hpp"
#include "providers/pocketsphinx/ngram_model.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>
#include <unordered_map>

namespace ce::stt::test {
dealership_facts bart_facts();
}

namespace {

using namespace ce;
using namespace ce::stt;

/// An ARPA model read back: per n-gram ("w1 w2 w3") its log10 probability and backoff.
struct arpa_model {
  std::map<int, std::size_t> declared;  // order -> count declared in the data section
  std::unordered_map<std::string, std::pair<double, double>> grams[4];
  std::vector<std::string> vocabulary;
  bool ended = false;

  double log_prob(const std::vector<std::string>& context, const std::string& word) const {
    std::string key;
    for (const auto& w : context) key += w + " ";
    key += word;
    auto order = context.size() + 1;
    if (auto it = grams[order].find(key); it != grams[order].end()) return it->second.first;
    if (context.empty()) return -99.0;
    double backoff = 0;
    std::string ctx = key.substr(0, key.size() - word.size() - 1);
    if (auto it = grams[context.size()].find(ctx); it != grams[context.size()].end())
      backoff = it->second.second;
    return backoff + log_prob({context.begin() + 1, context.end()}, word);
  }
};

arpa_model parse_arpa(const std::string& text) {
  arpa_model m;
  std::istringstream in(text);
  std::string line;
  int section = -1;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line == "\\data\\") { section = 0; continue; }
    if (line == "\\end\\") { m.ended = true; break; }
    if (line.size() == 9 && line[0] == '\\' && line.substr(2) == "-grams:") {
      section = line[1] - '0';
      continue;
    }
    if (section == 0) {
      int order = 0;
      std::size_t count = 0;
      REQUIRE(std::sscanf(line.c_str(), "ngram %d=%zu", &order, &count) == 2);
      m.declared[order] = count;
      continue;
    }
    REQUIRE(section >= 1);
    REQUIRE(section <= 3);
    std::istringstream fields(line);
    std::string prob, words;
    std::getline(fields, prob, '\t');
    std::getline(fields, words, '\t');
    std::string backoff;
    double bow = 0;
    if (std::getline(fields, backoff, '\t')) bow = std::stod(backoff);
    m.grams[section][words] = {std::stod(prob), bow};
    if (section == 1) m.vocabulary.push_back(words);
  }
  return m;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// Largest |1 - sum_w P(w | context)| over every context the model can condition on.
double worst_normalisation_error(const arpa_model& m) {
  auto mass = [&](const std::vector<std::string>& context) {
    double sum = 0;
    for (const auto& w : m.vocabulary)
      if (w != "<s>") sum += std::pow(10.0, m.log_prob(context, w));
    return sum;
  };
  double worst = std::abs(1.0 - mass({}));
  for (int order = 1; order <= 2; ++order)
    for (const auto& [key, value] : m.grams[order]) {
      auto context = split(key);
      if (context.back() == "</s>") continue;  // never a context
      worst = std::max(worst, std::abs(1.0 - mass(context)));
    }
  return worst;
}

} // namespace

TEST_CASE("stt ARPA of a tiny corpus is well formed and every context sums to one") {
  std::vector<std::string> corpus = {"yes", "yes please", "no", "no thank you", "yes thank you",
                                     "thank you", "can i talk to a person",
                                     "can i talk to a service advisor"};
  auto text = build_arpa_trigram(corpus);
  auto m = parse_arpa(text);
  REQUIRE(m.ended);
  for (int order = 1; order <= 3; ++order)
    CHECK(m.declared[order] == m.grams[order].size());
  CHECK(m.grams[1].at("<s>").first == -99.0);
  CHECK(m.grams[1].count("</s>") == 1);
  CHECK(m.grams[1].size() == 15);  // 13 words + <s> + </s>
  CHECK(m.grams[3].count("<s> yes please") == 1);
  CHECK(m.grams[3].count("talk to a") == 1);
  CHECK(worst_normalisation_error(m) < 1e-4);
  // Seen continuations beat unseen ones.
  CHECK(m.log_prob({"talk", "to"}, "a") > m.log_prob({"talk", "to"}, "yes"));
  CHECK(m.log_prob({"<s>"}, "yes") > m.log_prob({"<s>"}, "person"));
  CHECK(build_arpa_trigram(corpus) == text);
}

TEST_CASE("stt ARPA of the domain corpus sums to one in every context, both estimators") {
  auto corpus = build_domain_corpus(test::bart_facts());
  for (bool kneser_ney : {true, false}) {
    ngram_options options;
    options.continuation_counts = kneser_ney;
    auto m = parse_arpa(build_arpa_trigram(corpus, options));
    REQUIRE(m.ended);
    CHECK(m.grams[1].size() > 500);
    CHECK(m.grams[3].size() > 5000);
    for (int order = 1; order <= 3; ++order)
      CHECK(m.declared[order] == m.grams[order].size());
    CHECK(worst_normalisation_error(m) < 1e-3);
  }
}

TEST_CASE("stt ARPA of an empty corpus still holds <s> and </s>") {
  auto m = parse_arpa(build_arpa_trigram({}));
  REQUIRE(m.ended);
  CHECK(m.grams[1].size() == 2);
  CHECK(m.grams[1].at("<s>").first == -99.0);
}

TEST_CASE("stt pocketsphinx loads the domain ARPA model") {
  auto dir = std::filesystem::temp_directory_path() /
             ("ce_stt_arpa_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / "domain.arpa").string();
  std::ofstream(path) << build_arpa_trigram(build_domain_corpus(test::bart_facts()));
  std::string error;
  auto d = decoder::create(stt_config{}, path, &error);
  CHECK(d != nullptr);
  CHECK(error.empty());
  std::filesystem::remove_all(dir);
}
