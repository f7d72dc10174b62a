// Turns a synthesiser's 8 kHz PCM and word events into the mu-law chunks `espeak_tts`
// delivers: trims the leading silence (keeping a little), cuts chunks of 20-100 ms, and
// places each word boundary in the chunk that contains its audio, with the word's byte
// span in the input text. Pure logic, no espeak: one instance per utterance.
#pragma once

#include "providers/espeak/espeak_tts.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace ce::tts {

/// Byte span [offset, offset + length) of the input word containing byte `at`, without
/// surrounding punctuation. A position on whitespace moves to the next word; past the end
/// gives an empty span at the end.
struct text_span {
  std::size_t offset = 0;
  std::size_t length = 0;
};
text_span word_span_at(std::string_view text, std::size_t at);

/// Byte offset of the code point with 1-based index `char_position` (how espeak-ng counts
/// text positions in UTF-8 input); clamped to the text's size.
std::size_t utf8_byte_offset(std::string_view text, int char_position);

class speech_assembler {
public:
  using sink = std::function<bool(synth_chunk&&)>;

  static constexpr std::size_t min_chunk_bytes = 160;  ///< 20 ms
  static constexpr std::size_t max_chunk_bytes = 800;  ///< 100 ms
  static constexpr std::size_t lead_keep_samples = 240; ///< 30 ms kept before the first sound
  static constexpr int sound_threshold = 256;           ///< |sample| that counts as sound

  /// `text` and `on_chunk` must outlive the assembler.
  speech_assembler(std::string_view text, const sink& on_chunk);

  /// A word starting at 1-based character `char_position` whose audio begins at byte
  /// `audio_byte` of the untrimmed 8 kHz mu-law output.
  void add_word(int char_position, std::size_t audio_byte);
  /// Appends synthesised 8 kHz PCM; delivers the chunks that are complete. False once the
  /// sink has refused a chunk (then nothing more is delivered).
  bool add_audio(std::span<const std::int16_t> pcm);
  /// Delivers everything left. False when the sink refused a chunk.
  bool finish();

  std::size_t trimmed_bytes() const { return trimmed_; }
  std::size_t delivered_bytes() const { return delivered_; }
  bool aborted() const { return aborted_; }

private:
  void accept_leading(std::span<const std::int16_t> pcm);
  bool deliver(std::size_t bytes);
  void attach_words(synth_chunk& chunk, std::size_t end_byte);

  std::string_view text_;
  const sink& on_chunk_;
  bool leading_ = true;
  bool aborted_ = false;
  pcm16_buffer lead_;
  mulaw_buffer pending_;
  std::size_t trimmed_ = 0;    // bytes (= samples at 8 kHz) dropped at the start
  std::size_t delivered_ = 0;  // bytes handed to the sink
  std::vector<word_boundary> words_;  // audio_offset still untrimmed
};

} // namespace ce::tts
