// Cuts streamed reply text into sentences as soon as each one is complete, so the first
// sentence can go to TTS while the model is still writing the second.
//
// A sentence ends at '.', '!', '?' or '…' (plus any closing quotes or brackets) followed
// by whitespace, or at a line break. Not cut there: common abbreviations ("Mr.", "Dr.",
// "St.", "a.m.", "p.m.", "e.g.", ...) and single-letter initials ("J.").
//
// An end that is the last thing received is cut at once, on the delta that brings it,
// rather than one delta later when the whitespace arrives -- unless what came so far may
// still turn out not to be an end. '!', '?' and '…' are cut at once. A lone '.' waits
// for the next character when a digit stands before it ("9." may become "9.30"), a word
// of one letter, either case ("a." of "a.m.", the initial "J."), or one of the
// abbreviations; ".." waits too, as the start of an ellipsis. Because an early cut
// cannot see what follows, anything that arrives directly after it and could only have
// been more of the same end -- closing quotes or brackets, more of '.', '!', '?', '…' --
// is dropped, so no sentence is ever just `"` or `)`; the first other character,
// whitespace included, ends that.
//
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
  /// The word before the '.' at `dot`, lower-cased, without a leading '(' or '"'.
  std::string word_before(std::size_t dot) const;
  bool is_abbreviation(std::size_t dot) const;
  /// A '.' at `dot`, the last byte of buf_: may it still be something other than an end?
  bool dot_may_continue(std::size_t dot) const;

  std::size_t soft_limit_;
  std::string buf_;
  std::size_t scanned_ = 0;       ///< buf_ before this offset holds no sentence end
  bool after_early_cut_ = false;  ///< the last cut took all of buf_ at an end with nothing after it
};

} // namespace ce::openai
