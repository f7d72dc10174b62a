// Deterministic, speech-like mu-law audio for the TTS mock (and for simulated callers that
// want audio the STT mock will hear). Each letter or digit of the text becomes
// `ms_per_char` of a voiced sound: a gliding harmonic tone under a syllable-rate envelope
// (about 4 syllables a second), loud enough for any energy VAD; every other character
// (spaces, punctuation) becomes the same length of digital silence. Rendering is a table
// lookup per sample (a precomputed voiced loop), so it is cheap enough for a thousand
// concurrent streams, and any range of samples can be rendered on its own.
#pragma once

#include "callengine/audio.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ce::mocks {

class speech_renderer {
public:
  /// `level` scales the voiced loop (1.0 = peaks near full scale; 0.35 reads about -15 dBFS).
  speech_renderer(std::string_view text, int ms_per_char, double level = 0.35, int sample_rate = 8000);

  std::size_t total_samples() const { return total_; }
  std::int64_t duration_ms() const;
  /// Writes samples [from, from + out.size()) clipped to the end; returns how many.
  std::size_t render(std::size_t from, std::span<std::uint8_t> out) const;

private:
  struct run {
    std::size_t begin = 0;  ///< first sample
    std::size_t end = 0;    ///< one past the last sample
    std::size_t offset = 0; ///< where in the voiced loop this word starts
  };
  std::vector<run> voiced_;  ///< voiced stretches (words), in order
  std::size_t total_ = 0;
  int rate_ = 8000;
  const std::vector<std::uint8_t>* loop_ = nullptr;
};

/// The whole text rendered at once.
mulaw_buffer synthesize_speech(std::string_view text, int ms_per_char = 65, double level = 0.35);

/// A 44-byte RIFF/WAVE header for mu-law mono (format tag 7), as `container=wav` adds.
std::string wav_mulaw_header(std::uint32_t data_bytes, int sample_rate = 8000);

} // namespace ce::mocks
