#include "providers/pocketsphinx/domain_lm.hpp"

#include "providers/pocketsphinx/domain_corpus.hpp"
#include "providers/pocketsphinx/expectation_grammar.hpp"
#include "providers/pocketsphinx/ngram_model.hpp"
#include "providers/pocketsphinx/pronunciation_dict.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"
#include "providers/pocketsphinx/text_file.hpp"

#include <filesystem>

namespace ce::stt {

std::string domain_dict_path(const std::string& work_dir) { return work_dir + "/domain.dict"; }

std::optional<domain_model> prepare_domain_model(const dealership_facts& facts,
                                                 const stt_config& cfg,
                                                 const std::string& work_dir, std::string* error,
                                                 const grammar_options& grammars) {
  auto known = read_dictionary_words(cfg.dict_path, error);
  if (!known) return std::nullopt;

  auto corpus = build_domain_corpus(facts);
  std::erase_if(corpus, [&](const std::string& sentence) {
    for (const auto& w : split_words(sentence))
      if (!known->contains(w)) return true;
    return false;
  });
  if (corpus.empty()) {
    if (error) *error = "no domain sentence has all its words in " + cfg.dict_path;
    return std::nullopt;
  }

  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  if (ec) {
    if (error) *error = "cannot create " + work_dir + ": " + ec.message();
    return std::nullopt;
  }

  domain_model model{work_dir + "/domain.arpa", domain_dict_path(work_dir), {}};
  word_set vocabulary;
  for (const auto& sentence : corpus)
    for (auto& w : split_words(sentence)) vocabulary.insert(std::move(w));
  for (auto e : grammar_expectations) {
    auto jsgf = expectation_grammar(e, facts, *known, grammars);
    for (auto& w : grammar_words(jsgf)) vocabulary.insert(std::move(w));
    auto path = work_dir + "/expect_" + std::string(to_string(e)) + ".gram";
    if (!write_if_changed(path, jsgf, error)) return std::nullopt;
    model.grammar_paths.emplace_back(e, std::move(path));
  }

  auto dict_text = sub_dictionary(cfg.dict_path, vocabulary, error);
  if (!dict_text) return std::nullopt;
  for (const auto& [word, phones] : reject_words()) *dict_text += word + ' ' + phones + '\n';
  if (!write_if_changed(model.dict_path, *dict_text, error)) return std::nullopt;
  if (!write_if_changed(model.lm_path, build_arpa_trigram(corpus), error)) return std::nullopt;
  return model;
}

std::optional<std::string> prepare_domain_lm(const dealership_facts& facts,
                                             const stt_config& cfg, const std::string& work_dir,
                                             std::string* error) {
  auto model = prepare_domain_model(facts, cfg, work_dir, error);
  if (!model) return std::nullopt;
  return model->lm_path;
}

} // namespace ce::stt
