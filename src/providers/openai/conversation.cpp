#include "providers/openai/conversation.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace ce::openai {

void conversation::add_user(std::string text) {
  turn_start_.reset();
  pending_text_.clear();
  history_.push_back(chat_message::user(std::move(text)));
  trim();
}

void conversation::begin_agent_turn() {
  turn_start_ = history_.size();
  pending_text_.clear();
}

void conversation::add_completion_text(std::string text) {
  if (!turn_start_) begin_agent_turn();
  if (text.empty()) return;
  history_.push_back(chat_message::assistant(std::move(text)));
  trim();
}

void conversation::add_tool_round(std::vector<tool_call> calls, std::vector<std::string> results) {
  if (!turn_start_) begin_agent_turn();
  // the text that came with the calls is the round's assistant content: take it back
  std::optional<std::string> text;
  if (!history_.empty() && history_.size() > *turn_start_ && history_.back().role == chat_role::assistant &&
      history_.back().tool_calls.empty()) {
    text = std::move(history_.back().content);
    history_.pop_back();
  }
  auto msg = chat_message::assistant_calls(calls);
  msg.content = std::move(text);
  history_.push_back(std::move(msg));
  for (std::size_t i = 0; i < calls.size(); ++i)
    history_.push_back(chat_message::tool(calls[i].id, i < results.size() ? results[i] : std::string{R"({"ok":false})"}));
  trim();
}

void conversation::interrupt_agent_turn(std::string_view heard) {
  if (!turn_start_) return;
  auto start = std::min(*turn_start_, history_.size());
  std::string full;
  std::vector<chat_message> kept;
  for (std::size_t i = start; i < history_.size(); ++i) {
    auto& m = history_[i];
    if (m.role == chat_role::assistant && m.content) {
      if (!full.empty()) full += ' ';
      full += *m.content;
    }
    if (m.role == chat_role::assistant && m.tool_calls.empty()) continue;  // plain text: replaced below
    if (m.role == chat_role::assistant) m.content.reset();
    kept.push_back(std::move(m));
  }
  history_.resize(start);
  for (auto& m : kept) history_.push_back(std::move(m));
  std::string said{heard};
  while (!said.empty() && (said.back() == ' ' || said.back() == '\n')) said.pop_back();
  if (!said.empty()) {
    if (said.size() < full.size()) said += "...";
    history_.push_back(chat_message::assistant(std::move(said)));
  }
  turn_start_.reset();
  trim();
}

std::vector<chat_message> conversation::messages() const {
  std::vector<chat_message> out;
  out.reserve(history_.size() + 1);
  if (!system_.empty()) out.push_back(chat_message::system(system_));
  for (const auto& m : history_) out.push_back(m);
  return out;
}

void conversation::trim() {
  if (history_.size() <= max_messages_) return;
  auto cut = history_.size() - max_messages_;
  // never start with tool results whose call was cut off
  while (cut < history_.size() && history_[cut].role == chat_role::tool) ++cut;
  if (turn_start_) turn_start_ = *turn_start_ >= cut ? *turn_start_ - cut : 0;
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(cut));
}

tool_round::tool_round(std::vector<completed_tool_call> calls)
  : calls_(std::move(calls)), results_(calls_.size()) {}

bool tool_round::set_result(std::string_view id, std::string result_json) {
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].id != id || results_[i]) continue;
    results_[i] = std::move(result_json);
    return true;
  }
  return false;
}

bool tool_round::complete() const {
  for (const auto& r : results_)
    if (!r) return false;
  return true;
}

std::vector<tool_call> tool_round::wire_calls() const {
  std::vector<tool_call> out;
  out.reserve(calls_.size());
  for (const auto& c : calls_) out.push_back(tool_call{c.id, c.name, c.arguments});
  return out;
}

std::vector<std::string> tool_round::results() const {
  std::vector<std::string> out;
  out.reserve(results_.size());
  for (const auto& r : results_) out.push_back(r.value_or(R"({"ok":false})"));
  return out;
}

std::string invalid_arguments_result(const completed_tool_call& call) {
  return nlohmann::json{{"ok", false},
                        {"error", "invalid_argument"},
                        {"message", "The arguments of " + call.name + " were not valid JSON: " + call.parse_error}}
    .dump();
}

std::vector<tool_definition> parse_tool_definitions(std::string_view tools_json) {
  auto j = nlohmann::json::parse(tools_json, nullptr, false);
  if (!j.is_array()) throw std::invalid_argument("tool definitions: expected a JSON array");
  std::vector<tool_definition> out;
  for (const auto& t : j) {
    const auto* fn = t.is_object() && t.contains("function") ? &t["function"] : nullptr;
    if (!fn || !fn->is_object() || !fn->contains("name") || !(*fn)["name"].is_string())
      throw std::invalid_argument("tool definitions: an entry without function.name");
    tool_definition d;
    d.name = (*fn)["name"].get<std::string>();
    d.description = fn->value("description", std::string{});
    if (auto p = fn->find("parameters"); p != fn->end()) d.parameters_json = p->dump();
    d.strict = fn->value("strict", false);
    out.push_back(std::move(d));
  }
  return out;
}

} // namespace ce::openai
