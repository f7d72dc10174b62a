// Telephone audio as the acoustic model wants it: 8 kHz mu-law decoded, upsampled to
// 16 kHz and given a faint noise floor.
#pragma once

#include "audio/resampler.hpp"
#include "callengine/audio.hpp"

#include <cstdint>
#include <span>

namespace ce::stt {

inline constexpr double model_rate_hz = 16000.0;

class phone_audio_converter {
public:
  /// `noise_floor`: standard deviation of the white noise added, in 16-bit sample units
  /// (0 = none). The en-us acoustic model was trained on recordings that always carry some
  /// noise; digital silence and the empty band above 4 kHz of telephone audio otherwise
  /// give features it has never seen.
  explicit phone_audio_converter(double noise_floor);

  /// Appends the 16 kHz samples available for `mulaw` to `out`.
  void convert(std::span<const std::uint8_t> mulaw, pcm16_buffer& out);
  /// Appends `ms` milliseconds of (noisy) silence, as if the caller had paused.
  void pad_silence(int ms, pcm16_buffer& out);
  /// Appends what the resampler still holds; the converter is then ready for a new stream.
  void flush(pcm16_buffer& out);
  /// Drops what the resampler holds (a new stream starts).
  void reset();

private:
  void add_noise(pcm16_buffer& pcm, std::size_t from);
  double next_uniform();

  audio::resampler upsampler_;
  pcm16_buffer pcm8k_;
  double noise_floor_;
  std::uint64_t noise_state_ = 0x9E3779B97F4A7C15ULL;
};

} // namespace ce::stt
