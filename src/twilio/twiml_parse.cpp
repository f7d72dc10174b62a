// parse_twiml: a deliberately small, strict XML reader (elements, attributes, text,
// comments, CDATA, processing instructions, predefined entities and character
// references; no DTDs) plus the TwiML extraction on top of it.
#include "twilio/twiml.hpp"

#include "twilio/utf8.hpp"

#include <cstdint>

namespace ce::twilio {
namespace {

struct element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::string text;  ///< concatenated character data directly inside this element
  std::vector<element> children;

  const std::string* attr(std::string_view key) const {
    for (const auto& [k, v] : attrs)
      if (k == key) return &v;
    return nullptr;
  }
};

constexpr int max_depth = 32;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/// `&#123;` / `&#x7B;` body (between `&#` and `;`) to a code point, or nullopt.
std::optional<std::uint32_t> char_ref(std::string_view body) {
  int base = 10;
  if (!body.empty() && (body.front() == 'x' || body.front() == 'X')) {
    base = 16;
    body.remove_prefix(1);
  }
  if (body.empty() || body.size() > 8) return std::nullopt;
  std::uint32_t cp = 0;
  for (char c : body) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return std::nullopt;
    cp = cp * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(d);
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return cp;
}

/// Replaces entity and character references; nullopt on an unknown or unterminated one.
std::optional<std::string> unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    auto semi = raw.find(';', i);
    if (semi == std::string_view::npos) return std::nullopt;
    auto ref = raw.substr(i + 1, semi - i - 1);
    if (ref == "amp") out.push_back('&');
    else if (ref == "lt") out.push_back('<');
    else if (ref == "gt") out.push_back('>');
    else if (ref == "quot") out.push_back('"');
    else if (ref == "apos") out.push_back('\'');
    else if (!ref.empty() && ref.front() == '#') {
      auto cp = char_ref(ref.substr(1));
      if (!cp) return std::nullopt;
      utf8::append(out, *cp);
    } else {
      return std::nullopt;
    }
    i = semi;
  }
  return out;
}

class xml_reader {
public:
  explicit xml_reader(std::string_view text) : s_(text) {}

  std::optional<element> document() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    if (!skip_misc()) return std::nullopt;
    element root;
    if (!at("<") || !parse_element(root, 0)) return std::nullopt;
    if (!skip_misc() || pos_ != s_.size()) return std::nullopt;
    return root;
  }

private:
  bool at(std::string_view token) const { return s_.substr(pos_, token.size()) == token; }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  /// Moves past the next `terminator`; false if there is none.
  bool skip_past(std::string_view terminator) {
    auto end = s_.find(terminator, pos_);
    if (end == std::string_view::npos) return false;
    pos_ = end + terminator.size();
    return true;
  }

  /// Whitespace, comments and processing instructions (the XML declaration included).
  bool skip_misc() {
    for (;;) {
      skip_space();
      if (at("<!--")) {
        if (!skip_past("-->")) return false;
      } else if (at("<?")) {
        if (!skip_past("?>")) return false;
      } else {
        return true;
      }
    }
  }

  std::optional<std::string_view> name() {
    auto start = pos_;
    if (pos_ >= s_.size() || !is_name_start(s_[pos_])) return std::nullopt;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  bool parse_attribute(element& e) {
    auto key = name();
    if (!key) return false;
    skip_space();
    if (!at("=")) return false;
    ++pos_;
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return false;
    char quote = s_[pos_++];
    auto end = s_.find(quote, pos_);
    if (end == std::string_view::npos) return false;
    auto raw = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    if (raw.find('<') != std::string_view::npos || e.attr(*key) != nullptr) return false;
    auto value = unescape(raw);
    if (!value) return false;
    e.attrs.emplace_back(std::string{*key}, std::move(*value));
    return true;
  }

  /// From `<` through `>` or `/>`; sets `self_closing`.
  bool parse_start_tag(element& e, bool& self_closing) {
    ++pos_;  // '<'
    auto tag = name();
    if (!tag) return false;
    e.name = std::string{*tag};
    for (;;) {
      bool spaced = pos_ < s_.size() && is_space(s_[pos_]);
      skip_space();
      if (at("/>") || at(">")) {
        self_closing = at("/>");
        pos_ += self_closing ? 2 : 1;
        return true;
      }
      if (!spaced || !parse_attribute(e)) return false;
    }
  }

  bool parse_end_tag(const element& e) {
    pos_ += 2;  // "</"
    auto tag = name();
    if (!tag || *tag != e.name) return false;
    skip_space();
    if (!at(">")) return false;
    ++pos_;
    return true;
  }

  bool parse_text(element& e) {
    auto end = std::min(s_.find('<', pos_), s_.size());
    auto text = unescape(s_.substr(pos_, end - pos_));
    if (!text) return false;
    e.text += *text;
    pos_ = end;
    return true;
  }

  bool parse_cdata(element& e) {
    pos_ += 9;  // "<![CDATA["
    auto end = s_.find("]]>", pos_);
    if (end == std::string_view::npos) return false;
    e.text.append(s_.substr(pos_, end - pos_));
    pos_ = end + 3;
    return true;
  }

  bool parse_content(element& e, int depth) {
    while (pos_ < s_.size()) {
      bool ok = true;
      if (at("</")) return parse_end_tag(e);
      if (at("<!--")) ok = skip_past("-->");
      else if (at("<![CDATA[")) ok = parse_cdata(e);
      else if (at("<?")) ok = skip_past("?>");
      else if (at("<")) ok = parse_element(e.children.emplace_back(), depth + 1);
      else ok = parse_text(e);
      if (!ok) return false;
    }
    return false;  // input ended inside the element
  }

  bool parse_element(element& e, int depth) {
    if (depth > max_depth) return false;
    bool self_closing = false;
    if (!parse_start_tag(e, self_closing)) return false;
    return self_closing || parse_content(e, depth);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string{s};
}

bool read_stream(const element& stream, parsed_twiml& out) {
  const auto* url = stream.attr("url");
  if (url == nullptr) return false;
  out.stream_url = *url;
  for (const auto& child : stream.children) {
    if (child.name != "Parameter") continue;
    const auto* name = child.attr("name");
    const auto* value = child.attr("value");
    if (name == nullptr) return false;
    out.stream_params.emplace_back(*name, value != nullptr ? *value : std::string{});
  }
  return true;
}

bool read_connect(const element& connect, parsed_twiml& out) {
  if (const auto* action = connect.attr("action")) out.connect_action = *action;
  for (const auto& child : connect.children)
    if (child.name == "Stream" && !out.stream_url && !read_stream(child, out)) return false;
  return true;
}

void read_dial(const element& dial, parsed_twiml& out) {
  std::string number = trimmed(dial.text);
  for (const auto& child : dial.children)
    if (child.name == "Number") {
      number = trimmed(child.text);
      break;
    }
  if (!number.empty() && !out.dial_number) out.dial_number = std::move(number);
}

} // namespace

std::optional<parsed_twiml> parse_twiml(std::string_view xml) {
  auto root = xml_reader{xml}.document();
  if (!root || root->name != "Response") return std::nullopt;
  parsed_twiml out;
  for (const auto& verb : root->children) {
    out.verbs.push_back(verb.name);
    if (verb.name == "Connect" && !read_connect(verb, out)) return std::nullopt;
    if (verb.name == "Say") out.say_texts.push_back(trimmed(verb.text));
    if (verb.name == "Dial") read_dial(verb, out);
    if (verb.name == "Hangup") out.hangup = true;
  }
  return out;
}

} // namespace ce::twilio
