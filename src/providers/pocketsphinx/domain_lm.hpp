// The dealership's language model, prepared once when the engine starts.
#pragma once

#include "callengine/config.hpp"
#include "providers/pocketsphinx/expectation.hpp"
#include "providers/pocketsphinx/expectation_grammar.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ce::stt {

/// The files a decoder loads (see decoder::create).
struct domain_model {
  std::string lm_path;    ///< the domain trigram model, ARPA
  std::string dict_path;  ///< the reduced pronunciation dictionary
  /// One JSGF grammar per expectation that has one (see expectation_grammar).
  std::vector<std::pair<expectation, std::string>> grammar_paths;
};

/// Builds the domain corpus from `facts`, drops sentences with words missing from
/// `cfg.dict_path`, and writes into `work_dir`: the trigram model `domain.arpa`, one grammar
/// per expectation `expect_<name>.gram`, and `domain.dict` holding only the pronunciations
/// the model and the grammars need (and the grammars' reject_words()). Files are rewritten
/// only when their content changed. std::nullopt with `*error` set when the dictionary
/// cannot be read, no sentence survives or a file cannot be written.
std::optional<domain_model> prepare_domain_model(const dealership_facts& facts,
                                                 const stt_config& cfg,
                                                 const std::string& work_dir, std::string* error,
                                                 const grammar_options& grammars = {});

/// prepare_domain_model, returning only the ARPA path (the dictionary is at
/// domain_dict_path(work_dir)).
std::optional<std::string> prepare_domain_lm(const dealership_facts& facts,
                                             const stt_config& cfg, const std::string& work_dir,
                                             std::string* error);

/// Where prepare_domain_lm writes the reduced pronunciation dictionary: decoders created
/// with it load in a fraction of the time and memory of the full dictionary.
std::string domain_dict_path(const std::string& work_dir);

} // namespace ce::stt
