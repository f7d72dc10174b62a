#include "mocks/speech_audio.hpp"

#include "audio/mulaw.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

namespace ce::mocks {
namespace {

constexpr double pi = 3.14159265358979323846;

/// Two seconds of voiced sound at one level: 8 syllables, a pitch glide, three harmonics
/// and a little deterministic breath noise. Whole syllable periods, so the loop's envelope
/// is continuous where it wraps.
std::vector<std::uint8_t> make_voiced_loop(double level, int rate) {
  const std::size_t n = static_cast<std::size_t>(rate) * 2;
  std::vector<std::uint8_t> out(n);
  double phase = 0.0;
  std::uint32_t noise = 0x12345678u;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    const double f0 = 150.0 + 35.0 * std::sin(2.0 * pi * 0.5 * t);
    phase += 2.0 * pi * f0 / rate;
    const double syllable = std::sin(pi * 4.0 * t);
    const double envelope = 0.15 + 0.85 * syllable * syllable;
    noise = noise * 1664525u + 1013904223u;
    const double breath = (static_cast<double>(noise >> 8) / 16777216.0 - 0.5) * 0.04;
    const double voice =
      (0.55 * std::sin(phase) + 0.30 * std::sin(2 * phase) + 0.15 * std::sin(3 * phase) +
       0.08 * std::sin(5 * phase)) / 1.1;
    const double v = std::clamp(level * (envelope * voice + breath), -1.0, 1.0) * 32767.0;
    out[i] = audio::linear_to_mulaw(static_cast<std::int16_t>(std::lround(v)));
  }
  return out;
}

/// Loops are shared by every renderer of the same level and rate (levels in 1% steps).
const std::vector<std::uint8_t>& voiced_loop(double level, int rate) {
  static std::mutex mutex;
  static std::map<std::pair<int, int>, std::unique_ptr<std::vector<std::uint8_t>>> loops;
  const int percent = static_cast<int>(std::lround(std::clamp(level, 0.0, 1.0) * 100.0));
  std::lock_guard lock(mutex);
  auto& slot = loops[{percent, rate}];
  if (!slot) slot = std::make_unique<std::vector<std::uint8_t>>(make_voiced_loop(percent / 100.0, rate));
  return *slot;
}

bool is_voiced(unsigned char c) { return std::isalnum(c) || c >= 0xC0; }
bool is_continuation(unsigned char c) { return c >= 0x80 && c < 0xC0; }

} // namespace

speech_renderer::speech_renderer(std::string_view text, int ms_per_char, double level, int sample_rate) {
  rate_ = sample_rate > 0 ? sample_rate : 8000;
  loop_ = &voiced_loop(level, rate_);
  const std::size_t per_char =
    static_cast<std::size_t>(std::max(1, ms_per_char)) * static_cast<std::size_t>(rate_) / 1000;
  std::size_t pos = 0;
  std::uint32_t word_hash = 2166136261u;
  bool in_word = false;
  for (unsigned char c : text) {
    if (is_continuation(c)) continue;  // one slot per UTF-8 character
    if (is_voiced(c)) {
      word_hash = (word_hash ^ c) * 16777619u;
      if (!in_word) {
        voiced_.push_back({pos, pos, 0});
        in_word = true;
      }
      voiced_.back().end = pos + per_char;
    } else if (in_word) {
      voiced_.back().offset = word_hash % loop_->size();
      word_hash = 2166136261u;
      in_word = false;
    }
    pos += per_char;
  }
  if (in_word) voiced_.back().offset = word_hash % loop_->size();
  total_ = pos;
}

std::int64_t speech_renderer::duration_ms() const {
  return static_cast<std::int64_t>(total_ * 1000 / static_cast<std::size_t>(rate_));
}

std::size_t speech_renderer::render(std::size_t from, std::span<std::uint8_t> out) const {
  if (from >= total_) return 0;
  const std::size_t n = std::min(out.size(), total_ - from);
  std::memset(out.data(), mulaw_silence, n);
  const std::size_t to = from + n;
  auto it = std::upper_bound(voiced_.begin(), voiced_.end(), from,
                             [](std::size_t s, const run& r) { return s < r.end; });
  const auto& loop = *loop_;
  for (; it != voiced_.end() && it->begin < to; ++it) {
    std::size_t s = std::max(it->begin, from);
    const std::size_t e = std::min(it->end, to);
    while (s < e) {
      const std::size_t li = (it->offset + (s - it->begin)) % loop.size();
      const std::size_t len = std::min(e - s, loop.size() - li);
      std::memcpy(out.data() + (s - from), loop.data() + li, len);
      s += len;
    }
  }
  return n;
}

mulaw_buffer synthesize_speech(std::string_view text, int ms_per_char, double level) {
  speech_renderer r(text, ms_per_char, level);
  mulaw_buffer out(r.total_samples());
  r.render(0, out);
  return out;
}

std::string wav_mulaw_header(std::uint32_t data_bytes, int sample_rate) {
  std::string h;
  auto u32 = [&h](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) h.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  auto u16 = [&h](std::uint16_t v) {
    h.push_back(static_cast<char>(v & 0xff));
    h.push_back(static_cast<char>(v >> 8));
  };
  h += "RIFF";
  u32(36 + data_bytes);
  h += "WAVE";
  h += "fmt ";
  u32(16);
  u16(7);  // WAVE_FORMAT_MULAW
  u16(1);
  u32(static_cast<std::uint32_t>(sample_rate));
  u32(static_cast<std::uint32_t>(sample_rate));  // byte rate: 1 byte per sample
  u16(1);
  u16(8);
  h += "data";
  u32(data_bytes);
  return h;
}

} // namespace ce::mocks
