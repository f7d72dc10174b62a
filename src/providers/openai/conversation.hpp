// The conversation the llm actor keeps for OpenAI, and the pure pieces of its tool loop:
// the history (system prompt + turns, bounded, never cut between a tool call and its
// result), an agent turn trimmed to what the caller heard after a barge-in, one round of
// tool calls waiting for its results, and the `tools` array from the tools library's JSON.
//
// No I/O, no clock, no CAF: the actor (actors/llm_openai.cpp) drives it.
#pragma once

#include "providers/openai/chat_types.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::openai {

class conversation {
public:
  explicit conversation(std::size_t max_messages = 60) : max_messages_(max_messages < 2 ? 2 : max_messages) {}

  void set_system_prompt(std::string text) { system_ = std::move(text); }
  const std::string& system_prompt() const { return system_; }

  void add_user(std::string text);
  /// Starts an agent turn: what follows (completions, tool rounds) belongs to it.
  void begin_agent_turn();
  /// One completion of the turn: its text (may be empty) and the tool calls it made. The
  /// calls are recorded only with their results (add_tool_results); a completion with
  /// calls keeps its text until then.
  void add_completion_text(std::string text);
  /// The results of a completed round, in the order of `calls`; the round's assistant
  /// message carries the completion text that came with the calls.
  void add_tool_round(std::vector<tool_call> calls, std::vector<std::string> results);
  /// The caller barged in and heard only `heard` of the turn: the turn's assistant text is
  /// replaced by that (with "..." when cut short; nothing when nothing was heard). Complete
  /// tool rounds stay (they ran); their text goes.
  void interrupt_agent_turn(std::string_view heard);

  /// System prompt + the newest messages (at most max_messages), never starting inside a
  /// tool round.
  std::vector<chat_message> messages() const;
  const std::vector<chat_message>& history() const { return history_; }

private:
  void trim();

  std::size_t max_messages_;
  std::string system_;
  std::vector<chat_message> history_;
  std::optional<std::size_t> turn_start_;  ///< index of the current agent turn's first message
  std::string pending_text_;               ///< completion text of a round still running tools
};

/// One round of tool calls of a completion, waiting for results.
class tool_round {
public:
  tool_round() = default;
  explicit tool_round(std::vector<completed_tool_call> calls);

  const std::vector<completed_tool_call>& calls() const { return calls_; }
  /// Records the result of call `id`; false for an unknown or already answered id.
  bool set_result(std::string_view id, std::string result_json);
  bool complete() const;
  bool empty() const { return calls_.empty(); }
  /// The calls as sent back to the model (assistant tool_calls message).
  std::vector<tool_call> wire_calls() const;
  std::vector<std::string> results() const;

private:
  std::vector<completed_tool_call> calls_;
  std::vector<std::optional<std::string>> results_;
};

/// The tool result for a call whose arguments were not valid JSON (it is not run).
std::string invalid_arguments_result(const completed_tool_call& call);

/// The tools library's OpenAI `tools` array (JSON text) as tool definitions; throws
/// std::invalid_argument when it is not such an array.
std::vector<tool_definition> parse_tool_definitions(std::string_view tools_json);

} // namespace ce::openai
