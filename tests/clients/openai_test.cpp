// The OpenAI Chat Completions client against the in-process OpenAI mock (protocols.md §7,
// §9.5): streaming text, tool calls in fragments, usage, retries and faults, cancel.
#include "client_fixtures.hpp"

#include "providers/openai/chat_client.hpp"

using namespace ce;
using namespace ce::clients_test;
using http::provider_errc;
using openai::chat_client;

namespace {

const std::string reply = "Sure. I can book that for Tuesday at 9:30 a.m. with our service team. Anything else?";

json llm(json extra = json::object()) {
  json o{{"api_key", "sk-test"},
         {"ttft_ms", 30},
         {"tokens_per_second", 400},
         {"keepalive_ms", 0},
         {"default_text", reply},
         {"rules",
          {{{"when", {{"last_role", "user"}, {"contains", {"book"}}}},
            {"tool_calls",
             {{{"name", "check_availability"}, {"arguments", {{"date", "2026-06-02"}, {"note", "a \"quoted\" \\ path"}}}},
              {{"name", "lookup_customer"}, {"arguments", R"({"phone":"+15550001111"})"}}}}}}}};
  o.merge_patch(extra);
  return json{{"openai", o}};
}

openai::chat_client_options client_options(const mocks::mock_server& m) {
  openai::chat_client_options o;
  o.api_key = "sk-test";
  o.base_url = m.openai_base_url();
  o.retry.initial_backoff = 50ms;
  o.log_context = "call_sid=CAtest role=llm";
  return o;
}

openai::tool_definition tool(const std::string& name) {
  openai::tool_definition t;
  t.name = name;
  t.description = "test tool";
  t.parameters_json = R"({"type":"object","properties":{"date":{"type":"string"}},"required":["date"],"additionalProperties":false})";
  t.strict = true;
  return t;
}

openai::chat_request request(const std::string& user_text) {
  openai::chat_request r;
  r.model = "gpt-4o-mini";
  r.messages = {openai::chat_message::system("You are the service desk of Bart's Automotive."),
                openai::chat_message::user(user_text)};
  r.tools = std::make_shared<const std::vector<openai::tool_definition>>(
    std::vector<openai::tool_definition>{tool("check_availability"), tool("lookup_customer")});
  r.choice.kind = openai::tool_choice::mode::automatic;
  r.parallel_tool_calls = true;
  r.max_completion_tokens = 200;
  r.temperature = 0.3;
  r.deadline = 3000ms;
  r.log_context = "turn=1";
  return r;
}

struct stream_events {
  recorder<std::string> text;
  recorder<std::pair<std::string, double>> sentences;  ///< with seconds since start
  recorder<openai::chat_outcome> done;
  steady::time_point t0 = steady::now();

  openai::chat_callbacks callbacks() {
    openai::chat_callbacks cb;
    cb.on_text = [this](std::string_view d) { text.push(std::string(d)); };
    cb.on_sentence = [this](std::string s) { sentences.push({std::move(s), seconds_since(t0)}); };
    cb.on_done = [this](openai::chat_outcome o) { done.push(std::move(o)); };
    return cb;
  }
  std::string joined() const {
    std::string out;
    for (const auto& t : text.items()) out += t;
    return out;
  }
};

} // namespace

TEST_CASE("OpenAI client streams text as it arrives, the first sentence is ready long before the end",
          "[clients][openai]") {
  auto mocks = start_mocks(llm(json{{"tokens_per_second", 40}, {"keepalive_ms", 100}, {"keepalive_every", 3},
                                    {"coalesce_every", 4}, {"split_every", 5}}));
  io_runner io;
  stream_events ev;
  chat_client client(io.io(), client_options(*mocks));
  ev.t0 = steady::now();
  client.start(request("When is the shop open?"), ev.callbacks());
  REQUIRE(ev.done.wait_for(1, 5000ms));
  const auto out = ev.done.items()[0];
  REQUIRE_FALSE(out.error);
  CHECK(out.completion.text == reply);
  CHECK(ev.joined() == reply);
  CHECK(out.completion.finish_reason == "stop");
  CHECK(out.completion.attempts == 1);
  CHECK(out.content_delivered);
  CHECK(out.completion.id.rfind("chatcmpl-", 0) == 0);
  CHECK_FALSE(out.completion.request_id.empty());
  REQUIRE(out.completion.usage);
  CHECK(out.completion.usage->prompt_tokens > 0);
  CHECK(out.completion.usage->completion_tokens > 0);
  CHECK(out.completion.usage->total_tokens ==
        out.completion.usage->prompt_tokens + out.completion.usage->completion_tokens);

  const auto sentences = ev.sentences.items();
  REQUIRE(sentences.size() == 3);
  CHECK(sentences[0].first == "Sure.");
  CHECK(sentences[1].first == "I can book that for Tuesday at 9:30 a.m. with our service team.");
  CHECK(sentences[2].first == "Anything else?");
  // ~40 pieces at 40 per second: the first sentence is out about a second before the end.
  const double total = seconds_since(ev.t0);
  CHECK(sentences[0].second < total - 0.5);
  CHECK(out.completion.time_to_first_text < 500ms);

  auto reqs = mocks->log("openai", 0, "openai.request");
  REQUIRE(reqs.size() == 1);
  const auto& r = reqs[0];
  CHECK(r["stream"] == true);
  CHECK(r["stream_options"] == json{{"include_usage", true}});
  CHECK(r["model"] == "gpt-4o-mini");
  CHECK(r["tool_choice"] == "auto");
  CHECK(r["parallel_tool_calls"] == true);
  CHECK(r["max_completion_tokens"] == 200);
  CHECK(r["temperature"].get<double>() == Approx(0.3));
  CHECK(r["tools"] == json::array({"check_availability", "lookup_customer"}));
  CHECK(r["messages"].size() == 2);
  CHECK(r["headers"]["authorization"] == "Bearer sk-test");
  CHECK(r["headers"]["content-type"] == "application/json");
}

TEST_CASE("OpenAI client joins tool-call fragments by index, parallel calls included, and parses them at the end",
          "[clients][openai]") {
  auto mocks = start_mocks(llm(json{{"coalesce_every", 3}, {"split_every", 4}}));
  io_runner io;
  stream_events ev;
  chat_client client(io.io(), client_options(*mocks));
  client.start(request("I want to book an oil change"), ev.callbacks());
  REQUIRE(ev.done.wait_for(1));
  const auto out = ev.done.items()[0];
  REQUIRE_FALSE(out.error);
  CHECK(ev.text.size() == 0);
  CHECK_FALSE(out.content_delivered);
  CHECK(out.completion.finish_reason == "tool_calls");
  REQUIRE(out.completion.tool_calls.size() == 2);
  const auto& a = out.completion.tool_calls[0];
  const auto& b = out.completion.tool_calls[1];
  CHECK(a.index == 0);
  CHECK(a.name == "check_availability");
  CHECK(a.id.rfind("call_", 0) == 0);
  CHECK(a.arguments_valid);
  CHECK(json::parse(a.arguments) == json{{"date", "2026-06-02"}, {"note", "a \"quoted\" \\ path"}});
  CHECK(b.index == 1);
  CHECK(b.name == "lookup_customer");
  CHECK(b.id != a.id);
  CHECK(json::parse(b.arguments) == json{{"phone", "+15550001111"}});
  REQUIRE(out.completion.usage);

  // The follow-up request with both tool results is accepted by the mock's validation.
  auto follow = request("I want to book an oil change");
  std::vector<openai::tool_call> calls;
  for (const auto& c : out.completion.tool_calls) calls.push_back({c.id, c.name, c.arguments});
  follow.messages.push_back(openai::chat_message::assistant_calls(calls));
  follow.messages.push_back(openai::chat_message::tool(a.id, R"({"free":["09:00","10:30"]})"));
  follow.messages.push_back(openai::chat_message::tool(b.id, R"({"name":"Jane"})"));
  stream_events ev2;
  client.start(follow, ev2.callbacks());
  REQUIRE(ev2.done.wait_for(1));
  CHECK_FALSE(ev2.done.items()[0].error);
  auto reqs = mocks->log("openai", 0, "openai.request");
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[1]["messages"][2]["content"].is_null());
  CHECK(reqs[1]["messages"][2]["tool_calls"].size() == 2);
}

TEST_CASE("OpenAI client with parallel_tool_calls=false and tool_choice none", "[clients][openai]") {
  auto mocks = start_mocks(llm());
  io_runner io;
  chat_client client(io.io(), client_options(*mocks));
  {
    stream_events ev;
    auto r = request("book it");
    r.parallel_tool_calls = false;
    client.start(r, ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    CHECK(ev.done.items()[0].completion.tool_calls.size() == 1);
  }
  {
    stream_events ev;
    auto r = request("book it");
    r.choice.kind = openai::tool_choice::mode::none;
    client.start(r, ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    CHECK(ev.done.items()[0].completion.tool_calls.empty());
    CHECK(ev.done.items()[0].completion.text == reply);
  }
  auto reqs = mocks->log("openai", 0, "openai.request");
  CHECK(reqs[0]["parallel_tool_calls"] == false);
  CHECK(reqs[1]["tool_choice"] == "none");
}

TEST_CASE("OpenAI client: an error inside a 200 stream", "[clients][openai][faults]") {
  io_runner io;
  SECTION("after text was delivered: reported, not retried") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "stream_error"}, {"after", 3}}}}}));
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    CHECK(out.error->code == provider_errc::server_error);
    CHECK(out.error->http_status == 200);
    CHECK(out.content_delivered);
    CHECK_FALSE(out.completion.text.empty());
    CHECK(out.completion.attempts == 1);
    CHECK(mocks->log("openai", 0, "openai.request").size() == 1);
  }
  SECTION("before any text: retried") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "stream_error"}, {"after", 1}, {"times", 1}}}}}));
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    CHECK_FALSE(out.error);
    CHECK(out.completion.text == reply);
    CHECK(ev.joined() == reply);  // nothing delivered twice
    CHECK(out.completion.attempts == 2);
  }
}

TEST_CASE("OpenAI client: a stream that ends without [DONE] is truncated", "[clients][openai][faults]") {
  io_runner io;
  for (bool graceful : {true, false}) {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "no_done"}, {"graceful", graceful}}}}}));
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    INFO(out.error->describe());
    CHECK(out.error->code == (graceful ? provider_errc::truncated : provider_errc::connection_lost));
    CHECK(out.content_delivered);
    CHECK(mocks->log("openai", 0, "openai.request").size() == 1);
  }
}

TEST_CASE("OpenAI client retries 429 rate_limit_exceeded after retry-after-ms, then succeeds", "[clients][openai][faults]") {
  auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "status"}, {"status", 429}, {"times", 1}, {"retry_after_ms", 300}}}}}));
  io_runner io;
  stream_events ev;
  chat_client client(io.io(), client_options(*mocks));
  const auto t0 = steady::now();
  client.start(request("hello"), ev.callbacks());
  REQUIRE(ev.done.wait_for(1));
  const auto out = ev.done.items()[0];
  CHECK_FALSE(out.error);
  CHECK(out.completion.attempts == 2);
  CHECK(seconds_since(t0) >= 0.3);
  CHECK(mocks->log("openai", 0, "openai.fault").size() == 1);
  CHECK(mocks->log("openai", 0, "openai.request").size() == 1);  // the 429 is logged as a fault
}

TEST_CASE("OpenAI client does not retry insufficient_quota (even with x-should-retry: true) or 401/400",
          "[clients][openai][faults]") {
  io_runner io;
  SECTION("insufficient_quota") {
    auto mocks = start_mocks(llm(json{{"faults",
                                       {{{"kind", "status"}, {"status", 429}, {"error_type", "insufficient_quota"},
                                         {"error_code", "insufficient_quota"}}}}}));
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    CHECK(out.error->code == provider_errc::quota_exhausted);
    CHECK(out.error->is_permanent());
    CHECK(out.error->should_retry == std::optional<bool>(true));  // the header said so; ignored
    CHECK(out.completion.attempts == 1);
    CHECK(mocks->log("openai", 0, "openai.fault").size() == 1);
  }
  SECTION("401") {
    auto mocks = start_mocks(llm());
    stream_events ev;
    auto opt = client_options(*mocks);
    opt.api_key = "sk-wrong";
    chat_client client(io.io(), opt);
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    CHECK(out.error->code == provider_errc::unauthenticated);
    CHECK(out.error->describe().find("sk-wrong") == std::string::npos);
    CHECK(mocks->log("openai", 0, "openai.rejected").size() == 1);
  }
  SECTION("400 (a tool call without its tool message)") {
    auto mocks = start_mocks(llm());
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    auto r = request("hello");
    r.messages.push_back(openai::chat_message::assistant_calls({{"call_x", "check_availability", R"({"date":"x"})"}}));
    r.messages.push_back(openai::chat_message::user("and?"));
    client.start(r, ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    CHECK(out.error->code == provider_errc::bad_request);
    CHECK(out.error->http_status == 400);
    CHECK(mocks->log("openai", 0, "openai.rejected").size() == 1);
  }
}

TEST_CASE("OpenAI client retries 500 and 503 and a connection dropped before the answer", "[clients][openai][faults]") {
  io_runner io;
  for (const auto& fault : {json{{"kind", "status"}, {"status", 500}, {"times", 1}},
                            json{{"kind", "status"}, {"status", 503}, {"times", 1}},
                            json{{"kind", "drop"}, {"times", 1}},
                            json{{"kind", "drop"}, {"after", 1}, {"times", 1}}}) {
    INFO(fault.dump());
    auto mocks = start_mocks(llm(json{{"faults", {fault}}}));
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    CHECK_FALSE(out.error);
    CHECK(out.completion.attempts == 2);
    CHECK(ev.joined() == reply);
  }
}

TEST_CASE("OpenAI client gives up on a 500 that keeps coming once the deadline is used", "[clients][openai][faults]") {
  auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "status"}, {"status", 500}}}}}));
  io_runner io;
  stream_events ev;
  auto opt = client_options(*mocks);
  opt.retry.max_attempts = 10;
  opt.retry.initial_backoff = 200ms;
  chat_client client(io.io(), opt);
  auto r = request("hello");
  r.deadline = 900ms;
  const auto t0 = steady::now();
  client.start(r, ev.callbacks());
  REQUIRE(ev.done.wait_for(1));
  const auto out = ev.done.items()[0];
  REQUIRE(out.error);
  CHECK(out.error->code == provider_errc::server_error);
  CHECK(out.completion.attempts >= 2);
  CHECK(out.completion.attempts <= 4);
  CHECK(seconds_since(t0) < 1.0);
}

TEST_CASE("OpenAI client first-byte timeout and mid-stream stall", "[clients][openai][faults]") {
  io_runner io;
  SECTION("a first byte that never comes in time is retried within the deadline, then reported") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "delay"}, {"delay_ms", 3000}}}}}));
    stream_events ev;
    auto opt = client_options(*mocks);
    opt.first_byte_timeout = 300ms;
    chat_client client(io.io(), opt);
    auto r = request("hello");
    r.deadline = 1000ms;
    const auto t0 = steady::now();
    client.start(r, ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    CHECK(out.error->code == provider_errc::timeout);
    CHECK(out.completion.attempts >= 2);
    CHECK(seconds_since(t0) < 1.4);
  }
  SECTION("a slow first byte within the timeout is fine") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "delay"}, {"delay_ms", 300}}}}}));
    stream_events ev;
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    CHECK_FALSE(ev.done.items()[0].error);
  }
  SECTION("a stall before the answer is retried") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "stall"}, {"times", 1}, {"stall_ms", 5000}}}}}));
    stream_events ev;
    auto opt = client_options(*mocks);
    opt.first_byte_timeout = 400ms;
    chat_client client(io.io(), opt);
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    CHECK_FALSE(out.error);
    CHECK(out.completion.attempts == 2);
  }
  SECTION("a stall after text was delivered is a timeout, not retried") {
    auto mocks = start_mocks(llm(json{{"faults", {{{"kind", "stall"}, {"after", 3}, {"stall_ms", 5000}}}}}));
    stream_events ev;
    auto opt = client_options(*mocks);
    opt.idle_timeout = 400ms;
    chat_client client(io.io(), opt);
    const auto t0 = steady::now();
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.done.wait_for(1));
    const auto out = ev.done.items()[0];
    REQUIRE(out.error);
    CHECK(out.error->code == provider_errc::timeout);
    CHECK(out.content_delivered);
    CHECK(seconds_since(t0) < 1.5);
    CHECK(mocks->log("openai", 0, "openai.request").size() == 1);
  }
}

TEST_CASE("OpenAI client cancel aborts a stream at once: no more text, no on_done, socket closed",
          "[clients][openai]") {
  auto mocks = start_mocks(llm(json{{"tokens_per_second", 20}}));
  io_runner io;
  stream_events ev;
  chat_client client(io.io(), client_options(*mocks));
  std::uint64_t id = 0;
  recorder<int> first;
  auto cb = ev.callbacks();
  auto on_text = cb.on_text;
  cb.on_text = [&, on_text](std::string_view d) {
    on_text(d);
    first.push(1);
  };
  id = client.start(request("hello"), cb);
  REQUIRE(first.wait_for(1));
  client.cancel(id);
  const auto after_cancel = ev.text.size();
  CHECK(mocks->wait_for_log("openai", "openai.request", 1, 1000ms).size() == 1);
  // The mock's stream ends as soon as its next write fails.
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    closed = mocks->stats()["openai"]["open"] == 0;
    if (!closed) std::this_thread::sleep_for(50ms);
  }
  CHECK(closed);
  CHECK(ev.done.size() == 0);
  CHECK(ev.text.size() <= after_cancel + 1);  // at most one delta already on its way

  // cancel_all, from another thread, stops every stream.
  stream_events ev2, ev3;
  client.start(request("hello"), ev2.callbacks());
  client.start(request("hello"), ev3.callbacks());
  REQUIRE(ev2.text.wait_for(1));
  REQUIRE(ev3.text.wait_for(1));
  client.cancel_all();
  std::this_thread::sleep_for(300ms);  // several deltas' worth: none may arrive
  const auto n2 = ev2.text.size(), n3 = ev3.text.size();
  std::this_thread::sleep_for(200ms);
  CHECK(ev2.text.size() == n2);
  CHECK(ev3.text.size() == n3);
  CHECK(ev2.done.size() == 0);
  CHECK(ev3.done.size() == 0);
}

TEST_CASE("OpenAI client destroyed mid-stream calls nothing afterwards and leaves nothing pending", "[clients][openai]") {
  auto mocks = start_mocks(llm(json{{"tokens_per_second", 20}}));
  io_runner io;
  stream_events ev;
  {
    chat_client client(io.io(), client_options(*mocks));
    client.start(request("hello"), ev.callbacks());
    REQUIRE(ev.text.wait_for(1));
  }
  const auto n = ev.text.size();
  CHECK(io.drain(3000ms));
  CHECK(ev.text.size() == n);
  CHECK(ev.done.size() == 0);
}
