// Calls through the real engine binary with the llm role on OpenAI Chat Completions, served
// by the mock providers (bench/mocks, a separate process speaking the real SSE protocol):
// scripted answers, a tool call against the engine's PostgreSQL, a barge-in that cancels a
// streamed answer and its tool call, a 429 retried inside the turn, and failover to the
// embedded dialog on a permanent error or on failed turns. Speech is the embedded default.
#include "helpers.hpp"
#include "mock_process.hpp"
#include "openai_rules.hpp"

#include "common/config_loader.hpp"
#include "store/dealership_store.hpp"
#include "store/shop_calendar.hpp"

#include <catch2/catch.hpp>

#include <ctime>

using namespace ce;
using namespace ce::test;
using nlohmann::json;

namespace {

const std::string& greeting = openai_greeting;
const std::string llm_failovers = "ce_provider_failovers_total{role=\"llm\",provider=\"openai\"}";

store::pg_connection connect(const engine_process& e) {
  store::pg_options o;
  o.url = e.database_url();
  store::pg_connection c{o};
  REQUIRE(c.connect().ok());
  return c;
}

void add_customer(const engine_process& e, const std::string& phone) {
  auto cfg = load_config(std::string(CE_SOURCE_DIR) + "/config/engine.json", {});
  REQUIRE(cfg.config);
  auto calendar = store::make_shop_calendar(cfg.config->dealership);
  REQUIRE(calendar.ok());
  store::dealership_store db{connect(e), std::move(*calendar)};
  store::customer c;
  c.first_name = "Linda";
  c.last_name = "Moore";
  c.phone = phone;
  c.zip = "62704";
  c.date_of_birth = "1980-04-12";
  REQUIRE(db.create_customer(c).ok());
}

} // namespace

TEST_CASE("an OpenAI call: the greeting and the answer are the model's streamed text, tokens are counted",
          "[integration][openai]") {
  mock_process mocks{openai_scenario(
    {rule_say({{"last_role", "user"}, {"contains", {"oil", "price", "much"}}},
              "An oil change is forty nine ninety five. Is there anything else I can do for you?"),
     rule_calls({{"last_role", "user"}, {"contains", {"bye", "thank", "no"}}},
                {{{"name", "end_call"}, {"arguments", {{"reason", "caller is done"}}}}},
                "Thank you for calling Bart's Automotive. Goodbye.")})};
  engine_process engine{json::object(), openai_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change"}, {"no thank you goodbye"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  CHECK(r.protocol_violations.empty());
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 3);
  CHECK(agent[0].value("text", "") == greeting);
  CHECK(agent[1].value("text", "") == "An oil change is forty nine ninety five. Is there anything else I can do for you?");
  CHECK(agent[2].value("text", "") == "Thank you for calling Bart's Automotive. Goodbye.");
  // the model's end_call ended the call after its goodbye played
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK(contains(r.after_stream_twiml, "<Hangup/>"));

  auto requests = chat_requests(mocks);
  REQUIRE(requests.size() >= 3);
  // the prompt carries the dealership's facts and every request the tools
  auto prompt = system_prompt(requests[0]);
  CHECK(contains(prompt, "1200 Main Street, Springfield"));
  CHECK(contains(prompt, "oil_change: oil change, 30 min, $49.95"));
  // the caller-ID lookup ran before the greeting (the simulated caller's +1 555 number is not a usable ID)
  CHECK(contains(prompt, "caller ID could not be checked"));
  CHECK(requests[0]["tools"].size() == 14);
  CHECK(requests[0].value("model", "") == "gpt-4o-mini");
  CHECK(has_message(requests[1], "assistant", greeting));
  CHECK(has_message(requests[1], "user", "oil"));
  // "Goodbye" came with end_call: no request after the control tool
  CHECK(requests.size() == 3);
  CHECK(engine.metric("ce_llm_tokens_total{kind=\"prompt\"}") > 0);
  CHECK(engine.metric("ce_llm_tokens_total{kind=\"completion\"}") > 0);
  CHECK(engine.metric(llm_failovers) == 0);
  CHECK(engine.metric("ce_calls_ended_total{reason=\"agent_hangup\"}") == 1);
  CHECK(contains(engine.log(), "call_sid=" + r.call_sid + " role=llm usage: 3 OpenAI requests"));
}

TEST_CASE("an OpenAI tool call runs against PostgreSQL and its result goes back to the model",
          "[integration][openai]") {
  const std::string phone = "+12175550142";
  auto day = bookable_weekday();
  mock_process mocks{openai_scenario(
    {rule_calls({{"last_role", "user"}, {"contains", {"oil", "opening", "available", "book"}}},
                {{{"name", "get_available_slots"},
                  {"arguments", {{"service_type", "oil_change"}, {"date_from", day}, {"max", 3}}}}}),
     rule_say({{"last_role", "tool"}, {"tool_result_for", "get_available_slots"}},
              "I have an opening at eight in the morning. Would that work?")})};
  engine_process engine{json::object(), openai_env(mocks)};
  add_customer(engine, phone);
  auto opt = caller_for(engine, {{"do you have an opening for an oil change"}});
  opt.from = phone;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(agent[1].value("text", "") == "I have an opening at eight in the morning. Would that work?");

  auto requests = chat_requests(mocks);
  REQUIRE(requests.size() >= 3);
  // the caller-ID lookup found Linda: the prompt knows her first name, not her last name
  auto prompt = system_prompt(requests[0]);
  CHECK(contains(prompt, "first name Linda"));
  CHECK(contains(prompt, "NOT verified"));
  CHECK_FALSE(contains(prompt, "Moore"));
  // the model asked for slots; the tools actor ran it on the engine's database and the
  // next request carries the real result (free slots of that day) answering the call id
  auto call_id = requests[1]["reply"]["tool_calls"][0].value("id", "");
  REQUIRE_FALSE(call_id.empty());
  bool answered = false;
  for (const auto& m : requests[2]["messages"])
    if (m.value("role", "") == "tool" && m.value("tool_call_id", "") == call_id) {
      auto result = json::parse(m.value("content", ""), nullptr, false);
      REQUIRE(result.is_object());
      CHECK(result.value("ok", false));
      CHECK(result.value("service_type", "") == "oil_change");
      REQUIRE(result["slots"].is_array());
      REQUIRE_FALSE(result["slots"].empty());
      CHECK(result["slots"][0].value("start", "").rfind(day, 0) == 0);
      answered = true;
    }
  CHECK(answered);
  CHECK(contains(engine.log(), "role=tools turn="));
  CHECK(contains(engine.log(), "get_available_slots -> ok"));
}

TEST_CASE("a barge-in during a streamed OpenAI answer cancels it: clear, trimmed history, its tool call never runs",
          "[integration][openai]") {
  const std::string long_answer =
    "Sure, I can help you book an oil change. Let me look at the calendar for the next few days, this can take a "
    "little while because I check every one of our four service bays for you.";
  mock_process mocks{openai_scenario(
    {rule_calls({{"last_role", "user"}, {"contains", {"book", "oil", "change"}}},
                json::array({json{{"name", "get_available_slots"},
                                  {"arguments", {{"service_type", "oil_change"}, {"date_from", bookable_weekday()}}}}}),
                long_answer),
     rule_say({{"last_role", "user"}, {"contains", {"hour", "saturday", "open"}}},
              "On Saturday we are open from eight until noon.")},
    // slow enough that the caller talks while the answer (and its tool call) still streams
    {{"tokens_per_second", 7}})};
  engine_process engine{json::object(), openai_env(mocks)};
  auto opt = caller_for(engine, {{"i would like to book an oil change"},
                                 {"actually what are your hours on saturday", 0, true, 1200}});
  opt.hangup_after_ms = 1000;
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  CHECK(r.clears >= 1);
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 3);
  CHECK(agent[1].value("interrupted", false));
  auto heard = agent[1].value("heard", "");
  CHECK(heard.size() < long_answer.size());
  CHECK(long_answer.rfind(agent[1].value("text", ""), 0) == 0);  // only what had streamed was said
  CHECK(agent[2].value("text", "") == "On Saturday we are open from eight until noon.");
  CHECK(rec.value("barge_ins", 0) >= 1);

  // the tool call of the interrupted turn never ran: no tool log line, no tool result sent
  CHECK_FALSE(contains(engine.log(), "get_available_slots -> "));
  auto requests = chat_requests(mocks);
  REQUIRE(requests.size() >= 3);
  for (const auto& req : requests)
    for (const auto& m : req["messages"]) CHECK(m.value("role", "") != "tool");
  // the answer after the barge-in was asked with the interrupted turn trimmed to what was heard
  const auto& after = requests.back();
  CHECK(has_message(after, "user", "saturday"));
  for (const auto& m : after["messages"])
    if (m.value("role", "") == "assistant" && m.contains("content") && m["content"].is_string())
      CHECK(m["content"].get<std::string>() != long_answer);
}

TEST_CASE("a 429 from OpenAI is retried within the turn and the caller hears the answer", "[integration][openai]") {
  mock_process mocks{openai_scenario(
    {rule_say({{"last_role", "user"}}, "Sure, our address is twelve hundred Main Street in Springfield.")},
    {{"faults", {{{"kind", "status"}, {"match", "chat"}, {"status", 429}, {"times", 1}, {"retry_after_ms", 150}}}}})};
  engine_process engine{json::object(), openai_env(mocks)};
  auto opt = caller_for(engine, {{"where are you located"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(agent[0].value("text", "") == greeting);  // the rate-limited greeting, retried
  CHECK(agent[1].value("text", "") == "Sure, our address is twelve hundred Main Street in Springfield.");
  CHECK(mocks.log("openai", "openai.fault").size() == 1);
  CHECK(chat_requests(mocks).size() == 2);
  CHECK(engine.metric(llm_failovers) == 0);
}

TEST_CASE("insufficient_quota is not retried: the call fails over to the embedded dialog and goes on",
          "[integration][openai]") {
  mock_process mocks{openai_scenario(
    {}, {{"faults",
          {{{"kind", "status"},
            {"match", "chat"},
            {"status", 429},
            {"error_type", "insufficient_quota"},
            {"error_code", "insufficient_quota"},
            {"message", "You exceeded your current quota."}}}}})};
  engine_process engine{json::object(), openai_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change"}, {"no thank you goodbye"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  // the embedded dialog greets and answers from config
  CHECK(contains(agent[0].value("text", ""), "Thanks for calling Bart's Automotive"));
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  // one attempt only (permanent), one failover, logged with the call
  CHECK(mocks.log("openai", "openai.fault").size() == 1);
  CHECK(engine.metric(llm_failovers) == 1);
  CHECK(contains(engine.log(), "call_sid=" + r.call_sid + " role=llm provider=openai failing over to the local dialog"));
}

TEST_CASE("OpenAI failing turn after turn: an apology, then the embedded dialog takes over", "[integration][openai]") {
  mock_process mocks{openai_scenario({}, {{"faults", {{{"kind", "status"}, {"match", "chat"}, {"status", 500}}}}})};
  engine_process engine{{{"llm", {{"turn_budget_ms", 1500}}}}, openai_env(mocks)};
  auto opt = caller_for(engine, {{"how much is an oil change"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  // the failed greeting is a short polite sentence, not silence
  CHECK(contains(agent[0].value("text", ""), "Sorry, I'm having a little trouble"));
  // the second failed turn hands the call to the embedded dialog, which answers the question
  CHECK(contains(agent[1].value("text", ""), "forty-nine ninety-five"));
  CHECK(mocks.log("openai", "openai.fault").size() >= 4);  // retried within each turn
  CHECK(engine.metric(llm_failovers) == 1);
}

TEST_CASE("a model that keeps calling tools is stopped at the depth limit and has to answer in words",
          "[integration][openai]") {
  const std::string vin_call = R"({"vin":"1HGCM82633A004352"})";
  mock_process mocks{openai_scenario(
    {rule_calls({{"last_role", "user"}, {"contains", {"vin", "car", "decode", "number"}}},
                {{{"name", "decode_vin"}, {"arguments", vin_call}}}),
     // after every result the scripted model asks again (a loop), unless tools are off
     rule_calls({{"last_role", "tool"}, {"tool_result_for", "decode_vin"}}, {{{"name", "decode_vin"}, {"arguments", vin_call}}})},
    {{"default_text", "That VIN belongs to a two thousand three Honda."}})};
  engine_process engine{{{"llm", {{"max_tool_depth", 3}}}}, openai_env(mocks)};
  auto opt = caller_for(engine, {{"can you decode my car's vin number"}});
  auto r = sim::run_call(opt);
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto rec = ce::test::call_record(engine, r.call_sid);
  auto agent = turns_of(rec, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(agent[1].value("text", "") == "That VIN belongs to a two thousand three Honda.");
  auto requests = chat_requests(mocks);
  // greeting + the caller's turn: 1 request, then 3 with tool results; the last one with
  // tool_choice "none" (the mock answers it with its default text)
  REQUIRE(requests.size() == 5);
  for (int i = 1; i <= 3; ++i) CHECK(requests[static_cast<std::size_t>(i)]["tool_choice"] == "auto");
  CHECK(requests[4]["tool_choice"] == "none");
  CHECK(engine.metric("ce_llm_first_sentence_seconds_count") >= 2);
  CHECK(engine.metric("ce_llm_request_seconds_count") == 5);
}

TEST_CASE("keys typed on the OpenAI path reach the model as the caller's input, a 0 among them does not transfer",
          "[integration][openai]") {
  mock_process mocks{openai_scenario(
    {rule_say({{"last_role", "user"}, {"contains", {"typed on the keypad: 60614"}}},
              "Thank you, I have the ZIP code six oh six one four. Anything else?"),
     rule_calls({{"last_role", "user"}, {"contains", {"bye", "thank", "no"}}},
                {{{"name", "end_call"}, {"arguments", {{"reason", "caller is done"}}}}},
                "Thank you for calling Bart's Automotive. Goodbye.")})};
  engine_process engine{json::object(), openai_env(mocks)};
  auto r = sim::run_call(caller_for(engine, {{"dtmf:60614"}, {"no thank you goodbye"}}));
  INFO(engine.log());
  INFO(mocks.output());
  REQUIRE(r.ok);
  auto rec = ce::test::call_record(engine, r.call_sid);
  CHECK(rec.value("end_reason", "") == "agent_hangup");
  CHECK_FALSE(contains(r.after_stream_twiml, "<Dial"));
  bool typed = false;
  for (const auto& req : chat_requests(mocks)) typed = typed || has_message(req, "user", "typed on the keypad: 60614");
  CHECK(typed);
  auto agent = turns_of(rec, "agent");
  bool answered = false;
  for (const auto& t : agent) answered = answered || contains(t.value("text", ""), "six oh six one four");
  CHECK(answered);
}
