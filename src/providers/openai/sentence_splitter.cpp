#include "providers/openai/sentence_splitter.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ce::openai {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string trimmed(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

bool starts_with_at(const std::string& s, std::size_t i, std::string_view what) {
  return s.size() >= i + what.size() && std::string_view(s).substr(i, what.size()) == what;
}

/// Length of a closing quote or bracket at `i` (ASCII or the UTF-8 right quotes), or 0.
std::size_t closer_at(const std::string& s, std::size_t i) {
  const char c = s[i];
  if (c == '"' || c == '\'' || c == ')' || c == ']') return 1;
  if (starts_with_at(s, i, "\xE2\x80\x9D") || starts_with_at(s, i, "\xE2\x80\x99")) return 3;
  return 0;
}

/// Length of a mark that can belong to a sentence end at `i` ('.', '!', '?', '…', or a
/// closing quote or bracket), or 0.
std::size_t end_mark_at(const std::string& s, std::size_t i) {
  const char c = s[i];
  if (c == '.' || c == '!' || c == '?') return 1;
  if (starts_with_at(s, i, "\xE2\x80\xA6")) return 3;
  return closer_at(s, i);
}

constexpr std::array<std::string_view, 14> abbreviations{"mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs",
                                                         "e.g", "i.e", "a.m", "p.m", "approx", "mt"};

} // namespace

std::string sentence_splitter::word_before(std::size_t dot) const {
  std::size_t b = dot;
  while (b > 0 && !is_space(buf_[b - 1])) --b;
  std::string word;
  for (std::size_t i = b; i < dot; ++i) word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(buf_[i]))));
  while (!word.empty() && (word.front() == '(' || word.front() == '"')) word.erase(word.begin());
  return word;
}

bool sentence_splitter::is_abbreviation(std::size_t dot) const {
  const std::string word = word_before(dot);
  if (word.size() == 1 && std::isupper(static_cast<unsigned char>(buf_[dot - 1]))) return true;  // an initial
  return std::find(abbreviations.begin(), abbreviations.end(), word) != abbreviations.end();
}

bool sentence_splitter::dot_may_continue(std::size_t dot) const {
  if (dot > 0 && std::isdigit(static_cast<unsigned char>(buf_[dot - 1]))) return true;  // "9." -> "9.30"
  const std::string word = word_before(dot);
  if (word.size() == 1 && std::isalpha(static_cast<unsigned char>(word[0]))) return true;  // "a." -> "a.m.", "J."
  return std::find(abbreviations.begin(), abbreviations.end(), word) != abbreviations.end();
}

std::size_t sentence_splitter::find_end(std::size_t from) const {
  for (std::size_t i = from; i < buf_.size(); ++i) {
    const char c = buf_[i];
    if (c == '\n') return i + 1;
    std::size_t j = 0;
    if (c == '.' || c == '!' || c == '?') j = i + 1;
    else if (starts_with_at(buf_, i, "\xE2\x80\xA6")) j = i + 3;  // …
    else continue;
    // "?!", "..." and closing quotes/brackets belong to the end.
    for (;;) {
      if (j < buf_.size() && (buf_[j] == '.' || buf_[j] == '!' || buf_[j] == '?')) {
        ++j;
      } else if (std::size_t n = j < buf_.size() ? closer_at(buf_, j) : 0; n > 0) {
        j += n;
      } else {
        break;
      }
    }
    if (j >= buf_.size()) {
      // The end is the last thing received: cut it now unless it may still become
      // something else once more text comes.
      if (c == '.' && j == i + 1 && dot_may_continue(i)) return std::string::npos;
      std::size_t dots = 0;
      while (dots < j && buf_[j - 1 - dots] == '.') ++dots;
      if (dots == 2) return std::string::npos;  // ".." on its way to "..."
      return j;
    }
    if (!is_space(buf_[j])) continue;               // "9.30", "a.b"
    if (c == '.' && j == i + 1 && is_abbreviation(i)) continue;
    return j;
  }
  return std::string::npos;
}

std::vector<std::string> sentence_splitter::push(std::string_view delta) {
  std::vector<std::string> out;
  buf_.append(delta);
  if (after_early_cut_) {
    // buf_ was empty: drop what could only be the rest of the end that was cut early.
    std::size_t k = 0;
    while (std::size_t n = k < buf_.size() ? end_mark_at(buf_, k) : 0) k += n;
    buf_.erase(0, k);
    if (!buf_.empty()) after_early_cut_ = false;
  }
  for (;;) {
    const std::size_t end = find_end(scanned_);
    if (end == std::string::npos) {
      // Nothing before the last whitespace can still become an end.
      const auto sp = buf_.find_last_of(" \t\r\n");
      scanned_ = sp == std::string::npos ? 0 : sp + 1;
      break;
    }
    // Cut with nothing after it and not at a line break: the end was decided early.
    after_early_cut_ = end == buf_.size() && buf_[end - 1] != '\n';
    std::string s = trimmed(std::string_view(buf_).substr(0, end));
    buf_.erase(0, end);
    scanned_ = 0;
    if (!s.empty()) out.push_back(std::move(s));
  }
  if (buf_.size() > soft_limit_) {
    // A long run without an end: cut after the last clause mark, else at the last space.
    std::size_t cut = std::string::npos;
    for (std::size_t i = buf_.size(); i-- > 1;) {
      if (is_space(buf_[i]) && (buf_[i - 1] == ',' || buf_[i - 1] == ';' || buf_[i - 1] == ':')) {
        cut = i;
        break;
      }
    }
    if (cut == std::string::npos) {
      const auto sp = buf_.find_last_of(" \t");
      if (sp != std::string::npos && sp > 0) cut = sp;
    }
    if (cut != std::string::npos) {
      std::string s = trimmed(std::string_view(buf_).substr(0, cut));
      buf_.erase(0, cut);
      scanned_ = 0;
      if (!s.empty()) out.push_back(std::move(s));
    }
  }
  return out;
}

std::optional<std::string> sentence_splitter::finish() {
  std::string s = trimmed(buf_);
  buf_.clear();
  scanned_ = 0;
  after_early_cut_ = false;
  if (s.empty()) return std::nullopt;
  return s;
}

} // namespace ce::openai
