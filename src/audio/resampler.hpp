// Streaming sample-rate conversion of 16-bit mono PCM (libsoxr).
#pragma once

#include "callengine/audio.hpp"

#include <memory>
#include <span>

namespace ce::audio {

class resampler {
public:
  enum class quality { quick, low, medium, high };

  resampler(double in_rate, double out_rate, quality q = quality::medium);
  ~resampler();
  resampler(resampler&&) noexcept;
  resampler& operator=(resampler&&) noexcept;
  resampler(const resampler&) = delete;
  resampler& operator=(const resampler&) = delete;

  /// Appends the resampled output available so far to `out`.
  void process(std::span<const std::int16_t> in, pcm16_buffer& out);
  /// Appends the remaining output (end of stream); the resampler can be reused after.
  void flush(pcm16_buffer& out);

  double in_rate() const { return in_rate_; }
  double out_rate() const { return out_rate_; }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  double in_rate_;
  double out_rate_;
};

/// One-shot conversion of a whole buffer.
pcm16_buffer resample(std::span<const std::int16_t> in, double in_rate, double out_rate,
                      resampler::quality q = resampler::quality::medium);

} // namespace ce::audio
