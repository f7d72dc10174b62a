// An OpenAI mock rule with both "say" and "tool_calls": the text comes first, then the
// calls, in one assistant message (as the real API may answer).
#include "mocks/mock_config.hpp"
#include "mocks/openai_script.hpp"

#include <catch2/catch.hpp>

using namespace ce::mocks;
using nlohmann::json;

TEST_CASE("OpenAI rules: say and tool_calls together give text then calls", "[mocks][openai]") {
  config_error err;
  auto cfg = parse_config(
    json{{"openai",
          {{"rules",
            {{{"when", {{"last_role", "user"}}},
              {"say", "Let me check that for you."},
              {"tool_calls", {{{"name", "lookup_customer"}, {"arguments", json::object()}}}}}}}}}},
    err);
  INFO(err.message);
  REQUIRE(cfg);
  json body{{"model", "gpt-4o-mini"},
            {"messages", {{{"role", "user"}, {"content", "hi"}}}},
            {"tools", {{{"type", "function"}, {"function", {{"name", "lookup_customer"}, {"parameters", {{"type", "object"}}}}}}}}};
  auto plan = plan_reply(body, cfg->openai, 1);
  CHECK(plan.rule == 0);
  CHECK(plan.text == "Let me check that for you.");
  REQUIRE_FALSE(plan.pieces.empty());
  REQUIRE(plan.calls.size() == 1);
  CHECK(plan.calls[0].name == "lookup_customer");
  CHECK(plan.finish_reason == "tool_calls");
  auto whole = chunk_builder("id1", 0, "gpt-4o-mini", false).completion(plan);
  CHECK(whole["choices"][0]["message"]["content"] == "Let me check that for you.");
  CHECK(whole["choices"][0]["message"]["tool_calls"].size() == 1);

  // a rule still needs one of the two
  CHECK_FALSE(parse_config(json{{"openai", {{"rules", {{{"when", {{"last_role", "user"}}}}}}}}}, err));
}
