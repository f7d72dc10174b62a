// Private to the tools: reading a tool call's arguments. The LLM may send anything, so
// every read checks presence and type and says what is wrong, by the argument's name.
// A JSON null counts as absent (models often send null for optional arguments).
#pragma once

#include "tools/tool_errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ce::tools {

/// The arguments as a JSON object: "" counts as {}; malformed JSON or a non-object is an
/// invalid_argument. Never throws.
checked<nlohmann::json> parse_arguments(std::string_view text);

/// A required, non-blank string (surrounding spaces removed).
checked<std::string> need_string(const nlohmann::json& args, std::string_view key);
/// An optional string: nullopt when absent or blank.
checked<std::optional<std::string>> opt_string(const nlohmann::json& args, std::string_view key);
/// A required integer (a JSON number without a fraction).
checked<std::int64_t> need_int(const nlohmann::json& args, std::string_view key);
checked<std::optional<std::int64_t>> opt_int(const nlohmann::json& args, std::string_view key);

/// `value` must lie in [lo, hi]; the message names the argument.
std::optional<tool_error> check_range(std::string_view key, std::int64_t value, std::int64_t lo, std::int64_t hi);

std::string trim(std::string_view text);
std::string lower(std::string_view text);

} // namespace ce::tools
