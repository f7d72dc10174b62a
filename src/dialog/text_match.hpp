// text_match: normalising recognised speech and matching keyword phrases loosely. The
// recogniser (pocketsphinx) gives lowercase words without punctuation and sometimes
// inserts, drops or bends small words; matching tolerates word endings, a one-letter slip
// in long words and a few stray words inside a phrase.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog {

/// Lowercase words: punctuation stripped, contractions expanded ("that's" -> "that is"),
/// digits spelled out, fillers ("uh", "um") dropped, spelled letters joined ("b m w").
std::vector<std::string> normalize_words(std::string_view text);

/// normalize_words joined by single spaces.
std::string normalize(std::string_view text);

/// A crude English stem: plural, "-ed" and "-ing" endings and a final silent "e" removed
/// ("brakes" -> "brak", "rotated" -> "rotat", "batteries" -> "battery").
std::string word_stem(std::string_view word);

/// Loose equality of two normalised words: same stem ("tires"/"tire", "rotated"/"rotate",
/// "closing"/"close"), one a short extension of the other ("inspect"/"inspection"), or a
/// single-letter slip when both are long ("adviser"/"advisor").
bool words_match(std::string_view a, std::string_view b);

/// A keyword phrase. Words are matched in order with words_match, with up to
/// `max_gap` unrelated words between them; a word written with a trailing '?' may be
/// missing ("how much is? an? oil change").
class phrase {
 public:
  explicit phrase(std::string_view text);

  /// Index of the first matched word in `words`, or nullopt.
  std::optional<std::size_t> find_in(const std::vector<std::string>& words, std::size_t max_gap = 2) const;

  /// Words that must be present.
  std::size_t required_words() const { return required_; }
  bool empty() const { return words_.empty(); }

 private:
  struct word {
    std::string text;
    bool optional = false;
  };
  bool match_from(const std::vector<std::string>& words, std::size_t phrase_at, std::size_t word_at,
                  std::size_t max_gap, bool anchored, std::size_t* first) const;

  std::vector<word> words_;
  std::size_t required_ = 0;
};

} // namespace ce::dialog
