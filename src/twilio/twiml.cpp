#include "twilio/twiml.hpp"

#include <cctype>

namespace ce::twilio {
namespace {

constexpr std::string_view declaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

/// Control characters XML 1.0 does not allow at all (everything below 0x20 except tab,
/// newline and carriage return).
bool forbidden_in_xml(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (!forbidden_in_xml(c)) out.push_back(c);
    }
  }
}

void append_attr(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(' ');
  out.append(name).append("=\"");
  append_escaped(out, value);
  out.push_back('"');
}

void append_say(std::string& out, std::string_view text, std::string_view voice) {
  out += "<Say";
  if (!voice.empty()) append_attr(out, "voice", voice);
  out.push_back('>');
  append_escaped(out, text);
  out += "</Say>";
}

std::string begin_response() {
  std::string out{declaration};
  out += "<Response>";
  return out;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

} // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  append_escaped(out, text);
  return out;
}

std::string connect_stream(std::string_view stream_url, std::string_view action_url,
                           const stream_parameters& params) {
  auto out = begin_response();
  out += "<Connect";
  if (!action_url.empty()) {
    append_attr(out, "action", action_url);
    append_attr(out, "method", "POST");
  }
  out += "><Stream";
  append_attr(out, "url", stream_url);
  out.push_back('>');
  for (const auto& [name, value] : params) {
    out += "<Parameter";
    append_attr(out, "name", name);
    append_attr(out, "value", value);
    out += "/>";
  }
  out += "</Stream></Connect></Response>";
  return out;
}

std::string say_and_hangup(std::string_view text, std::string_view voice) {
  auto out = begin_response();
  append_say(out, text, voice);
  out += "<Hangup/></Response>";
  return out;
}

std::string dial(std::string_view number, std::string_view say_text_before,
                 const dial_options& options) {
  auto out = begin_response();
  if (!say_text_before.empty()) append_say(out, say_text_before, options.voice);
  out += "<Dial";
  if (!options.action_url.empty()) {
    append_attr(out, "action", options.action_url);
    append_attr(out, "method", "POST");
  }
  if (options.timeout_s > 0) append_attr(out, "timeout", std::to_string(options.timeout_s));
  if (!options.caller_id.empty()) append_attr(out, "callerId", options.caller_id);
  out += "><Number>";
  append_escaped(out, number);
  out += "</Number></Dial></Response>";
  return out;
}

std::string hangup() {
  auto out = begin_response();
  out += "<Hangup/></Response>";
  return out;
}

std::string stream_url_from_base(std::string_view public_base_url, std::string_view path) {
  std::string out;
  if (starts_with_nocase(public_base_url, "https://")) {
    out = "wss://";
    public_base_url.remove_prefix(8);
  } else if (starts_with_nocase(public_base_url, "http://")) {
    out = "ws://";
    public_base_url.remove_prefix(7);
  }
  while (!public_base_url.empty() && public_base_url.back() == '/')
    public_base_url.remove_suffix(1);
  out.append(public_base_url);
  if (!path.empty() && path.front() != '/') out.push_back('/');
  out.append(path);
  return out;
}

} // namespace ce::twilio
