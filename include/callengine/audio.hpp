// Audio vocabulary shared by every part of the engine.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ce {

/// Raw G.711 mu-law bytes at 8 kHz mono: what Twilio sends and expects (no header).
using mulaw_buffer = std::vector<std::uint8_t>;
/// Signed 16-bit linear PCM samples.
using pcm16_buffer = std::vector<std::int16_t>;

inline constexpr int telephony_rate_hz = 8000;
/// 20 ms of 8 kHz mu-law.
inline constexpr std::size_t frame_bytes_20ms = 160;
/// mu-law encoding of linear zero.
inline constexpr std::uint8_t mulaw_silence = 0xFF;

using steady_clock = std::chrono::steady_clock;
using time_point = steady_clock::time_point;

/// Milliseconds of audio in a mu-law buffer of `bytes` bytes (8 bytes per ms).
constexpr std::int64_t mulaw_ms(std::size_t bytes) { return static_cast<std::int64_t>(bytes / 8); }

} // namespace ce
