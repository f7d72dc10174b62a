// Embedded text-to-speech: espeak-ng synthesis, resampled to 8 kHz and mu-law encoded,
// delivered in small chunks while it is produced, with word boundaries for playback marks.
//
// espeak-ng keeps global state: create at most one `espeak_tts` per process and call it
// from one thread only (the engine runs it inside one detached actor).
#pragma once

#include "callengine/audio.hpp"
#include "callengine/config.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ce::tts {

/// A word of the input text and where its audio starts in the synthesised output.
struct word_boundary {
  std::size_t audio_offset = 0;  ///< byte offset (8 bytes = 1 ms) in the utterance's mu-law
  std::size_t text_offset = 0;   ///< byte offset of the word in the input text
  std::size_t text_length = 0;
};

/// One piece of synthesised audio. `words` are the boundaries that fall inside it.
struct synth_chunk {
  mulaw_buffer audio;
  std::vector<word_boundary> words;
};

class espeak_tts {
public:
  /// Throws std::runtime_error with a precise message when espeak-ng cannot start or the
  /// voice is unknown.
  explicit espeak_tts(const tts_config& cfg);
  ~espeak_tts();
  espeak_tts(const espeak_tts&) = delete;
  espeak_tts& operator=(const espeak_tts&) = delete;

  /// Synthesises `text`, calling `on_chunk` for every piece of audio as it is produced
  /// (chunks of roughly 20-100 ms). `on_chunk` returns false to abort (barge-in); then
  /// synthesize returns false. Returns true when the whole text was delivered.
  bool synthesize(std::string_view text, const std::function<bool(synth_chunk&&)>& on_chunk);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace ce::tts
