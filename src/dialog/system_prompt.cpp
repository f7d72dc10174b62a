#include "dialog/system_prompt.hpp"

#include <nlohmann/json.hpp>

#include <ctime>
#include <sstream>

namespace ce::dialog {
namespace {

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

void write_facts(std::ostringstream& out, const dealership_facts& f) {
  out << "Facts you may state (do not invent others):\n";
  if (!f.address.empty()) out << "- Address: " << f.address << "\n";
  if (!f.phone.empty()) out << "- Phone: " << f.phone << "\n";
  if (!f.hours.empty()) {
    out << "- Service department hours (" << f.timezone << "):";
    bool first = true;
    for (const auto& h : f.hours) {
      out << (first ? " " : "; ") << capitalised(h.day) << " ";
      if (h.open.empty()) out << "closed";
      else out << h.open << "-" << h.close;
      first = false;
    }
    out << ".\n";
  }
  if (!f.lunch_break.empty()) out << "- Lunch break, no appointments: " << f.lunch_break << ".\n";
  if (!f.makes_serviced.empty()) {
    out << "- Makes serviced:";
    for (std::size_t i = 0; i < f.makes_serviced.size(); ++i) out << (i ? ", " : " ") << f.makes_serviced[i];
    out << ".\n";
  }
  if (!f.services.empty()) {
    out << "- Services (service_type id: name, duration, price):\n";
    for (const auto& s : f.services) {
      out << "  - " << s.id << ": " << s.name << ", " << s.duration_min << " min";
      if (!s.price.empty()) out << ", " << s.price;
      out << "\n";
    }
  }
}

void write_caller(std::ostringstream& out, const prompt_context& ctx) {
  const auto& c = ctx.caller;
  out << "What this call knows about the caller:\n";
  if (c.customer_id && c.verified) {
    out << "- Verified customer: " << c.first_name;
    if (!c.last_name.empty()) out << " " << c.last_name;
    out << " (customer id " << *c.customer_id
        << "). You may look up and discuss their vehicles, history and appointments, and book, move or "
           "cancel their appointments.\n";
  } else if (c.customer_id) {
    out << "- A customer record matches (first name " << (c.first_name.empty() ? "unknown" : c.first_name)
        << "), NOT verified yet. You may greet them by first name. Before any personal data (vehicles, history, "
           "appointments) or any booking, ask for their date of birth, ZIP code or the last 6 of their VIN and "
           "call verify_customer.\n";
  } else if (c.lookup_failed) {
    out << "- The caller ID could not be checked (withheld, or the system is unavailable). For anything about "
           "their account, ask for the phone number on it and call lookup_customer with that number, then "
           "verify them.\n";
  } else if (c.lookup_done) {
    out << "- No customer record for the caller's number. For a booking, take their first and last name (and "
           "ZIP) and call create_customer.\n";
  } else {
    out << "- Unknown so far. lookup_customer with no arguments checks the caller ID.\n";
  }
}

} // namespace

std::string weekday_of(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return {};
  std::tm tm{};
  try {
    tm.tm_year = std::stoi(std::string(d.substr(0, 4))) - 1900;
    tm.tm_mon = std::stoi(std::string(d.substr(5, 2))) - 1;
    tm.tm_mday = std::stoi(std::string(d.substr(8, 2)));
  } catch (const std::exception&) {
    return {};
  }
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31) return {};
  tm.tm_hour = 12;
  auto original_mday = tm.tm_mday;
  if (timegm(&tm) == -1 || tm.tm_mday != original_mday) return {};
  static const char* names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  return names[tm.tm_wday];
}

std::string build_system_prompt(const dealership_facts& f, const prompt_context& ctx) {
  std::ostringstream out;
  if (ctx.job) {
    const auto& j = *ctx.job;
    const bool reminder = j.kind != "followup";
    out << "You are the voice assistant of " << f.name << "'s service department. The shop placed this phone call to "
        << (j.first_name.empty() ? "a customer" : j.first_name) << ", "
        << (reminder ? "to remind them of their service appointment tomorrow"
                     : "to follow up on a service the shop did a few days ago")
        << ". Your first words: say you are the virtual assistant calling from " << f.name
        << "'s service department and ask \"Am I speaking with " << (j.first_name.empty() ? "the customer" : j.first_name)
        << "?\" Say nothing about the appointment, the vehicle or the service before they said yes. When they say "
           "yes, call confirm_identity with is_customer true; it answers the appointment. If it is someone else, "
           "call confirm_identity with is_customer false, ask them to have "
        << (j.first_name.empty() ? "the customer" : j.first_name) << " call the shop back"
        << (f.phone.empty() ? "" : " at " + f.phone) << ", and end_call.\n";
    if (reminder)
      out << "Then tell them the service, the vehicle, the day and the time, and ask whether they can make it. Yes: "
             "confirm_appointment. They want another time: get_available_slots and reschedule_appointment (then "
             "record_call_outcome rescheduled). They want to cancel: cancel_appointment (then record_call_outcome "
             "cancelled). Undecided: record_call_outcome no_decision.\n";
    else
      out << "Then say which service on which day, ask how it went on a scale of one to five, and ask whether "
             "there is anything they would like the shop to know. Call record_call_outcome with outcome rated, "
             "the rating, their words as feedback, and callback_wanted true when the rating is 3 or less or "
             "something is wrong (say a service advisor will call them back). Then offer to book their next "
             "service.\n";
    out << "If they ask not to be called again, or press " << ctx.opt_out_key
        << " on the keypad, call opt_out_of_calls, tell them they will not be called again, and end_call. "
           "Keypad input reaches you as \"(typed on the keypad: ...)\".\n";
    if (j.identity_confirmed) out << "- They confirmed they are " << j.first_name << ". " << j.appointment << "\n";
    if (j.wrong_person) out << "- Someone else answered.\n";
  } else if (ctx.direction == call_direction::outbound) {
    out << "You are the voice assistant of " << f.name
        << "'s service department, calling a customer on the phone to remind them of an upcoming service "
           "appointment. Introduce yourself as calling from "
        << f.name
        << " and ask whether now is a good time. Confirm who you are speaking with before giving any details: "
           "use lookup_customer, then verify_customer. Once verified, use get_appointments to confirm the "
           "appointment, and offer to reschedule or cancel it if it does not suit them. If it is a bad time or "
           "the wrong person, apologise and end the call politely with end_call.\n";
  } else {
    out << "You are the voice assistant answering the phone for " << f.name
        << "'s service department. You help callers book, reschedule and cancel service appointments and "
           "answer questions about hours, location, services and prices.\n";
  }
  out << "How you speak: this is a phone call read aloud by a speech synthesiser. Answer in one to three short "
         "sentences, plain words, no lists, no markdown, no emojis. Say times like \"9:30 in the morning\" and "
         "dates like \"Tuesday, November 24\". Ask one question at a time. If you did not understand, ask the "
         "caller to repeat. A caller line may be cut short or misheard by speech recognition; if an earlier "
         "agent line of yours was interrupted, only the part shown was heard.\n";
  out << "Tools: use them for every fact about customers, vehicles, appointments and free times; never guess "
         "them. Dates are YYYY-MM-DD and times YYYY-MM-DD HH:MM in the dealership's time zone. A tool answer "
         "with \"ok\": false carries a message you may paraphrase. Only the caller's own records are "
         "available, and only after verification. Before booking, confirm the service, the vehicle and the "
         "time with the caller. Call transfer_to_human when the caller asks for a person or you cannot help, "
         "and end_call when the conversation is finished; say a short closing sentence in the same reply.\n";
  if (!ctx.today.empty()) {
    out << "Today is ";
    if (!ctx.weekday.empty()) out << capitalised(ctx.weekday) << ", ";
    out << ctx.today << ".\n";
  }
  write_facts(out, f);
  if (!ctx.job) write_caller(out, ctx);
  return out.str();
}

bool update_prompt_job(prompt_job& job, std::string_view tool, std::string_view result_json) {
  auto j = nlohmann::json::parse(result_json, nullptr, false);
  if (!j.is_object() || !j.value("ok", false)) return false;
  auto before = job;
  if (tool == "get_call_purpose") {
    job.first_name = j.value("first_name", job.first_name);
  } else if (tool == "confirm_identity") {
    if (j.value("is_customer", false)) {
      job.identity_confirmed = true;
      auto a = j.value("appointment", nlohmann::json::object());
      job.appointment = "The appointment (id " + std::to_string(a.value("appointment_id", 0LL)) + "): " +
                        a.value("service_name", std::string{"a service"}) +
                        (a.value("vehicle", std::string{}).empty() ? "" : " for the " + a.value("vehicle", std::string{})) +
                        ", " + a.value("starts_at", std::string{}) + ".";
      if (auto n = j.find("next_service"); n != j.end() && n->is_object())
        job.appointment += " Next service to offer: " + n->value("service_name", std::string{}) + " (" +
                           n->value("service_type", std::string{}) + ").";
    } else {
      job.wrong_person = true;
    }
  }
  return before.first_name != job.first_name || before.identity_confirmed != job.identity_confirmed ||
         before.wrong_person != job.wrong_person || before.appointment != job.appointment;
}

bool update_prompt_caller(prompt_caller& c, std::string_view tool, std::string_view result_json) {
  auto j = nlohmann::json::parse(result_json, nullptr, false);
  if (!j.is_object()) return false;
  if (!j.value("ok", false)) {
    // a failed caller-ID lookup is worth knowing; other failures change nothing
    if (tool != "lookup_customer" || c.lookup_done) return false;
    c.lookup_done = true;
    c.lookup_failed = true;
    return true;
  }
  auto before = c;
  auto read_customer = [&](bool with_last_name) {
    auto it = j.find("customer");
    if (it == j.end() || !it->is_object()) return;
    if (auto id = it->find("id"); id != it->end() && id->is_number_integer()) c.customer_id = id->get<std::int64_t>();
    if (auto n = it->find("first_name"); n != it->end() && n->is_string()) c.first_name = n->get<std::string>();
    if (with_last_name)
      if (auto n = it->find("last_name"); n != it->end() && n->is_string()) c.last_name = n->get<std::string>();
  };
  if (tool == "lookup_customer") {
    c.lookup_done = true;
    c.lookup_failed = false;
    if (j.value("found", false)) {
      auto previous = c.customer_id;
      read_customer(false);
      if (previous != c.customer_id) {  // another record: not verified for it
        c.verified = false;
        c.last_name.clear();
      }
    }
  } else if (tool == "verify_customer" || tool == "create_customer") {
    if (j.value("verified", false)) {
      c.verified = true;
      read_customer(true);
    }
  }
  return before.customer_id != c.customer_id || before.first_name != c.first_name ||
         before.last_name != c.last_name || before.verified != c.verified || before.lookup_done != c.lookup_done ||
         before.lookup_failed != c.lookup_failed;
}

} // namespace ce::dialog
