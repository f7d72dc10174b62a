#include "audio/levels.hpp"

#include "audio/mulaw.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace ce::audio {
namespace {

constexpr double full_scale_sq = 32768.0 * 32768.0;

/// Squares of the decoded mu-law values; the largest (32124^2) fits in 32 bits.
const std::array<std::uint32_t, 256>& mulaw_squares() {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (int code = 0; code < 256; ++code) {
      const auto v = static_cast<std::int64_t>(mulaw_to_linear(static_cast<std::uint8_t>(code)));
      t[static_cast<std::size_t>(code)] = static_cast<std::uint32_t>(v * v);
    }
    return t;
  }();
  return table;
}

double mean_square_to_dbfs(std::uint64_t sum_sq, std::size_t count) {
  if (count == 0 || sum_sq == 0) return silence_dbfs;
  const double mean = static_cast<double>(sum_sq) / static_cast<double>(count);
  return std::max(silence_dbfs, 10.0 * std::log10(mean / full_scale_sq));
}

} // namespace

double rms_dbfs(std::span<const std::int16_t> samples) {
  std::uint64_t sum = 0;
  for (auto s : samples) {
    const auto v = static_cast<std::int64_t>(s);
    sum += static_cast<std::uint64_t>(v * v);
  }
  return mean_square_to_dbfs(sum, samples.size());
}

double mulaw_frame_dbfs(std::span<const std::uint8_t> codes) {
  const auto& squares = mulaw_squares();
  std::uint64_t sum = 0;
  for (auto c : codes) sum += squares[c];
  return mean_square_to_dbfs(sum, codes.size());
}

} // namespace ce::audio
