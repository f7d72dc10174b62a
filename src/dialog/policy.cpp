#include "dialog/policy.hpp"

#include "dialog/answers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

namespace ce::dialog {

namespace {

constexpr std::string_view transfer_tool = "transfer_to_human";
constexpr std::string_view end_call_tool = "end_call";
constexpr int misses_before_offer = 3;

std::string join(const std::vector<std::string>& sentences) {
  std::string out;
  for (const auto& s : sentences) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::string trim(std::string_view s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(begin, end - begin + 1));
}

/// Words as the caller hears them (whitespace separated, punctuation ignored).
std::size_t spoken_word_count(std::string_view text) {
  std::size_t count = 0;
  bool in_word = false;
  for (char c : text) {
    bool word_char = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (word_char && !in_word) ++count;
    if (std::isspace(static_cast<unsigned char>(c)) != 0) in_word = false;
    else if (word_char) in_word = true;
  }
  return count;
}

/// "... five p.m.." -> "... five p.m.": a spoken clock time may already end the sentence.
std::string tidy(std::string sentence) {
  sentence = trim(sentence);
  if (sentence.size() >= 2 && sentence.compare(sentence.size() - 2, 2, "..") == 0) sentence.pop_back();
  return sentence;
}

bool tool_succeeded(std::string_view result_json) {
  auto j = nlohmann::json::parse(result_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  auto ok = j.find("ok");
  return ok != j.end() && ok->is_boolean() && ok->get<bool>();
}

std::vector<std::string> with(std::vector<std::string> sentences, std::string last) {
  sentences.push_back(std::move(last));
  return sentences;
}

} // namespace

local_policy::local_policy(const dealership_facts& facts, call_direction direction, std::string caller_number,
                           std::shared_ptr<const intent_matcher> matcher)
  : facts_(facts),
    matcher_(matcher ? std::move(matcher) : std::make_shared<const intent_matcher>(facts_)),
    direction_(direction),
    caller_number_(std::move(caller_number)),
    flow_(facts_.services) {}

bool local_policy::set_date(std::string_view yyyy_mm_dd) {
  auto date = parse_iso_date(yyyy_mm_dd);
  if (!date) return false;
  flow_.set_today(*date);
  today_ = weekday_of(*date);
  return true;
}

// --- entry points --------------------------------------------------------------------

turn_output local_policy::on_call_started() {
  if (outbound_) return tool_turn({}, "get_call_purpose", "{}");
  if (direction_ == call_direction::outbound) {
    return speak({"Hi, this is " + facts_.name + " service department calling.", "I'm the virtual service assistant.",
                  question_sentence(question::good_time)},
                 question::good_time);
  }
  greeting_pending_ = true;
  auto lookup = flow_.start_lookup();
  return tool_turn({}, lookup.name, lookup.arguments_json);
}

turn_output local_policy::on_user(std::string_view utterance) {
  history_.emplace_back("caller", trim(utterance));
  if (state_ != state::talking) return {};
  drop_flow_tools();  // the engine drops results of calls still running when the caller speaks
  auto analysis = matcher_->analyse(utterance);
  if (auto out = outbound_answer(analysis)) return std::move(*out);
  return answer(analysis);
}

turn_output local_policy::on_dtmf(char digit) {
  history_.emplace_back("caller", std::string("[pressed ") + digit + "]");
  if (state_ != state::talking) return {};
  misses_ = 0;
  if (auto out = outbound_key(digit)) return std::move(*out);
  bool digits_wanted = flow_.expected() == speech_hint::digits;
  if (!digits_wanted) keyed_.clear();
  if (digits_wanted && (std::isdigit(static_cast<unsigned char>(digit)) || digit == '*' || digit == '#')) {
    static constexpr std::string_view names[] = {"zero", "one", "two",   "three", "four",
                                                 "five", "six", "seven", "eight", "nine"};
    // A key turn says nothing: the next key interrupting it leaves the question open.
    last_turn_silent_ = true;
    if (digit == '*') {
      keyed_.clear();
      return {};
    }
    if (digit != '#') keyed_ += digit;
    auto wanted = flow_.keyed_digits();
    bool complete = digit == '#' ? !keyed_.empty() : (wanted > 0 && keyed_.size() >= wanted);
    if (!complete && keyed_.size() < 32) return {};
    std::string spoken;
    for (char k : keyed_) spoken += (spoken.empty() ? "" : " ") + std::string(names[k - '0']);
    keyed_.clear();
    drop_flow_tools();
    return answer(matcher_->analyse(spoken));
  }
  if (digit == '0') return transfer("caller pressed zero");
  return speak({"To talk to a service advisor, press zero.", "Or just tell me what you need."}, pending_);
}

turn_output local_policy::on_tool_result(std::string_view id, std::string_view result_json) {
  auto it = std::find_if(open_tools_.begin(), open_tools_.end(), [&](const pending_tool& t) { return t.id == id; });
  if (it == open_tools_.end()) return {};
  auto name = it->name;
  open_tools_.erase(it);
  if (auto out = outbound_tool_result(name, result_json)) return std::move(*out);
  if (name != transfer_tool && name != end_call_tool) {
    if (greeting_pending_ && name == "lookup_customer") {
      greeting_pending_ = false;
      flow_.on_tool_result(name, result_json);
      return greet();
    }
    if (state_ != state::talking) return {};
    auto out = run_flow(flow_.on_tool_result(name, result_json));
    // an outbound call that moved or cancelled its appointment: that is the job's outcome
    if (outbound_ && (name == "reschedule_appointment" || name == "cancel_appointment") &&
        tool_succeeded(result_json)) {
      auto outcome = name == "reschedule_appointment" ? "rescheduled" : "cancelled";
      out.tool_calls.push_back(silent_tool("record_call_outcome", nlohmann::json{{"outcome", outcome}}.dump()));
    }
    return out;
  }
  bool ok = tool_succeeded(result_json);
  if (ok) return {};  // transfer: the engine says goodbye and connects; end_call: the call ends
  state_ = state::talking;
  if (name == transfer_tool) {
    return speak({"I'm sorry, I couldn't connect you right now.", question_sentence(question::anything_else)},
                 question::anything_else);
  }
  return {};  // end_call failed: call_session decides how the call ends; stay ready to answer
}

turn_output local_policy::on_silence(int reprompt_number, int max_reprompts) {
  if (state_ != state::talking) return {};
  if (reprompt_number > max_reprompts) {
    return goodbye({"I haven't heard anything, so I'll let you go.", farewell(), "Goodbye."}, "caller silent");
  }
  auto out = speak({reprompt_number <= 1 ? "Are you still there?" : "I'm still here if you need anything."}, pending_);
  reprompted_ = true;
  return out;
}

turn_output local_policy::on_recovered(std::string_view last_caller_text) {
  turn_output out = !last_caller_text.empty() ? on_user(last_caller_text)
                    : flow_.active()          ? ask_again({})
                                              : speak({"How can I help you today?"});
  out.sentences.insert(out.sentences.begin(), "Sorry about that.");
  return out;
}

turn_output local_policy::on_max_duration() {
  if (state_ == state::ending) return {};
  return goodbye({"I'm sorry, we've reached the time limit for this call.",
                  "If you still need help, please call us back.", farewell(), "Goodbye."},
                 "maximum call length reached");
}

void local_policy::on_interrupted(std::string_view heard_text) {
  // Tool calls of an interrupted turn are dropped by the engine, never run.
  drop_flow_tools();
  if (last_turn_silent_) {  // nothing was being said: the turn before was heard in full
    open_tools_.clear();
    state_ = state::talking;
    return;
  }
  if (!last_agent_turn_) return;
  auto heard = trim(heard_text);
  auto& text = history_[*last_agent_turn_].second;
  // Whatever the turn asked only counts if every word of it was heard.
  if (spoken_word_count(heard) < spoken_word_count(text)) {
    pending_ = question::none;
    reprompted_ = false;
    flow_.forget_question();
  }
  text = heard.empty() ? std::string(not_heard_marker) : heard;
  open_tools_.clear();
  state_ = state::talking;
}

// --- deciding what to say ------------------------------------------------------------

turn_output local_policy::answer(const utterance_analysis& a) {
  if (a.heard_nothing()) return not_understood();
  if (auto out = flow_turn(a)) return std::move(*out);
  bool refuses_person = a.content == intent::human && a.reply == intent::no;
  bool firm_yes = a.reply == intent::yes && a.scores[static_cast<std::size_t>(intent::yes)] >= 3;
  // After "Are you still there?" a bare "yes" means "I'm here", not "connect me".
  bool yes_to_offer = pending_ == question::offer_transfer && a.reply == intent::yes && !reprompted_ &&
                      (a.content == intent::none || a.content == intent::human || a.content == intent::appointment);
  bool closing_question = pending_ == question::offer_transfer || pending_ == question::which_service ||
                          pending_ == question::good_time;
  bool finished = a.goodbye || a.done || (a.thanks && !firm_yes && !(a.reply == intent::no && closing_question));
  bool understood = yes_to_offer || (a.content != intent::none && !refuses_person) || finished ||
                    a.reply != intent::none || a.repeat || a.greeting;
  if (!understood) return not_understood();
  misses_ = 0;
  if (yes_to_offer) return transfer(offer_topic_);
  if (a.content != intent::none && !refuses_person) return answer_content(a);
  if (a.goodbye || a.done) return goodbye({"You're welcome.", farewell(), "Goodbye."}, "caller finished");
  if (a.reply == intent::no && closing_question) return answer_reply(a);
  if (finished) return goodbye({"You're welcome.", farewell(), "Goodbye."}, "caller finished");
  if (a.reply != intent::none) return answer_reply(a);
  if (a.repeat) return repeat_last();
  return answer_greeting();
}

turn_output local_policy::answer_content(const utterance_analysis& a) {
  if (a.content != intent::appointment && a.content != intent::human && wants_booking(a)) return appointment_help(a);
  switch (a.content) {
    case intent::hours: {
      answers::hours_question q{a.day_kind, a.day, today_, a.asks_closing_time, a.asks_if_open};
      return answered(answers::hours(facts_, q));
    }
    case intent::address:
      return answered(answers::address(facts_, a.asks_directions));
    case intent::phone:
      return answered(answers::phone(facts_));
    case intent::services:
      if (facts_.services.empty() || flow_.active()) return answered(answers::services_overview(facts_));
      return speak(with(answers::services_overview(facts_), "Is there a service you'd like a price for?"),
                   question::which_service);
    case intent::service_info:
      return answered(answers::service_details(facts_, a.services));
    case intent::price:
    case intent::duration:
      if (flow_.active()) return answered(answers::without_service(facts_, a.content == intent::duration));
      return speak(with(answers::without_service(facts_, a.content == intent::duration),
                        question_sentence(question::which_service)),
                   question::which_service);
    case intent::makes:
      return answered(answers::makes(facts_, a.make, a.make_serviced));
    case intent::capabilities:
      return speak(with(answers::capabilities(), "What would you like to know?"));
    case intent::appointment:
      return appointment_help(a);
    case intent::human:
      return transfer("caller asked for a person");
    default:
      return not_understood();
  }
}

turn_output local_policy::answer_reply(const utterance_analysis& a) {
  bool yes = a.reply == intent::yes;
  if (reprompted_ && yes && pending_ != question::none) return ask_again({"Great."});  // "yes, I'm still here"
  switch (pending_) {
    case question::offer_transfer:
      if (yes) return transfer(offer_topic_);
      if (flow_.active()) return run_flow(flow_.resume({"Okay."}));
      return speak({"Okay.", question_sentence(question::anything_else)}, question::anything_else);
    case question::flow:
      return ask_again({});
    case question::which_service:
      if (yes) return speak({"Sure.", "Which service are you interested in?"}, question::which_service);
      return speak({"Okay.", question_sentence(question::anything_else)}, question::anything_else);
    case question::anything_else:
      if (yes) return speak({"Sure.", "What else can I help you with?"});
      return goodbye({"You're welcome.", farewell(), "Goodbye."}, "caller finished");
    case question::good_time:
      if (yes) {
        return speak({"Great.", "I can answer questions about our services, or book or change an appointment.",
                      "What can I help you with?"});
      }
      return goodbye({"No problem.", farewell(), "Goodbye."}, "caller busy");
    case question::none:
      break;
  }
  if (yes) return speak({"Okay.", "What can I help you with?"});
  return speak({"Okay.", question_sentence(question::anything_else)}, question::anything_else);
}

turn_output local_policy::answer_greeting() {
  if (pending_ == question::none && !flow_.active()) return speak({"Hi, I'm here.", "How can I help you today?"});
  return ask_again({"Hi, I'm here."});
}

turn_output local_policy::ask_again(std::vector<std::string> lead) {
  if (pending_ == question::flow || (pending_ == question::none && flow_.active()))
    return run_flow(flow_.resume(std::move(lead)));
  return speak(with(std::move(lead), question_sentence(pending_)), pending_);
}

turn_output local_policy::appointment_help(const utterance_analysis& a) {
  switch (a.appointment) {
    case appointment_kind::book:
      return run_flow(flow_.start(booking_task::book, a));
    case appointment_kind::reschedule:
      return run_flow(flow_.start(booking_task::reschedule, a));
    case appointment_kind::cancel:
      return run_flow(flow_.start(booking_task::cancel, a));
    case appointment_kind::check:
      break;
  }
  if (phrase("appointment").find_in(a.words, 0)) return run_flow(flow_.start(booking_task::check, a));
  return offer_transfer({"I'm sorry, I can't check on repairs in progress.", "A service advisor can do that for you."},
                        "caller wants to check on a vehicle", "Would you like me to connect you with one?");
}

turn_output local_policy::not_understood() {
  ++misses_;
  if (misses_ == 1) {
    // Keep the open question: the caller will most likely repeat their answer to it.
    return speak({"Sorry, I didn't catch that.", "Could you say that again?"}, pending_);
  }
  if (misses_ < misses_before_offer && flow_.active()) return ask_again({"Sorry, I'm still not sure what you mean."});
  if (misses_ < misses_before_offer) {
    return speak({"Sorry, I'm still not sure what you need.",
                  "I can help with our hours, our address, and our services and prices.",
                  "I can also book an appointment, or connect you with a service advisor.",
                  "What would you like to do?"});
  }
  return offer_transfer({"Sorry, I'm having trouble understanding."}, "caller could not be understood",
                        question_sentence(question::offer_transfer));
}

turn_output local_policy::offer_transfer(std::vector<std::string> lead, std::string topic, std::string ask) {
  auto out = speak(with(std::move(lead), std::move(ask)), question::offer_transfer);
  offer_topic_ = std::move(topic);
  return out;
}

turn_output local_policy::transfer(std::string reason) {
  if (reason.empty()) reason = "caller accepted a transfer";
  flow_.abandon();
  auto out = speak_with_tool({"Sure, I'll connect you with a service advisor now."}, std::string(transfer_tool),
                             std::move(reason));
  state_ = state::transferring;
  return out;
}

turn_output local_policy::goodbye(std::vector<std::string> sentences, std::string reason) {
  auto out = speak_with_tool(std::move(sentences), std::string(end_call_tool), std::move(reason));
  state_ = state::ending;
  return out;
}

turn_output local_policy::repeat_last() {
  if (last_agent_sentences_.empty()) return speak({"How can I help you today?"});
  auto sentences = last_agent_sentences_;
  return speak(std::move(sentences), last_agent_question_);
}

// --- bookkeeping ---------------------------------------------------------------------

turn_output local_policy::speak(std::vector<std::string> sentences, question asked) {
  for (auto& s : sentences) s = tidy(std::move(s));
  sentences.erase(std::remove(sentences.begin(), sentences.end(), std::string()), sentences.end());
  history_.emplace_back("agent", join(sentences));
  last_agent_turn_ = history_.size() - 1;
  last_turn_silent_ = false;
  last_agent_sentences_ = sentences;
  last_agent_question_ = asked;
  pending_ = asked;
  reprompted_ = false;
  turn_output out;
  out.sentences = std::move(sentences);
  return out;
}

turn_output local_policy::speak_with_tool(std::vector<std::string> sentences, std::string tool, std::string reason) {
  auto out = speak(std::move(sentences));
  tool_request call{"t" + std::to_string(next_tool_++), std::move(tool),
                    nlohmann::json{{"reason", std::move(reason)}}.dump()};
  open_tools_.push_back({call.id, call.name});
  out.tool_calls.push_back(std::move(call));
  out.end_of_turn = false;
  return out;
}

std::string local_policy::farewell() const {
  if (direction_ == call_direction::outbound) return "Thanks for your time, and have a great day.";
  return "Thanks for calling " + facts_.name + ".";
}

std::string local_policy::question_sentence(question q) {
  switch (q) {
    case question::anything_else: return "Is there anything else I can help you with?";
    case question::offer_transfer: return "Would you like me to connect you with a service advisor?";
    case question::which_service: return "Which service are you asking about?";
    case question::good_time: return "Is now a good time to talk?";
    case question::flow:
    case question::none: break;
  }
  return "How can I help you today?";
}

} // namespace ce::dialog

namespace ce::dialog {

speech_hint local_policy::expected_answer() const {
  if (outbound_ && (outbound_->step == outbound_step::identity || outbound_->step == outbound_step::keep ||
                    outbound_->step == outbound_step::next_service))
    return speech_hint::yes_no;
  switch (pending_) {
    case question::flow: return flow_.expected();
    case question::offer_transfer:
    case question::good_time: return speech_hint::yes_no;
    default: return speech_hint::open;
  }
}

} // namespace ce::dialog
