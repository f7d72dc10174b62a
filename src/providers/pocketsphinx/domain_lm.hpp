// The dealership's language model, prepared once when the engine starts.
#pragma once

#include "callengine/config.hpp"

#include <optional>
#include <string>

namespace ce::stt {

/// Builds the domain corpus from `facts`, drops sentences with words missing from
/// `cfg.dict_path`, estimates the trigram model and writes `work_dir/domain.arpa`, plus
/// `work_dir/domain.dict` holding only the pronunciations the model needs (see
/// domain_dict_path). Files are rewritten only when their content changed. Returns the
/// ARPA path, or std::nullopt with `*error` set when the dictionary cannot be read, no
/// sentence survives or a file cannot be written.
std::optional<std::string> prepare_domain_lm(const dealership_facts& facts,
                                             const stt_config& cfg, const std::string& work_dir,
                                             std::string* error);

/// Where prepare_domain_lm writes the reduced pronunciation dictionary: decoders created
/// with it load in a fraction of the time and memory of the full dictionary.
std::string domain_dict_path(const std::string& work_dir);

} // namespace ce::stt
