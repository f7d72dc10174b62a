// Private: opening pocketsphinx decoders configured the way the engine uses them.
#pragma once

#include "callengine/config.hpp"
#include "providers/pocketsphinx/decoder.hpp"

#include <pocketsphinx.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ce::stt {

struct ps_free_deleter {
  void operator()(ps_decoder_t* ps) const { ps_free(ps); }
};
using ps_handle = std::unique_ptr<ps_decoder_t, ps_free_deleter>;

/// Checks the model files, then creates a decoder from `cfg` and `options`; `overrides`
/// replace or add pocketsphinx flags. Serialised process-wide (pocketsphinx's logging set-up
/// is global). nullptr and `*error` set on failure.
ps_handle open_pocketsphinx(const stt_config& cfg, const std::string& lm_path,
                            const std::string& dict_path, const decoder_options& options,
                            const std::vector<std::pair<std::string, std::string>>& overrides,
                            std::string* error);

/// Adds the JSGF grammar in the file at `path` (its public rule) to `ps` as the search
/// `name`, its weights scaled by the decoder's language weight. False and `*error` set when
/// the file cannot be read or parsed, or names a word missing from the dictionary.
bool add_grammar_search(ps_decoder_t* ps, const std::string& name, const std::string& path,
                        std::string* error);

} // namespace ce::stt
