#include "providers/pocketsphinx/phrase_template.hpp"

#include <numeric>

namespace ce::stt {
namespace {

/// One position of a template: a fixed text or a choice among alternatives.
struct segment {
  std::vector<std::string> choices;
};

/// Index of the '}' closing the '{' at `open`, npos when unbalanced.
std::size_t matching_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

/// The top-level alternatives of "a|b {c|d}|" -> "a", "b {c|d}", "".
std::vector<std::string_view> split_alternatives(std::string_view body) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '{') ++depth;
    if (body[i] == '}') --depth;
    if (body[i] == '|' && depth == 0) {
      parts.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(body.substr(start));
  return parts;
}

std::vector<segment> parse(std::string_view pattern, const slot_table& slots) {
  constexpr std::size_t nested_limit = 100000;
  std::vector<segment> segments;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) segments.push_back(segment{{literal}});
    literal.clear();
  };
  std::size_t i = 0;
  while (i < pattern.size()) {
    auto close = pattern[i] == '{' ? matching_brace(pattern, i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      literal += pattern[i++];
      continue;
    }
    flush_literal();
    auto body = pattern.substr(i + 1, close - i - 1);
    i = close + 1;
    segment seg;
    auto alternatives = split_alternatives(body);
    if (alternatives.size() > 1 || body.find('{') != std::string_view::npos) {
      for (auto alt : alternatives)
        for (auto& text : expand_template(alt, slots, nested_limit))
          seg.choices.push_back(std::move(text));
      if (seg.choices.empty()) seg.choices.emplace_back();
    } else if (auto it = slots.find(body); it != slots.end() && !it->second.empty()) {
      seg.choices = it->second;
    } else {
      seg.choices.emplace_back(std::string(body));
    }
    segments.push_back(std::move(seg));
  }
  flush_literal();
  return segments;
}

std::string collapse_spaces(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string compose(const std::vector<segment>& segments, std::uint64_t index) {
  std::string text;
  // Mixed-radix decoding, first segment least significant.
  std::vector<std::size_t> picks(segments.size());
  for (std::size_t s = 0; s < segments.size(); ++s) {
    auto n = segments[s].choices.size();
    picks[s] = static_cast<std::size_t>(index % n);
    index /= n;
  }
  for (std::size_t s = 0; s < segments.size(); ++s) text += segments[s].choices[picks[s]];
  return collapse_spaces(text);
}

/// A step near total / golden ratio that is coprime with `total`, so that k * step mod
/// total visits distinct combinations spread over the whole space.
std::uint64_t spread_step(std::uint64_t total) {
  if (total <= 2) return 1;
  auto step = static_cast<std::uint64_t>(static_cast<double>(total) * 0.6180339887);
  if (step == 0) step = 1;
  while (std::gcd(step, total) != 1) ++step;
  return step;
}

} // namespace

std::vector<std::string> expand_template(std::string_view pattern, const slot_table& slots,
                                         std::size_t limit, std::uint64_t seed) {
  auto segments = parse(pattern, slots);
  std::uint64_t total = 1;
  // Capped so that k * step below cannot overflow for any sensible limit.
  constexpr std::uint64_t cap = std::uint64_t{1} << 40;
  for (const auto& seg : segments) total = std::min(cap, total * seg.choices.size());
  std::vector<std::string> out;
  if (total <= limit) {
    for (std::uint64_t k = 0; k < total; ++k) out.push_back(compose(segments, k));
    return out;
  }
  auto step = spread_step(total);
  auto offset = (seed * 0x9E3779B97F4A7C15ULL) % total;
  for (std::uint64_t k = 0; k < limit; ++k)
    out.push_back(compose(segments, (offset + k * step) % total));
  return out;
}

void corpus_writer::add(std::string_view pattern, std::size_t limit, int weight) {
  for (auto& sentence : expand_template(pattern, slots_, limit, seed_++))
    for (int i = 0; i < weight; ++i) sentences_.push_back(sentence);
}

void corpus_writer::add_all(const std::vector<std::string>& patterns, std::size_t limit,
                            int weight) {
  for (const auto& p : patterns) add(p, limit, weight);
}

} // namespace ce::stt
