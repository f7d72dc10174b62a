// What the local policy says in answer to single questions about the dealership.
#include "dialog/policy.hpp"

#include "dialog/test_facts.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog;
using ce::call_direction;
using test::barts_facts;
using test::contains;
using test::said;

namespace {

local_policy started_policy(const ce::dealership_facts& facts = barts_facts()) {
  return test::greeted_policy(facts);
}

turn_output ask(std::string_view utterance) {
  auto p = started_policy();
  return p.on_user(utterance);
}

std::size_t word_count(const std::string& s) {
  std::size_t n = 0;
  bool in = false;
  for (char c : s) {
    bool space = c == ' ';
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

} // namespace

TEST_CASE("an inbound call first looks the caller up and says nothing yet") {
  local_policy p(barts_facts(), call_direction::inbound, "+15550001111");
  auto out = p.on_call_started();
  CHECK(out.sentences.empty());
  REQUIRE(out.tool_calls.size() == 1);
  CHECK(out.tool_calls[0].name == "lookup_customer");
  CHECK(out.tool_calls[0].arguments_json == "{}");
  CHECK_FALSE(out.end_of_turn);
  CHECK(p.history().empty());
}

TEST_CASE("an unknown caller is greeted as the service department's virtual assistant") {
  local_policy p(barts_facts(), call_direction::inbound, "+15550001111");
  auto start = p.on_call_started();
  auto out = p.on_tool_result(start.tool_calls[0].id, test::caller_not_found);
  CHECK(out.sentences == std::vector<std::string>{"Thanks for calling Bart's Automotive service department.",
                                                  "This is the virtual service assistant.",
                                                  "How can I help you today?"});
  CHECK(out.tool_calls.empty());
  CHECK(out.end_of_turn);
}

TEST_CASE("a known caller is greeted by first name before anything else is said") {
  local_policy p(barts_facts(), call_direction::inbound, "+15550001111");
  auto start = p.on_call_started();
  auto out = p.on_tool_result(start.tool_calls[0].id, test::caller_john);
  CHECK(out.sentences == std::vector<std::string>{"Thanks for calling Bart's Automotive service department.",
                                                  "Hi John!", "This is the virtual service assistant.",
                                                  "How can I help you today?"});
  CHECK(out.end_of_turn);
}

TEST_CASE("a failed or garbled caller lookup still gets the generic greeting") {
  for (auto bad : {R"({"ok":false,"error":"unavailable","message":"The database is down."})", "not json",
                   R"({"ok":false,"error":"unknown tool: lookup_customer"})"}) {
    INFO(bad);
    local_policy p(barts_facts(), call_direction::inbound, "+15550001111");
    auto start = p.on_call_started();
    auto out = p.on_tool_result(start.tool_calls[0].id, bad);
    CHECK(out.sentences.front() == "Thanks for calling Bart's Automotive service department.");
    CHECK(out.sentences.back() == "How can I help you today?");
    CHECK_FALSE(contains(said(out), "Hi "));
  }
}

TEST_CASE("the greeting uses the dealership name from the facts") {
  auto facts = barts_facts();
  facts.name = "Lisa's Garage";
  local_policy p(facts, call_direction::inbound, "");
  auto start = p.on_call_started();
  auto out = p.on_tool_result(start.tool_calls[0].id, test::caller_not_found);
  CHECK(said(out).rfind("Thanks for calling Lisa's Garage service department.", 0) == 0);
}

TEST_CASE("an outbound call says Bart's Automotive is calling and asks if now is a good time") {
  local_policy p(barts_facts(), call_direction::outbound, "+15550001111");
  auto out = p.on_call_started();
  CHECK(out.sentences.front() == "Hi, this is Bart's Automotive service department calling.");
  CHECK(out.sentences.back() == "Is now a good time to talk?");
}

TEST_CASE("the weekly hours are given with the lunch break and a follow-up question") {
  auto out = ask("what are your hours");
  CHECK(out.sentences == std::vector<std::string>{
                           "Monday to Friday, we're open from eight a.m. to five p.m.",
                           "On Saturday, we're open from eight a.m. to noon.", "We're closed on Sunday.",
                           "Monday to Friday, we close for lunch from noon to one p.m.",
                           "Is there anything else I can help you with?"});
}

TEST_CASE("saturday hours are understood through recogniser noise") {
  for (auto u : {"what are your hours on saturday", "what are you hours saturday", "hours saturday",
                 "what time are you open saturdays"}) {
    INFO(u);
    auto out = ask(u);
    REQUIRE_FALSE(out.sentences.empty());
    CHECK(out.sentences.front() == "On Saturday, we're open from eight a.m. to noon.");
    CHECK_FALSE(contains(said(out), "lunch"));
  }
}

TEST_CASE("are you open saturday is answered with a yes first") {
  auto out = ask("uh are you open saturday");
  REQUIRE(out.sentences.size() >= 2);
  CHECK(out.sentences[0] == "Yes.");
  CHECK(out.sentences[1] == "On Saturday, we're open from eight a.m. to noon.");
}

TEST_CASE("a closed day is answered with no and the next opening") {
  auto out = ask("are you open on sunday");
  CHECK(out.sentences[0] == "No.");
  CHECK(out.sentences[1] == "We're closed on Sunday.");
  CHECK(out.sentences[2] == "We open again on Monday at eight a.m.");
}

TEST_CASE("closing time on a weekday mentions the lunch break") {
  auto out = ask("what time do you close on friday");
  CHECK(out.sentences[0] == "On Friday, we close at five p.m.");
  CHECK(out.sentences[1] == "We also close for lunch from noon to one p.m.");
}

TEST_CASE("set_date tells the policy the weekday for hours answers too") {
  auto p = started_policy();
  CHECK(p.set_date("2026-11-28"));  // a Saturday
  CHECK(p.on_user("what time do you close today").sentences.front() == "Today, we close at noon.");
  CHECK_FALSE(p.set_date("2026-02-30"));
  CHECK_FALSE(p.set_date("tomorrow"));
  CHECK(p.on_user("what time do you close today").sentences.front() == "Today, we close at noon.");
}

TEST_CASE("today and tomorrow are answered for the day the engine set") {
  auto p = started_policy();
  p.set_today(weekday::saturday);
  CHECK(p.on_user("what time do you close today").sentences.front() == "Today, we close at noon.");
  auto tomorrow = p.on_user("are you open tomorrow");
  CHECK(tomorrow.sentences[0] == "No.");
  CHECK(tomorrow.sentences[1] == "We're closed tomorrow.");
  CHECK(tomorrow.sentences[2] == "We open again on Monday at eight a.m.");
}

TEST_CASE("today without a known date gets the closing times of the week") {
  auto out = ask("what time do you close today");
  CHECK(out.sentences[0] == "Monday to Friday, we close at five p.m.");
  CHECK(out.sentences[1] == "On Saturday, we close at noon.");
}

TEST_CASE("weekend hours cover saturday and sunday only") {
  auto text = said(ask("are you open on the weekend"));
  CHECK(contains(text, "On Saturday, we're open from eight a.m. to noon."));
  CHECK(contains(text, "We're closed on Sunday."));
  CHECK_FALSE(contains(text, "Monday"));
}

TEST_CASE("the address is said with the house number as people say it") {
  auto out = ask("where are you located");
  CHECK(out.sentences.front() == "We're at twelve hundred Main Street, Springfield.");
  auto directions = ask("how do i get there");
  CHECK(contains(said(directions), "maps app"));
}

TEST_CASE("the phone number is read in digit groups") {
  CHECK(ask("what's your phone number").sentences.front() ==
        "Our phone number is two one seven, five five five, zero one zero zero.");
}

TEST_CASE("services are listed by name with a price offer") {
  auto out = ask("what services do you offer");
  CHECK(out.sentences.front() ==
        "Our services include oil changes, tire rotations, brake inspections, brake pad replacements, and more.");
  CHECK(out.sentences.back() == "Is there a service you'd like a price for?");
}

TEST_CASE("the price and duration of a named service are given") {
  for (auto u : {"how much is an oil change", "how much oil change", "how much is a oil changed",
                 "what does an oil change cost", "how long does an oil change take"}) {
    INFO(u);
    CHECK(ask(u).sentences.front() == "An oil change is forty-nine ninety-five and takes about thirty minutes.");
  }
  CHECK(ask("how much to get my tires rotated").sentences.front() ==
        "A tire rotation is twenty-nine ninety-five and takes about thirty minutes.");
  CHECK(ask("how much is a state inspection").sentences.front() ==
        "A state inspection is twenty-five dollars and takes about thirty minutes.");
  CHECK(ask("do you do wheel alignments").sentences.front() ==
        "A wheel alignment is ninety-nine dollars and takes about an hour.");
}

TEST_CASE("an ambiguous service gets every matching service") {
  auto out = ask("how much are brakes");
  CHECK(out.sentences[0] == "A brake inspection is free and takes about forty-five minutes.");
  CHECK(out.sentences[1] ==
        "A brake pad replacement starts at one hundred eighty-nine dollars and takes about two hours.");
}

TEST_CASE("a price question without a service asks which service") {
  auto p = started_policy();
  auto out = p.on_user("how much does it cost");
  CHECK(out.sentences[0] == "Prices depend on the service.");
  CHECK(out.sentences[1] == "For example, an oil change is forty-nine ninety-five.");
  CHECK(out.sentences.back() == "Which service are you asking about?");
  CHECK(p.on_user("the battery").sentences.front() ==
        "A battery replacement starts at one hundred forty-nine dollars and takes about thirty minutes.");
}

TEST_CASE("makes serviced are confirmed and others declined with the list") {
  CHECK(ask("do you work on hondas").sentences.front() == "Yes, we service Honda vehicles.");
  CHECK(ask("do you guys fix chevys").sentences.front() == "Yes, we service Chevrolet vehicles.");
  auto bmw = ask("do you work on bmws");
  CHECK(bmw.sentences[0] == "Sorry, we don't service BMW vehicles.");
  CHECK(bmw.sentences[1] == "We work on Ford, Chevrolet, Toyota, Honda, Nissan, Hyundai, Kia, Subaru, Jeep, and Ram.");
  CHECK(ask("what makes do you work on").sentences.front() ==
        "We service Ford, Chevrolet, Toyota, Honda, Nissan, Hyundai, Kia, Subaru, Jeep, and Ram.");
}

TEST_CASE("asking what the assistant can do lists its abilities") {
  auto out = ask("what can you help me with");
  CHECK(out.sentences[0] == "I can tell you our hours, our address, and our services and prices.");
  CHECK(out.sentences.back() == "What would you like to know?");
}

TEST_CASE("a question mixed with thanks is answered, not taken as goodbye") {
  auto out = ask("thanks what are your hours on saturday");
  CHECK(out.sentences.front() == "On Saturday, we're open from eight a.m. to noon.");
  CHECK(out.tool_calls.empty());
}

TEST_CASE("answers are short complete sentences with at most one question, at the end") {
  for (auto u : {"what are your hours", "where are you", "what's your number", "what services do you offer",
                 "how much is an oil change", "how much are brakes", "do you work on bmws", "what can you do",
                 "can i book an appointment", "i want to talk to someone", "are you open sunday"}) {
    INFO(u);
    auto out = ask(u);
    REQUIRE_FALSE(out.sentences.empty());
    CHECK(word_count(out.sentences.front()) <= 14);
    std::size_t questions = 0;
    for (const auto& s : out.sentences) {
      INFO(s);
      REQUIRE_FALSE(s.empty());
      CHECK((s.back() == '.' || s.back() == '?'));
      CHECK_FALSE(contains(s, ".."));
      CHECK_FALSE(contains(s, "$"));
      CHECK_FALSE(contains(s, ":"));
      if (s.back() == '?') ++questions;
    }
    CHECK(questions <= 1);
    if (questions == 1) CHECK(out.sentences.back().back() == '?');
  }
}

TEST_CASE("missing or malformed facts give an honest answer instead of a guess") {
  ce::dealership_facts sparse;
  sparse.hours = {{"monday", "8am", "5pm"}};
  sparse.lunch_break = "lunchtime";
  auto p = started_policy(sparse);
  CHECK(p.on_user("what are your hours").sentences.front() == "I'm sorry, I don't have our opening hours on hand.");
  CHECK(p.on_user("are you open monday").sentences.front() == "I'm sorry, I don't have our hours for Monday.");
  CHECK(p.on_user("where are you located").sentences.front() == "I'm sorry, I don't have our address on hand.");
  CHECK(p.on_user("what's your phone number").sentences.front() ==
        "I'm sorry, I don't have our phone number on hand.");
  CHECK(p.on_user("what services do you offer").sentences.front() ==
        "I'm sorry, I don't have our list of services on hand.");
}

TEST_CASE("a service with no price tells the caller an advisor can quote it") {
  auto facts = barts_facts();
  facts.services = {{"detail", "a full detail", {"detail", "detailing"}, 180, ""}};
  auto p = started_policy(facts);
  auto out = p.on_user("how much is detailing");
  CHECK(out.sentences[0] == "A full detail takes about three hours.");
  CHECK(out.sentences[1] == "A service advisor can give you an exact price.");
}
