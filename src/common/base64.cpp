#include "common/base64.hpp"

#include <array>

namespace ce {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}

constexpr auto reverse = make_reverse();

} // namespace

std::string base64_encode(std::span<const std::uint8_t> data) {
  std::string out((data.size() + 2) / 3 * 4, '=');
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3, o += 4) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
  }
  const auto rest = data.size() - i;
  if (rest > 0) {  // the padding '=' are already there
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (rest == 2) o[2] = alphabet[(v >> 6) & 63];
  }
  return out;
}

bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  // padding only in the last quantum, in positions 2 and 3, contiguous
  std::size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;
  out.resize(text.size() / 4 * 3 - pad);
  auto* o = out.data();
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t full = text.size() / 4 - 1;  // quanta before the last one
  std::int32_t bad = 0;
  for (std::size_t q = 0; q < full; ++q, in += 4, o += 3) {
    const std::int32_t a = reverse[in[0]], b = reverse[in[1]], c = reverse[in[2]], d = reverse[in[3]];
    bad |= a | b | c | d;  // any -1 (invalid, '=' included) makes it negative
    const auto n = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) | (std::uint32_t(c) << 6) | std::uint32_t(d);
    o[0] = static_cast<std::uint8_t>(n >> 16);
    o[1] = static_cast<std::uint8_t>(n >> 8);
    o[2] = static_cast<std::uint8_t>(n);
  }
  if (bad < 0) return false;
  // the last quantum, with its padding
  std::int32_t v[4];
  for (int k = 0; k < 4; ++k) {
    if (k >= 4 - static_cast<int>(pad)) {
      v[k] = 0;
      continue;
    }
    v[k] = reverse[in[k]];
    if (v[k] < 0) return false;
  }
  const auto n = (std::uint32_t(v[0]) << 18) | (std::uint32_t(v[1]) << 12) | (std::uint32_t(v[2]) << 6) | std::uint32_t(v[3]);
  o[0] = static_cast<std::uint8_t>(n >> 16);
  if (pad < 2) o[1] = static_cast<std::uint8_t>(n >> 8);
  if (pad < 1) o[2] = static_cast<std::uint8_t>(n);
  return true;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  if (!base64_decode(text, out)) return std::nullopt;
  return out;
}

} // namespace ce
