// booking_flow: the booking conversations of the embedded policy (book, reschedule,
// cancel, read back a caller's appointments, and the new-caller setup before booking),
// driven through the dealership tools exactly as an LLM would drive them: each step is
// either one tool call (docs/tools.md) or one question to the caller.
//
// The flow keeps what it has learned (the account, the vehicles, the service, the wished
// day, the offered and chosen slot) and after every caller turn or tool result works out
// the next missing piece, so a caller can answer out of order or change their mind
// ("actually make it a tire rotation", "no, another day"). Nothing personal is read or
// changed before the caller is verified. Owned by local_policy; no I/O, no clock.
#pragma once

#include "callengine/speech_hint.hpp"

#include "callengine/config.hpp"
#include "dialog/calendar.hpp"
#include "dialog/caller_details.hpp"
#include "dialog/date_parse.hpp"
#include "dialog/intents.hpp"
#include "dialog/tool_results.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog {

enum class booking_task { none, book, reschedule, cancel, check };

struct tool_step {
  std::string name;
  std::string arguments_json;
};

/// What the flow wants said and done next.
struct flow_reply {
  enum class then {
    question,        ///< the flow asked the caller something; its question is open
    done,            ///< the task is over; the policy asks if there is anything else
    offer_transfer,  ///< the policy offers a service advisor (`topic` says why)
    nothing,         ///< nothing more to say (a caller-ID lookup at call start)
  };
  std::vector<std::string> sentences;
  std::optional<tool_step> tool;  ///< when set, the turn ends with this call and waits
  then next = then::question;
  std::string topic;
};

class booking_flow {
 public:
  explicit booking_flow(std::vector<service_offer> services);

  void set_today(civil_date today) { today_ = today; }
  const std::optional<civil_date>& today() const { return today_; }

  /// The caller-ID lookup an inbound call starts with.
  tool_step start_lookup();
  /// An outbound call: the customer the call was placed for confirmed who they are (the
  /// tools hold them verified), so nothing is looked up or verified again.
  void adopt_verified_customer(std::string first_name);
  /// First name from caller ID ("" when unknown).
  const std::string& caller_first_name() const { return first_name_; }
  bool active() const { return task_ != booking_task::none; }
  bool waiting() const { return waiting_.has_value(); }

  /// Starts (or switches to) a task requested by the caller.
  flow_reply start(booking_task task, const utterance_analysis& a);

  /// A caller turn while a task is active or a flow question is open. `question_heard`:
  /// the caller heard the flow's last question in full. nullopt when the turn is not about
  /// the task (a question for the policy, or not understood).
  std::optional<flow_reply> on_caller(const utterance_analysis& a, bool question_heard);

  flow_reply on_tool_result(std::string_view name, std::string_view result_json);

  /// The open question again after `lead`, or the next step when none is open.
  flow_reply resume(std::vector<std::string> lead);

  /// The caller did not hear the last question in full. A yes/no question (a read-back,
  /// "cancel it?") is forgotten so a "yes" cannot answer it; an open question (which time,
  /// which vehicle, a ZIP code) stays, since an answer to it is read back before anything
  /// is changed.
  void forget_question();
  /// The tool call being waited for was dropped (barge-in, or the caller spoke over it).
  void tools_dropped();
  /// Drops the task (the caller was transferred or gave up); the account stays known.
  void abandon();

  /// The kind of answer the open question invites (for the speech recogniser).
  speech_hint expected() const;
  /// How many keypad digits complete the answer to the open question (5 for a ZIP code);
  /// 0 when it takes no fixed count (the caller ends with '#').
  std::size_t keyed_digits() const;

 private:
  enum class ask {
    none, identity, customer_name, last_name, vehicle_details, vehicle_confirm, vehicle_choice, service,
    day_wish, slot_choice, confirm_booking, confirm_reschedule, appointment_choice, confirm_cancel,
    offer_booking, retry, change_what,
  };
  enum class lookup_state { not_started, pending, found, not_found, failed };
  static bool yes_no(ask a);

  // booking_steps.cpp: the planner and the questions it asks
  flow_reply proceed(std::vector<std::string> lead);
  flow_reply proceed_booking(flow_reply r);
  flow_reply proceed_appointment(flow_reply r);
  flow_reply proceed_slots(flow_reply r);
  flow_reply pick_appointment(flow_reply r);
  flow_reply call(flow_reply r, std::string name, std::string arguments_json);
  flow_reply question(flow_reply r, ask a, std::vector<std::string> asked);
  flow_reply finish(flow_reply r);
  flow_reply transfer_offer(flow_reply r, std::string topic);
  flow_reply offer(flow_reply r, std::vector<local_time> slots);
  flow_reply read_back(flow_reply r);
  std::string slot_arguments() const;
  std::string service_phrase() const;
  std::string vehicle_phrase() const;
  std::string appointment_phrase(const appointment_record& a) const;
  std::string service_name_of(const appointment_record& a) const;
  const appointment_record* target() const;
  std::optional<std::size_t> match_appointment(const std::vector<std::size_t>& services, const when_wish& when,
                                               const word_list& words) const;
  void set_service(std::size_t index);
  void clear_slots();
  void reset_task();
  std::string vehicle_question() const;

  // booking_flow.cpp: reading the caller's answers
  std::optional<flow_reply> on_identity(const utterance_analysis& a);
  std::optional<flow_reply> on_name(const utterance_analysis& a, bool last_only);
  std::optional<flow_reply> on_vehicle_details(const utterance_analysis& a);
  std::optional<flow_reply> on_choice(const utterance_analysis& a, ask asked);
  std::optional<flow_reply> on_yes_no(const utterance_analysis& a, ask asked);
  std::optional<flow_reply> on_slot_choice(const utterance_analysis& a, const when_wish& heard);
  std::optional<flow_reply> on_vehicle_answer(const utterance_analysis& a, const when_wish& heard, ask asked);
  std::optional<flow_reply> on_service_answer(const utterance_analysis& a, const when_wish& heard);
  std::optional<std::size_t> option_named(const word_list& words) const;
  std::optional<flow_reply> on_read_back_answer(const utterance_analysis& a, const when_wish& heard, ask asked);
  std::optional<flow_reply> on_open_answer(const utterance_analysis& a, const when_wish& heard, ask asked);
  bool apply_updates(const utterance_analysis& a, const when_wish& heard, ask asked);
  bool fits_choice(const when_wish& heard) const;
  void apply_wish(const when_wish& heard);
  void capture_request(booking_task task, const utterance_analysis& a);

  // booking_results.cpp: tool results
  flow_reply on_success(std::string_view name, const tool_result& r);
  flow_reply on_failure(std::string_view name, const tool_result& r);
  flow_reply on_slots(const tool_result& r);
  flow_reply on_verified(const tool_result& r);
  flow_reply on_changed(std::string_view name, const tool_result& r);
  std::optional<flow_reply> on_refused(std::string_view name);

  std::vector<service_offer> services_;
  std::optional<civil_date> today_;
  booking_task task_ = booking_task::none;
  ask ask_ = ask::none;
  std::vector<std::string> reask_;  ///< the open question, to say again

  // the account (kept for the whole call)
  lookup_state lookup_ = lookup_state::not_started;
  std::string first_name_;
  std::vector<std::string> methods_;  ///< verification methods the account supports
  bool verified_ = false;
  bool locked_ = false;               ///< verification failed too often
  std::optional<std::vector<vehicle_record>> vehicles_;
  std::optional<std::vector<appointment_record>> appointments_;
  person_name new_name_;
  vehicle_description new_vehicle_;
  bool adding_vehicle_ = false;

  // the task at hand
  std::optional<std::size_t> service_;          ///< index into services_
  std::vector<std::size_t> service_options_;    ///< an ambiguous request ("brakes")
  std::string service_type_;                    ///< id sent to the tools
  std::optional<long long> vehicle_id_;
  std::optional<long long> appointment_id_;
  word_list request_words_;                     ///< the request, to match vehicles/appointments later
  std::vector<std::size_t> request_services_;   ///< services named in the request
  when_wish wish_;
  bool wish_given_ = false;
  bool widened_ = false;                        ///< an empty day was already widened once
  std::vector<local_time> free_;                ///< the last search's free slots
  std::vector<local_time> offered_;
  std::optional<local_time> chosen_;
  std::vector<local_time> taken_;               ///< slots a booking found taken meanwhile

  std::optional<tool_step> waiting_;            ///< the call whose result is awaited
  std::optional<tool_step> failed_;             ///< the call to try again
  int failures_ = 0;                            ///< consecutive unreachable-system failures
};

} // namespace ce::dialog
