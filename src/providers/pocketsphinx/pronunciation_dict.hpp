// Reading CMU-format pronunciation dictionaries ("word PH1 PH2 ...", alternates written
// "word(2) ..."), as pocketsphinx does.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace ce::stt {

using word_set = std::unordered_set<std::string>;

/// The words of the dictionary at `path` (alternate pronunciations folded into their
/// word). std::nullopt and `*error` set when the file cannot be read or holds no words.
std::optional<word_set> read_dictionary_words(const std::string& path, std::string* error);

/// The distinct words of `sentences` missing from `known`, sorted.
std::vector<std::string> missing_words(const std::vector<std::string>& sentences,
                                       const word_set& known);

/// The entries of the dictionary at `dict_path` whose word is in `words` (all their
/// pronunciations), sorted, as dictionary text. Decoders load this small dictionary
/// instead of the full one: less memory and a faster start. std::nullopt and `*error` set
/// when the dictionary cannot be read.
std::optional<std::string> sub_dictionary(const std::string& dict_path, const word_set& words,
                                          std::string* error);

} // namespace ce::stt
