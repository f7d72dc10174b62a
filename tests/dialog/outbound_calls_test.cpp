// The embedded policy's outbound conversations: the appointment reminder and the
// post-service follow-up (docs/outbound.md), driven turn by turn with the tool results in
// the contract's shapes.
#include "dialog/policy.hpp"

#include "dialog/test_facts.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

using namespace ce::dialog;
using ce::call_direction;
using test::barts_facts;
using test::calls_tool;
using test::contains;
using test::said;

namespace {

const tool_request* tool(const turn_output& out, std::string_view name) {
  for (const auto& t : out.tool_calls)
    if (t.name == name) return &t;
  return nullptr;
}

nlohmann::json args(const turn_output& out, std::string_view name) {
  auto* t = tool(out, name);
  REQUIRE(t != nullptr);
  return nlohmann::json::parse(t->arguments_json);
}

constexpr std::string_view purpose_reminder = R"({"ok":true,"kind":"reminder","first_name":"Maria","identity_confirmed":false})";
constexpr std::string_view purpose_followup = R"({"ok":true,"kind":"followup","first_name":"Maria","identity_confirmed":false})";
constexpr std::string_view details_reminder =
  R"({"ok":true,"is_customer":true,"kind":"reminder","first_name":"Maria","appointment":{"appointment_id":41,)"
  R"("service_type":"oil_change","service_name":"an oil change","starts_at":"2026-12-08 09:00","vehicle":"2021 Toyota Camry"}})";
constexpr std::string_view details_followup =
  R"({"ok":true,"is_customer":true,"kind":"followup","first_name":"Maria","appointment":{"appointment_id":40,)"
  R"("service_type":"tire_rotation","service_name":"a tire rotation","starts_at":"2026-12-05 10:30","vehicle":"2021 Toyota Camry"},)"
  R"("next_service":{"service_type":"brake_inspection","service_name":"brake inspection","last_done":null}})";

/// An outbound call of `kind` past the "Am I speaking with Maria?" question.
local_policy asked_for_maria(std::string_view kind, turn_output* greeting = nullptr) {
  local_policy p(barts_facts(), call_direction::outbound, "");
  p.set_date("2026-12-07");
  p.set_outbound_job(kind);
  auto start = p.on_call_started();
  REQUIRE(start.sentences.empty());
  REQUIRE(calls_tool(start, "get_call_purpose"));
  auto hello = p.on_tool_result(start.tool_calls.front().id, kind == "followup" ? purpose_followup : purpose_reminder);
  if (greeting) *greeting = hello;
  return p;
}

/// ... and past "yes, this is Maria" with the appointment's details read out.
local_policy confirmed_maria(std::string_view kind, turn_output* details = nullptr) {
  auto p = asked_for_maria(kind);
  auto yes = p.on_user("yes this is maria");
  REQUIRE(calls_tool(yes, "confirm_identity"));
  REQUIRE(args(yes, "confirm_identity")["is_customer"] == true);
  auto out = p.on_tool_result(yes.tool_calls.front().id, kind == "followup" ? details_followup : details_reminder);
  if (details) *details = out;
  return p;
}

} // namespace

TEST_CASE("a reminder asks for the customer by first name and says nothing about the appointment first") {
  turn_output hello;
  asked_for_maria("reminder", &hello);
  auto text = said(hello);
  CHECK(contains(text, "Bart's Automotive"));
  CHECK(contains(text, "Am I speaking with Maria?"));
  CHECK_FALSE(contains(text, "oil"));
  CHECK_FALSE(contains(text, "Camry"));
  CHECK_FALSE(contains(text, "tomorrow"));
  CHECK(hello.end_of_turn);
}

TEST_CASE("once the customer says it is them the reminder reads the service, vehicle, day and time") {
  turn_output details;
  confirmed_maria("reminder", &details);
  auto text = said(details);
  CHECK(contains(text, "oil change"));
  CHECK(contains(text, "2021 Toyota Camry"));
  CHECK(contains(text, "tomorrow"));
  CHECK(contains(text, "nine a.m."));
  CHECK(contains(text, "Will you be able to make it?"));
}

TEST_CASE("yes to the reminder confirms the appointment through the tools") {
  auto p = confirmed_maria("reminder");
  auto yes = p.on_user("yes i'll be there");
  REQUIRE(calls_tool(yes, "confirm_appointment"));
  auto done = p.on_tool_result(yes.tool_calls.front().id, R"({"ok":true,"appointment_id":41,"status":"confirmed"})");
  CHECK(contains(said(done), "you're all set"));
  CHECK(contains(said(done), "anything else"));
  auto bye = p.on_user("no thank you goodbye");
  CHECK(calls_tool(bye, "end_call"));
}

TEST_CASE("someone else answering the reminder gets a call-back request and the call ends") {
  auto p = asked_for_maria("reminder");
  auto no = p.on_user("no she's not here");
  REQUIRE(calls_tool(no, "confirm_identity"));
  CHECK(args(no, "confirm_identity")["is_customer"] == false);
  auto bye = p.on_tool_result(no.tool_calls.front().id, R"({"ok":true,"is_customer":false})");
  CHECK(contains(said(bye), "ask Maria to call"));
  CHECK_FALSE(contains(said(bye), "oil"));
  CHECK(calls_tool(bye, "end_call"));
}

TEST_CASE("asking to move the reminded appointment starts the reschedule flow for the verified customer") {
  auto p = confirmed_maria("reminder");
  auto out = p.on_user("i need to reschedule it");
  // verified already: the flow goes straight to the customer's appointments, no verification question
  CHECK(calls_tool(out, "get_appointments"));
  CHECK_FALSE(calls_tool(out, "verify_customer"));
}

TEST_CASE("no to the reminder offers to move or cancel, and leaving it records no decision") {
  auto p = confirmed_maria("reminder");
  auto no = p.on_user("no");
  CHECK(contains(said(no), "move it to another day, or cancel it"));
  auto leave = p.on_user("no just leave it");
  CHECK(calls_tool(leave, "end_call"));
  CHECK(args(leave, "record_call_outcome")["outcome"] == "no_decision");
}

TEST_CASE("stop calling me opts the customer out and ends the call politely, at any step") {
  for (bool confirmed : {false, true}) {
    auto p = confirmed ? confirmed_maria("reminder") : asked_for_maria("reminder");
    auto out = p.on_user("please stop calling me");
    CHECK(calls_tool(out, "opt_out_of_calls"));
    CHECK(calls_tool(out, "end_call"));
    CHECK(contains(said(out), "won't call you again"));
  }
}

TEST_CASE("the opt-out key opts the customer out") {
  auto p = asked_for_maria("reminder");
  auto out = p.on_dtmf('9');
  CHECK(calls_tool(out, "opt_out_of_calls"));
  CHECK(calls_tool(out, "end_call"));
}

TEST_CASE("a voicemail says who called and the shop's number, nothing personal, and records the outcome") {
  local_policy p(barts_facts(), call_direction::outbound, "");
  p.set_outbound_job("reminder");
  auto out = p.on_voicemail();
  auto text = said(out);
  CHECK(contains(text, "Bart's Automotive"));
  CHECK(contains(text, "appointment tomorrow"));
  CHECK(contains(text, "two one seven"));  // the shop's number, spoken
  CHECK_FALSE(contains(text, "Maria"));
  CHECK_FALSE(contains(text, "oil"));
  CHECK(args(out, "record_call_outcome")["outcome"] == "voicemail");
  CHECK(calls_tool(out, "end_call"));
}

TEST_CASE("a follow-up asks for a rating, stores it with the caller's words and offers the next service") {
  turn_output details;
  auto p = confirmed_maria("followup", &details);
  CHECK(contains(said(details), "tire rotation"));
  CHECK(contains(said(details), "scale of one to five"));
  auto rated = p.on_user("i'd give it a five");
  CHECK(contains(said(rated), "anything about your visit"));
  auto fb = p.on_user("the staff were really friendly");
  auto a = args(fb, "record_call_outcome");
  CHECK(a["outcome"] == "rated");
  CHECK(a["rating"] == 5);
  CHECK(a["callback_wanted"] == false);
  CHECK(a["feedback"] == "the staff were really friendly");
  CHECK(contains(said(fb), "2021 Toyota Camry is due for a brake inspection"));
  auto no = p.on_user("no thanks");
  CHECK(calls_tool(no, "end_call"));
}

TEST_CASE("a low rating or a problem asks a service advisor to call back") {
  auto p = confirmed_maria("followup");
  p.on_user("two");
  auto fb = p.on_user("there is still a noise from the front wheel");
  auto a = args(fb, "record_call_outcome");
  CHECK(a["rating"] == 2);
  CHECK(a["callback_wanted"] == true);
  CHECK(contains(said(fb), "service advisor to call you back"));
}

TEST_CASE("a follow-up rating can be typed on the keypad") {
  auto p = confirmed_maria("followup");
  auto out = p.on_dtmf('4');
  CHECK(contains(said(out), "anything about your visit"));
  auto fb = p.on_user("no");
  CHECK(args(fb, "record_call_outcome")["rating"] == 4);
}

TEST_CASE("booking the next service from a follow-up goes into the booking flow without verification") {
  auto p = confirmed_maria("followup");
  p.on_user("five");
  p.on_user("nothing");
  auto out = p.on_user("yes an oil change please");
  CHECK_FALSE(calls_tool(out, "verify_customer"));
  CHECK_FALSE(contains(said(out), "ZIP"));
}

TEST_CASE("an answer the outbound question did not expect gets that question again, and three end the call") {
  auto p = asked_for_maria("reminder");
  auto first = p.on_user("you too");
  CHECK(contains(said(first), "Am I speaking with Maria?"));
  CHECK_FALSE(contains(said(first), "hours"));
  auto second = p.on_user("five");
  CHECK(contains(said(second), "Am I speaking with Maria?"));
  auto third = p.on_user("the weather is nice");
  CHECK(calls_tool(third, "end_call"));
  CHECK(args(third, "record_call_outcome")["outcome"] == "no_decision");
  CHECK_FALSE(contains(said(third), "Maria"));
}

TEST_CASE("asking for a person during a reminder transfers the call") {
  auto p = confirmed_maria("reminder");
  auto out = p.on_user("can i talk to a person");
  CHECK(calls_tool(out, "transfer_to_human"));
}

TEST_CASE("yes to the offered next service books that service") {
  auto p = confirmed_maria("followup");
  p.on_user("five");
  p.on_user("nothing");
  auto out = p.on_user("yes please");
  CHECK_FALSE(contains(said(out), "Which service"));
  CHECK_FALSE(calls_tool(out, "verify_customer"));
}
