// Signal levels in dBFS, relative to a full-scale square wave (RMS 32768): a full-scale
// sine reads about -3 dBFS. Digital silence and empty input read `silence_dbfs`.
#pragma once

#include <cstdint>
#include <span>

namespace ce::audio {

/// The floor every level is clamped to; what silence and empty input report.
inline constexpr double silence_dbfs = -100.0;

/// RMS level of 16-bit PCM samples.
double rms_dbfs(std::span<const std::int16_t> samples);

/// RMS level of G.711 mu-law codes, without decoding them into a buffer (a table of
/// squared decoded values): cheap enough for every 20 ms frame of every call.
double mulaw_frame_dbfs(std::span<const std::uint8_t> codes);

} // namespace ce::audio
