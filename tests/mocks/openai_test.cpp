// The OpenAI Chat Completions mock: validation, SSE framing, tool-call fragments, rules,
// timing and faults (protocols.md §7, §9.5).
#include "fixtures.hpp"

#include <set>

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

header_list chat_headers() { return {{"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}}; }

json tools_decl() {
  auto fn = [](const std::string& name) {
    return json{{"type", "function"},
                {"function",
                 {{"name", name},
                  {"description", "d"},
                  {"strict", true},
                  {"parameters",
                   {{"type", "object"},
                    {"properties", {{"date", {{"type", "string"}}}}},
                    {"required", {"date"}},
                    {"additionalProperties", false}}}}}};
  };
  return json::array({fn("check_availability"), fn("lookup_customer"), fn("book_appointment")});
}

json request(json messages, bool stream = true, bool usage = true) {
  json r{{"model", "gpt-4o-mini"}, {"stream", stream}, {"messages", std::move(messages)}, {"tools", tools_decl()}};
  if (stream && usage) r["stream_options"] = {{"include_usage", true}};
  return r;
}

json user(const std::string& text) { return json{{"role", "user"}, {"content", text}}; }

/// Fast, unshaped replies unless a test asks otherwise.
json llm(json extra = json::object()) {
  json o{{"ttft_ms", 0},
         {"tokens_per_second", 2000},
         {"keepalive_ms", 0},
         {"keepalive_every", 0},
         {"coalesce_every", 0},
         {"split_every", 0},
         {"default_text", "Sure, what day works for you?"},
         {"rules",
          {{{"when", {{"last_role", "user"}, {"contains", {"book", "appointment"}}}},
            {"tool_calls",
             {{{"name", "check_availability"}, {"arguments", {{"date", "2026-06-02"}, {"note", "a \"quoted\" \\ path"}}}},
              {{"name", "lookup_customer"}, {"arguments", R"({"phone":"+15550001111"})"}}}}},
           {{"when", {{"last_role", "tool"}, {"tool_result_for", "check_availability"}}},
            {"say", "I have 9:00 or 10:30 on Tuesday. Which works?"}}}}};
  o.merge_patch(extra);
  return json{{"openai", o}};
}

struct parsed_stream {
  sse_stream_view sse;
  std::vector<json> chunks;  ///< every data event but [DONE]
};

parsed_stream parse_stream(const http_exchange& ex) {
  parsed_stream p;
  p.sse = parse_sse(ex.body);
  for (const auto& d : p.sse.data)
    if (d != "[DONE]") p.chunks.push_back(json::parse(d));
  return p;
}

http_exchange chat(const mock_server& m, const json& body, header_list headers = chat_headers(), ms total = 5000ms,
                   ms idle = 5000ms) {
  return http_call(m.openai_port(), http::verb::post, "/v1/chat/completions", body.dump(), headers, total, idle);
}

} // namespace

TEST_CASE("OpenAI without a Bearer key answers 401 with the four-key error body", "[mocks][openai]") {
  auto mocks = start_mocks(llm());
  auto r = chat(*mocks, request({user("hi")}), {{"Content-Type", "application/json"}});
  CHECK(r.status == 401);
  auto err = parse_body(r)["error"];
  CHECK(err["type"] == "invalid_request_error");
  CHECK(err.contains("message"));
  CHECK(err.contains("param"));
  CHECK(err.contains("code"));
  auto keyed = start_mocks(json{{"openai", {{"api_key", "sk-right"}}}});
  auto wrong = chat(*keyed, request({user("hi")}), bearer("sk-wrong"));
  CHECK(wrong.status == 401);
  CHECK(parse_body(wrong)["error"]["code"] == "invalid_api_key");
}

TEST_CASE("OpenAI rejects malformed bodies and broken tool-call sequences with 400", "[mocks][openai]") {
  auto mocks = start_mocks(llm());
  CHECK(http_call(mocks->openai_port(), http::verb::post, "/v1/chat/completions", "{not json", chat_headers()).status == 400);
  CHECK(chat(*mocks, json{{"model", "gpt-4o-mini"}, {"messages", json::array()}}).status == 400);
  CHECK(chat(*mocks, json{{"messages", {user("hi")}}}).status == 400);
  CHECK(chat(*mocks, json{{"model", "m"}, {"messages", {user("hi")}}, {"stream_options", {{"include_usage", true}}}}).status ==
        400);

  json call{{"role", "assistant"},
            {"content", nullptr},
            {"tool_calls",
             {{{"id", "call_a1"}, {"type", "function"}, {"function", {{"name", "check_availability"}, {"arguments", "{}"}}}},
              {{"id", "call_a2"}, {"type", "function"}, {"function", {{"name", "lookup_customer"}, {"arguments", "{}"}}}}}}};
  json tool_a1{{"role", "tool"}, {"tool_call_id", "call_a1"}, {"content", "{}"}};
  json tool_a2{{"role", "tool"}, {"tool_call_id", "call_a2"}, {"content", "{}"}};

  SECTION("a call id without its tool message") {
    auto r = chat(*mocks, request({user("book"), call, tool_a1, user("and?")}));
    CHECK(r.status == 400);
    auto err = parse_body(r)["error"];
    CHECK(err["type"] == "invalid_request_error");
    CHECK(err["message"].get<std::string>().find("call_a2") != std::string::npos);
    CHECK(err["param"] == "messages.[1].role");
  }
  SECTION("a tool message answering nothing") {
    auto r = chat(*mocks, request({user("book"), tool_a1}));
    CHECK(r.status == 400);
  }
  SECTION("every call answered is fine") {
    auto r = chat(*mocks, request({user("book"), call, tool_a1, tool_a2}));
    CHECK(r.status == 200);
  }
  SECTION("strict tools need additionalProperties false") {
    auto body = request({user("hi")});
    body["tools"][0]["function"]["parameters"].erase("additionalProperties");
    CHECK(chat(*mocks, body).status == 400);
  }
  auto rejected = mocks->log("openai", 0, "openai.rejected");
  CHECK_FALSE(rejected.empty());
}

TEST_CASE("OpenAI streams a text reply exactly as the SSE protocol says", "[mocks][openai]") {
  auto mocks = start_mocks(llm(json{{"keepalive_every", 3}}));
  auto r = chat(*mocks, request({user("hello")}));
  REQUIRE(r.complete);
  CHECK(r.status == 200);
  CHECK(std::string(r.headers[http::field::content_type]).rfind("text/event-stream", 0) == 0);
  CHECK(std::string(r.headers[http::field::transfer_encoding]) == "chunked");
  auto p = parse_stream(r);
  CHECK(p.sse.done);
  CHECK(p.sse.data.back() == "[DONE]");
  CHECK(p.sse.comments > 0);
  REQUIRE(p.chunks.size() >= 4);
  // Role chunk first, same id/created everywhere, usage null on every choice chunk.
  CHECK(p.chunks[0]["choices"][0]["delta"]["role"] == "assistant");
  std::string text;
  for (const auto& c : p.chunks) {
    CHECK(c["id"] == p.chunks[0]["id"]);
    CHECK(c["created"] == p.chunks[0]["created"]);
    CHECK(c["object"] == "chat.completion.chunk");
    if (c["choices"].empty()) continue;
    CHECK(c.contains("usage"));
    CHECK(c["usage"].is_null());
    const auto& d = c["choices"][0]["delta"];
    if (d.contains("content") && d["content"].is_string()) text += d["content"].get<std::string>();
  }
  CHECK(text == "Sure, what day works for you?");
  const auto& finish = p.chunks[p.chunks.size() - 2];
  CHECK(finish["choices"][0]["finish_reason"] == "stop");
  CHECK(finish["choices"][0]["delta"] == json::object());
  const auto& usage = p.chunks.back();
  CHECK(usage["choices"].empty());
  CHECK(usage["usage"]["total_tokens"].get<int>() ==
        usage["usage"]["prompt_tokens"].get<int>() + usage["usage"]["completion_tokens"].get<int>());
}

TEST_CASE("OpenAI without include_usage sends no usage chunk and no usage field", "[mocks][openai]") {
  auto mocks = start_mocks(llm());
  auto p = parse_stream(chat(*mocks, request({user("hello")}, true, false)));
  REQUIRE_FALSE(p.chunks.empty());
  for (const auto& c : p.chunks) {
    CHECK_FALSE(c.contains("usage"));
    CHECK_FALSE(c["choices"].empty());
  }
  CHECK(p.chunks.back()["choices"][0]["finish_reason"] == "stop");
}

TEST_CASE("OpenAI streams tool calls as fragments cut at awkward places, with a parallel second call",
          "[mocks][openai]") {
  auto mocks = start_mocks(llm());
  auto r = chat(*mocks, request({user("Can I book an oil change?")}));
  REQUIRE(r.complete);
  auto p = parse_stream(r);
  CHECK(p.chunks[0]["choices"][0]["delta"]["role"] == "assistant");
  CHECK(p.chunks[0]["choices"][0]["delta"]["content"].is_null());
  std::map<int, std::string> args, names, ids;
  std::vector<int> order;
  std::vector<std::string> fragments0;
  for (const auto& c : p.chunks) {
    if (c["choices"].empty()) continue;
    const auto& d = c["choices"][0]["delta"];
    if (!d.contains("tool_calls")) continue;
    const auto& tc = d["tool_calls"][0];
    const int idx = tc["index"];
    if (order.empty() || order.back() != idx) order.push_back(idx);
    if (tc.contains("id")) {
      // First fragment: index, id, type, name and empty arguments.
      CHECK(tc["type"] == "function");
      CHECK(tc["function"]["arguments"] == "");
      CHECK_FALSE(ids.count(idx));
      ids[idx] = tc["id"];
      names[idx] = tc["function"]["name"];
    } else {
      // Later fragments: only index and arguments.
      CHECK(tc.size() == 2);
      CHECK(tc["function"].size() == 1);
      args[idx] += tc["function"]["arguments"].get<std::string>();
      if (idx == 0) fragments0.push_back(tc["function"]["arguments"]);
    }
  }
  CHECK(order == std::vector<int>{0, 1});  // all of call 0, then call 1
  CHECK(names[0] == "check_availability");
  CHECK(names[1] == "lookup_customer");
  CHECK(ids[0].rfind("call_", 0) == 0);
  CHECK(ids[0] != ids[1]);
  CHECK(json::parse(args[0]) == json{{"date", "2026-06-02"}, {"note", "a \"quoted\" \\ path"}});
  CHECK(json::parse(args[1]) == json{{"phone", "+15550001111"}});
  REQUIRE(fragments0.size() >= 4);
  // Cut inside the first key, and right after a backslash.
  CHECK(fragments0[0].size() <= 3);
  bool after_backslash = false;
  for (std::size_t i = 0; i + 1 < fragments0.size(); ++i)
    if (!fragments0[i].empty() && fragments0[i].back() == '\\') after_backslash = true;
  CHECK(after_backslash);
  CHECK(p.chunks[p.chunks.size() - 2]["choices"][0]["finish_reason"] == "tool_calls");
  auto logged = mocks->log("openai", 0, "openai.request");
  REQUIRE(logged.size() == 1);
  CHECK(logged[0]["rule"] == 0);
  CHECK(logged[0]["tools"] == json::array({"check_availability", "lookup_customer", "book_appointment"}));
  CHECK(logged[0]["messages"][0]["content"] == "Can I book an oil change?");
  CHECK(logged[0]["reply"]["tool_calls"][0]["id"] == ids[0]);
}

TEST_CASE("OpenAI rules: a tool result gets the scripted text, parallel_tool_calls=false makes one call",
          "[mocks][openai]") {
  auto mocks = start_mocks(llm());
  SECTION("tool result") {
    json call{{"role", "assistant"},
              {"content", nullptr},
              {"tool_calls",
               {{{"id", "call_x"}, {"type", "function"}, {"function", {{"name", "check_availability"}, {"arguments", "{}"}}}}}}};
    auto p = parse_stream(chat(*mocks, request({user("book"), call, {{"role", "tool"}, {"tool_call_id", "call_x"}, {"content", "[]"}}})));
    std::string text;
    for (const auto& c : p.chunks)
      if (!c["choices"].empty() && c["choices"][0]["delta"].contains("content") &&
          c["choices"][0]["delta"]["content"].is_string())
        text += c["choices"][0]["delta"]["content"].get<std::string>();
    CHECK(text == "I have 9:00 or 10:30 on Tuesday. Which works?");
  }
  SECTION("no parallel calls") {
    auto body = request({user("book please")});
    body["parallel_tool_calls"] = false;
    auto p = parse_stream(chat(*mocks, body));
    std::set<int> indexes;
    for (const auto& c : p.chunks)
      if (!c["choices"].empty() && c["choices"][0]["delta"].contains("tool_calls"))
        indexes.insert(c["choices"][0]["delta"]["tool_calls"][0]["index"].get<int>());
    CHECK(indexes == std::set<int>{0});
  }
  SECTION("a rule calling a tool the request does not offer does not match") {
    json body{{"model", "gpt-4o-mini"}, {"stream", true}, {"messages", {user("book it")}}};
    auto p = parse_stream(chat(*mocks, body));
    CHECK(p.chunks[p.chunks.size() - 1]["choices"][0]["finish_reason"] == "stop");
  }
}

TEST_CASE("OpenAI non-streaming requests get one chat.completion object", "[mocks][openai]") {
  auto mocks = start_mocks(llm());
  auto r = chat(*mocks, request({user("book")}, false));
  REQUIRE(r.status == 200);
  auto j = parse_body(r);
  CHECK(j["object"] == "chat.completion");
  CHECK(j["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(j["choices"][0]["message"]["tool_calls"].size() == 2);
  CHECK(j["usage"]["total_tokens"].get<int>() > 0);
}

TEST_CASE("OpenAI timing: first token after ttft, then tokens_per_second", "[mocks][openai]") {
  auto mocks = start_mocks(llm(json{{"ttft_ms", 300}, {"tokens_per_second", 50}, {"default_text", "one two three four five six seven eight nine ten"}}));
  auto r = chat(*mocks, request({user("hi")}));
  REQUIRE(r.complete);
  CHECK(r.header_ms < 150);  // headers at once, the first token later
  REQUIRE(r.arrivals.size() >= 2);
  double first_data = -1;
  for (const auto& [t, n] : r.arrivals)
    if (t >= 0) {
      first_data = t;
      break;
    }
  CHECK(first_data >= 290);
  // 10 pieces at 50/s: about 180 ms after the first.
  CHECK(r.arrivals.back().first >= 300 + 170);
  CHECK(r.arrivals.back().first < 300 + 180 + 400);
}

TEST_CASE("OpenAI wire shaping: keep-alive comments, two events in one write, events cut across writes",
          "[mocks][openai]") {
  auto mocks = start_mocks(llm(json{{"ttft_ms", 250}, {"keepalive_ms", 100}, {"keepalive_every", 4},
                                    {"coalesce_every", 3}, {"split_every", 4}}));
  auto r = chat(*mocks, request({user("hello")}));
  REQUIRE(r.complete);
  int doubles = 0, partial = 0, keepalives_first = 0;
  for (const auto& c : r.chunks) {
    std::size_t count = 0;
    for (std::size_t pos = 0; (pos = c.find("data: ", pos)) != std::string::npos; pos += 6) ++count;
    if (count >= 2) ++doubles;
    if (c.size() >= 2 && c.substr(c.size() - 2) != "\n\n") ++partial;
  }
  if (!r.chunks.empty() && r.chunks[0].rfind(": keep-alive", 0) == 0) ++keepalives_first;
  CHECK(doubles >= 1);
  CHECK(partial >= 1);
  CHECK(keepalives_first == 1);  // a comment while waiting for the first token
  // Whatever the cuts, the stream parses to the same reply.
  auto p = parse_stream(r);
  CHECK(p.sse.done);
}

TEST_CASE("OpenAI faults: 429 with retry headers, insufficient_quota, 500 and 503", "[mocks][openai][faults]") {
  SECTION("429 defaults") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "status"}, {"status", 429}}}}}));
    auto r = chat(*mocks, request({user("hi")}));
    CHECK(r.status == 429);
    CHECK(std::string(r.headers["retry-after-ms"]) == "200");
    CHECK(std::string(r.headers[http::field::retry_after]) == "1");
    CHECK(std::string(r.headers["x-should-retry"]) == "true");
    CHECK(parse_body(r)["error"]["code"] == "rate_limit_exceeded");
  }
  SECTION("quota") {
    auto mocks = start_mocks(llm(json{{"faults",
                                       {{{"kind", "status"}, {"status", 429}, {"error_type", "insufficient_quota"},
                                         {"error_code", "insufficient_quota"}, {"should_retry", false}}}}}));
    auto r = chat(*mocks, request({user("hi")}));
    CHECK(parse_body(r)["error"]["type"] == "insufficient_quota");
    CHECK(std::string(r.headers["x-should-retry"]) == "false");
    CHECK(std::string(r.headers["retry-after-ms"]).empty());
  }
  SECTION("500 and 503") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "status"}, {"status", 500}, {"times", 1}},
                                                  {{"kind", "status"}, {"status", 503}, {"times", 1}}}}}));
    auto a = chat(*mocks, request({user("hi")}));
    CHECK(a.status == 500);
    CHECK(parse_body(a)["error"]["type"] == "server_error");
    auto b = chat(*mocks, request({user("hi")}));
    CHECK(b.status == 503);
    CHECK(chat(*mocks, request({user("hi")})).status == 200);
  }
}

TEST_CASE("OpenAI faults inside a 200 stream: error event, no [DONE], drop, stall", "[mocks][openai][faults]") {
  SECTION("mid-stream error event") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "stream_error"}, {"after", 3}}}}}));
    auto r = chat(*mocks, request({user("hello")}));
    CHECK(r.status == 200);
    auto p = parse_stream(r);
    CHECK_FALSE(p.sse.done);
    REQUIRE(p.chunks.size() == 4);
    CHECK(p.chunks.back().contains("error"));
    CHECK(p.chunks.back()["error"]["type"] == "server_error");
  }
  SECTION("close without [DONE]") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "no_done"}}}}}));
    auto r = chat(*mocks, request({user("hello")}));
    CHECK(r.complete);  // the body ends properly, just without [DONE]
    auto p = parse_stream(r);
    CHECK_FALSE(p.sse.done);
    CHECK(p.chunks.back().contains("usage"));
  }
  SECTION("close without [DONE], not even a last chunk") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "no_done"}, {"graceful", false}}}}}));
    auto r = chat(*mocks, request({user("hello")}));
    CHECK_FALSE(r.complete);
    CHECK_FALSE(parse_stream(r).sse.done);
  }
  SECTION("drop after two events") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "drop"}, {"after", 2}}}}}));
    auto r = chat(*mocks, request({user("hello")}));
    CHECK(r.status == 200);
    CHECK_FALSE(r.complete);
    CHECK_FALSE(r.timed_out);
    CHECK(parse_stream(r).chunks.size() <= 2);
  }
  SECTION("drop before any response") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "drop"}}}}}));
    auto r = chat(*mocks, request({user("hello")}));
    CHECK(r.status == 0);
    CHECK(r.ec);
  }
  SECTION("stall keeps the connection open and silent") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "stall"}, {"after", 2}}}}}));
    auto r = chat(*mocks, request({user("hello")}), chat_headers(), 3000ms, 400ms);
    CHECK(r.timed_out);
    CHECK(r.status == 200);
    CHECK(parse_stream(r).chunks.size() == 2);
  }
  SECTION("long first-byte delay") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "delay"}, {"delay_ms", 500}}}}}));
    auto r = chat(*mocks, request({user("hello")}));
    CHECK(r.header_ms >= 480);
    CHECK(r.complete);
  }
}

TEST_CASE("OpenAI fault selection: times, every_nth, seeded probability and the X-Mock-Fault header",
          "[mocks][openai][faults]") {
  SECTION("every third request") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "status"}, {"status", 500}, {"every_nth", 3}}}}}));
    std::vector<unsigned> got;
    for (int i = 0; i < 6; ++i) got.push_back(chat(*mocks, request({user("hi")})).status);
    CHECK(got == std::vector<unsigned>{200, 200, 500, 200, 200, 500});
  }
  SECTION("probability is reproducible with the same seed") {
    auto run = [] {
      auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "status"}, {"status", 500}, {"probability", 0.5}}}}}));
      std::vector<unsigned> got;
      for (int i = 0; i < 12; ++i) got.push_back(chat(*mocks, request({user("hi")})).status);
      return got;
    };
    auto a = run();
    CHECK(a == run());
    CHECK(std::count(a.begin(), a.end(), 500u) > 0);
    CHECK(std::count(a.begin(), a.end(), 200u) > 0);
  }
  SECTION("per request header") {
    auto mocks = start_mocks(llm());
    auto h = chat_headers();
    h.emplace_back("X-Mock-Fault", R"({"kind":"status","status":429,"retry_after_ms":50})");
    auto r = chat(*mocks, request({user("hi")}), h);
    CHECK(r.status == 429);
    CHECK(std::string(r.headers["retry-after-ms"]) == "50");
    CHECK(chat(*mocks, request({user("hi")})).status == 200);
  }
  SECTION("injected mid-run through the control API") {
    auto mocks = start_mocks(llm());
    CHECK(chat(*mocks, request({user("hi")})).status == 200);
    auto c = http_call(mocks->openai_port(), http::verb::post, "/__mock/config",
                       R"({"openai":{"faults":[{"kind":"status","status":503,"times":1}]}})");
    CHECK(c.status == 200);
    CHECK(chat(*mocks, request({user("hi")})).status == 503);
    CHECK(chat(*mocks, request({user("hi")})).status == 200);
  }
}
