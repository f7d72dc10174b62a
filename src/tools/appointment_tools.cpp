// get_appointments, book_appointment, reschedule_appointment, cancel_appointment. The
// store enforces ownership and the bays; these check what the caller asked for first, so
// the answer says exactly what is wrong.
#include "tools/tool_impl.hpp"

namespace ce::tools {

namespace {

constexpr int upcoming_limit = 20;
constexpr int lookup_limit = 100;
constexpr std::size_t max_notes = 500;
constexpr int max_rebooks = 5;

struct appointment_ref {
  std::optional<std::int64_t> id;
  std::optional<std::string> code;
};

checked<appointment_ref> read_ref(const json& args) {
  auto id = opt_int(args, "appointment_id");
  if (!id) return id.error();
  auto code = opt_string(args, "confirmation_code");
  if (!code) return code.error();
  if (!*id && !*code)
    return fail(tool_errc::invalid_argument, "Give the appointment's 'appointment_id' or its 'confirmation_code'");
  return appointment_ref{*id, *code};
}

// The verified customer's appointment named by `ref`: by code (the store checks the owner),
// or by id among their upcoming ones. nullopt: not upcoming for them (the store says why).
checked<std::optional<store::appointment>> resolve(tool_call& c, const appointment_ref& ref) {
  auto& store = c.env.store;
  if (ref.code) {
    auto a = store.find_appointment(*c.ctx.customer_id, *ref.code);
    if (!a) return from_store(a.error());
    if (ref.id && *ref.id != a->id)
      return fail(tool_errc::invalid_argument, "The appointment_id and the confirmation_code name different "
                                               "appointments");
    return std::optional<store::appointment>{std::move(*a)};
  }
  auto upcoming = store.upcoming_appointments(*c.ctx.customer_id, lookup_limit);
  if (!upcoming) return from_store(upcoming.error());
  for (auto& a : *upcoming)
    if (a.id == *ref.id) return std::optional<store::appointment>{std::move(a)};
  return std::optional<store::appointment>{};
}

tool_error taken(const store::local_time& start) {
  return fail(tool_errc::conflict, "Every bay is taken at " + store::format_local(start) +
                                     "; offer the caller other times from get_available_slots");
}

tool_error booking_failure(const store::store_error& e, const store::local_time& start) {
  if (e.code == store::store_errc::conflict) return taken(start);
  return from_store(e);
}

json answer(tool_call& c, const store::appointment& a) {
  c.ctx.appointment_ids.insert(a.id);
  return json{{"ok", true}, {"appointment", appointment_json(c.env.facts, a)}};
}

// The same call asking for the same booking gets the same key, so a repeat or a retry finds
// the first booking instead of making a second one.
std::string booking_key(const caller_context& ctx, std::string_view service, std::int64_t vehicle_id,
                        const store::local_time& start) {
  return "call:" + ctx.call_sid + "|customer:" + std::to_string(*ctx.customer_id) + "|service:" +
         std::string{service} + "|vehicle:" + std::to_string(vehicle_id) + "|start:" + store::format_local(start);
}

struct booking_args {
  std::string service;
  std::int64_t vehicle_id = 0;
  store::local_time start;
  int minutes = 0;
  std::string notes;
};

checked<booking_args> read_booking(tool_call& c) {
  booking_args b;
  auto service = need_string(c.args, "service_type");
  if (!service) return service.error();
  auto vehicle = need_int(c.args, "vehicle_id");
  if (!vehicle) return vehicle.error();
  auto start_text = need_string(c.args, "start");
  if (!start_text) return start_text.error();
  auto notes = opt_string(c.args, "notes");
  if (!notes) return notes.error();
  auto minutes = service_minutes(c.env, *service);
  if (!minutes) return minutes.error();
  auto start = parse_start("start", *start_text);
  if (!start) return start.error();
  if (notes->value_or("").size() > max_notes)
    return fail(tool_errc::invalid_argument, "Argument 'notes' is limited to " + std::to_string(max_notes) +
                                               " characters");
  if (auto e = check_bookable(c.env, *start, *minutes)) return *e;
  b.service = *service;
  b.vehicle_id = *vehicle;
  b.start = *start;
  b.minutes = *minutes;
  b.notes = notes->value_or("");
  return b;
}

} // namespace

tool_result get_appointments(tool_call& c) {
  if (auto e = require_verified(c.ctx)) return *e;
  auto upcoming = c.env.store.upcoming_appointments(*c.ctx.customer_id, upcoming_limit);
  if (!upcoming) return from_store(upcoming.error());
  auto list = json::array();
  for (const auto& a : *upcoming) {
    c.ctx.appointment_ids.insert(a.id);
    list.push_back(appointment_json(c.env.facts, a));
  }
  return json{{"ok", true}, {"appointments", std::move(list)}};
}

tool_result book_appointment(tool_call& c) {
  auto b = read_booking(c);
  if (!b) return b.error();
  if (auto e = require_verified(c.ctx)) return *e;
  auto now = now_at_shop(c.env);
  if (!now) return now.error();
  if (auto e = check_future(b->start, *now)) return *e;
  if (auto e = check_calendar_free(c, b->start, b->minutes)) return *e;

  store::booking_request r;
  r.customer_id = *c.ctx.customer_id;
  r.vehicle_id = b->vehicle_id;
  r.service_type = b->service;
  r.start_local = store::format_local(b->start);
  r.call_sid = c.ctx.call_sid;
  r.idempotency_key = booking_key(c.ctx, b->service, b->vehicle_id, b->start);
  r.notes = b->notes;
  // A key already used for a booking that was cancelled or moved in this call books anew,
  // under a key derived from that booking (so a retry of the new booking is found too).
  for (int i = 0; i < max_rebooks; ++i) {
    auto booked = c.env.store.book(r);
    if (!booked) return booking_failure(booked.error(), b->start);
    bool active = booked->status == "booked" || booked->status == "confirmed";
    if (active && booked->starts_local == r.start_local) {
      c.outcome.changed_appointments.push_back(booked->id);
      return answer(c, *booked);
    }
    r.idempotency_key += "|after:" + std::to_string(booked->id);
  }
  return fail(tool_errc::conflict, "This booking was made and changed too many times in this call; offer to "
                                   "transfer the caller to a person");
}

tool_result reschedule_appointment(tool_call& c) {
  auto ref = read_ref(c.args);
  if (!ref) return ref.error();
  auto text = need_string(c.args, "new_start");
  if (!text) return text.error();
  auto start = parse_start("new_start", *text);
  if (!start) return start.error();
  if (auto e = require_verified(c.ctx)) return *e;
  auto found = resolve(c, *ref);
  if (!found) return found.error();
  if (*found) {
    const auto& a = **found;
    auto minutes = c.env.store.calendar().duration_of(a.service_type);
    int length = minutes ? *minutes : static_cast<int>((a.ends_unix - a.starts_unix) / 60);
    if (auto e = check_bookable(c.env, *start, length)) return *e;
    auto now = now_at_shop(c.env);
    if (!now) return now.error();
    if (auto e = check_future(*start, *now)) return *e;
    if (auto e = check_calendar_free(c, *start, length)) return *e;
  }
  auto id = *found ? (*found)->id : *ref->id;
  auto moved = c.env.store.reschedule(*c.ctx.customer_id, id, store::format_local(*start), c.ctx.call_sid);
  if (!moved) return booking_failure(moved.error(), *start);
  c.outcome.changed_appointments.push_back(moved->id);
  return answer(c, *moved);
}

tool_result cancel_appointment(tool_call& c) {
  auto ref = read_ref(c.args);
  if (!ref) return ref.error();
  if (auto e = require_verified(c.ctx)) return *e;
  auto id = ref->id;
  if (ref->code) {
    auto a = c.env.store.find_appointment(*c.ctx.customer_id, *ref->code);
    if (!a) return from_store(a.error());
    if (id && *id != a->id)
      return fail(tool_errc::invalid_argument, "The appointment_id and the confirmation_code name different "
                                               "appointments");
    id = a->id;
  }
  auto cancelled = c.env.store.cancel(*c.ctx.customer_id, *id, c.ctx.call_sid);
  if (!cancelled) return from_store(cancelled.error());
  c.outcome.changed_appointments.push_back(cancelled->id);
  return answer(c, *cancelled);
}

} // namespace ce::tools
