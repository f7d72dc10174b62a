// LLM provider selection (llm.provider: auto, local, openai) and the OpenAI settings.
#include "common/config_loader.hpp"

#include <catch2/catch.hpp>

using namespace ce;

namespace {
const std::string dir = std::string(CE_SOURCE_DIR) + "/config";
}

TEST_CASE("llm provider: auto picks OpenAI only when OPENAI_API_KEY is set", "[config][llm]") {
  auto none = load_config(dir + "/engine.json", {});
  INFO(none.error);
  REQUIRE(none.config);
  CHECK(none.config->llm.provider == "local");
  CHECK(none.config->llm.model == "gpt-4o-mini");
  CHECK(none.config->llm.base_url == "https://api.openai.com/v1");
  CHECK(none.config->llm.max_tool_depth == 4);

  auto keyed = load_config(dir + "/engine.json", {{"OPENAI_API_KEY", "sk-x"}, {"OPENAI_BASE_URL", "http://127.0.0.1:9/v1"}});
  INFO(keyed.error);
  REQUIRE(keyed.config);
  CHECK(keyed.config->llm.provider == "openai");
  CHECK(keyed.config->llm.api_key == "sk-x");
  CHECK(keyed.config->llm.base_url == "http://127.0.0.1:9/v1");

  auto forced = parse_config(R"({"llm": {"provider": "local", "model": "gpt-4.1-mini", "turn_budget_ms": 3000}})", dir,
                             {{"OPENAI_API_KEY", "sk-x"}});
  INFO(forced.error);
  REQUIRE(forced.config);
  CHECK(forced.config->llm.provider == "local");
  CHECK(forced.config->llm.model == "gpt-4.1-mini");
  CHECK(forced.config->llm.turn_budget_ms == 3000);
}

TEST_CASE("llm settings: bad values are refused with the key named", "[config][llm]") {
  struct bad {
    std::string json;
    std::map<std::string, std::string> env;
    std::string expect;
  };
  for (const auto& c : std::vector<bad>{
         {R"({"llm": {"provider": "openai"}})", {}, "needs OPENAI_API_KEY"},
         {R"({"llm": {"provider": "claude"}})", {}, "llm.provider"},
         {R"({"llm": {"api_key": "sk-oops"}})", {}, "set OPENAI_API_KEY"},
         {R"({"llm": {"max_tool_depth": 0}})", {}, "llm.max_tool_depth"},
         {R"({"llm": {"temperature": 3}})", {}, "llm.temperature"},
         {R"({"llm": {"turn_budget_ms": "fast"}})", {}, "llm.turn_budget_ms"},
         {R"({"llm": {"base_url": "ftp://x"}})", {{"OPENAI_API_KEY", "k"}}, "llm.base_url"},
       }) {
    auto r = parse_config(c.json, dir, c.env);
    INFO(c.json);
    CHECK_FALSE(r.config);
    CHECK(r.error.find(c.expect) != std::string::npos);
  }
}
