#include "dialog/text_match.hpp"

#include "dialog/speech_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace ce::dialog {

namespace {

/// Bound on the words looked at, so a runaway transcript cannot make matching slow.
constexpr std::size_t max_words = 120;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// Lowercase ASCII letters, digits and apostrophes; everything else separates words.
std::vector<std::string> split_raw(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back(std::move(current));
    current.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    // U+2019 RIGHT SINGLE QUOTATION MARK, as typed apostrophes often arrive.
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x99) {
      current += '\'';
      i += 2;
    } else if (std::isalnum(c) != 0 && c < 0x80) {
      current += static_cast<char>(std::tolower(c));
    } else if (c == '\'') {
      current += '\'';
    } else {
      flush();
    }
  }
  flush();
  return out;
}

struct expansion {
  std::string_view from;
  std::string_view to;
};

constexpr std::array<expansion, 22> whole_word_expansions = {{
  {"can't", "can not"}, {"cannot", "can not"}, {"cant", "can not"}, {"won't", "will not"},
  {"let's", "let us"}, {"dont", "do not"}, {"doesnt", "does not"}, {"didnt", "did not"},
  {"isnt", "is not"}, {"thats", "that is"}, {"whats", "what is"}, {"wheres", "where is"},
  {"im", "i am"}, {"ive", "i have"}, {"youre", "you are"}, {"ok", "okay"},
  {"mhm", "yes"}, {"mmhmm", "yes"}, {"uhhuh", "yes"}, {"goodbye", "good bye"},
  {"alright", "all right"}, {"thankyou", "thank you"}}};

constexpr std::array<expansion, 6> suffix_expansions = {{
  {"n't", " not"}, {"'re", " are"}, {"'ll", " will"}, {"'ve", " have"}, {"'d", " would"},
  {"'m", " am"}}};

constexpr std::array<std::string_view, 11> is_contractions = {
  "that", "what", "where", "when", "how", "it", "there", "who", "here", "he", "she"};

constexpr std::array<std::string_view, 12> fillers = {
  "uh", "um", "umm", "uhm", "er", "erm", "ah", "hmm", "hm", "mm", "sil", "noise"};

/// One raw token -> one or more words, contractions expanded and apostrophes gone.
std::string expand_token(std::string token) {
  while (!token.empty() && token.front() == '\'') token.erase(0, 1);
  while (!token.empty() && token.back() == '\'') token.pop_back();
  for (const auto& e : whole_word_expansions)
    if (token == e.from) return std::string(e.to);
  for (const auto& e : suffix_expansions) {
    if (ends_with(token, e.from) && token.size() > e.from.size())
      return token.substr(0, token.size() - e.from.size()) + std::string(e.to);
  }
  if (ends_with(token, "'s")) {
    auto base = token.substr(0, token.size() - 2);
    bool is = std::find(is_contractions.begin(), is_contractions.end(), base) != is_contractions.end();
    return is ? base + " is" : base;  // otherwise a possessive: "bart's" -> "bart"
  }
  token.erase(std::remove(token.begin(), token.end(), '\''), token.end());
  return token;
}

void append_words(std::vector<std::string>& out, std::string_view text) {
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '-') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
}

bool is_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

/// "b m w" -> "bmw": runs of two or more single letters (other than "a" and "i").
std::vector<std::string> join_spelled_letters(const std::vector<std::string>& words) {
  auto spelled = [](const std::string& w) { return w.size() == 1 && w != "a" && w != "i" && std::isalpha(static_cast<unsigned char>(w[0])) != 0; };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words.size();) {
    std::size_t j = i;
    while (j < words.size() && spelled(words[j])) ++j;
    if (j - i >= 2) {
      std::string joined;
      for (std::size_t k = i; k < j; ++k) joined += words[k];
      out.push_back(std::move(joined));
      i = j;
    } else {
      out.push_back(words[i++]);
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

} // namespace

std::vector<std::string> normalize_words(std::string_view text) {
  std::vector<std::string> words;
  for (auto& raw : split_raw(text)) {
    auto token = expand_token(std::move(raw));
    if (is_digits(token)) {
      token = token.size() <= 4 ? say_number(std::stoll(token)) : token;
      if (is_digits(token)) {  // long digit strings: one word per digit
        for (char c : std::string(token)) append_words(words, say_number(c - '0'));
        continue;
      }
    }
    append_words(words, token);
    if (words.size() > max_words) break;
  }
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < words.size() && kept.size() < max_words; ++i) {
    if (words[i] == "uh" && i + 1 < words.size() && words[i + 1] == "huh") {
      kept.emplace_back("yes");
      ++i;
      continue;
    }
    if (std::find(fillers.begin(), fillers.end(), words[i]) != fillers.end()) continue;
    kept.push_back(std::move(words[i]));
  }
  return join_spelled_letters(kept);
}

std::string normalize(std::string_view text) {
  std::string out;
  for (const auto& w : normalize_words(text)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string word_stem(std::string_view word) {
  std::string w(word);
  auto n = w.size();
  if (n >= 6 && ends_with(w, "ing")) w.resize(n - 3);
  else if (n >= 5 && ends_with(w, "ied")) w = w.substr(0, n - 3) + "y";
  else if (n >= 5 && ends_with(w, "ed")) w.resize(n - 2);
  else if (n >= 5 && ends_with(w, "ies")) w = w.substr(0, n - 3) + "y";
  else if (n >= 4 && (ends_with(w, "ses") || ends_with(w, "xes") || ends_with(w, "zes") ||
                      ends_with(w, "ches") || ends_with(w, "shes")))
    w.resize(n - 2);
  else if (n >= 4 && ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us") && !ends_with(w, "is"))
    w.resize(n - 1);
  if (w.size() >= 5 && w.back() == 'e') w.pop_back();
  return w;
}

bool words_match(std::string_view a, std::string_view b) {
  if (a == b) return true;
  auto sa = word_stem(a);
  auto sb = word_stem(b);
  if (sa == sb) return true;
  const auto& shorter = sa.size() <= sb.size() ? sa : sb;
  const auto& longer = sa.size() <= sb.size() ? sb : sa;
  if (shorter.size() >= 5 && longer.size() - shorter.size() <= 6 && longer.compare(0, shorter.size(), shorter) == 0)
    return true;
  return shorter.size() >= 7 && edit_distance(sa, sb) <= 1;
}

phrase::phrase(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    auto token = text.substr(i, end - i);
    i = end + 1;
    bool optional = !token.empty() && token.back() == '?';
    if (optional) token.remove_suffix(1);
    for (auto& w : normalize_words(token)) {
      if (!optional) ++required_;
      words_.push_back({std::move(w), optional});
    }
  }
}

bool phrase::match_from(const std::vector<std::string>& words, std::size_t phrase_at, std::size_t word_at,
                        std::size_t max_gap, bool anchored, std::size_t* first) const {
  if (phrase_at == words_.size()) return true;
  const auto& wanted = words_[phrase_at];
  auto last = anchored ? std::min(words.size(), word_at + max_gap + 1) : words.size();
  for (auto j = word_at; j < last; ++j) {
    if (words_match(words[j], wanted.text) && match_from(words, phrase_at + 1, j + 1, max_gap, true, nullptr)) {
      if (first != nullptr) *first = j;
      return true;
    }
  }
  return wanted.optional && match_from(words, phrase_at + 1, word_at, max_gap, anchored, first);
}

std::optional<std::size_t> phrase::find_in(const std::vector<std::string>& words, std::size_t max_gap) const {
  if (required_ == 0) return std::nullopt;
  std::size_t first = 0;
  if (match_from(words, 0, 0, max_gap, false, &first)) return first;
  return std::nullopt;
}

} // namespace ce::dialog
