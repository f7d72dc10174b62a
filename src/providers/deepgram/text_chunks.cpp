#include "providers/deepgram/text_chunks.hpp"

#include <algorithm>

namespace ce::deepgram {
namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
bool space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
bool sentence_end(char c) { return c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '\n'; }

/// Byte offset just past the `n`th code point of `s` (or s.size()).
std::size_t offset_of(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  std::size_t seen = 0;
  while (i < s.size()) {
    if (!continuation(s[i])) {
      if (seen == n) return i;
      ++seen;
    }
    ++i;
  }
  return s.size();
}

} // namespace

std::size_t count_chars(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !continuation(c); }));
}

std::vector<std::string> split_text(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> out;
  if (max_chars == 0) max_chars = 1;
  while (!text.empty()) {
    if (count_chars(text) <= max_chars) {
      out.emplace_back(text);
      break;
    }
    const std::size_t limit = offset_of(text, max_chars);  // bytes of the longest allowed piece
    std::size_t cut = 0;
    // 1. After the last sentence end followed by whitespace, within the limit.
    for (std::size_t i = limit; i > 1; --i) {
      if (space(text[i - 1]) && sentence_end(text[i - 2])) {
        cut = i;
        break;
      }
    }
    // 2. After the last whitespace.
    if (cut == 0) {
      for (std::size_t i = limit; i > 0; --i) {
        if (space(text[i - 1])) {
          cut = i;
          break;
        }
      }
    }
    // 3. A code point boundary.
    if (cut == 0) cut = limit;
    out.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  return out;
}

} // namespace ce::deepgram
