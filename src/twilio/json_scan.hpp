// A strict, allocation-free, non-recursive JSON (RFC 8259) scanner that reports events to
// a handler, for the per-frame hot path. Private to src/twilio.
//
// Handler interface (each returns false to stop the scan):
//   start_object() end_object() start_array() end_array()
//   key(std::string_view) string(std::string_view)
//   number(std::string_view raw, std::optional<std::uint64_t> value)
//       value is set for a non-negative integer without fraction/exponent that fits
//   literal(std::string_view word)  ("true", "false" or "null")
// Strings are validated UTF-8 with escapes resolved; a view stays valid only during its
// callback. Nesting deeper than `max_depth` is refused. A leading UTF-8 byte order mark is
// skipped. Numbers are checked against the grammar only, so `1e999` is accepted (reported
// with no uint64 value) where nlohmann refuses it as out of double range.
#pragma once

#include "twilio/utf8.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ce::twilio::json_scan {

inline constexpr std::size_t max_depth = 64;

namespace detail {

inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

template <typename Handler>
class scanner {
public:
  scanner(std::string_view text, Handler& h, std::string& scratch)
    : s_(text), h_(h), scratch_(scratch) {}

  bool run() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    skip_space();
    if (!value()) return false;
    while (depth_ > 0) {
      skip_space();
      if (pos_ >= s_.size()) return false;
      bool object = in_object_[depth_ - 1];
      if (s_[pos_] == (object ? '}' : ']')) {
        ++pos_;
        if (!close(object)) return false;
        continue;
      }
      if (!first_ && !separator(',')) return false;
      if (object && !member_key()) return false;
      skip_space();
      if (!value()) return false;
    }
    skip_space();
    return pos_ == s_.size();
  }

private:
  void skip_space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }

  bool separator(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    skip_space();
    return true;
  }

  bool member_key() {
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    auto k = string_token();
    if (!k || !h_.key(*k)) return false;
    skip_space();
    return separator(':');
  }

  bool value() {
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    first_ = false;
    if (c == '{' || c == '[') return open(c == '{');
    if (c == '"') {
      auto v = string_token();
      return v && h_.string(*v);
    }
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    if (c == '-' || is_digit(c)) return number();
    return false;
  }

  bool open(bool object) {
    if (depth_ == max_depth) return false;
    ++pos_;
    in_object_[depth_++] = object;
    first_ = true;
    return object ? h_.start_object() : h_.start_array();
  }

  bool close(bool object) {
    --depth_;
    first_ = false;
    return object ? h_.end_object() : h_.end_array();
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return h_.literal(word);
  }

  bool digits() {
    auto start = pos_;
    while (pos_ < s_.size() && is_digit(s_[pos_])) ++pos_;
    return pos_ > start;
  }

  bool number() {
    auto start = pos_;
    bool negative = s_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') ++pos_;
    else if (!digits()) return false;
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (!digits()) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return false;
    }
    auto raw = s_.substr(start, pos_ - start);
    std::optional<std::uint64_t> value;
    std::uint64_t v = 0;
    if (!negative && integral &&
        std::from_chars(raw.data(), raw.data() + raw.size(), v).ec == std::errc{})
      value = v;
    return h_.number(raw, value);
  }

  /// At the opening quote. A view into the input when there are no escapes, otherwise
  /// into the scratch buffer.
  std::optional<std::string_view> string_token() {
    auto start = ++pos_;
    while (pos_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return s_.substr(start, pos_++ - start);
      if (c == '\\') return escaped_string(start);
      if (!plain_char()) return std::nullopt;
    }
    return std::nullopt;
  }

  /// Moves past one unescaped character (a whole UTF-8 sequence); false if invalid.
  bool plain_char() {
    auto c = static_cast<unsigned char>(s_[pos_]);
    if (c < 0x20) return false;
    if (c < 0x80) {
      ++pos_;
      return true;
    }
    auto len = utf8::sequence_length(s_, pos_);
    pos_ += len;
    return len > 0;
  }

  std::optional<std::string_view> escaped_string(std::size_t start) {
    scratch_.assign(s_.substr(start, pos_ - start));
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return std::string_view{scratch_};
      }
      if (c == '\\') {
        if (!escape()) return std::nullopt;
        continue;
      }
      auto from = pos_;
      if (!plain_char()) return std::nullopt;
      scratch_.append(s_.substr(from, pos_ - from));
    }
    return std::nullopt;
  }

  bool escape() {
    if (++pos_ >= s_.size()) return false;
    char c = s_[pos_++];
    switch (c) {
      case '"': scratch_.push_back('"'); return true;
      case '\\': scratch_.push_back('\\'); return true;
      case '/': scratch_.push_back('/'); return true;
      case 'b': scratch_.push_back('\b'); return true;
      case 'f': scratch_.push_back('\f'); return true;
      case 'n': scratch_.push_back('\n'); return true;
      case 'r': scratch_.push_back('\r'); return true;
      case 't': scratch_.push_back('\t'); return true;
      case 'u': return unicode_escape();
      default: return false;
    }
  }

  std::optional<std::uint32_t> hex4() {
    if (pos_ + 4 > s_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int d = hex_digit(s_[pos_++]);
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  /// After `\u`: one code unit, or a surrogate pair written as two escapes.
  bool unicode_escape() {
    auto hi = hex4();
    if (!hi || (*hi >= 0xDC00 && *hi <= 0xDFFF)) return false;
    std::uint32_t cp = *hi;
    if (*hi >= 0xD800 && *hi <= 0xDBFF) {
      if (s_.substr(pos_, 2) != "\\u") return false;
      pos_ += 2;
      auto lo = hex4();
      if (!lo || *lo < 0xDC00 || *lo > 0xDFFF) return false;
      cp = 0x10000 + ((*hi - 0xD800) << 10) + (*lo - 0xDC00);
    }
    utf8::append(scratch_, cp);
    return true;
  }

  std::string_view s_;
  Handler& h_;
  std::string& scratch_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  bool first_ = true;
  std::array<bool, max_depth> in_object_{};
};

} // namespace detail

/// Scans `text`, reporting to `h`. False if it is not exactly one valid JSON value or the
/// handler stopped the scan. `scratch` holds unescaped strings (reuse it across calls).
template <typename Handler>
bool scan(std::string_view text, Handler& h, std::string& scratch) {
  return detail::scanner<Handler>{text, h, scratch}.run();
}

} // namespace ce::twilio::json_scan
