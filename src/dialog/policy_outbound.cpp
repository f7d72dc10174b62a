// local_policy, outbound calls: the appointment reminder and the post-service follow-up
// (docs/outbound.md). Who answers is asked before anything is said about the appointment;
// the details come from the tools only once they said yes (confirm_identity). From then
// on the booking flow can move, cancel or book with the same tools as an inbound call,
// and everything an inbound call handles (questions, a person, keys, silence) still works.
#include "dialog/policy.hpp"

#include "dialog/number_words.hpp"
#include "dialog/slot_speech.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>

namespace ce::dialog {

namespace {

using json = nlohmann::json;

bool has_word(const utterance_analysis& a, std::initializer_list<std::string_view> options) {
  return std::any_of(a.words.begin(), a.words.end(), [&](const std::string& w) {
    return std::find(options.begin(), options.end(), w) != options.end();
  });
}

bool has_pair(const utterance_analysis& a, std::string_view first, std::string_view then) {
  for (std::size_t i = 0; i + 1 < a.words.size(); ++i)
    if (a.words[i] == first && a.words[i + 1] == then) return true;
  return false;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

json parse_object(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

bool ok(const json& j) { return j.value("ok", false); }

/// A 1-5 rating said as a number word or digit ("five", "a four", "4 out of 5": the first).
std::optional<int> rating_in(const utterance_analysis& a) {
  for (const auto& w : a.words) {
    auto n = digit_word(w);
    if (n && *n >= 1 && *n <= 5) return n;
  }
  if (has_word(a, {"excellent", "perfect", "great", "fantastic", "amazing"})) return 5;
  if (has_word(a, {"good", "fine"})) return 4;
  if (has_word(a, {"terrible", "awful", "horrible"})) return 1;
  return std::nullopt;
}

/// Words that say the service left something wrong (a call-back for the service advisor).
bool complains(const utterance_analysis& a) {
  return has_word(a, {"problem", "problems", "issue", "issues", "wrong", "noise", "leak", "leaking", "broken",
                      "unhappy", "bad", "worse", "terrible", "disappointed", "complaint", "again", "still"}) ||
         has_pair(a, "not", "happy") || has_pair(a, "not", "working") || has_pair(a, "not", "right");
}

/// "tire rotation" -> "a tire rotation", "oil change" -> "an oil change".
std::string with_article(const std::string& name) {
  if (name.rfind("a ", 0) == 0 || name.rfind("an ", 0) == 0 || name.empty()) return name;
  bool vowel = std::string_view{"aeiou"}.find(name.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + name;
}

} // namespace

void local_policy::set_outbound_job(std::string_view kind, char opt_out_key) {
  outbound_job job;
  job.kind = kind == "followup" ? "followup" : "reminder";
  job.opt_out_key = opt_out_key;
  outbound_ = std::move(job);
  direction_ = call_direction::outbound;
}

bool local_policy::asks_opt_out(const utterance_analysis& a) {
  bool call_words = has_word(a, {"call", "calling", "calls", "phone"});
  return (has_word(a, {"stop"}) && call_words) || has_pair(a, "opt", "out") || has_word(a, {"unsubscribe"}) ||
         (has_pair(a, "do", "not") && call_words) || (has_word(a, {"don't", "dont"}) && call_words) ||
         (has_pair(a, "remove", "me") || has_pair(a, "take", "me")) ||
         has_pair(a, "no", "more");
}

tool_request local_policy::silent_tool(std::string name, std::string arguments_json) {
  tool_request call{"t" + std::to_string(next_tool_++), std::move(name), std::move(arguments_json)};
  open_tools_.push_back({call.id, call.name});
  return call;
}

turn_output local_policy::outbound_bye(std::vector<std::string> sentences, std::string reason, std::string outcome_json) {
  auto out = goodbye(std::move(sentences), std::move(reason));
  if (!outcome_json.empty())
    out.tool_calls.insert(out.tool_calls.begin(), silent_tool("record_call_outcome", std::move(outcome_json)));
  return out;
}

turn_output local_policy::outbound_opt_out() {
  flow_.abandon();
  auto out = goodbye({"Understood.", "I've taken your number off our call list, and we won't call you again.",
                      "Have a good day. Goodbye."},
                     "customer opted out of calls");
  out.tool_calls.insert(out.tool_calls.begin(), silent_tool("opt_out_of_calls", "{}"));
  return out;
}

turn_output local_policy::on_voicemail() {
  if (state_ == state::ending) return {};
  std::string about = outbound_ && outbound_->kind == "followup" ? "to follow up on your recent service visit"
                                                                 : "with a reminder about your appointment tomorrow";
  std::vector<std::string> message{"Hello, this is " + facts_.name + " service department, calling " + about + "."};
  if (!facts_.phone.empty())
    message.push_back("If you have any questions or need to make a change, please call us at " +
                      say_phone_number(facts_.phone) + ".");
  message.emplace_back("Thank you, and goodbye.");
  return outbound_bye(std::move(message), "voicemail left", json{{"outcome", "voicemail"}}.dump());
}

std::optional<turn_output> local_policy::outbound_key(char digit) {
  if (!outbound_ || outbound_->step == outbound_step::loading) return std::nullopt;
  if (digit == outbound_->opt_out_key && outbound_->step != outbound_step::rating) return outbound_opt_out();
  if (outbound_->step == outbound_step::rating && digit >= '1' && digit <= '5') return outbound_rated(digit - '0');
  return std::nullopt;
}

std::optional<turn_output> local_policy::outbound_answer(const utterance_analysis& a) {
  if (!outbound_) return std::nullopt;
  auto before = outbound_->step;
  auto out = outbound_step_answer(a);
  if (outbound_->step != before) outbound_->misses = 0;  // a new question: its own count
  return out;
}

std::optional<turn_output> local_policy::outbound_step_answer(const utterance_analysis& a) {
  auto& job = *outbound_;
  if (job.step == outbound_step::loading) return turn_output{};  // the purpose is still loading: wait
  if (asks_opt_out(a)) return outbound_opt_out();
  const bool yes = a.reply == intent::yes;
  const bool no = a.reply == intent::no;
  switch (job.step) {
    case outbound_step::identity: {
      auto name = lower(job.first_name);
      bool says_name = !name.empty() && has_word(a, {name}) && !no;
      if (yes || says_name || has_word(a, {"speaking"}) || has_pair(a, "it's", "me") || has_pair(a, "this", "is")) {
        job.step = outbound_step::confirming;
        return tool_turn({}, "confirm_identity", json{{"is_customer", true}}.dump());
      }
      if (no || has_word(a, {"wrong"})) {
        job.step = outbound_step::confirming;
        return tool_turn({}, "confirm_identity", json{{"is_customer", false}}.dump());
      }
      if (has_word(a, {"who"}) || a.greeting)
        return speak({"This is " + facts_.name + " service department.", "Am I speaking with " + job.first_name + "?"});
      return outbound_reask(a);
    }
    case outbound_step::keep: {
      bool wants_move = (a.content == intent::appointment && a.appointment == appointment_kind::reschedule) ||
                        has_word(a, {"reschedule", "move", "change", "different", "another"});
      bool wants_cancel = (a.content == intent::appointment && a.appointment == appointment_kind::cancel) ||
                          has_word(a, {"cancel"});
      if (wants_cancel || wants_move) {
        job.step = outbound_step::free;
        return run_flow(flow_.start(wants_cancel ? booking_task::cancel : booking_task::reschedule, a));
      }
      if (yes || has_word(a, {"confirm", "sure", "definitely"})) {
        job.step = outbound_step::free;
        return tool_turn({}, "confirm_appointment", "{}");
      }
      if (no || has_pair(a, "can't", "make") || has_pair(a, "cannot", "make")) {
        job.step = outbound_step::change_or_cancel;
        job.misses = 0;
        return speak({"No problem.", "Would you like to move it to another day, or cancel it?"});
      }
      return outbound_reask(a);
    }
    case outbound_step::change_or_cancel: {
      bool wants_cancel = has_word(a, {"cancel"}) ||
                          (a.content == intent::appointment && a.appointment == appointment_kind::cancel);
      bool wants_move = has_word(a, {"move", "reschedule", "another", "different", "change"}) ||
                        (a.content == intent::appointment && a.appointment == appointment_kind::reschedule);
      if (wants_cancel || wants_move) {
        job.step = outbound_step::free;
        return run_flow(flow_.start(wants_cancel ? booking_task::cancel : booking_task::reschedule, a));
      }
      if (no || has_word(a, {"leave", "keep"})) {
        job.step = outbound_step::free;
        return outbound_bye({"Okay, I'll leave it as it is.", "If anything changes, just give us a call.",
                             "Have a great day. Goodbye."},
                            "reminder: no decision", json{{"outcome", "no_decision"}}.dump());
      }
      return outbound_reask(a);
    }
    case outbound_step::rating: {
      if (auto r = rating_in(a)) return outbound_rated(*r);
      if (no && a.words.size() <= 3) {
        job.step = outbound_step::feedback;
        return speak({"That's okay.", "Is there anything about your visit you'd like us to know?"});
      }
      return outbound_reask(a);
    }
    case outbound_step::feedback: {
      std::string text;
      for (const auto& w : a.words) text += (text.empty() ? "" : " ") + w;
      return outbound_feedback(a, text);
    }
    case outbound_step::next_service: {
      if (yes || a.content == intent::appointment || !a.services.empty()) {
        job.step = outbound_step::free;
        // "yes" books the service offered, unless they named another
        if (a.services.empty() && !job.next_service.empty())
          return run_flow(flow_.start(booking_task::book,
                                      matcher_->analyse("i would like to book " + bare_service_name(job.next_service))));
        return run_flow(flow_.start(booking_task::book, a));
      }
      if (no || a.done || a.goodbye || a.thanks) {
        job.step = outbound_step::free;
        return goodbye({"Okay.", "Thanks again for your feedback, and have a great day. Goodbye."}, "follow-up done");
      }
      return outbound_reask(a);
    }
    case outbound_step::loading:
    case outbound_step::confirming:
    case outbound_step::free: break;
  }
  return std::nullopt;
}

/// An answer that does not answer the step's question: the question again (with the
/// answers it takes), and after three misses in a row a polite end. Asking for a person
/// still transfers; goodbye still ends the call.
turn_output local_policy::outbound_reask(const utterance_analysis& a) {
  auto& job = *outbound_;
  bool refuses_person = a.content == intent::human && a.reply == intent::no;
  if (a.content == intent::human && !refuses_person) return transfer("customer asked for a person");
  if (a.goodbye || ++job.misses >= 3) {
    job.step = outbound_step::free;
    std::vector<std::string> say{a.goodbye ? "Okay." : "I'm sorry, I'm having trouble hearing you."};
    if (!facts_.phone.empty()) say.push_back("You can reach us any time at " + say_phone_number(facts_.phone) + ".");
    say.emplace_back("Have a good day. Goodbye.");
    return outbound_bye(std::move(say), "outbound: no answer understood", json{{"outcome", "no_decision"}}.dump());
  }
  switch (job.step) {
    case outbound_step::identity:
      return speak({"Sorry, I didn't catch that.", "Am I speaking with " + job.first_name + "?"});
    case outbound_step::keep:
      return speak({"Sorry, I didn't catch that.", "Will you be able to make it tomorrow" +
                                                        (job.clock.empty() ? "" : " at " + job.clock) + "?",
                    "You can also say you'd like to reschedule or cancel."});
    case outbound_step::change_or_cancel:
      return speak({"Sorry, I didn't catch that.", "Would you like to move the appointment, cancel it, or leave it as it is?"});
    case outbound_step::rating:
      return speak({"Sorry, I didn't catch that.", "On a scale of one to five, how would you rate your service?",
                    "You can also press a key from one to five."});
    case outbound_step::next_service:
      return speak({"Sorry, I didn't catch that.", "Would you like to book your next service now?"});
    default: break;
  }
  return not_understood();
}

turn_output local_policy::outbound_rated(int rating) {
  auto& job = *outbound_;
  job.rating = rating;
  job.step = outbound_step::feedback;
  std::vector<std::string> lead{rating >= 4 ? "Thank you, that's great to hear." : "Thank you for telling us."};
  lead.emplace_back("Is there anything about your visit you'd like us to know?");
  return speak(std::move(lead));
}

turn_output local_policy::outbound_feedback(const utterance_analysis& a, std::string_view text) {
  auto& job = *outbound_;
  bool nothing = (a.reply == intent::no || a.done || has_word(a, {"nothing", "nope"})) && !complains(a);
  bool callback = (job.rating && *job.rating <= 3) || complains(a);
  json args{{"outcome", "rated"}, {"callback_wanted", callback}};
  if (job.rating) args["rating"] = *job.rating;
  if (!nothing && !text.empty()) args["feedback"] = std::string{text};
  std::vector<std::string> say;
  if (callback) say = {"I'm sorry to hear that.", "I'll ask a service advisor to call you back about it."};
  else say = {nothing ? "Okay, thank you." : "Thank you, I've passed that on to the team."};
  job.step = outbound_step::next_service;
  // the outcome is stored while the next question is asked
  auto out = speak(with_next_service(std::move(say)));
  out.tool_calls.push_back(silent_tool("record_call_outcome", args.dump()));
  return out;
}

std::vector<std::string> local_policy::with_next_service(std::vector<std::string> sentences) const {
  const auto& job = *outbound_;
  if (job.next_service.empty()) {
    sentences.emplace_back("While I have you, would you like to book your next service?");
  } else {
    sentences.push_back("While I have you, " + (job.vehicle.empty() ? std::string{"your car"} : "your " + job.vehicle) +
                        " is due for " + with_article(bare_service_name(job.next_service)) + ".");
    sentences.emplace_back("Would you like to book it now?");
  }
  return sentences;
}

turn_output local_policy::outbound_details(std::string_view result_json) {
  auto& job = *outbound_;
  auto j = parse_object(result_json);
  const auto appt = j.value("appointment", json::object());
  job.service = appt.value("service_name", std::string{"your service"});
  for (const auto& offer : facts_.services)  // the dealership's own name for it
    if (offer.id == appt.value("service_type", std::string{})) job.service = offer.name;
  if (job.service.rfind("a ", 0) != 0 && job.service.rfind("an ", 0) != 0 && job.service.rfind("your ", 0) != 0)
    job.service = "your " + job.service;
  job.vehicle = appt.value("vehicle", std::string{});
  if (auto t = parse_local_time(appt.value("starts_at", std::string{}))) {
    job.when = say_when(*t);
    job.clock = say_clock(t->minutes);
  }
  flow_.adopt_verified_customer(job.first_name);
  const auto next = j.value("next_service", json::object());
  job.next_service = next.value("service_name", std::string{});
  for (const auto& offer : facts_.services)
    if (offer.id == next.value("service_type", std::string{})) job.next_service = offer.name;
  std::string vehicle = job.vehicle.empty() ? "" : " for your " + job.vehicle;
  if (job.kind == "followup") {
    job.step = outbound_step::rating;
    std::string day = job.when.empty() ? "recently" : "on " + job.when.substr(0, job.when.find(" at "));
    return speak({"Thanks, " + job.first_name + ".",
                  "We did " + job.service + vehicle + " " + day + ", and I'm calling to see how it went.",
                  "On a scale of one to five, with five being the best, how would you rate your service?"});
  }
  job.step = outbound_step::keep;
  return speak({"Thanks, " + job.first_name + ".",
                "I'm calling to remind you about " + job.service + vehicle + " tomorrow, " + job.when,
                "Will you be able to make it?"});
}

std::optional<turn_output> local_policy::outbound_tool_result(const std::string& name, std::string_view result_json) {
  if (!outbound_) return std::nullopt;
  auto& job = *outbound_;
  auto j = parse_object(result_json);
  if (name == "record_call_outcome" || name == "opt_out_of_calls") {
    turn_output nothing;  // stored beside a turn that is already said (and ended)
    nothing.end_of_turn = false;
    return nothing;
  }
  if (name == "get_call_purpose") {
    if (!ok(j) || j.value("first_name", std::string{}).empty()) {
      job.step = outbound_step::free;
      std::vector<std::string> say{"Hi, this is " + facts_.name + " service department."};
      if (!facts_.phone.empty()) say.push_back("Please give us a call back at " + say_phone_number(facts_.phone) + ".");
      say.emplace_back("Thank you, goodbye.");
      return goodbye(std::move(say), "outbound job unavailable");
    }
    job.first_name = j.value("first_name", std::string{});
    job.step = outbound_step::identity;
    return speak({"Hi, this is the virtual assistant at " + facts_.name + " service department.",
                  "Am I speaking with " + job.first_name + "?"});
  }
  if (name == "confirm_identity") {
    if (!ok(j)) {
      job.step = outbound_step::free;
      return goodbye({"Sorry, I'm having trouble with our system.", "We'll try you again later. Goodbye."},
                     "confirm_identity failed");
    }
    if (!j.contains("appointment")) {  // not the customer
      job.step = outbound_step::free;
      std::vector<std::string> say{"Sorry to bother you."};
      say.push_back("Could you please ask " + job.first_name + " to call " + facts_.name +
                    (facts_.phone.empty() ? "" : " at " + say_phone_number(facts_.phone)) + "?");
      say.emplace_back("Thank you, and have a good day. Goodbye.");
      return goodbye(std::move(say), "wrong person answered");
    }
    return outbound_details(result_json);
  }
  if (name == "confirm_appointment") {
    if (!ok(j)) {
      return speak({"Sorry, I couldn't confirm it in our system just now, but your appointment is still booked.",
                    question_sentence(question::anything_else)},
                   question::anything_else);
    }
    return speak({"Great, you're all set for tomorrow" + (job.clock.empty() ? "" : " at " + job.clock) + ".",
                  question_sentence(question::anything_else)},
                 question::anything_else);
  }
  return std::nullopt;
}

} // namespace ce::dialog
