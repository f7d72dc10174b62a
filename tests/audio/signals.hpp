// Synthetic test signals: tones and white noise at a given RMS level, 8 kHz by default.
#pragma once

#include "audio/mulaw.hpp"
#include "callengine/audio.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace ce::test {

/// Peak amplitude of a sine whose RMS is `dbfs` (dBFS relative to a full-scale square).
inline double sine_peak(double dbfs) {
  return 32768.0 * std::pow(10.0, dbfs / 20.0) * std::sqrt(2.0);
}

inline pcm16_buffer tone(double freq_hz, int ms, double dbfs, int rate = telephony_rate_hz) {
  pcm16_buffer out(static_cast<std::size_t>(rate / 1000 * ms));
  const double peak = sine_peak(dbfs);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int16_t>(
      std::lround(peak * std::sin(2.0 * M_PI * freq_hz * static_cast<double>(i) / rate)));
  return out;
}

/// Uniform white noise with RMS `dbfs` (uniform on [-a, a] has RMS a / sqrt(3)).
inline pcm16_buffer noise(int ms, double dbfs, unsigned seed = 7, int rate = telephony_rate_hz) {
  std::mt19937 gen(seed);
  const double a = 32768.0 * std::pow(10.0, dbfs / 20.0) * std::sqrt(3.0);
  std::uniform_real_distribution<double> dist(-a, a);
  pcm16_buffer out(static_cast<std::size_t>(rate / 1000 * ms));
  for (auto& s : out) s = static_cast<std::int16_t>(std::lround(dist(gen)));
  return out;
}

inline pcm16_buffer silence(int ms, int rate = telephony_rate_hz) {
  return pcm16_buffer(static_cast<std::size_t>(rate / 1000 * ms), 0);
}

/// Adds `b` into `a` starting at sample `at` (saturating), growing `a` when needed.
inline void mix_into(pcm16_buffer& a, const pcm16_buffer& b, std::size_t at = 0) {
  if (a.size() < at + b.size()) a.resize(at + b.size(), 0);
  for (std::size_t i = 0; i < b.size(); ++i)
    a[at + i] = static_cast<std::int16_t>(std::clamp(a[at + i] + b[i], -32768, 32767));
}

inline void append(pcm16_buffer& a, const pcm16_buffer& b) {
  a.insert(a.end(), b.begin(), b.end());
}

inline mulaw_buffer to_mulaw(const pcm16_buffer& pcm) { return audio::encode_mulaw(pcm); }

} // namespace ce::test
