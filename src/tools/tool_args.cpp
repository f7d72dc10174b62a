#include "tools/tool_args.hpp"

#include <cctype>

namespace ce::tools {

namespace {

using json = nlohmann::json;

const json* find(const json& args, std::string_view key) {
  auto it = args.find(key);
  if (it == args.end() || it->is_null()) return nullptr;
  return &*it;
}

tool_error missing(std::string_view key) {
  return fail(tool_errc::invalid_argument, "Missing required argument '" + std::string{key} + "'");
}

tool_error ill_typed(std::string_view key, std::string_view what) {
  return fail(tool_errc::invalid_argument, "Argument '" + std::string{key} + "' must be " + std::string{what});
}

} // namespace

std::string trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string{text};
}

std::string lower(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return s;
}

checked<json> parse_arguments(std::string_view text) {
  if (trim(text).empty()) return json::object();
  // The non-throwing parser: malformed input becomes a discarded value, never an exception.
  auto j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return fail(tool_errc::invalid_argument, "The arguments are not valid JSON");
  if (!j.is_object()) return fail(tool_errc::invalid_argument, "The arguments must be a JSON object");
  return j;
}

checked<std::string> need_string(const json& args, std::string_view key) {
  const auto* v = find(args, key);
  if (!v) return missing(key);
  if (!v->is_string()) return ill_typed(key, "a string");
  auto s = trim(v->get_ref<const std::string&>());
  if (s.empty()) return fail(tool_errc::invalid_argument, "Argument '" + std::string{key} + "' is empty");
  return s;
}

checked<std::optional<std::string>> opt_string(const json& args, std::string_view key) {
  const auto* v = find(args, key);
  if (!v) return std::optional<std::string>{};
  if (!v->is_string()) return ill_typed(key, "a string");
  auto s = trim(v->get_ref<const std::string&>());
  if (s.empty()) return std::optional<std::string>{};
  return std::optional<std::string>{std::move(s)};
}

checked<std::int64_t> need_int(const json& args, std::string_view key) {
  const auto* v = find(args, key);
  if (!v) return missing(key);
  if (!v->is_number_integer()) return ill_typed(key, "an integer");
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return ill_typed(key, "a smaller integer");
  return v->get<std::int64_t>();
}

checked<std::optional<std::int64_t>> opt_int(const json& args, std::string_view key) {
  if (!find(args, key)) return std::optional<std::int64_t>{};
  auto v = need_int(args, key);
  if (!v) return v.error();
  return std::optional<std::int64_t>{*v};
}

std::optional<tool_error> check_range(std::string_view key, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value >= lo && value <= hi) return std::nullopt;
  return fail(tool_errc::invalid_argument, "Argument '" + std::string{key} + "' must be between " +
                                             std::to_string(lo) + " and " + std::to_string(hi));
}

} // namespace ce::tools
