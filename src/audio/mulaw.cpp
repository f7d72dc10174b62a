#include "audio/mulaw.hpp"

#include <array>

namespace ce::audio {
namespace {

constexpr int bias = 0x84;
constexpr int clip = 32635;

constexpr std::array<std::int16_t, 256> make_decode_table() {
  std::array<std::int16_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    int code = ~i & 0xFF;
    int exponent = (code >> 4) & 0x07;
    int mantissa = code & 0x0F;
    int magnitude = ((mantissa << 3) + bias) << exponent;
    magnitude -= bias;
    t[static_cast<std::size_t>(i)] = static_cast<std::int16_t>((code & 0x80) ? -magnitude : magnitude);
  }
  return t;
}

constexpr auto decode_table = make_decode_table();

} // namespace

std::int16_t mulaw_to_linear(std::uint8_t code) { return decode_table[code]; }

std::uint8_t linear_to_mulaw(std::int16_t sample) {
  int s = sample;
  int sign = 0;
  if (s < 0) {
    s = -s;
    sign = 0x80;
  }
  if (s > clip) s = clip;
  s += bias;
  int exponent = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
  int mantissa = (s >> (exponent + 3)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa) & 0xFF);
}

void decode_mulaw(std::span<const std::uint8_t> codes, pcm16_buffer& out) {
  out.reserve(out.size() + codes.size());
  for (auto c : codes) out.push_back(decode_table[c]);
}

void encode_mulaw(std::span<const std::int16_t> samples, mulaw_buffer& out) {
  out.reserve(out.size() + samples.size());
  for (auto s : samples) out.push_back(linear_to_mulaw(s));
}

pcm16_buffer decode_mulaw(std::span<const std::uint8_t> codes) {
  pcm16_buffer out;
  decode_mulaw(codes, out);
  return out;
}

mulaw_buffer encode_mulaw(std::span<const std::int16_t> samples) {
  mulaw_buffer out;
  encode_mulaw(samples, out);
  return out;
}

} // namespace ce::audio
