// The pure pieces of the llm actor's OpenAI tool loop: the bounded history, an agent turn
// trimmed to what was heard, a round of tool calls, and the tools array.
#include "providers/openai/conversation.hpp"

#include <catch2/catch.hpp>

using namespace ce::openai;

namespace {

completed_tool_call call(std::string id, std::string name, std::string args = "{}") {
  completed_tool_call c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.arguments = std::move(args);
  return c;
}

} // namespace

TEST_CASE("conversation: system prompt first, then the turns with a tool round", "[openai][conversation]") {
  conversation c;
  c.set_system_prompt("You are Bart's.");
  c.add_user("how much is an oil change");
  c.begin_agent_turn();
  c.add_completion_text("Let me check.");
  c.add_tool_round({{"call_1", "get_available_slots", R"({"service_type":"oil_change"})"}}, {R"({"ok":true})"});
  c.add_completion_text("It is $49.95.");
  auto m = c.messages();
  REQUIRE(m.size() == 5);
  CHECK(m[0].role == chat_role::system);
  CHECK(m[1].role == chat_role::user);
  // the text that came with the calls is the content of the calls' message
  CHECK(m[2].role == chat_role::assistant);
  CHECK(m[2].content == "Let me check.");
  REQUIRE(m[2].tool_calls.size() == 1);
  CHECK(m[3].role == chat_role::tool);
  CHECK(m[3].tool_call_id == "call_1");
  CHECK(m[4].content == "It is $49.95.");
}

TEST_CASE("conversation: an interrupted turn keeps only what the caller heard", "[openai][conversation]") {
  conversation c;
  c.add_user("hi");
  c.begin_agent_turn();
  c.add_completion_text("Thanks for calling. We are open until five today. How can I help?");
  c.interrupt_agent_turn("Thanks for calling. We are");
  auto h = c.history();
  REQUIRE(h.size() == 2);
  CHECK(h[1].content == "Thanks for calling. We are...");

  // nothing heard: the turn leaves no text, complete tool rounds stay
  c.add_user("book an oil change");
  c.begin_agent_turn();
  c.add_completion_text("One moment.");
  c.add_tool_round({{"call_2", "lookup_customer", "{}"}}, {R"({"ok":true,"found":false})"});
  c.add_completion_text("I have 9 or 10.");
  c.interrupt_agent_turn("");
  h = c.history();
  REQUIRE(h.size() == 5);
  CHECK(h[3].role == chat_role::assistant);
  CHECK_FALSE(h[3].content.has_value());  // its text was not heard
  CHECK(h[3].tool_calls.size() == 1);
  CHECK(h[4].role == chat_role::tool);

  // heard all of it: no ellipsis
  c.add_user("ok");
  c.begin_agent_turn();
  c.add_completion_text("Great.");
  c.interrupt_agent_turn("Great.");
  CHECK(c.history().back().content == "Great.");
}

TEST_CASE("conversation: the history is bounded and never starts with orphaned tool results",
          "[openai][conversation]") {
  conversation c{4};
  c.add_user("one");
  c.begin_agent_turn();
  c.add_tool_round({{"a", "get_vehicles", "{}"}, {"b", "get_appointments", "{}"}}, {"{}", "{}"});
  c.add_completion_text("two");
  // history: user, assistant(calls), tool, tool, assistant -> 5 > 4
  auto h = c.history();
  REQUIRE_FALSE(h.empty());
  CHECK(h.front().role != chat_role::tool);
  CHECK(h.size() <= 4);
  for (int i = 0; i < 20; ++i) c.add_user("line " + std::to_string(i));
  CHECK(c.history().size() == 4);
  CHECK(c.history().back().content == "line 19");
}

TEST_CASE("tool_round waits for every result, in the order of the calls", "[openai][conversation]") {
  tool_round r({call("c1", "lookup_customer"), call("c2", "get_appointments")});
  CHECK_FALSE(r.complete());
  CHECK_FALSE(r.set_result("zzz", "{}"));  // not one of the round's calls
  CHECK(r.set_result("c2", R"({"ok":true,"appointments":[]})"));
  CHECK_FALSE(r.set_result("c2", "{}"));  // already answered
  CHECK_FALSE(r.complete());
  CHECK(r.set_result("c1", R"({"ok":true,"found":false})"));
  CHECK(r.complete());
  auto res = r.results();
  REQUIRE(res.size() == 2);
  CHECK(res[0] == R"({"ok":true,"found":false})");
  CHECK(res[1] == R"({"ok":true,"appointments":[]})");
  auto wire = r.wire_calls();
  CHECK(wire[1].name == "get_appointments");
}

TEST_CASE("invalid tool arguments get an invalid_argument result", "[openai][conversation]") {
  auto c = call("c1", "book_appointment", "{\"start\":");
  c.arguments_valid = false;
  c.parse_error = "unexpected end";
  auto r = invalid_arguments_result(c);
  CHECK(r.find("\"ok\":false") != std::string::npos);
  CHECK(r.find("invalid_argument") != std::string::npos);
  CHECK(r.find("book_appointment") != std::string::npos);
}

TEST_CASE("parse_tool_definitions reads the tools array and refuses anything else", "[openai][conversation]") {
  auto defs = parse_tool_definitions(
    R"([{"type":"function","function":{"name":"end_call","description":"Hang up.","parameters":{"type":"object","properties":{"reason":{"type":"string"}},"required":["reason"],"additionalProperties":false},"strict":true}}])");
  REQUIRE(defs.size() == 1);
  CHECK(defs[0].name == "end_call");
  CHECK(defs[0].strict);
  CHECK(defs[0].parameters_json.find("\"reason\"") != std::string::npos);
  CHECK_THROWS_AS(parse_tool_definitions("{}"), std::invalid_argument);
  CHECK_THROWS_AS(parse_tool_definitions(R"([{"type":"function"}])"), std::invalid_argument);
}
