// booking_flow, part four: answers that pick or change the appointment time: the pick
// among offered slots, the answer to the read-back, and changes of mind (another
// service, vehicle, day or time) heard at any point, which start a new search.
#include "dialog/booking_flow.hpp"

#include "dialog/caller_replies.hpp"
#include "dialog/slot_picking.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ce::dialog {

namespace {

using ordered_json = nlohmann::ordered_json;

flow_reply saying(std::vector<std::string> sentences) {
  flow_reply r;
  r.sentences = std::move(sentences);
  return r;
}

bool same_clock(int a, int b) {
  return a == b || a + 12 * 60 == b || a - 12 * 60 == b;
}

} // namespace

std::optional<flow_reply> booking_flow::on_read_back_answer(const utterance_analysis& a, const when_wish& heard,
                                                            ask asked) {
  if ((heard.later || heard.earlier) && !free_.empty()) {
    chosen_.reset();
    return on_slot_choice(a, heard);
  }
  if (affirmative(a) && fits_choice(heard) && !apply_updates(a, heard, asked) && chosen_) {
    auto start = iso_local_time(*chosen_);
    if (asked == ask::confirm_reschedule) {
      if (const auto* t = target())
        return call({}, "reschedule_appointment", ordered_json{{"appointment_id", t->id}, {"new_start", start}}.dump());
      return proceed({});
    }
    if (!vehicle_id_) return proceed({});
    ordered_json args{{"service_type", service_type_}, {"vehicle_id", *vehicle_id_}, {"start", start}};
    return call({}, "book_appointment", args.dump());
  }
  if (apply_updates(a, heard, asked)) return proceed({});
  if (negative(a)) return question(saying({"No problem."}), ask::change_what, {"What would you like to change?"});
  return std::nullopt;
}

std::optional<flow_reply> booking_flow::on_slot_choice(const utterance_analysis& a, const when_wish& heard) {
  if (heard.later || heard.earlier) {
    auto more = heard.later ? later_than(free_, offered_) : earlier_than(free_, offered_);
    if (!more.empty()) return offer({}, std::move(more));
    if (heard.earlier) return offer(saying({"I'm sorry, those are the earliest times I have."}), offered_);
    when_wish next_day;
    next_day.another_day = true;
    apply_wish(next_day);
    return proceed({"I don't have anything later that day."});
  }
  if (auto i = ordinal_choice(a.words, offered_.size()); i && !heard.has_day() && !heard.minutes) {
    chosen_ = offered_[*i];
    return proceed({});
  }
  if (auto s = picked_slot(heard, offered_, free_)) {
    chosen_ = *s;
    apply_updates(a, when_wish{}, ask::slot_choice);
    return proceed({});
  }
  if (offered_.size() == 1 && affirmative(a) && heard.empty()) {
    chosen_ = offered_.front();
    return proceed({});
  }
  if (!heard.empty()) {
    auto wanted = heard;
    if (!wanted.has_day() && !wanted.day_name && wanted.minutes && !offered_.empty())
      wanted.from = wanted.to = offered_.front().date;  // "eleven": the same day
    apply_wish(wanted);
    return proceed({});
  }
  if (negative(a))
    return question(saying({"No problem."}), ask::day_wish, {"What day and time would work better for you?"});
  if (affirmative(a) && !offered_.empty()) return offer(saying({"Sure."}), offered_);
  return std::nullopt;
}

bool booking_flow::fits_choice(const when_wish& heard) const {
  if (heard.empty()) return true;
  if (!chosen_ || heard.another_day || heard.later || heard.earlier) return false;
  bool day = !heard.from || (chosen_->date >= *heard.from && chosen_->date <= heard.to.value_or(*heard.from));
  bool name = !heard.day_name || weekday_of(chosen_->date) == *heard.day_name;
  bool time = !heard.minutes || same_clock(*heard.minutes, chosen_->minutes);
  return day && name && time;
}

bool booking_flow::apply_updates(const utterance_analysis& a, const when_wish& heard, ask asked) {
  bool changed = false;
  if (task_ == booking_task::book && a.services.size() == 1 && !price_question(a) &&
      (!service_ || *service_ != a.services.front())) {
    auto previous = chosen_;
    set_service(a.services.front());
    clear_slots();
    if (previous) {  // the same time, if it is free for the new service
      when_wish same;
      same.from = same.to = previous->date;
      same.minutes = previous->minutes;
      wish_ = same;
    }
    changed = true;
  }
  if (task_ == booking_task::book && vehicles_ && asked != ask::vehicle_details) {
    auto i = match_vehicle(*vehicles_, a.words);
    if (i && (!vehicle_id_ || (*vehicles_)[*i].id != *vehicle_id_)) {
      vehicle_id_ = (*vehicles_)[*i].id;
      adding_vehicle_ = false;
      changed = true;
    }
  }
  bool dated_task = task_ == booking_task::book || task_ == booking_task::reschedule;
  if (dated_task && !heard.empty() && !fits_choice(heard)) {
    apply_wish(heard);
    changed = true;
  }
  return changed;
}

void booking_flow::apply_wish(const when_wish& heard) {
  when_wish next = wish_;
  if (heard.another_day && !heard.has_day()) {
    std::optional<civil_date> base = chosen_             ? std::optional(chosen_->date)
                                     : !offered_.empty() ? std::optional(offered_.back().date)
                                                         : wish_.from;
    if (!base) base = today_;
    next = {};
    next.part = heard.part;
    if (base) next.from = add_days(*base, 1);
  } else if (heard.soonest && !heard.has_day()) {
    next = {};
    next.soonest = true;
    next.part = heard.part;
    next.minutes = heard.minutes;
  } else if (heard.has_day() || heard.needs_date || heard.day_name) {
    next = heard;
  } else {  // only a time or a part of the day: on the days already wanted
    if (heard.minutes) next.minutes = heard.minutes;
    if (heard.part != day_part::any) {
      next.part = heard.part;
      if (!heard.minutes) next.minutes.reset();
    }
    if (!next.from && chosen_ && heard.minutes) next.from = next.to = chosen_->date;
  }
  wish_ = next;
  wish_given_ = true;
  clear_slots();
}

} // namespace ce::dialog
