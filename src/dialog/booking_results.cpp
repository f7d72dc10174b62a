// booking_flow, part three: tool results. Success continues the plan; each error code of
// docs/tools.md gets its own polite handling: unavailable -> apologise and offer to try
// again or transfer; conflict -> "that time was just taken" and other times; outside_hours
// and invalid_argument -> ask again; too_many_attempts -> offer a transfer; forbidden with
// verification_required -> verify first.
#include "dialog/booking_flow.hpp"

#include "dialog/slot_picking.hpp"
#include "dialog/slot_speech.hpp"
#include "dialog/speech_format.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ce::dialog {

namespace {

constexpr int failures_before_transfer = 2;

flow_reply saying(std::vector<std::string> sentences) {
  flow_reply r;
  r.sentences = std::move(sentences);
  return r;
}

bool is_change(std::string_view name) {
  return name == "book_appointment" || name == "reschedule_appointment" || name == "cancel_appointment";
}

} // namespace

flow_reply booking_flow::on_tool_result(std::string_view name, std::string_view result_json) {
  std::optional<tool_step> sent;
  if (waiting_ && waiting_->name == name) sent = std::move(waiting_);
  waiting_.reset();
  auto result = read_tool_result(result_json);
  if (!result.ok) {
    failed_ = sent ? *sent : tool_step{std::string(name), "{}"};
    return on_failure(name, result);
  }
  failures_ = 0;
  return on_success(name, result);
}

flow_reply booking_flow::on_success(std::string_view name, const tool_result& r) {
  if (name == "lookup_customer") {
    lookup_ = r.found ? lookup_state::found : lookup_state::not_found;
    if (r.found) {
      first_name_ = r.first_name;
      methods_ = r.verification_methods;
    }
    if (!active()) return flow_reply{{}, {}, flow_reply::then::nothing, {}};
    return proceed({});
  }
  if (name == "verify_customer") return on_verified(r);
  if (name == "create_customer") {
    verified_ = true;
    lookup_ = lookup_state::found;
    first_name_ = r.first_name.empty() ? new_name_.first : r.first_name;
    vehicles_ = std::vector<vehicle_record>{};
    return proceed({"Thanks, " + first_name_ + ". Your account is set up."});
  }
  if (name == "add_vehicle") {
    if (!r.vehicle) return on_failure(name, tool_result{});
    if (!vehicles_) vehicles_ = std::vector<vehicle_record>{};
    vehicles_->push_back(*r.vehicle);
    vehicle_id_ = r.vehicle->id;
    adding_vehicle_ = false;
    new_vehicle_ = {};
    return proceed({"Got it, your " + say_vehicle(*r.vehicle) + "."});
  }
  if (name == "get_vehicles") {
    vehicles_ = r.vehicles;
    return proceed({});
  }
  if (name == "get_appointments") {
    std::vector<appointment_record> upcoming;
    for (const auto& a : r.appointments)
      if (a.status != "cancelled" && a.status != "canceled") upcoming.push_back(a);
    appointments_ = std::move(upcoming);
    return proceed({});
  }
  if (name == "get_available_slots") return on_slots(r);
  if (is_change(name)) return on_changed(name, r);
  return proceed({});
}

flow_reply booking_flow::on_verified(const tool_result& r) {
  if (r.verified) {
    verified_ = true;
    if (!r.first_name.empty()) first_name_ = r.first_name;
    return proceed({first_name_.empty() ? std::string("Thank you.") : "Thanks, " + first_name_ + "."});
  }
  if (r.attempts_left && *r.attempts_left <= 0) {
    locked_ = true;
    return transfer_offer(saying({"I'm sorry, I wasn't able to verify your account."}), "caller could not be verified");
  }
  return question(saying({"Sorry, that doesn't match what we have on file."}), ask::identity,
                  {"Could you try the ZIP code again, or tell me your date of birth?"});
}

flow_reply booking_flow::on_slots(const tool_result& r) {
  free_.clear();
  for (const auto& s : r.slots)
    if (std::find(taken_.begin(), taken_.end(), s) == taken_.end()) free_.push_back(s);
  if (free_.empty()) {
    if (wish_.from && wish_.to && !widened_) {  // those days are full: look at the days after them
      std::string day = *wish_.to != *wish_.from ? "then" : "on " + say_date(*wish_.from);
      auto after = add_days(*wish_.to, 1);
      wish_ = {};
      wish_.from = after;
      widened_ = true;
      return call(saying({"I'm sorry, I don't have any openings " + day + "."}), "get_available_slots",
                  slot_arguments());
    }
    clear_slots();
    wish_ = {};
    return question(saying({"I'm sorry, I don't see any openings then."}), ask::day_wish,
                    {"Is there another day that would work for you?"});
  }
  auto picked = choose_offer(free_, wish_);
  if (picked.exact) {
    chosen_ = picked.slots.front();
    return proceed({});
  }
  std::vector<std::string> lead;
  if (wish_.minutes) lead.push_back("I'm sorry, " + say_clock(*wish_.minutes) + " isn't available.");
  return offer(saying(std::move(lead)), std::move(picked.slots));
}

flow_reply booking_flow::on_changed(std::string_view name, const tool_result& r) {
  auto service = r.appointment ? service_name_of(*r.appointment) : service_phrase();
  appointments_.reset();  // stale now; read again when needed
  std::vector<std::string> said;
  if (name == "cancel_appointment") {
    said.emplace_back("It's cancelled.");
  } else if (name == "book_appointment") {
    said.emplace_back("You're all set.");
  } else {
    auto when = r.appointment ? r.appointment->start : chosen_.value_or(local_time{});
    said.emplace_back("All done.");
    if (when.date.year > 0) said.push_back("Your " + service + " is now on " + say_when(when) + ".");
  }
  if (name != "cancel_appointment" && r.appointment && !r.appointment->confirmation_code.empty())
    said.push_back("Your confirmation code is " + say_code(r.appointment->confirmation_code) + ".");
  return finish(saying(std::move(said)));
}

flow_reply booking_flow::on_failure(std::string_view name, const tool_result& r) {
  const auto& code = r.error;
  if (code == "forbidden" && r.verification_required) {
    verified_ = false;
    return proceed({"I need to verify your account first."});
  }
  if (name == "lookup_customer") {
    lookup_ = lookup_state::failed;
    if (!active()) return flow_reply{{}, {}, flow_reply::then::nothing, {}};
  }
  if (code == "too_many_attempts") {
    locked_ = true;
    return transfer_offer(saying({"I'm sorry, I wasn't able to verify your account."}), "caller could not be verified");
  }
  if (code == "conflict" && chosen_) {
    taken_.push_back(*chosen_);
    auto day = chosen_->date;
    clear_slots();
    wish_.minutes.reset();
    if (!wish_.from) wish_.from = day;
    return call(saying({"I'm sorry, that time was just taken."}), "get_available_slots", slot_arguments());
  }
  if (code == "outside_hours" || code == "invalid_argument") {
    if (auto again = on_refused(name)) return std::move(*again);
  }
  if (code == "not_found" && is_change(name)) {
    appointment_id_.reset();
    return transfer_offer(saying({"I'm sorry, I couldn't find that appointment."}), "appointment not found");
  }
  if (code == "forbidden")
    return transfer_offer(saying({"I'm sorry, I can't access that record."}), "record not accessible");
  // unavailable, or anything unexpected: the scheduling system cannot be used right now
  if (++failures_ > failures_before_transfer) {
    failures_ = 0;
    return transfer_offer(saying({"I'm sorry, our scheduling system is still not responding."}),
                          "scheduling system unavailable");
  }
  return question(saying({"I'm sorry, I can't reach our scheduling system right now."}), ask::retry,
                  {"Would you like me to try again, or connect you with a service advisor?"});
}

std::optional<flow_reply> booking_flow::on_refused(std::string_view name) {
  if (name == "verify_customer") {  // unreadable, or nothing of that kind on file: ask for the other
    bool tried_birth_date = failed_ && failed_->arguments_json.find("date_of_birth") != std::string::npos;
    return question(saying({"Sorry, I couldn't check that."}), ask::identity,
                    {tried_birth_date ? "Could you tell me the ZIP code we have on file instead?"
                                      : "Could you tell me your date of birth instead?"});
  }
  if (name == "create_customer") {
    new_name_ = {};
    return question(saying({"Sorry, I couldn't use that name."}), ask::customer_name,
                    {"Could you tell me your first and last name again?"});
  }
  if (name == "add_vehicle") {
    new_vehicle_ = {};
    return question(saying({"Sorry, I couldn't add that vehicle."}), ask::vehicle_details,
                    {"Could you tell me the year, make and model again?"});
  }
  if (name == "get_available_slots" || is_change(name)) {
    clear_slots();
    wish_ = {};
    return question(saying({"I'm sorry, I can't book that time."}), ask::day_wish,
                    {"What other day or time would work for you?"});
  }
  return std::nullopt;
}

} // namespace ce::dialog
