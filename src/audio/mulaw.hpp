// G.711 mu-law <-> 16-bit linear PCM (ITU-T G.711, with the 0x84 bias and bit inversion).
#pragma once

#include "callengine/audio.hpp"

#include <cstdint>
#include <span>

namespace ce::audio {

std::int16_t mulaw_to_linear(std::uint8_t code);
std::uint8_t linear_to_mulaw(std::int16_t sample);

/// Appends the decoded samples of `codes` to `out`.
void decode_mulaw(std::span<const std::uint8_t> codes, pcm16_buffer& out);
/// Appends the mu-law codes of `samples` to `out`.
void encode_mulaw(std::span<const std::int16_t> samples, mulaw_buffer& out);

pcm16_buffer decode_mulaw(std::span<const std::uint8_t> codes);
mulaw_buffer encode_mulaw(std::span<const std::int16_t> samples);

} // namespace ce::audio
