// The OpenAI mock's pure parts: request validation (protocols.md §7.1, §9.5), choosing
// the scripted reply for a conversation (rules from the config), splitting it the way the
// real API streams it (text in token-sized pieces; tool-call arguments in fragments cut
// inside strings and escapes; a parallel second call after the first), and the JSON of
// every chunk (§7.3).
//
// Rule matching, first match wins: `last_role` is the role of the last message;
// `contains` (any of, case-insensitive) looks at the last *user* message; `tool_result_for`
// needs the last message to be a tool result answering a call to that function;
// `has_tool` needs the function in the request's tools; `min_messages` a conversation of at
// least that length; `times` limits how often the rule fires. A tool-call rule only
// matches when the request offers every function it calls and tool_choice is not "none";
// with parallel_tool_calls=false only its first call is made. No match: `default_text`.
#pragma once

#include "mocks/mock_config.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::mocks {

struct openai_error {
  unsigned status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::optional<std::string> param;
  std::optional<std::string> code;

  nlohmann::json body() const;
};

/// Checks a chat completions body; nullopt when the real API would accept it.
std::optional<openai_error> validate_chat_request(const nlohmann::json& body, bool check_strict_schemas);

struct planned_call {
  std::string id;
  std::string name;
  std::string arguments;
  std::vector<std::string> fragments;  ///< concatenation == arguments
};

struct reply_plan {
  int rule = -1;  ///< index of the rule that matched; -1 = default text
  std::string text;
  std::vector<std::string> pieces;  ///< text as streamed
  std::vector<planned_call> calls;
  std::string finish_reason;
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

/// The scripted answer to `body` (already validated). `serial` salts ids and splits.
reply_plan plan_reply(const nlohmann::json& body, const openai_config& cfg, std::uint64_t serial);

/// "I have 9:00." -> "I", " have", " 9", ":", "00", "." (concatenation == text).
std::vector<std::string> split_text_pieces(std::string_view text);
/// Cuts JSON text into 1-8 byte fragments, always inside the first string and right after
/// a backslash when there is one (concatenation == args).
std::vector<std::string> split_arguments(std::string_view args, std::uint64_t salt);

/// Builds `data: {...}\n\n` events of one completion.
class chunk_builder {
public:
  chunk_builder(std::string id, std::int64_t created, std::string model, bool include_usage);

  std::string role(bool with_tools) const;
  std::string content(std::string_view piece) const;
  std::string call_start(std::size_t index, const planned_call& call) const;
  std::string call_arguments(std::size_t index, std::string_view fragment) const;
  std::string finish(std::string_view reason) const;
  std::string usage(int prompt_tokens, int completion_tokens) const;
  static std::string done();
  static std::string error_event(std::string_view message, std::string_view type);

  /// The whole completion as one non-streamed `chat.completion` object.
  nlohmann::json completion(const reply_plan& plan) const;

private:
  std::string event(nlohmann::ordered_json choices, bool usage_null) const;

  std::string id_;
  std::int64_t created_;
  std::string model_;
  bool include_usage_;
};

} // namespace ce::mocks
