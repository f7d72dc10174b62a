// Multi-turn behaviour of the local policy: offers and yes/no, transfers and tool results,
// misunderstandings, silence, barge-in, endings, determinism.
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

local_policy started_policy(call_direction direction = call_direction::inbound) {
  if (direction == call_direction::inbound) return test::greeted_policy();
  local_policy p(barts_facts(), direction, "+15550001111");
  p.on_call_started();
  return p;
}

std::string reason_of(const tool_request& t) {
  auto j = nlohmann::json::parse(t.arguments_json);
  return j.at("reason").get<std::string>();
}

const std::string anything_else = "Is there anything else I can help you with?";
const std::string goodbye_words = "You're welcome. Thanks for calling Bart's Automotive. Goodbye.";

} // namespace

TEST_CASE("booking an appointment starts the booking conversation instead of a transfer offer") {
  auto p = started_policy();
  auto out = p.on_user("can i book an appointment for tuesday");
  CHECK(out.sentences.front() == "Sure, I can help with that.");
  CHECK_FALSE(contains(said(out), "can't book"));
  CHECK_FALSE(calls_tool(out, "transfer_to_human"));
  CHECK(out.end_of_turn);
}

TEST_CASE("a repair status question is not something the assistant can look up, so a transfer is offered") {
  auto p = started_policy();
  auto out = p.on_user("is my car ready");
  CHECK(out.sentences == std::vector<std::string>{"I'm sorry, I can't check on repairs in progress.",
                                                  "A service advisor can do that for you.",
                                                  "Would you like me to connect you with one?"});
  CHECK(out.tool_calls.empty());
  CHECK(out.end_of_turn);
}

TEST_CASE("yes to the transfer offer announces the transfer and calls transfer_to_human") {
  auto p = started_policy();
  p.on_user("is my car ready");
  auto out = p.on_user("yes");
  CHECK(out.sentences == std::vector<std::string>{"Sure, I'll connect you with a service advisor now."});
  REQUIRE(out.tool_calls.size() == 1);
  CHECK(out.tool_calls[0].id == "t2");  // t1 was the caller-ID lookup
  CHECK(out.tool_calls[0].name == "transfer_to_human");
  CHECK(out.tool_calls[0].arguments_json == R"({"reason":"caller wants to check on a vehicle"})");
  CHECK_FALSE(out.end_of_turn);
}

TEST_CASE("other ways of saying yes accept the offer too") {
  for (auto u : {"yeah", "yes please", "sure", "uh huh", "yeah connect me", "okay"}) {
    INFO(u);
    auto p = started_policy();
    p.on_user("is my car ready");
    CHECK(calls_tool(p.on_user(u), "transfer_to_human"));
  }
}

TEST_CASE("no to the transfer offer asks if there is anything else") {
  for (auto u : {"no", "no thanks", "nope", "no thank you"}) {
    INFO(u);
    auto p = started_policy();
    p.on_user("is my car ready");
    auto out = p.on_user(u);
    CHECK(out.sentences == std::vector<std::string>{"Okay.", anything_else});
    CHECK(out.tool_calls.empty());
  }
}

TEST_CASE("rescheduling, cancelling and checking appointments are taken on, repair status is not") {
  auto first = [](std::string_view u) {
    auto p = started_policy();
    return p.on_user(u).sentences.front();
  };
  CHECK(first("i need to reschedule my appointment") == "Sure, I can help with that.");
  CHECK(first("i want to cancel my appointment") == "Sure, I can help with that.");
  CHECK(first("when is my appointment") == "Sure, let me check.");
  CHECK(first("is my car ready") == "I'm sorry, I can't check on repairs in progress.");
}

TEST_CASE("asking for a person transfers right away") {
  for (auto u : {"i want to talk to a person", "can i speak to a human", "representative", "operator",
                 "let me talk to somebody", "can i talk to a service advisor"}) {
    INFO(u);
    auto p = started_policy();
    auto out = p.on_user(u);
    CHECK(out.sentences == std::vector<std::string>{"Sure, I'll connect you with a service advisor now."});
    REQUIRE(out.tool_calls.size() == 1);
    CHECK(out.tool_calls[0].name == "transfer_to_human");
    CHECK(reason_of(out.tool_calls[0]) == "caller asked for a person");
    CHECK_FALSE(out.end_of_turn);
  }
}

TEST_CASE("declining a person is not taken as a request for one") {
  auto p = started_policy();
  CHECK_FALSE(calls_tool(p.on_user("no i don't want to talk to a person"), "transfer_to_human"));
}

TEST_CASE("pressing zero transfers and other keys get a hint") {
  auto p = started_policy();
  auto hint = p.on_dtmf('5');
  CHECK(hint.sentences == std::vector<std::string>{"To talk to a service advisor, press zero.",
                                                   "Or just tell me what you need."});
  CHECK(hint.tool_calls.empty());
  auto out = p.on_dtmf('0');
  CHECK(out.sentences.front() == "Sure, I'll connect you with a service advisor now.");
  REQUIRE(out.tool_calls.size() == 1);
  CHECK(out.tool_calls[0].name == "transfer_to_human");
  CHECK(reason_of(out.tool_calls[0]) == "caller pressed zero");
  CHECK(p.history()[p.history().size() - 2] == std::pair<std::string, std::string>{"caller", "[pressed 0]"});
}

TEST_CASE("a successful transfer result makes the policy say nothing more") {
  auto p = started_policy();
  auto out = p.on_user("i want to talk to a person");
  auto result = p.on_tool_result(out.tool_calls[0].id, R"({"ok":true})");
  CHECK(result.sentences.empty());
  CHECK(result.tool_calls.empty());
  CHECK(result.end_of_turn);
  CHECK(p.on_user("hello").sentences.empty());  // being connected; the engine owns the call now
}

TEST_CASE("a failed transfer apologises and offers other help") {
  auto p = started_policy();
  auto out = p.on_user("i want to talk to a person");
  auto result = p.on_tool_result(out.tool_calls[0].id, R"({"ok":false,"error":"no advisor available"})");
  CHECK(result.sentences == std::vector<std::string>{"I'm sorry, I couldn't connect you right now.", anything_else});
  CHECK(result.end_of_turn);
  CHECK(p.on_user("what are your hours on saturday").sentences.front() ==
        "On Saturday, we're open from eight a.m. to noon.");
}

TEST_CASE("a malformed tool result counts as a failure") {
  for (auto bad : {"", "not json", "[1,2]", R"({"ok":"yes"})", R"({"error":"x"})"}) {
    INFO(bad);
    auto p = started_policy();
    auto out = p.on_user("operator");
    CHECK(p.on_tool_result(out.tool_calls[0].id, bad).sentences.front() ==
          "I'm sorry, I couldn't connect you right now.");
  }
}

TEST_CASE("results for unknown tool ids are ignored") {
  auto p = started_policy();
  auto out = p.on_tool_result("t99", R"({"ok":false})");
  CHECK(out.sentences.empty());
  CHECK(out.tool_calls.empty());
  CHECK(out.end_of_turn);
}

TEST_CASE("tool ids are unique within a call") {
  auto p = started_policy();
  auto first = p.on_user("operator");
  p.on_tool_result(first.tool_calls[0].id, R"({"ok":false,"error":"busy"})");
  auto second = p.on_user("thank you bye");
  REQUIRE(second.tool_calls.size() == 1);
  CHECK(first.tool_calls[0].id == "t2");  // t1 was the caller-ID lookup
  CHECK(second.tool_calls[0].id == "t3");
  CHECK(p.on_tool_result("t2", R"({"ok":false})").sentences.empty());  // already answered
  CHECK(p.on_tool_result("t1", R"({"ok":false})").sentences.empty());
}

TEST_CASE("thanks and goodbye end the call politely with end_call") {
  for (auto u : {"thank you", "thanks bye", "okay goodbye", "that's all", "no that's it thank you"}) {
    INFO(u);
    auto p = started_policy();
    p.on_user("what are your hours");
    auto out = p.on_user(u);
    CHECK(said(out) == goodbye_words);
    REQUIRE(out.tool_calls.size() == 1);
    CHECK(out.tool_calls[0].name == "end_call");
    CHECK(reason_of(out.tool_calls[0]) == "caller finished");
    CHECK_FALSE(out.end_of_turn);
  }
}

TEST_CASE("no to anything else ends the call and yes asks what else") {
  auto p = started_policy();
  p.on_user("where are you located");
  auto yes = p.on_user("yes");
  CHECK(yes.sentences == std::vector<std::string>{"Sure.", "What else can I help you with?"});
  p.on_user("what's your phone number");
  auto no = p.on_user("no");
  CHECK(said(no) == goodbye_words);
  CHECK(calls_tool(no, "end_call"));
  CHECK(p.on_user("wait one more thing").sentences.empty());  // the call is ending
}

TEST_CASE("a bare yes or no without a question is handled gracefully") {
  auto p = started_policy();
  CHECK(p.on_user("yes").sentences == std::vector<std::string>{"Okay.", "What can I help you with?"});
  CHECK(p.on_user("no").sentences == std::vector<std::string>{"Okay.", anything_else});
}

TEST_CASE("misunderstandings escalate from a repeat request to a list to a transfer offer") {
  auto p = started_policy();
  CHECK(p.on_user("").sentences == std::vector<std::string>{"Sorry, I didn't catch that.", "Could you say that again?"});
  auto second = p.on_user("purple monkey dishwasher");
  CHECK(second.sentences.front() == "Sorry, I'm still not sure what you need.");
  CHECK(contains(said(second), "our hours, our address, and our services and prices"));
  auto third = p.on_user("uh um");
  CHECK(third.sentences == std::vector<std::string>{"Sorry, I'm having trouble understanding.",
                                                    "Would you like me to connect you with a service advisor?"});
  auto yes = p.on_user("yes");
  REQUIRE(yes.tool_calls.size() == 1);
  CHECK(reason_of(yes.tool_calls[0]) == "caller could not be understood");
}

TEST_CASE("an understood turn resets the count of misunderstandings") {
  auto p = started_policy();
  p.on_user("");
  p.on_user("blah blah");
  p.on_user("what are your hours");
  CHECK(p.on_user("blah").sentences.front() == "Sorry, I didn't catch that.");
}

TEST_CASE("a misheard answer keeps the open offer for the caller's repeat") {
  auto p = started_policy();
  p.on_user("is my car ready");
  p.on_user("");
  CHECK(calls_tool(p.on_user("yes"), "transfer_to_human"));
}

TEST_CASE("silence is reprompted twice and then the call is ended") {
  auto p = started_policy();
  CHECK(p.on_silence(1, 2).sentences == std::vector<std::string>{"Are you still there?"});
  CHECK(p.on_silence(2, 2).sentences == std::vector<std::string>{"I'm still here if you need anything."});
  auto out = p.on_silence(3, 2);
  CHECK(out.sentences == std::vector<std::string>{"I haven't heard anything, so I'll let you go.",
                                                  "Thanks for calling Bart's Automotive.", "Goodbye."});
  REQUIRE(out.tool_calls.size() == 1);
  CHECK(out.tool_calls[0].name == "end_call");
  CHECK(reason_of(out.tool_calls[0]) == "caller silent");
  CHECK_FALSE(out.end_of_turn);
}

TEST_CASE("with no reprompts allowed the first silence ends the call") {
  auto p = started_policy();
  CHECK(calls_tool(p.on_silence(1, 0), "end_call"));
}

TEST_CASE("yes after are you still there re-asks the open question instead of transferring") {
  auto p = started_policy();
  p.on_user("is my car ready");
  p.on_silence(1, 2);
  auto out = p.on_user("yes");
  CHECK(out.tool_calls.empty());
  CHECK(out.sentences == std::vector<std::string>{"Great.", "Would you like me to connect you with a service advisor?"});
  CHECK(calls_tool(p.on_user("yes"), "transfer_to_human"));
}

TEST_CASE("reaching the maximum call length wraps up and ends the call") {
  auto p = started_policy();
  auto out = p.on_max_duration();
  CHECK(out.sentences.front() == "I'm sorry, we've reached the time limit for this call.");
  CHECK(out.sentences.back() == "Goodbye.");
  REQUIRE(out.tool_calls.size() == 1);
  CHECK(out.tool_calls[0].name == "end_call");
  CHECK(reason_of(out.tool_calls[0]) == "maximum call length reached");
}

TEST_CASE("history keeps caller and agent turns in order") {
  auto p = started_policy();
  p.on_user("where are you located");
  const auto& h = p.history();
  REQUIRE(h.size() == 3);
  CHECK(h[0].first == "agent");
  CHECK(h[0].second ==
        "Thanks for calling Bart's Automotive service department. This is the virtual service assistant. How can I "
        "help you today?");
  CHECK(h[1] == std::pair<std::string, std::string>{"caller", "where are you located"});
  CHECK(h[2] == std::pair<std::string, std::string>{
                  "agent", "We're at twelve hundred Main Street, Springfield. " + anything_else});
}

TEST_CASE("an interrupted turn is trimmed in history to what the caller heard") {
  auto p = started_policy();
  p.on_user("what are your hours");
  p.on_interrupted("Monday to Friday, we're open from eight a.m.");
  CHECK(p.history().back() == std::pair<std::string, std::string>{"agent", "Monday to Friday, we're open from eight a.m."});
  p.on_user("what about saturday");
  p.on_interrupted("");
  CHECK(p.history().back() == std::pair<std::string, std::string>{"agent", std::string(not_heard_marker)});
}

TEST_CASE("yes to an offer the caller did not hear is not a transfer") {
  auto p = started_policy();
  p.on_user("is my car ready");
  p.on_interrupted("I'm sorry, I can't check on repairs in progress. A service advisor");
  auto out = p.on_user("yes");
  CHECK(out.tool_calls.empty());
  CHECK(out.sentences == std::vector<std::string>{"Okay.", "What can I help you with?"});
}

TEST_CASE("yes to an offer that was heard in full before the barge-in is a transfer") {
  auto p = started_policy();
  p.on_user("is my car ready");
  p.on_interrupted(
    "I'm sorry, I can't check on repairs in progress. A service advisor can do that for you. Would you like me to "
    "connect you with one?");
  CHECK(calls_tool(p.on_user("yes"), "transfer_to_human"));
}

TEST_CASE("no to an anything-else question that was cut off does not hang up") {
  auto p = started_policy();
  p.on_user("what are your hours on saturday");
  p.on_interrupted("On Saturday, we're open");
  auto out = p.on_user("no");
  CHECK_FALSE(calls_tool(out, "end_call"));
}

TEST_CASE("interrupting a transfer announcement cancels the wait for its result") {
  auto p = started_policy();
  p.on_user("operator");
  p.on_interrupted("Sure, I'll");
  auto out = p.on_user("actually what are your hours on saturday");
  CHECK(out.sentences.front() == "On Saturday, we're open from eight a.m. to noon.");
}

TEST_CASE("asking to repeat says the last agent turn again") {
  auto p = started_policy();
  auto first = p.on_user("how much is an oil change");
  CHECK(p.on_user("can you repeat that").sentences == first.sentences);
}

TEST_CASE("hello mid-call is answered and keeps the open question") {
  auto p = started_policy();
  p.on_user("is my car ready");
  CHECK(p.on_user("hello").sentences ==
        std::vector<std::string>{"Hi, I'm here.", "Would you like me to connect you with a service advisor?"});
  CHECK(calls_tool(p.on_user("yes"), "transfer_to_human"));
}

TEST_CASE("an outbound callee who is busy gets a short goodbye") {
  auto p = started_policy(call_direction::outbound);
  auto out = p.on_user("no not right now");
  CHECK(out.sentences == std::vector<std::string>{"No problem.", "Thanks for your time, and have a great day.", "Goodbye."});
  CHECK(calls_tool(out, "end_call"));
}

TEST_CASE("an outbound callee with time is asked what they need") {
  auto p = started_policy(call_direction::outbound);
  auto out = p.on_user("yeah sure");
  CHECK(out.sentences.back() == "What can I help you with?");
  CHECK(out.tool_calls.empty());
}

TEST_CASE("the same inputs always give the same outputs") {
  auto run = [] {
    local_policy p(barts_facts(), call_direction::inbound, "+15550001111");
    std::vector<turn_output> outs;
    outs.push_back(p.on_call_started());
    outs.push_back(p.on_tool_result("t1", test::caller_not_found));
    for (auto u : {"uh what are you hours saturday", "how much oil change", "", "is my car ready"})
      outs.push_back(p.on_user(u));
    p.on_interrupted("I'm sorry");
    outs.push_back(p.on_user("yes"));
    outs.push_back(p.on_silence(1, 2));
    outs.push_back(p.on_user("i want to talk to a person"));
    outs.push_back(p.on_tool_result("t2", R"({"ok":false,"error":"busy"})"));
    outs.push_back(p.on_user("thank you"));
    return std::pair{outs, p.history()};
  };
  auto [a, ha] = run();
  auto [b, hb] = run();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].sentences == b[i].sentences);
    REQUIRE(a[i].tool_calls.size() == b[i].tool_calls.size());
    for (std::size_t k = 0; k < a[i].tool_calls.size(); ++k) {
      CHECK(a[i].tool_calls[k].id == b[i].tool_calls[k].id);
      CHECK(a[i].tool_calls[k].arguments_json == b[i].tool_calls[k].arguments_json);
    }
    CHECK(a[i].end_of_turn == b[i].end_of_turn);
  }
  CHECK(ha == hb);
}

TEST_CASE("after a restart mid-turn the agent apologises briefly and answers the last question again") {
  local_policy p{barts_facts(), call_direction::inbound, "+15550001111"};
  p.on_call_started();
  auto again = p.on_recovered("how much is an oil change");
  REQUIRE(again.sentences.size() >= 2);
  CHECK(again.sentences.front() == "Sorry about that.");
  CHECK(again.sentences[1].find("forty-nine ninety-five") != std::string::npos);
  auto fresh = p.on_recovered("");
  REQUIRE(fresh.sentences.size() == 2);
  CHECK(fresh.sentences[1] == "How can I help you today?");
}

TEST_CASE("asking to talk to someone transfers even when the last word was misheard") {
  for (const char* heard : {"i want to talk to a good", "can i speak to a per", "i want to speak with someone"}) {
    INFO(heard);
    auto p = started_policy();
    auto out = p.on_user(heard);
    CHECK(calls_tool(out, "transfer_to_human"));
  }
}

TEST_CASE("the policy tells the recogniser what kind of answer its question invites") {
  auto p = test::greeted_policy();
  CHECK(p.expected_answer() == ce::speech_hint::open);
  auto out = p.on_user("i would like to book an oil change");
  REQUIRE_FALSE(out.sentences.empty());
  // a caller without an account is asked for their name first
  CHECK(p.expected_answer() == ce::speech_hint::name);
  auto p3 = test::greeted_policy();
  p3.on_user("is my car ready");  // offers a transfer: a yes/no question
  CHECK(p3.expected_answer() == ce::speech_hint::yes_no);
}
