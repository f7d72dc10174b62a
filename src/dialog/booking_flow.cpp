// booking_flow, part two: reading the caller's answers. Each open question has a reader;
// whatever a reader does not consume is checked for a change of mind (another service,
// vehicle, day or time) before it is handed back to the policy as a question or a miss.
#include "dialog/booking_flow.hpp"

#include "dialog/caller_replies.hpp"
#include "dialog/slot_picking.hpp"
#include "dialog/text_match.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>

namespace ce::dialog {

namespace {

using ordered_json = nlohmann::ordered_json;

flow_reply saying(std::vector<std::string> sentences) {
  flow_reply r;
  r.sentences = std::move(sentences);
  return r;
}

} // namespace

flow_reply booking_flow::start(booking_task task, const utterance_analysis& a) {
  reset_task();
  task_ = task;
  capture_request(task, a);
  return proceed({task == booking_task::check ? "Sure, let me check." : "Sure, I can help with that."});
}

void booking_flow::capture_request(booking_task task, const utterance_analysis& a) {
  request_words_ = a.words;
  request_services_ = a.services;
  if (task == booking_task::book) {
    if (a.services.size() == 1) set_service(a.services.front());
    else if (a.services.size() > 1) service_options_ = a.services;
    if (auto heard = parse_when(a.words, today_); !heard.empty()) apply_wish(heard);
    return;
  }
  if (task != booking_task::reschedule) return;
  // "move my oil change to friday": a day after "to" is the new time, one before it
  // names the appointment.
  for (std::size_t i = a.words.size(); i-- > 0;) {
    if (a.words[i] != "to" && a.words[i] != "for") continue;
    word_list after(a.words.begin() + static_cast<std::ptrdiff_t>(i) + 1, a.words.end());
    auto heard = parse_when(after, today_);
    if (heard.has_day() || heard.minutes || heard.part != day_part::any || heard.needs_date) apply_wish(heard);
    break;
  }
}

std::optional<flow_reply> booking_flow::on_caller(const utterance_analysis& a, bool question_heard) {
  if (task_ == booking_task::none) return std::nullopt;
  auto asked = question_heard || !yes_no(ask_) ? ask_ : ask::none;
  switch (asked) {
    case ask::identity: return on_identity(a);
    case ask::customer_name: return on_name(a, false);
    case ask::last_name: return on_name(a, true);
    case ask::vehicle_details: return on_vehicle_details(a);
    case ask::retry:
    case ask::confirm_cancel:
    case ask::offer_booking: return on_yes_no(a, asked);
    default: return on_choice(a, asked);
  }
}

std::optional<flow_reply> booking_flow::on_identity(const utterance_analysis& a) {
  auto reading = parse_identity(a.words);
  if (reading.answer) {
    ordered_json args{{"method", reading.answer->method}, {"value", reading.answer->value}};
    return call({}, "verify_customer", args.dump());
  }
  if (reading.partial_zip)
    return question(saying({"Sorry, I only caught part of that."}), ask::identity,
                    {"Could you say all five digits of the ZIP code?"});
  if (any_phrase(a.words, {"do not know", "not sure", "do not remember", "no idea", "forgot", "can not remember"}))
    return question(saying({"No problem."}), ask::identity, {"Can you tell me your date of birth instead?"});
  return std::nullopt;
}

std::optional<flow_reply> booking_flow::on_name(const utterance_analysis& a, bool last_only) {
  if (asks_question(a)) return std::nullopt;
  if (last_only) {
    auto last = parse_last_name(a.words);
    if (!last) return std::nullopt;
    new_name_.last = *last;
    return proceed({});
  }
  auto name = parse_person_name(a.words);
  if (!name) return std::nullopt;
  new_name_ = *name;
  return proceed({});
}

std::optional<flow_reply> booking_flow::on_vehicle_details(const utterance_analysis& a) {
  auto heard = parse_vehicle(a.words);
  if (heard.empty()) return std::nullopt;
  merge_vehicle(new_vehicle_, heard);
  adding_vehicle_ = true;
  return proceed({});
}

std::optional<flow_reply> booking_flow::on_yes_no(const utterance_analysis& a, ask asked) {
  bool no = negative(a);
  bool yes = affirmative(a) || (asked == ask::retry && any_phrase(a.words, {"try again", "again", "retry"}));
  if (asked == ask::retry) {
    if (yes && failed_) {
      auto again = *failed_;
      failed_.reset();
      return call({}, again.name, again.arguments_json);
    }
    if (yes) return proceed({});
    if (no) return finish(saying({"Okay."}));
  } else if (asked == ask::confirm_cancel) {
    if (no) return finish(saying({"Okay, I'll leave it as it is."}));
    if (const auto* t = target(); yes && t != nullptr)
      return call({}, "cancel_appointment", ordered_json{{"appointment_id", t->id}}.dump());
    if (auto i = match_appointment(a.services, parse_when(a.words, today_), a.words)) {
      appointment_id_ = (*appointments_)[*i].id;
      return proceed({});
    }
  } else if (asked == ask::offer_booking) {
    if (no) return finish(saying({"Okay."}));
    if (yes) {
      auto services = a.services;
      reset_task();
      task_ = booking_task::book;
      if (services.size() == 1) set_service(services.front());
      return proceed({"Great."});
    }
  }
  return std::nullopt;
}

std::optional<flow_reply> booking_flow::on_choice(const utterance_analysis& a, ask asked) {
  when_options options;
  options.bare_hours = asked == ask::slot_choice || asked == ask::day_wish || asked == ask::confirm_booking ||
                       asked == ask::confirm_reschedule || asked == ask::change_what;
  options.small_ordinal_days = asked != ask::slot_choice && asked != ask::vehicle_choice &&
                               asked != ask::appointment_choice && asked != ask::service;
  auto heard = parse_when(a.words, today_, options);
  bool question_for_policy = genuine_question(a, heard);
  std::optional<flow_reply> reply;
  switch (asked) {
    case ask::vehicle_confirm:
    case ask::vehicle_choice: reply = on_vehicle_answer(a, heard, asked); break;
    case ask::service: reply = on_service_answer(a, heard); break;
    case ask::slot_choice:
      if (!question_for_policy) reply = on_slot_choice(a, heard);
      break;
    case ask::confirm_booking:
    case ask::confirm_reschedule: reply = on_read_back_answer(a, heard, asked); break;
    case ask::change_what:
    case ask::day_wish: reply = on_open_answer(a, heard, asked); break;
    case ask::appointment_choice:
      if (auto i = match_appointment(a.services, heard, a.words)) {
        appointment_id_ = (*appointments_)[*i].id;
        return proceed({});
      }
      break;
    default: break;
  }
  if (reply) return reply;
  // Not an answer to the open question: a change of mind, a question, or "yes" to a
  // question the caller did not hear (which is asked again).
  if (question_for_policy) return std::nullopt;
  if (apply_updates(a, heard, asked)) return proceed({});
  if (asked == ask::none && (a.reply != intent::none || a.content == intent::appointment)) return proceed({});
  return std::nullopt;
}

std::optional<flow_reply> booking_flow::on_open_answer(const utterance_analysis& a, const when_wish& heard,
                                                       ask asked) {
  if (asked == ask::day_wish) {
    if (!heard.empty()) {
      apply_wish(heard);
      return proceed({});
    }
    if (affirmative(a)) return question({}, ask::day_wish, {"What day works best for you?"});
    return std::nullopt;
  }
  // "What would you like to change?"
  if (apply_updates(a, heard, asked)) return proceed({});
  if (negative(a) || any_phrase(a.words, {"nothing", "never mind", "forget it"}))
    return finish(saying({task_ == booking_task::reschedule ? "Okay, I'll leave your appointment as it is."
                                                             : "Okay, I won't book it."}));
  return std::nullopt;
}

std::optional<flow_reply> booking_flow::on_vehicle_answer(const utterance_analysis& a, const when_wish& heard,
                                                          ask asked) {
  if (!vehicles_ || vehicles_->empty()) return std::nullopt;
  std::optional<std::size_t> pick = match_vehicle(*vehicles_, a.words);
  if (!pick && asked == ask::vehicle_choice) pick = ordinal_choice(a.words, vehicles_->size());
  if (!pick && asked == ask::vehicle_confirm && affirmative(a)) pick = 0;
  if (pick) {
    vehicle_id_ = (*vehicles_)[*pick].id;
    apply_updates(a, heard, asked);
    return proceed({});
  }
  bool other = any_phrase(a.words, {"new car", "different car", "another car", "other car", "new vehicle",
                                    "different vehicle", "another vehicle", "none of them", "neither", "not listed"});
  if (other || (asked == ask::vehicle_confirm && negative(a))) {
    adding_vehicle_ = true;
    new_vehicle_ = parse_vehicle(a.words);
    return proceed({"Okay."});
  }
  return std::nullopt;
}

std::optional<flow_reply> booking_flow::on_service_answer(const utterance_analysis& a, const when_wish& heard) {
  if (price_question(a)) return std::nullopt;
  std::optional<std::size_t> pick;
  if (!service_options_.empty()) {
    std::vector<std::size_t> both;
    for (auto s : a.services)
      if (std::find(service_options_.begin(), service_options_.end(), s) != service_options_.end()) both.push_back(s);
    if (both.size() == 1) pick = both.front();
    else if (auto i = ordinal_choice(a.words, service_options_.size())) pick = service_options_[*i];
    else pick = option_named(a.words);
  }
  if (!pick && a.services.size() == 1) pick = a.services.front();
  if (!pick && a.services.size() > 1) {
    service_options_ = a.services;
    return proceed({});
  }
  if (!pick) return std::nullopt;
  set_service(*pick);
  if (!heard.empty()) apply_wish(heard);
  return proceed({});
}

std::optional<std::size_t> booking_flow::option_named(const word_list& words) const {
  // "the inspection": the one option whose name has a word the others lack
  std::optional<std::size_t> found;
  for (auto option : service_options_) {
    auto own = normalize_words(services_[option].name);
    bool named = std::any_of(own.begin(), own.end(), [&](const std::string& w) {
      bool shared = std::any_of(service_options_.begin(), service_options_.end(), [&](std::size_t other) {
        auto theirs = normalize_words(services_[other].name);
        return other != option && std::find(theirs.begin(), theirs.end(), w) != theirs.end();
      });
      return !shared && w.size() > 2 &&
             std::any_of(words.begin(), words.end(), [&](const std::string& said) { return words_match(said, w); });
    });
    if (named && found) return std::nullopt;
    if (named) found = option;
  }
  return found;
}

} // namespace ce::dialog

namespace ce::dialog {

std::size_t booking_flow::keyed_digits() const {
  if (ask_ != ask::identity) return 0;
  for (const auto& q : reask_)
    if (q.find("ZIP") != std::string::npos) return 5;
  return 0;
}

speech_hint booking_flow::expected() const {
  switch (ask_) {
    case ask::identity: {
      for (const auto& q : reask_)
        if (q.find("date of birth") != std::string::npos) return speech_hint::date;
      return speech_hint::digits;
    }
    case ask::customer_name:
    case ask::last_name: return speech_hint::name;
    case ask::vehicle_details:
    case ask::vehicle_choice: return speech_hint::vehicle;
    case ask::vehicle_confirm:
    case ask::confirm_booking:
    case ask::confirm_reschedule:
    case ask::confirm_cancel:
    case ask::offer_booking:
    case ask::retry: return speech_hint::yes_no;
    case ask::day_wish:
    case ask::slot_choice:
    case ask::appointment_choice: return speech_hint::time_choice;
    case ask::none:
    case ask::service:
    case ask::change_what: return speech_hint::open;
  }
  return speech_hint::open;
}

} // namespace ce::dialog
