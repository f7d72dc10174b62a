#include "twilio/json_text.hpp"

#include "twilio/utf8.hpp"

#include <charconv>

namespace ce::twilio::json_text {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

} // namespace

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(hex_digits[c >> 4]);
      out.push_back(hex_digits[c & 0x0F]);
    } else if (c >= 0x80) {
      auto len = utf8::sequence_length(s, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
        continue;
      }
      out.append(s.substr(i, len));
      i += len;
      continue;
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

void append_decimal_string(std::string& out, std::uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.push_back('"');
  out.append(buf, end);
  out.push_back('"');
}

} // namespace ce::twilio::json_text
