// local_policy, the bridge to booking_flow: which caller turns the flow answers, how a
// flow step becomes a turn (sentences, a tool call, the question left open), the greeting
// that follows the caller-ID lookup, and questions answered in the middle of a booking
// (answered, then the booking's open question is asked again).
#include "dialog/policy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace ce::dialog {

namespace {

bool is_control_tool(const std::string& name) {
  return name == "transfer_to_human" || name == "end_call";
}

} // namespace

std::optional<turn_output> local_policy::flow_turn(const utterance_analysis& a) {
  if (!flow_.active()) return std::nullopt;
  // Answers to the policy's own questions, and what the policy always handles itself.
  if (pending_ == question::offer_transfer || pending_ == question::anything_else) return std::nullopt;
  bool refuses_person = a.content == intent::human && a.reply == intent::no;
  if ((a.content == intent::human && !refuses_person) || a.goodbye || a.repeat) return std::nullopt;
  if (reprompted_ && a.reply == intent::yes && a.content == intent::none) return std::nullopt;  // "yes, I'm here"
  if (auto reply = flow_.on_caller(a, pending_ == question::flow)) {
    misses_ = 0;
    return run_flow(std::move(*reply));
  }
  // A day or a make on its own is no question about hours or makes here: the caller is
  // answering something the flow could not read.
  bool stray = a.content != intent::none && a.content != intent::appointment && a.content != intent::human &&
               !asks_question(a);
  if (stray && a.reply == intent::none && !a.greeting && !a.thanks && !a.done) return not_understood();
  return std::nullopt;
}

turn_output local_policy::run_flow(flow_reply reply) {
  if (reply.tool) return tool_turn(std::move(reply.sentences), reply.tool->name, reply.tool->arguments_json);
  switch (reply.next) {
    case flow_reply::then::question:
      return speak(std::move(reply.sentences), question::flow);
    case flow_reply::then::done:
      return speak(with_anything_else(std::move(reply.sentences)), question::anything_else);
    case flow_reply::then::offer_transfer:
      return offer_transfer(std::move(reply.sentences), std::move(reply.topic),
                            question_sentence(question::offer_transfer));
    case flow_reply::then::nothing:
      break;
  }
  if (reply.sentences.empty()) return {};
  return speak(std::move(reply.sentences));
}

turn_output local_policy::answered(std::vector<std::string> sentences) {
  if (flow_.active()) return run_flow(flow_.resume(std::move(sentences)));
  return speak(with_anything_else(std::move(sentences)), question::anything_else);
}

std::vector<std::string> local_policy::with_anything_else(std::vector<std::string> sentences) {
  sentences.push_back(question_sentence(question::anything_else));
  return sentences;
}

turn_output local_policy::greet() {
  std::vector<std::string> sentences{"Thanks for calling " + facts_.name + " service department."};
  if (!flow_.caller_first_name().empty()) sentences.push_back("Hi " + flow_.caller_first_name() + "!");
  sentences.emplace_back("This is the virtual service assistant.");
  sentences.emplace_back("How can I help you today?");
  return speak(std::move(sentences));
}

turn_output local_policy::tool_turn(std::vector<std::string> sentences, std::string name, std::string arguments_json) {
  turn_output out;
  if (!sentences.empty()) out = speak(std::move(sentences));
  tool_request call{"t" + std::to_string(next_tool_++), std::move(name), std::move(arguments_json)};
  open_tools_.push_back({call.id, call.name});
  out.tool_calls.push_back(std::move(call));
  out.end_of_turn = false;
  last_turn_silent_ = out.sentences.empty();
  return out;
}

void local_policy::drop_flow_tools() {
  auto flow_tool = [](const pending_tool& t) { return !is_control_tool(t.name); };
  if (std::none_of(open_tools_.begin(), open_tools_.end(), flow_tool)) return;
  open_tools_.erase(std::remove_if(open_tools_.begin(), open_tools_.end(), flow_tool), open_tools_.end());
  flow_.tools_dropped();
  greeting_pending_ = false;  // the caller spoke before the greeting: answer them instead
}

bool local_policy::wants_booking(const utterance_analysis& a) {
  if (a.services.empty() || asks_question(a) || a.words.empty()) return false;
  auto has = [&](std::initializer_list<std::string_view> options) {
    return std::any_of(a.words.begin(), a.words.end(), [&](const std::string& w) {
      return std::find(options.begin(), options.end(), w) != options.end();
    });
  };
  // "i need an oil change", "oil change tomorrow at eleven"; not "do you do oil changes on saturday"
  if (has({"need", "want", "like", "wanna"})) return true;
  bool question_form = has({"do", "does", "are", "is", "what", "when", "how", "which", "where"});
  return !question_form && a.day_kind != day_ref::none;
}

} // namespace ce::dialog
