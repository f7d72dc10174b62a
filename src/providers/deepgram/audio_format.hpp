// Bytes per second of a Deepgram raw audio stream (no container), from its query
// parameters: encoding (mulaw/alaw 1 byte a sample, linear16 2, linear32 4), sample_rate
// and channels. Shared by the live STT client (replay ring) and the TTS client (playback
// estimate).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ce::deepgram {

inline std::size_t audio_bytes_per_second(std::string_view encoding, int sample_rate, int channels = 1) {
  const std::size_t width = encoding == "linear16" ? 2 : (encoding == "linear32" ? 4 : 1);
  return static_cast<std::size_t>(std::max(1, sample_rate)) * static_cast<std::size_t>(std::max(1, channels)) * width;
}

} // namespace ce::deepgram
