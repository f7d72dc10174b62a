// What the integration tests on the OpenAI path share: scripted rules for the OpenAI mock
// (bench/mocks/openai_script.hpp: first match wins), the scenario and engine environment
// around them, and readers of the requests the mock logged.
#pragma once

#include "helpers.hpp"
#include "mock_process.hpp"

#include <nlohmann/json.hpp>

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ce::test {

inline const std::string openai_greeting =
  "Thanks for calling Bart's Automotive, this is the service desk. How can I help you today?";

/// A rule firing on `when`; a `times` key there limits how often it fires.
inline nlohmann::json openai_rule(nlohmann::json when) {
  nlohmann::json r = nlohmann::json::object();
  if (when.contains("times")) {
    r["times"] = when["times"];
    when.erase("times");
  }
  r["when"] = std::move(when);
  return r;
}

inline nlohmann::json rule_say(nlohmann::json when, const std::string& text) {
  auto r = openai_rule(std::move(when));
  r["say"] = text;
  return r;
}

/// `calls`: [{"name", "arguments"}...]; `text` said in the same reply.
inline nlohmann::json rule_calls(nlohmann::json when, nlohmann::json calls, std::optional<std::string> text = std::nullopt) {
  auto r = openai_rule(std::move(when));
  r["tool_calls"] = std::move(calls);
  if (text) r["say"] = *text;
  return r;
}

/// One tool call of `name` with `args`.
inline nlohmann::json rule_call(nlohmann::json when, const std::string& name, nlohmann::json args,
                                std::optional<std::string> text = std::nullopt) {
  return rule_calls(std::move(when), nlohmann::json::array({{{"name", name}, {"arguments", std::move(args)}}}),
                    std::move(text));
}

/// The OpenAI mock with `rules`, fast unless told otherwise; `greet`: the inbound greeting
/// rule first.
inline nlohmann::json openai_scenario(nlohmann::json rules, nlohmann::json extra = nlohmann::json::object(),
                                      bool greet = true) {
  nlohmann::json all = nlohmann::json::array();
  if (greet) all.push_back(rule_say({{"last_role", "system"}}, openai_greeting));
  for (auto& r : rules) all.push_back(r);
  nlohmann::json o{{"api_key", "test"},
                   {"ttft_ms", 80},
                   {"tokens_per_second", 150},
                   {"keepalive_ms", 0},
                   {"default_text", "Sorry, I did not catch that. Could you say it again?"},
                   {"rules", all}};
  o.merge_patch(extra);
  return nlohmann::json{{"openai", o}};
}

inline std::map<std::string, std::string> openai_env(const mock_process& mocks,
                                                     std::map<std::string, std::string> env = {}) {
  env["OPENAI_API_KEY"] = "test";
  env["OPENAI_BASE_URL"] = mocks.openai_base_url();
  return env;
}

/// Requests the mock accepted, in order.
inline std::vector<nlohmann::json> chat_requests(const mock_process& mocks) {
  return mocks.log("openai", "openai.request");
}

inline bool has_message(const nlohmann::json& request, const std::string& role, const std::string& part) {
  for (const auto& m : request.value("messages", nlohmann::json::array()))
    if (m.value("role", "") == role && m.contains("content") && m["content"].is_string() &&
        contains(m["content"].get<std::string>(), part))
      return true;
  return false;
}

inline std::string system_prompt(const nlohmann::json& request) {
  for (const auto& m : request.value("messages", nlohmann::json::array()))
    if (m.value("role", "") == "system") return m.value("content", "");
  return {};
}

/// A weekday (Monday..Friday) at least two days from now, "YYYY-MM-DD".
inline std::string bookable_weekday() {
  auto t = std::time(nullptr) + 2 * 86400;
  for (;;) {
    std::tm tm{};
    localtime_r(&t, &tm);
    if (tm.tm_wday >= 1 && tm.tm_wday <= 5) {
      char buf[16];
      std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
      return buf;
    }
    t += 86400;
  }
}

} // namespace ce::test
