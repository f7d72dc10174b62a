// booking_flow, part one: the planner. proceed() looks at what is known and returns the
// next step, a tool call or a question, so every caller answer and every tool result
// continues the same way whatever order things arrived in.
#include "dialog/booking_flow.hpp"

#include "dialog/answers.hpp"
#include "dialog/slot_picking.hpp"
#include "dialog/slot_speech.hpp"
#include "dialog/speech_format.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ce::dialog {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr int slots_asked = 8;

std::string join_or(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? ", or " : ", ";
    out += items[i];
  }
  return out;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

booking_flow::booking_flow(std::vector<service_offer> services) : services_(std::move(services)) {}

void booking_flow::adopt_verified_customer(std::string first_name) {
  lookup_ = lookup_state::found;
  first_name_ = std::move(first_name);
  verified_ = true;
  locked_ = false;
}

tool_step booking_flow::start_lookup() {
  lookup_ = lookup_state::pending;
  waiting_ = tool_step{"lookup_customer", "{}"};
  return *waiting_;
}

flow_reply booking_flow::resume(std::vector<std::string> lead) {
  if (ask_ != ask::none && !reask_.empty()) {
    flow_reply r;
    r.sentences = std::move(lead);
    r.sentences.insert(r.sentences.end(), reask_.begin(), reask_.end());
    return r;
  }
  if (task_ == booking_task::none) {
    flow_reply r;
    r.sentences = std::move(lead);
    r.next = flow_reply::then::done;
    return r;
  }
  return proceed(std::move(lead));
}

bool booking_flow::yes_no(ask a) {
  return a == ask::vehicle_confirm || a == ask::confirm_booking || a == ask::confirm_reschedule ||
         a == ask::confirm_cancel || a == ask::offer_booking || a == ask::retry;
}

void booking_flow::forget_question() {
  if (!yes_no(ask_)) return;
  ask_ = ask::none;
  reask_.clear();
}

void booking_flow::tools_dropped() {
  if (!waiting_) return;
  if (waiting_->name == "lookup_customer" && lookup_ == lookup_state::pending) lookup_ = lookup_state::not_started;
  waiting_.reset();
}

void booking_flow::abandon() {
  reset_task();
}

void booking_flow::reset_task() {
  task_ = booking_task::none;
  ask_ = ask::none;
  reask_.clear();
  adding_vehicle_ = false;
  new_vehicle_ = {};
  service_.reset();
  service_options_.clear();
  service_type_.clear();
  vehicle_id_.reset();
  appointment_id_.reset();
  request_words_.clear();
  request_services_.clear();
  wish_ = {};
  wish_given_ = false;
  clear_slots();
  taken_.clear();
  failed_.reset();
  failures_ = 0;
}

void booking_flow::clear_slots() {
  free_.clear();
  offered_.clear();
  chosen_.reset();
  widened_ = false;
}

void booking_flow::set_service(std::size_t index) {
  if (index >= services_.size()) return;
  service_ = index;
  service_type_ = services_[index].id;
  service_options_.clear();
}

// --- the planner ---------------------------------------------------------------------

flow_reply booking_flow::proceed(std::vector<std::string> lead) {
  flow_reply r;
  r.sentences = std::move(lead);
  if (task_ == booking_task::none) return finish(std::move(r));
  if (lookup_ != lookup_state::found && lookup_ != lookup_state::not_found)
    return call(std::move(r), "lookup_customer", "{}");
  if (!verified_) {
    if (locked_) {
      r.sentences.emplace_back("I'm sorry, I can't make changes without verifying your account.");
      return finish(std::move(r));
    }
    if (lookup_ == lookup_state::found) {
      std::string what = methods_.empty() || has(methods_, "zip")   ? "the ZIP code we have on file"
                         : has(methods_, "date_of_birth")          ? "your date of birth"
                                                                    : "the last six characters of your VIN";
      std::vector<std::string> asked{"Before I pull up your account, can you tell me " + what + "?"};
      if (what.find("ZIP") != std::string::npos) asked.emplace_back("You can also type it on your keypad.");
      return question(std::move(r), ask::identity, std::move(asked));
    }
    if (new_name_.first.empty()) {
      r.sentences.emplace_back("I don't see an account for this number yet.");
      r.sentences.emplace_back("Let's set one up.");
      return question(std::move(r), ask::customer_name, {"What's your first and last name?"});
    }
    if (new_name_.last.empty()) return question(std::move(r), ask::last_name, {"And what's your last name?"});
    ordered_json args{{"first_name", new_name_.first}, {"last_name", new_name_.last}};
    return call(std::move(r), "create_customer", args.dump());
  }
  if (task_ == booking_task::book) return proceed_booking(std::move(r));
  return proceed_appointment(std::move(r));
}

flow_reply booking_flow::proceed_booking(flow_reply r) {
  if (!vehicles_) return call(std::move(r), "get_vehicles", "{}");
  if (!vehicle_id_) {
    if (adding_vehicle_ || vehicles_->empty()) {
      if (new_vehicle_.complete()) {
        ordered_json args = ordered_json::object();
        if (!new_vehicle_.vin.empty()) args["vin"] = new_vehicle_.vin;
        else args = {{"make", new_vehicle_.make}, {"model", new_vehicle_.model}, {"year", *new_vehicle_.year}};
        return call(std::move(r), "add_vehicle", args.dump());
      }
      return question(std::move(r), ask::vehicle_details, {vehicle_question()});
    }
    if (auto i = match_vehicle(*vehicles_, request_words_)) {
      vehicle_id_ = (*vehicles_)[*i].id;
    } else if (vehicles_->size() == 1) {
      return question(std::move(r), ask::vehicle_confirm,
                      {"Is this for your " + say_vehicle(vehicles_->front()) + "?"});
    } else {
      std::vector<std::string> names;
      for (const auto& v : *vehicles_) names.push_back("your " + say_vehicle(v));
      return question(std::move(r), ask::vehicle_choice, {"Which vehicle is this for, " + join_or(names) + "?"});
    }
  }
  if (!service_) {
    if (service_options_.size() > 1) {
      std::vector<std::string> names;
      for (auto i : service_options_) names.push_back(answers::with_article(services_[i].name));
      return question(std::move(r), ask::service, {"Would that be " + join_or(names) + "?"});
    }
    return question(std::move(r), ask::service, {"What service would you like to book?"});
  }
  return proceed_slots(std::move(r));
}

flow_reply booking_flow::proceed_slots(flow_reply r) {
  if (chosen_) return read_back(std::move(r));
  if (!offered_.empty()) return offer(std::move(r), offered_);
  if (task_ == booking_task::reschedule && !wish_given_)
    return question(std::move(r), ask::day_wish, {"When would you like to move it to?"});
  if (!today_ && !wish_.from) {
    if (wish_.needs_date) r.sentences.emplace_back("I'm sorry, I need the full date.");
    return question(std::move(r), ask::day_wish,
                    {"What date would you like? Please tell me the month, the day and the year."});
  }
  return call(std::move(r), "get_available_slots", slot_arguments());
}

flow_reply booking_flow::proceed_appointment(flow_reply r) {
  if (!appointments_) return call(std::move(r), "get_appointments", "{}");
  if (appointments_->empty()) {
    r.sentences.emplace_back("I don't see any upcoming appointments for you.");
    return question(std::move(r), ask::offer_booking, {"Would you like to book one?"});
  }
  if (task_ == booking_task::check) {
    std::vector<std::string> items;
    for (const auto& a : *appointments_) items.push_back("your " + appointment_phrase(a));
    r.sentences.push_back("I see " + say_list(items) + ".");
    return finish(std::move(r));
  }
  if (!appointment_id_) return pick_appointment(std::move(r));
  const auto* a = target();
  if (a == nullptr) {  // gone from the list meanwhile
    appointment_id_.reset();
    return pick_appointment(std::move(r));
  }
  if (task_ == booking_task::cancel)
    return question(std::move(r), ask::confirm_cancel,
                    {"Do you want me to cancel your " + appointment_phrase(*a) + "?"});
  service_type_ = a->service_type;
  return proceed_slots(std::move(r));
}

flow_reply booking_flow::pick_appointment(flow_reply r) {
  const auto& list = *appointments_;
  std::optional<std::size_t> pick;
  if (list.size() == 1) pick = 0;
  else pick = match_appointment(request_services_, parse_when(request_words_, today_), request_words_);
  if (pick) {
    appointment_id_ = list[*pick].id;
    if (task_ == booking_task::reschedule) r.sentences.push_back("I see your " + appointment_phrase(list[*pick]) + ".");
    return proceed_appointment(std::move(r));
  }
  std::vector<std::string> items;
  for (const auto& a : list) items.push_back(answers::with_article(appointment_phrase(a)));
  r.sentences.push_back("You have " + say_list(items) + ".");
  std::string verb = task_ == booking_task::cancel ? "cancel" : "change";
  return question(std::move(r), ask::appointment_choice, {"Which one would you like to " + verb + "?"});
}

// --- building blocks -----------------------------------------------------------------

flow_reply booking_flow::call(flow_reply r, std::string name, std::string arguments_json) {
  ask_ = ask::none;
  reask_.clear();
  r.tool = tool_step{std::move(name), std::move(arguments_json)};
  waiting_ = r.tool;
  if (r.tool->name == "lookup_customer") lookup_ = lookup_state::pending;
  return r;
}

flow_reply booking_flow::question(flow_reply r, ask a, std::vector<std::string> asked) {
  ask_ = a;
  reask_ = asked;
  r.sentences.insert(r.sentences.end(), asked.begin(), asked.end());
  r.next = flow_reply::then::question;
  return r;
}

flow_reply booking_flow::finish(flow_reply r) {
  reset_task();
  r.next = flow_reply::then::done;
  return r;
}

flow_reply booking_flow::transfer_offer(flow_reply r, std::string topic) {
  ask_ = ask::none;
  reask_.clear();
  r.next = flow_reply::then::offer_transfer;
  r.topic = std::move(topic);
  return r;
}

flow_reply booking_flow::offer(flow_reply r, std::vector<local_time> slots) {
  offered_ = std::move(slots);
  if (offered_.size() == 1)
    return question(std::move(r), ask::slot_choice, {"I have " + say_when(offered_.front()) + ".", "Does that work for you?"});
  return question(std::move(r), ask::slot_choice, {"I have " + say_offer(offered_) + ".", "Which works best?"});
}

flow_reply booking_flow::read_back(flow_reply r) {
  if (task_ == booking_task::reschedule) {
    return question(std::move(r), ask::confirm_reschedule,
                    {"So I'll move your " + service_phrase() + " to " + say_when(*chosen_) + ".",
                     "Shall I make that change?"});
  }
  return question(std::move(r), ask::confirm_booking,
                  {"So that's " + answers::with_article(service_phrase()) + " for your " + vehicle_phrase() + " on " +
                     say_when(*chosen_) + ".",
                   "Shall I book it?"});
}

std::string booking_flow::slot_arguments() const {
  auto from = wish_.from ? *wish_.from : today_.value_or(civil_date{});
  if (today_ && from < *today_) from = *today_;
  ordered_json args{{"service_type", service_type_}, {"date_from", iso_date(from)}};
  if (wish_.to && *wish_.to >= from) args["date_to"] = iso_date(*wish_.to);
  auto part = wish_.part;
  if (part == day_part::any && wish_.minutes) part = *wish_.minutes < 12 * 60 ? day_part::morning : day_part::afternoon;
  if (part != day_part::any) args["part_of_day"] = part == day_part::morning ? "morning" : "afternoon";
  args["max"] = slots_asked;
  return args.dump();
}

std::string booking_flow::service_name_of(const appointment_record& a) const {
  for (const auto& s : services_)
    if (s.id == a.service_type) return bare_service_name(s.name);
  return a.service_name.empty() ? std::string("appointment") : bare_service_name(a.service_name);
}

std::string booking_flow::service_phrase() const {
  if (service_) return bare_service_name(services_[*service_].name);
  if (const auto* a = target()) return service_name_of(*a);
  return "appointment";
}

std::string booking_flow::vehicle_phrase() const {
  if (vehicles_ && vehicle_id_)
    for (const auto& v : *vehicles_)
      if (v.id == *vehicle_id_) return say_vehicle(v);
  return "vehicle";
}

std::string booking_flow::appointment_phrase(const appointment_record& a) const {
  return service_name_of(a) + " on " + say_when(a.start);
}

const appointment_record* booking_flow::target() const {
  if (!appointments_ || !appointment_id_) return nullptr;
  for (const auto& a : *appointments_)
    if (a.id == *appointment_id_) return &a;
  return nullptr;
}

std::optional<std::size_t> booking_flow::match_appointment(const std::vector<std::size_t>& services,
                                                           const when_wish& when, const word_list& words) const {
  if (!appointments_ || appointments_->empty()) return std::nullopt;
  const auto& list = *appointments_;
  if (auto i = ordinal_choice(words, list.size())) return i;
  std::vector<int> scores;
  for (const auto& a : list) {
    int score = 0;
    for (auto s : services)
      if (s < services_.size() && services_[s].id == a.service_type) score += 2;
    if (when.from && a.start.date >= *when.from && a.start.date <= when.to.value_or(*when.from)) score += 2;
    else if (!when.from && when.day_name && weekday_of(a.start.date) == *when.day_name) score += 2;
    if (when.minutes && *when.minutes == a.start.minutes) score += 1;
    scores.push_back(score);
  }
  auto best = std::max_element(scores.begin(), scores.end());
  if (*best == 0 || std::count(scores.begin(), scores.end(), *best) > 1) return std::nullopt;
  return static_cast<std::size_t>(best - scores.begin());
}

std::string booking_flow::vehicle_question() const {
  const auto& v = new_vehicle_;
  if (v.empty()) return "What vehicle is it for? Please tell me the year, make and model.";
  if (v.make.empty() || v.model.empty()) return "And what's the make and model?";
  return "And what year is your " + v.make + " " + v.model + "?";
}

} // namespace ce::dialog
