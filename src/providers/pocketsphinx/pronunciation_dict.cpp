#include "providers/pocketsphinx/pronunciation_dict.hpp"

#include "providers/pocketsphinx/spoken_text.hpp"

#include <algorithm>
#include <fstream>
#include <set>

namespace ce::stt {
namespace {

/// "word(2)" -> "word"; the head word of a dictionary line, empty for blank lines.
std::string head_word(const std::string& line) {
  auto end = line.find_first_of(" \t");
  std::string word = line.substr(0, end);
  if (auto paren = word.find('('); paren != std::string::npos && paren > 0 &&
                                   word.back() == ')')
    word.resize(paren);
  return word;
}

} // namespace

std::optional<word_set> read_dictionary_words(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    if (error) *error = "cannot open pronunciation dictionary " + path;
    return std::nullopt;
  }
  word_set words;
  std::string line;
  while (std::getline(in, line)) {
    auto word = head_word(line);
    if (!word.empty()) words.insert(std::move(word));
  }
  if (words.empty()) {
    if (error) *error = "pronunciation dictionary " + path + " holds no words";
    return std::nullopt;
  }
  return words;
}

std::vector<std::string> missing_words(const std::vector<std::string>& sentences,
                                       const word_set& known) {
  std::set<std::string> missing;
  for (const auto& sentence : sentences)
    for (auto& word : split_words(sentence))
      if (!known.contains(word)) missing.insert(std::move(word));
  return {missing.begin(), missing.end()};
}

std::optional<std::string> sub_dictionary(const std::string& dict_path, const word_set& words,
                                          std::string* error) {
  std::ifstream in(dict_path);
  if (!in) {
    if (error) *error = "cannot open pronunciation dictionary " + dict_path;
    return std::nullopt;
  }
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line))
    if (words.contains(head_word(line))) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& l : lines) text += l + '\n';
  return text;
}

} // namespace ce::stt
