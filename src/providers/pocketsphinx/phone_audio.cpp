#include "providers/pocketsphinx/phone_audio.hpp"

#include "audio/mulaw.hpp"

#include <algorithm>
#include <cmath>

namespace ce::stt {

phone_audio_converter::phone_audio_converter(double noise_floor)
  : upsampler_(telephony_rate_hz, model_rate_hz, audio::resampler::quality::medium),
    noise_floor_(noise_floor) {}

void phone_audio_converter::convert(std::span<const std::uint8_t> mulaw, pcm16_buffer& out) {
  pcm8k_.clear();
  audio::decode_mulaw(mulaw, pcm8k_);
  auto from = out.size();
  upsampler_.process(pcm8k_, out);
  add_noise(out, from);
}

void phone_audio_converter::pad_silence(int ms, pcm16_buffer& out) {
  pcm8k_.assign(static_cast<std::size_t>(std::max(ms, 0)) * telephony_rate_hz / 1000, 0);
  auto from = out.size();
  upsampler_.process(pcm8k_, out);
  add_noise(out, from);
}

void phone_audio_converter::flush(pcm16_buffer& out) {
  auto from = out.size();
  upsampler_.flush(out);
  add_noise(out, from);
}

void phone_audio_converter::reset() {
  pcm16_buffer discard;
  upsampler_.flush(discard);
}

double phone_audio_converter::next_uniform() {
  // xorshift64: deterministic, so the same audio always decodes the same way.
  noise_state_ ^= noise_state_ << 13;
  noise_state_ ^= noise_state_ >> 7;
  noise_state_ ^= noise_state_ << 17;
  return static_cast<double>(noise_state_ >> 11) * (1.0 / 9007199254740992.0);
}

void phone_audio_converter::add_noise(pcm16_buffer& pcm, std::size_t from) {
  if (noise_floor_ <= 0) return;
  // Irwin-Hall: the sum of four U(-0.5, 0.5) has variance 1/3, close to Gaussian.
  const double scale = noise_floor_ * std::sqrt(3.0);
  for (std::size_t i = from; i < pcm.size(); ++i) {
    double sum = 0;
    for (int k = 0; k < 4; ++k) sum += next_uniform() - 0.5;
    auto v = std::lround(static_cast<double>(pcm[i]) + sum * scale);
    pcm[i] = static_cast<std::int16_t>(std::clamp(v, -32768L, 32767L));
  }
}

} // namespace ce::stt
