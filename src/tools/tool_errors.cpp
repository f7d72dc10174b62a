#include "tools/tool_errors.hpp"

#include <cctype>

namespace ce::tools {

std::string_view to_string(tool_errc code) {
  switch (code) {
    case tool_errc::invalid_argument: return "invalid_argument";
    case tool_errc::outside_hours: return "outside_hours";
    case tool_errc::not_found: return "not_found";
    case tool_errc::forbidden: return "forbidden";
    case tool_errc::conflict: return "conflict";
    case tool_errc::too_many_attempts: return "too_many_attempts";
    case tool_errc::unavailable: return "unavailable";
    case tool_errc::unknown_tool: return "unknown_tool";
  }
  return "unavailable";
}

std::string sentence(std::string_view text) {
  std::string s{text};
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.empty()) return s;
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  char last = s.back();
  if (last != '.' && last != '?' && last != '!') s.push_back('.');
  return s;
}

tool_error fail(tool_errc code, std::string_view text) { return tool_error{code, sentence(text), false, {}}; }

namespace {

tool_error translated(const store::store_error& e) {
  using store::store_errc;
  switch (e.code) {
    case store_errc::unavailable:
    case store_errc::timeout:
      return fail(tool_errc::unavailable, "The scheduling system is unreachable right now.");
    case store_errc::invalid: return fail(tool_errc::invalid_argument, e.message);
    case store_errc::not_found: return fail(tool_errc::not_found, e.message);
    case store_errc::forbidden: return fail(tool_errc::forbidden, e.message);
    case store_errc::conflict: return fail(tool_errc::conflict, e.message);
    case store_errc::other: break;
  }
  return fail(tool_errc::unavailable, "The scheduling system could not complete that request right now.");
}

} // namespace

tool_error from_store(const store::store_error& e) {
  auto t = translated(e);
  t.detail = "store " + std::string{store::to_string(e.code)} + ": " + e.message;
  if (!e.sqlstate.empty()) t.detail += " (SQLSTATE " + e.sqlstate + ")";
  return t;
}

nlohmann::json failure_json(const tool_error& e) {
  nlohmann::json j{{"ok", false}, {"error", std::string{to_string(e.code)}}, {"message", e.message}};
  if (e.verification_required) j["verification_required"] = true;
  return j;
}

} // namespace ce::tools
