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
  if (ctx.direction == call_direction::outbound) {
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
  write_caller(out, ctx);
  return out.str();
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
