// OpenAI Chat Completions values (protocols.md §7.1, §7.3): what the llm actor builds a
// request from and what a streamed completion yields. No JSON library types here: tool
// parameter schemas and tool-call arguments are JSON *text*.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ce::openai {

enum class chat_role { system, developer, user, assistant, tool };

struct tool_call {
  std::string id;         ///< "call_…", echoed in the tool message that answers it
  std::string name;
  std::string arguments;  ///< JSON text, exactly as the model wrote it
};

struct chat_message {
  chat_role role = chat_role::user;
  /// Text; an assistant message that only calls tools has none (sent as null).
  std::optional<std::string> content;
  std::vector<tool_call> tool_calls;  ///< assistant only
  std::string tool_call_id;           ///< tool only

  static chat_message system(std::string text) { return {chat_role::system, std::move(text), {}, {}}; }
  static chat_message user(std::string text) { return {chat_role::user, std::move(text), {}, {}}; }
  static chat_message assistant(std::string text) { return {chat_role::assistant, std::move(text), {}, {}}; }
  static chat_message assistant_calls(std::vector<tool_call> calls) {
    return {chat_role::assistant, std::nullopt, std::move(calls), {}};
  }
  static chat_message tool(std::string call_id, std::string result_text) {
    return {chat_role::tool, std::move(result_text), {}, std::move(call_id)};
  }
};

struct tool_definition {
  std::string name;  ///< [a-zA-Z0-9_-]{1,64}
  std::string description;
  std::string parameters_json = R"({"type":"object","properties":{}})";  ///< a JSON Schema object
  bool strict = false;
};

struct tool_choice {
  enum class mode { unset, automatic, none, required, function };
  mode kind = mode::unset;  ///< unset: not sent (the API's default)
  std::string function;     ///< with mode::function
};

struct chat_request {
  std::string model = "gpt-4o-mini";
  std::vector<chat_message> messages;
  std::shared_ptr<const std::vector<tool_definition>> tools;  ///< null or empty: none sent (shared by requests)
  /// `tools` already serialized as the request's "tools" array (tools_array_json): every
  /// request of every call sends the same schemas, so they are written once, not per request.
  std::shared_ptr<const std::string> tools_json;
  tool_choice choice;
  std::optional<bool> parallel_tool_calls;
  std::optional<int> max_completion_tokens;
  std::optional<double> temperature;
  bool include_usage = true;
  /// The turn's latency budget: failures are retried (jittered backoff) only while this
  /// much time since start() is not used up, and only before any text was delivered.
  /// The first byte of every attempt must also come within it.
  std::chrono::milliseconds deadline{2500};
  /// Log prefix of this request, e.g. "call_sid=CA1 role=llm turn=3".
  std::string log_context;
};

struct chat_usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;
  int total_tokens = 0;
  int cached_tokens = 0;     ///< prompt_tokens_details.cached_tokens
  int reasoning_tokens = 0;  ///< completion_tokens_details.reasoning_tokens
};

/// A tool call as the stream assembled it (fragments joined by index).
struct completed_tool_call {
  int index = 0;
  std::string id;
  std::string name;
  std::string arguments;       ///< JSON text ("{}" when the model sent nothing)
  bool arguments_valid = true; ///< parsed as JSON at the end of the stream
  std::string parse_error;
};

struct chat_completion {
  std::string id;             ///< chatcmpl-…
  std::string model;
  std::string finish_reason;  ///< stop, length, tool_calls, content_filter, …
  std::string text;           ///< every content (and refusal) delta, joined
  std::vector<completed_tool_call> tool_calls;
  std::optional<chat_usage> usage;
  std::string request_id;     ///< x-request-id of the attempt that answered
  int attempts = 0;
  std::chrono::milliseconds time_to_first_text{0};  ///< since start(); 0 when no text came
};

} // namespace ce::openai
