#include "providers/openai/sse_decoder.hpp"

#include <charconv>

namespace ce::openai {

void sse_decoder::feed(std::string_view bytes, std::vector<sse_event>& out) {
  if (overflowed_) return;
  std::size_t i = 0;
  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes.front() == '\n') i = 1;
  }
  while (i < bytes.size()) {
    const std::size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(i));
      if (line_.size() > max_line_) overflowed_ = true;
      return;
    }
    std::string_view line = bytes.substr(i, end - i);
    if (!line_.empty()) {
      line_.append(line);
      if (line_.size() > max_line_) {
        overflowed_ = true;
        return;
      }
      std::string whole = std::move(line_);
      line_.clear();
      on_line(whole, out);
    } else {
      if (line.size() > max_line_) {
        overflowed_ = true;
        return;
      }
      on_line(line, out);
    }
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i < bytes.size()) {
        if (bytes[i] == '\n') ++i;
      } else {
        skip_lf_ = true;
      }
    }
  }
}

void sse_decoder::on_line(std::string_view line, std::vector<sse_event>& out) {
  if (line.empty()) {
    if (has_fields_) out.push_back(std::move(current_));
    current_ = sse_event{};
    has_fields_ = false;
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment
  const auto colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
    has_fields_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
    has_fields_ = true;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      current_.id = std::string(value);
      has_fields_ = true;
    }
  } else if (field == "retry") {
    long ms = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc{} && p == value.data() + value.size()) {
      current_.retry = ms;
      has_fields_ = true;
    }
  }
}

} // namespace ce::openai
