// Adapting the acoustic model to one voice. The engine's simulated caller speaks with
// espeak-ng, whose formant-synthesised voice the en-us model (trained on people) matches
// poorly; a global MLLR transform of the model's means, estimated from a few minutes of
// that voice reading domain sentences, cuts the word error rate severalfold (see
// tests/providers/pocketsphinx_accuracy_test.cpp). Apply it only where the caller is that
// voice: it is not meant for human callers.
#pragma once

#include "callengine/audio.hpp"
#include "callengine/config.hpp"
#include "providers/pocketsphinx/decoder.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ce::stt {

class voice_adapter {
public:
  /// Models as for decoder::create (the language model is loaded but alignment uses a
  /// grammar of each transcript). nullptr and `*error` set when a model cannot be read.
  static std::unique_ptr<voice_adapter> create(const stt_config& cfg, const std::string& lm_path,
                                               const std::string& dict_path, std::string* error,
                                               const decoder_options& options = {});
  ~voice_adapter();
  voice_adapter(const voice_adapter&) = delete;
  voice_adapter& operator=(const voice_adapter&) = delete;

  /// Aligns 8 kHz mu-law audio of `transcript` (normalized words, all in the dictionary)
  /// and adds its frames to the statistics. False when it does not align; it is skipped.
  bool add_utterance(std::span<const std::uint8_t> mulaw, const std::string& transcript);

  std::size_t utterances() const { return utterances_; }
  std::size_t frames() const;

  /// The transform, as text for a file given to decoder_options::mllr_path. std::nullopt
  /// and `*error` set when too little audio was added.
  std::optional<std::string> estimate(std::string* error) const;

private:
  struct impl;
  explicit voice_adapter(std::unique_ptr<impl> state);

  std::unique_ptr<impl> impl_;
  std::size_t utterances_ = 0;
};

/// `count` distinct sentences spread evenly over `corpus`, skipping those in `exclude`:
/// what the voice reads for adaptation (80 are plenty for one global transform).
std::vector<std::string> adaptation_sentences(const std::vector<std::string>& corpus,
                                              std::size_t count,
                                              const std::vector<std::string>& exclude = {});

/// Speaks a sentence as 8 kHz mu-law (e.g. with espeak_tts).
using speak_fn = std::function<mulaw_buffer(const std::string& text)>;

/// Has `speak` read `sentences`, estimates the voice's transform and writes it to
/// `out_path` (only when its content changed). Returns `out_path`, or std::nullopt with
/// `*error` set when the models cannot be loaded, fewer than half of the sentences align or
/// the file cannot be written.
std::optional<std::string> prepare_voice_adaptation(const stt_config& cfg,
                                                    const std::string& lm_path,
                                                    const std::string& dict_path,
                                                    const std::vector<std::string>& sentences,
                                                    const speak_fn& speak,
                                                    const std::string& out_path,
                                                    std::string* error);

} // namespace ce::stt
