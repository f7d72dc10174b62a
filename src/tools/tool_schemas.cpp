// The schemas are written for the model that runs a phone call: each description says
// when to use the tool, what the caller must have said first, and what the answer means.
#include "tools/tool_schemas.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <utility>

namespace ce::tools {

namespace {

using json = nlohmann::json;

constexpr const char* date_pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
constexpr const char* time_pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}$";

json text(const char* description) { return json{{"type", "string"}, {"description", description}}; }
json integer(const char* description) { return json{{"type", "integer"}, {"description", description}}; }
json integer(const char* description, int lo, int hi) {
  return json{{"type", "integer"}, {"description", description}, {"minimum", lo}, {"maximum", hi}};
}
json patterned(const char* description, const char* pattern) {
  auto j = text(description);
  j["pattern"] = pattern;
  return j;
}
json one_of(const char* description, std::initializer_list<const char*> values) {
  auto j = text(description);
  j["enum"] = json(values);
  return j;
}

json function(const char* name, const char* description, json properties, std::initializer_list<const char*> required) {
  json parameters{{"type", "object"}, {"properties", properties.is_null() ? json::object() : std::move(properties)},
                  {"required", json::array()}};
  for (const char* r : required) parameters["required"].push_back(r);
  json fn{{"name", name}, {"description", description}};
  if (parameters["properties"].size() == parameters["required"].size()) {
    parameters["additionalProperties"] = false;
    fn["strict"] = true;
  }
  fn["parameters"] = std::move(parameters);
  return json{{"type", "function"}, {"function", std::move(fn)}};
}

json service_type_property(const dealership_facts* facts) {
  if (!facts || facts->services.empty())
    return text("The service's id, e.g. oil_change, tire_rotation, brake_inspection. An unknown id is refused with "
                "the list of valid ones.");
  std::string description = "The service's id. Services: ";
  json ids = json::array();
  for (std::size_t i = 0; i < facts->services.size(); ++i) {
    const auto& s = facts->services[i];
    description += (i ? "; " : "") + s.id + " (" + s.name + ", " + std::to_string(s.duration_min) + " min)";
    ids.push_back(s.id);
  }
  auto j = text("");
  j["description"] = description + ".";
  j["enum"] = std::move(ids);
  return j;
}

json customer_tools() {
  json out = json::array();
  out.push_back(function(
    "lookup_customer",
    "Find the caller's customer record by phone number. Call it at the start of the call without arguments to use "
    "the caller ID, or with the number the caller says. Before verification only the first name is revealed: greet "
    "them by it, then verify with one of verification_methods before saying or changing anything personal.",
    {{"phone", text("A phone number the caller said, in any format. Omit it to use the caller ID.")}}, {}));
  out.push_back(function(
    "verify_customer",
    "Check the identity of the customer found by lookup_customer with one answer the caller gives: their date of "
    "birth, their ZIP code, or the last 6 characters of a VIN of one of their vehicles. At most 3 failed attempts per "
    "call; after that offer a transfer to a person. Never tell the caller what is on file.",
    {{"method", one_of("What the caller answered.", {"date_of_birth", "zip", "vin_last6"})},
     {"value", text("The caller's answer: a date as YYYY-MM-DD (spoken forms are accepted), 5 ZIP digits, or 6 VIN "
                    "characters.")}},
    {"method", "value"}));
  out.push_back(function(
    "create_customer",
    "Register a new caller who has no record (lookup_customer found none). The phone number is the caller ID; a "
    "different number is refused. Afterwards the caller counts as verified and you can add a vehicle and book.",
    {{"first_name", text("The caller's first name.")},
     {"last_name", text("The caller's last name.")},
     {"phone", text("Only when the caller ID is withheld: the number the caller gives.")},
     {"zip", patterned("5-digit ZIP code.", "^[0-9]{5}$")},
     {"date_of_birth", patterned("Date of birth, YYYY-MM-DD.", date_pattern)},
     {"email", text("Email address, if the caller offers one.")}},
    {"first_name", "last_name"}));
  return out;
}

json vehicle_tools() {
  json out = json::array();
  out.push_back(function("get_vehicles",
                         "List the verified caller's vehicles with their ids (needed to book). Requires verification.",
                         json::object(), {}));
  out.push_back(function(
    "get_service_history",
    "The verified caller's past services, newest first, optionally for one vehicle. Requires verification.",
    {{"vehicle_id", integer("Only this vehicle (an id from get_vehicles).")},
     {"limit", integer("How many records, newest first (default 5).", 1, 50)}},
    {}));
  out.push_back(function(
    "add_vehicle",
    "Add a vehicle to the verified caller's record, to book service for it. Ask for the 17-character VIN (on the "
    "registration, the insurance card or the windshield) and the model; make and year are read from the VIN.",
    {{"vin", text("The 17-character VIN as the caller reads it; spaces and dashes are ignored.")},
     {"make", text("Make, e.g. Toyota (taken from the VIN when it says).")},
     {"model", text("Model, e.g. Camry.")},
     {"year", integer("Model year (must match the VIN's).")},
     {"mileage", integer("Current mileage, if the caller knows it.", 0, 2000000)}},
    {}));
  out.push_back(function(
    "decode_vin",
    "Check a VIN the caller reads out (check digit) and decode its model year and manufacturer, offline. Use it to "
    "catch a misheard VIN before adding a vehicle: if valid is false, ask the caller to read it again.",
    {{"vin", text("The VIN as heard, 17 characters; spaces and dashes are ignored.")}}, {"vin"}));
  return out;
}

json appointment_tools(const dealership_facts* facts) {
  json out = json::array();
  out.push_back(function("get_appointments",
                         "The verified caller's upcoming appointments with their ids and confirmation codes. Requires "
                         "verification.",
                         json::object(), {}));
  out.push_back(function(
    "get_available_slots",
    "Free start times for a service, earliest first, within the shop's hours. Offer two or three of them to the "
    "caller. Does not need verification.",
    {{"service_type", service_type_property(facts)},
     {"date_from", patterned("First day to search, YYYY-MM-DD (today or later).", date_pattern)},
     {"date_to", patterned("Last day to search, YYYY-MM-DD (default: a week from date_from; at most 62 days).",
                           date_pattern)},
     {"part_of_day", one_of("Only mornings (before noon) or afternoons.", {"morning", "afternoon"})},
     {"max", integer("How many slots to return (default 5).", 1, 20)}},
    {"service_type", "date_from"}));
  out.push_back(function(
    "book_appointment",
    "Book a service appointment for the verified caller's vehicle at a start time from get_available_slots, after the "
    "caller confirmed service, vehicle, day and time. Read back the confirmation code. Repeating the same call "
    "returns the same booking.",
    {{"service_type", service_type_property(facts)},
     {"vehicle_id", integer("The vehicle's id from get_vehicles or add_vehicle.")},
     {"start", patterned("Local start time, YYYY-MM-DD HH:MM (24-hour).", time_pattern)},
     {"notes", text("Anything the technician should know, in a few words (e.g. the noise the caller describes).")}},
    {"service_type", "vehicle_id", "start"}));
  out.push_back(function(
    "reschedule_appointment",
    "Move one of the verified caller's upcoming appointments to a new start time (check it with get_available_slots "
    "first). Name the appointment by its id or its confirmation code.",
    {{"appointment_id", integer("The appointment's id from get_appointments.")},
     {"confirmation_code", text("The 6-character confirmation code the caller reads out.")},
     {"new_start", patterned("New local start time, YYYY-MM-DD HH:MM (24-hour).", time_pattern)}},
    {"new_start"}));
  out.push_back(function(
    "cancel_appointment",
    "Cancel one of the verified caller's upcoming appointments, after the caller confirmed which one. Name it by its "
    "id or its confirmation code.",
    {{"appointment_id", integer("The appointment's id from get_appointments.")},
     {"confirmation_code", text("The 6-character confirmation code the caller reads out.")}},
    {}));
  return out;
}

json call_tools() {
  json out = json::array();
  out.push_back(function(
    "transfer_to_human",
    "Transfer the caller to a person at the service desk after your current sentence: when they ask for one, when "
    "verification failed 3 times, or when you cannot help.",
    {{"reason", text("Why, in a few words, for the service advisor.")}}, {"reason"}));
  out.push_back(function("end_call",
                         "Hang up after your current sentence, once the caller said goodbye or has nothing more.",
                         {{"reason", text("Why the call ends, in a few words, for the call log.")}}, {"reason"}));
  return out;
}

json boolean(const char* description) { return json{{"type", "boolean"}, {"description", description}}; }

json outbound_tools() {
  json out = json::array();
  out.push_back(function(
    "get_call_purpose",
    "What this call the shop placed is about: reminder (an appointment tomorrow) or followup (a service done a few "
    "days ago), and the customer's first name. Nothing else may be said before they confirmed who they are.",
    json::object(), {}));
  out.push_back(function(
    "confirm_identity",
    "Record whether the person who answered said they are the customer you asked for. true: answers the "
    "appointment's service, vehicle and time, and the customer counts as verified for the other tools. false: "
    "ask them to pass on a call-back request with the shop's number, then end_call.",
    {{"is_customer", boolean("Did they say they are the customer?")}}, {"is_customer"}));
  out.push_back(function("confirm_appointment",
                         "Reminder calls: the customer said they will come to tomorrow's appointment. Marks it "
                         "confirmed.",
                         json::object(), {}));
  out.push_back(function(
    "record_call_outcome",
    "Record how the call ended for the shop: rescheduled or cancelled (after the appointment tools did it), "
    "no_decision, callback_requested, or for a follow-up rated with the 1-5 rating, the customer's words and "
    "whether a service advisor should call them back about a problem.",
    {{"outcome", one_of("The outcome.", {"rescheduled", "cancelled", "no_decision", "callback_requested", "rated"})},
     {"rating", integer("Follow-up: the customer's rating, 1 (bad) to 5 (excellent).", 1, 5)},
     {"feedback", text("Follow-up: what the customer said about the visit, in their words.")},
     {"callback_wanted", boolean("Follow-up: something was wrong and a service advisor should call back.")}},
    {"outcome"}));
  out.push_back(function("opt_out_of_calls",
                         "The customer asked not to be called again (\"stop calling me\", or pressed the opt-out "
                         "key): they are taken off the call list. Then say goodbye and end_call.",
                         json::object(), {}));
  return out;
}

std::string definitions(const dealership_facts* facts, bool outbound = false) {
  json all = json::array();
  for (auto group : {customer_tools(), vehicle_tools(), appointment_tools(facts), call_tools()})
    for (auto& t : group) all.push_back(std::move(t));
  if (outbound)
    for (auto& t : outbound_tools()) all.push_back(std::move(t));
  return all.dump();
}

} // namespace

std::string tool_definitions_json() { return definitions(nullptr); }

std::string tool_definitions_json(const dealership_facts& facts) { return definitions(&facts); }

std::string outbound_tool_definitions_json(const dealership_facts& facts) { return definitions(&facts, true); }

std::vector<std::string> outbound_tool_names() {
  return {"get_call_purpose", "confirm_identity", "confirm_appointment", "record_call_outcome", "opt_out_of_calls"};
}

std::vector<std::string> tool_names() {
  return {"lookup_customer",        "verify_customer",    "get_vehicles",     "get_service_history",
          "get_appointments",       "get_available_slots", "book_appointment", "reschedule_appointment",
          "cancel_appointment",     "create_customer",    "add_vehicle",      "decode_vin",
          "transfer_to_human",      "end_call"};
}

} // namespace ce::tools
