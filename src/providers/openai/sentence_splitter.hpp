// Cuts streamed reply text into sentences as soon as each one is complete, so the first
// sentence can go to TTS while the model is still writing the second.
//
// A sentence ends at '.', '!', '?' or '…' (plus any closing quotes or brackets) followed
// by whitespace, or at a line break. The whitespace has to be seen, so "9." is not cut
// until the next delta shows whether "9.30" follows. Not cut: common abbreviations
// ("Mr.", "Dr.", "St.", "a.m.", "p.m.", "e.g.", ...) and single-letter initials ("J.").
// A run longer than `soft_limit` characters without an end is cut at its last comma,
// semicolon or space, so a long first sentence does not hold up speech.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::openai {

class sentence_splitter {
public:
  explicit sentence_splitter(std::size_t soft_limit = 240) : soft_limit_(soft_limit) {}

  /// Appends a delta; returns the sentences it completed (whitespace-trimmed, non-empty).
  std::vector<std::string> push(std::string_view delta);
  /// The end of the reply: the rest, trimmed; nullopt if only whitespace is left.
  std::optional<std::string> finish();
  /// Text held back (not yet a complete sentence).
  const std::string& pending() const { return buf_; }

private:
  /// Byte offset just after the first sentence end in buf_ at or after `from`, or npos.
  std::size_t find_end(std::size_t from) const;
  bool is_abbreviation(std::size_t dot) const;

  std::size_t soft_limit_;
  std::string buf_;
  std::size_t scanned_ = 0;  ///< buf_ before this offset holds no sentence end
};

} // namespace ce::openai
