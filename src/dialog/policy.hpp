// policy: the embedded, offline "LLM role" — a deterministic dialog policy for the service
// department's phone line. It turns recognised caller utterances (pocketsphinx text),
// silences, key presses and tool results into what the agent says, sentence by sentence,
// plus the tool calls the engine runs: transfer_to_human and end_call, and the dealership
// tools of docs/tools.md, which booking_flow drives to book, move and cancel appointments.
// An inbound call starts with a caller-ID lookup; the greeting comes with its result.
//
// One instance per call, driven by one actor (not thread-safe, no I/O, no clock, no
// randomness): the same inputs always give the same outputs. Nothing a caller or a tool
// sends can make it throw or assert; unknown input gets a spoken recovery.
#pragma once

#include "callengine/call.hpp"
#include "callengine/config.hpp"
#include "callengine/speech_hint.hpp"
#include "dialog/booking_flow.hpp"
#include "dialog/intents.hpp"
#include "dialog/speech_format.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::dialog {

struct tool_request {
  std::string id;              ///< "t1", "t2", ... unique per call
  std::string name;            ///< a tool of docs/tools.md ("lookup_customer", "transfer_to_human", ...)
  std::string arguments_json;  ///< its JSON arguments, e.g. {"reason":"..."}
};

struct turn_output {
  std::vector<std::string> sentences;    ///< spoken in order; each a complete sentence
  std::vector<tool_request> tool_calls;  ///< to run after the sentences are queued
  bool end_of_turn = true;               ///< false while waiting for tool results
};

/// Text kept in history() for an agent turn the caller barged into before hearing a word.
inline constexpr std::string_view not_heard_marker = "[not heard]";

class local_policy {
 public:
  /// `matcher`: the compiled phrase tables to share (intent_matcher of the same facts);
  /// null = build its own.
  local_policy(const dealership_facts& facts, call_direction direction, std::string caller_number,
               std::shared_ptr<const intent_matcher> matcher = nullptr);

  /// Inbound: only the caller-ID lookup (lookup_customer {}, end_of_turn false); the
  /// greeting, by first name when the caller is known, comes with its result. Outbound:
  /// Bart's calling, asking if now is a good time.
  turn_output on_call_started();

  /// A finished caller utterance; "" (or only noise words) = unintelligible.
  turn_output on_user(std::string_view utterance);

  /// The caller pressed a key. While a question that takes digits is open (a ZIP code),
  /// keys are collected: '*' starts over, '#' or the last expected digit answers with them
  /// as if spoken, and nothing is said in between. Otherwise '0' transfers to a service
  /// advisor and other keys get a hint.
  turn_output on_dtmf(char digit);

  /// A result for one of this policy's tool calls; unknown ids (and results of calls
  /// dropped by a barge-in or by the caller speaking first) are ignored.
  turn_output on_tool_result(std::string_view id, std::string_view result_json);

  /// The caller stayed silent after the agent. reprompt_number counts 1, 2, ...; past
  /// max_reprompts the policy says goodbye and calls end_call.
  turn_output on_silence(int reprompt_number, int max_reprompts);

  /// A part of the engine failed mid-turn and was restarted: a short apology, then the
  /// answer to `last_caller_text` again (or an invitation to speak when there was none).
  turn_output on_recovered(std::string_view last_caller_text);

  /// The call reached its maximum length: a polite wrap-up and end_call.
  turn_output on_max_duration();

  /// Outbound call placed for a job ("reminder" or "followup", docs/outbound.md): the call
  /// starts by loading it (get_call_purpose) and asks for the customer by first name
  /// before any detail; `opt_out_key` pressed at any time means "do not call me again".
  void set_outbound_job(std::string_view kind, char opt_out_key = '9');
  /// An answering machine took the call: a short message (the shop, what it is about,
  /// the shop's number; nothing personal), the outcome `voicemail`, and end_call.
  turn_output on_voicemail();

  /// The caller barged in; only `heard_text` of the last agent turn was heard. The turn is
  /// trimmed in history (not_heard_marker when nothing was heard), a question the caller
  /// did not hear in full is forgotten, and tool calls of that turn are assumed dropped.
  void on_interrupted(std::string_view heard_text);

  /// Tells the policy which day it is at the dealership, so "today" and "tomorrow" can be
  /// answered. Without it those questions get the weekly hours.
  void set_today(weekday today) { today_ = today; }

  /// Tells the policy today's date at the dealership ("YYYY-MM-DD"), for booking ("tomorrow",
  /// "next tuesday", "november twenty fourth") and for "today"/"tomorrow" hours answers.
  /// False (and nothing changes) when the text is not a valid date. Without it the caller
  /// is asked for a full date when booking.
  bool set_date(std::string_view yyyy_mm_dd);

  /// (role, text) turns; role is "caller" or "agent". Agent turns are trimmed to what the
  /// caller heard. Key presses appear as caller turns "[pressed 0]".
  const std::vector<std::pair<std::string, std::string>>& history() const { return history_; }

  /// What kind of answer the agent's last turn invites (biases the speech recogniser).
  speech_hint expected_answer() const;

  call_direction direction() const { return direction_; }
  const std::string& caller_number() const { return caller_number_; }

 private:
  /// The question the agent's last turn ended with, which gives "yes"/"no" their meaning.
  /// `flow`: the booking flow asked; booking_flow holds the question.
  enum class question { none, anything_else, offer_transfer, which_service, good_time, flow };
  enum class state { talking, transferring, ending };
  struct pending_tool {
    std::string id;
    std::string name;
  };

  turn_output answer(const utterance_analysis& a);
  turn_output answer_content(const utterance_analysis& a);
  turn_output answer_reply(const utterance_analysis& a);
  turn_output answer_greeting();
  turn_output not_understood();
  turn_output offer_transfer(std::vector<std::string> lead, std::string topic, std::string ask);
  turn_output appointment_help(const utterance_analysis& a);
  turn_output transfer(std::string reason);
  turn_output goodbye(std::vector<std::string> sentences, std::string reason);
  turn_output repeat_last();

  /// Records the agent turn, remembers the question it ends with, fills in tool ids.
  turn_output speak(std::vector<std::string> sentences, question asked = question::none);
  turn_output speak_with_tool(std::vector<std::string> sentences, std::string tool, std::string reason);
  std::string farewell() const;
  static std::string question_sentence(question q);
  turn_output ask_again(std::vector<std::string> lead);

  // policy_outbound.cpp: reminder and follow-up calls
  enum class outbound_step { loading, identity, confirming, keep, change_or_cancel, rating, feedback, next_service, free };
  struct outbound_job {
    std::string kind;  ///< reminder, followup
    char opt_out_key = '9';
    outbound_step step = outbound_step::loading;
    std::string first_name;
    std::string service;   ///< "an oil change"
    std::string when;      ///< "Tuesday, December eighth at nine a.m."
    std::string clock;     ///< "nine a.m."
    std::string vehicle;   ///< "2021 Toyota Camry", may be empty
    std::optional<int> rating;
    std::string next_service;  ///< follow-ups: the service to offer ("tire rotation"), may be empty
    int misses = 0;  ///< answers in a row that did not answer the step's question
  };
  turn_output outbound_reask(const utterance_analysis& a);
  std::optional<turn_output> outbound_answer(const utterance_analysis& a);
  std::optional<turn_output> outbound_step_answer(const utterance_analysis& a);
  std::optional<turn_output> outbound_key(char digit);
  std::optional<turn_output> outbound_tool_result(const std::string& name, std::string_view result_json);
  turn_output outbound_details(std::string_view result_json);
  turn_output outbound_rated(int rating);
  turn_output outbound_feedback(const utterance_analysis& a, std::string_view text);
  turn_output outbound_opt_out();
  turn_output outbound_bye(std::vector<std::string> sentences, std::string reason, std::string outcome_json);
  static bool asks_opt_out(const utterance_analysis& a);
  std::vector<std::string> with_next_service(std::vector<std::string> sentences) const;
  tool_request silent_tool(std::string name, std::string arguments_json);
  std::optional<outbound_job> outbound_;

  // policy_flow.cpp: the bridge to booking_flow
  std::optional<turn_output> flow_turn(const utterance_analysis& a);
  turn_output run_flow(flow_reply reply);
  turn_output answered(std::vector<std::string> sentences);
  static std::vector<std::string> with_anything_else(std::vector<std::string> sentences);
  turn_output greet();
  turn_output tool_turn(std::vector<std::string> sentences, std::string name, std::string arguments_json);
  void drop_flow_tools();
  static bool wants_booking(const utterance_analysis& a);

  dealership_facts facts_;
  std::shared_ptr<const intent_matcher> matcher_;
  call_direction direction_;
  std::string caller_number_;
  std::optional<weekday> today_;

  std::vector<std::pair<std::string, std::string>> history_;
  std::optional<std::size_t> last_agent_turn_;       ///< index into history_
  std::vector<std::string> last_agent_sentences_;    ///< as generated (for "repeat that")
  question last_agent_question_ = question::none;
  question pending_ = question::none;
  std::string offer_topic_;                          ///< why a transfer was offered
  int misses_ = 0;                                   ///< consecutive misunderstood turns
  bool reprompted_ = false;                          ///< the last agent turn was a reprompt
  state state_ = state::talking;
  std::vector<pending_tool> open_tools_;
  int next_tool_ = 1;
  booking_flow flow_;
  bool greeting_pending_ = false;      ///< the caller-ID lookup result brings the greeting
  bool last_turn_silent_ = false;      ///< the last output was only tool calls
  std::string keyed_;                  ///< keypad digits collected for the open question
};

} // namespace ce::dialog
