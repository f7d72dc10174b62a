#include "mocks/openai_mock.hpp"

#include "mocks/openai_script.hpp"

#include <cstdio>
#include <ctime>

namespace ce::mocks {
namespace {

constexpr std::string_view keepalive_comment = ": keep-alive\n\n";
/// Gap between the two halves of an event cut across writes.
constexpr auto split_gap = std::chrono::milliseconds(2);

struct stream_shape {
  std::chrono::microseconds ttft{0};
  std::chrono::microseconds interval{0};
  std::chrono::milliseconds keepalive{0};
  int keepalive_every = 0;
  int coalesce_every = 0;
  int split_every = 0;
};

/// One SSE answer on a socket taken over from the HTTP connection.
class sse_stream final : public session_base, public std::enable_shared_from_this<sse_stream> {
public:
  sse_stream(openai_service& svc, beast::tcp_stream&& stream, beast::flat_buffer&& buffer, route_table routes,
             http::response<http::empty_body> header, std::vector<std::string> events, std::size_t paced_events,
             stream_shape shape, std::optional<fault_rule> fault, std::string request_id)
    : svc_(svc), stream_(std::move(stream)), exec_(stream_.get_executor()), buffer_(std::move(buffer)), routes_(routes),
      timer_(stream_.get_executor()), header_(std::move(header)), events_(std::move(events)),
      paced_(paced_events), shape_(shape), fault_(std::move(fault)), request_id_(std::move(request_id)),
      keep_alive_(header_.keep_alive()) {}

  ~sse_stream() override {
    svc_.streams().remove(registry_id_);
    svc_.ctx().log.counters(service::openai).open.fetch_sub(1);
  }

  void start(std::chrono::milliseconds first_byte) {
    registry_id_ = svc_.streams().add(weak_from_this());
    svc_.ctx().log.counters(service::openai).open.fetch_add(1);
    timer_.expires_after(first_byte);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->write_header();
    });
  }

  void kill() override {
    asio::post(exec_, [self = shared_from_this()] {
      self->done_ = true;
      self->timer_.cancel();
      drop_socket(self->stream_.socket());
    });
  }

private:
  void write_header() {
    serializer_.emplace(header_);
    http::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->t0_ = steady::now();
      self->last_write_ = self->t0_;
      self->tick();
    });
  }

  /// When event `i` may go out: the role chunk with the first token at ttft, then one
  /// token per interval; the finish, usage and [DONE] right after the last token.
  steady::time_point due(std::size_t i) const {
    const std::size_t step = std::min(i, paced_ + 1);
    const auto n = static_cast<std::int64_t>(step == 0 ? 0 : step - 1);
    return t0_ + shape_.ttft + shape_.interval * n;
  }

  void tick() {
    if (done_) return;
    if (next_ >= events_.size()) return end_stream(true);
    const bool is_done_event = next_ + 1 == events_.size();
    if (fault_) {
      const auto k = fault_->kind;
      if (k == fault_kind::no_done && is_done_event) return fire();
      if ((k == fault_kind::drop || k == fault_kind::stall || k == fault_kind::stream_error) &&
          static_cast<std::int64_t>(sent_) >= fault_->after)
        return fire();
    }
    const auto now = steady::now();
    const auto at = due(next_);
    if (at > now) {
      if (shape_.keepalive.count() > 0 && now - last_write_ >= shape_.keepalive) return write(std::string(keepalive_comment));
      auto wake = at;
      if (shape_.keepalive.count() > 0 && last_write_ + shape_.keepalive < wake) wake = last_write_ + shape_.keepalive;
      timer_.expires_at(wake);
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->tick();
      });
      return;
    }
    std::string payload = events_[next_++];
    ++sent_;
    ++writes_;
    const bool room_before_fault = !fault_ || fault_->kind == fault_kind::no_done ||
                                   static_cast<std::int64_t>(sent_ + 1) <= fault_->after;
    // Some writes carry two events (the client must not assume one event per read).
    if (shape_.coalesce_every > 0 && writes_ % shape_.coalesce_every == 0 && next_ + 1 < events_.size() &&
        room_before_fault) {
      payload += events_[next_++];
      ++sent_;
    }
    if (shape_.keepalive_every > 0 && sent_ % static_cast<std::size_t>(shape_.keepalive_every) == 0)
      payload += keepalive_comment;
    // Some events are cut in two writes (the client must buffer partial lines).
    if (shape_.split_every > 0 && writes_ % shape_.split_every == 0 && payload.size() > 16) {
      const std::size_t cut = payload.size() / 2;
      tail_ = payload.substr(cut);
      payload.resize(cut);
    }
    write(std::move(payload));
  }

  void write(std::string payload) {
    chunk_ = std::move(payload);
    last_write_ = steady::now();
    svc_.ctx().log.counters(service::openai).bytes_out.fetch_add(chunk_.size(), std::memory_order_relaxed);
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->after_write();
    });
  }

  void after_write() {
    if (tail_.empty()) return tick();
    timer_.expires_after(split_gap);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->write(std::move(self->tail_));
      self->tail_.clear();
    });
  }

  void fire() {
    auto& log = svc_.ctx().log;
    log.counters(service::openai).faults.fetch_add(1);
    log.add(service::openai, "openai.fault",
            {{"kind", to_string(fault_->kind)}, {"after_events", sent_}, {"request_id", request_id_}});
    switch (fault_->kind) {
    case fault_kind::drop:
      done_ = true;
      return drop_socket(stream_.socket());
    case fault_kind::stall:
      done_ = true;
      return hold_open(std::move(stream_), std::chrono::milliseconds(fault_->stall_ms));
    case fault_kind::stream_error: {
      const std::string msg = fault_->message.empty()
                                ? "The server had an error while processing your request. Sorry about that!"
                                : fault_->message;
      const std::string type = fault_->error_type.empty() ? "server_error" : fault_->error_type;
      keep_alive_ = false;
      events_.resize(next_);
      events_.push_back(chunk_builder::error_event(msg, type));
      fault_.reset();
      return tick();
    }
    case fault_kind::no_done:
      keep_alive_ = false;
      return end_stream(fault_->graceful);
    default:
      return end_stream(true);
    }
  }

  void end_stream(bool terminate_body) {
    done_ = true;
    if (!terminate_body) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.socket().close(ignored);
      return;
    }
    asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (self->keep_alive_) return resume_http(std::move(self->stream_), std::move(self->buffer_), self->routes_);
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  openai_service& svc_;
  beast::tcp_stream stream_;
  const asio::any_io_executor exec_;  ///< the strand, for kill() from other threads
  beast::flat_buffer buffer_;
  route_table routes_;
  asio::steady_timer timer_;
  http::response<http::empty_body> header_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::vector<std::string> events_;
  std::size_t paced_;
  stream_shape shape_;
  std::optional<fault_rule> fault_;
  std::string request_id_;
  bool keep_alive_;
  std::string chunk_;
  std::string tail_;
  steady::time_point t0_;
  steady::time_point last_write_;
  std::size_t next_ = 0;
  std::size_t sent_ = 0;
  int writes_ = 0;
  std::uint64_t registry_id_ = 0;
  bool done_ = false;
};

std::string request_id_of(std::uint64_t serial) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "req_mock%024llx", static_cast<unsigned long long>(serial * 0x9E3779B97F4A7C15ull));
  return buf;
}

http_response openai_error_response(const http_request& req, const openai_error& e, const std::string& request_id) {
  auto res = json_response(req, e.status, e.body());
  res.set("x-request-id", request_id);
  return res;
}

/// The answer to a fired `status` fault.
http_response status_fault_response(const http_request& req, const fault_rule& f, const std::string& request_id) {
  openai_error e;
  e.status = static_cast<unsigned>(f.status);
  if (f.status == 429) {
    e.message = "Rate limit reached for requests. Please try again in 200ms.";
    e.type = "requests";
    e.code = "rate_limit_exceeded";
  } else if (f.status == 503) {
    e.message = "The engine is currently overloaded, please try again later.";
    e.type = "server_error";
    e.code = "server_is_overloaded";
  } else if (f.status >= 500) {
    e.message = "The server had an error while processing your request. Sorry about that!";
    e.type = "server_error";
  } else {
    e.message = "The mock was told to fail this request.";
  }
  if (!f.message.empty()) e.message = f.message;
  if (!f.error_type.empty()) e.type = f.error_type;
  if (!f.error_code.empty()) e.code = f.error_code;
  auto res = openai_error_response(req, e, request_id);
  if (f.status == 429) {
    const bool none = !f.retry_after_ms && !f.retry_after && !f.should_retry;
    if (none || f.retry_after_ms) res.set("retry-after-ms", std::to_string(f.retry_after_ms.value_or(200)));
    if (none || f.retry_after) res.set(http::field::retry_after, f.retry_after.value_or("1"));
    if (none || f.should_retry) res.set("x-should-retry", f.should_retry.value_or(true) ? "true" : "false");
  } else {
    if (f.retry_after_ms) res.set("retry-after-ms", std::to_string(*f.retry_after_ms));
    if (f.retry_after) res.set(http::field::retry_after, *f.retry_after);
    if (f.should_retry) res.set("x-should-retry", *f.should_retry ? "true" : "false");
  }
  return res;
}

nlohmann::json request_summary(const nlohmann::json& body, bool full) {
  nlohmann::json out{{"model", body.value("model", "")},
                     {"stream", body.value("stream", false)},
                     {"messages", body["messages"]}};
  nlohmann::json tools = nlohmann::json::array();
  if (body.contains("tools") && body["tools"].is_array())
    for (const auto& t : body["tools"]) tools.push_back(t["function"].value("name", ""));
  out["tools"] = std::move(tools);
  for (const char* k : {"tool_choice", "parallel_tool_calls", "stream_options", "temperature", "max_completion_tokens",
                        "max_tokens"})
    if (body.contains(k)) out[k] = body[k];
  if (full) out["body"] = body;
  return out;
}

} // namespace

openai_service::openai_service(mock_context& ctx) : ctx_(ctx) {}

void openai_service::handle(http_request&& req, const connection_ptr& conn) {
  const auto parts = split_target(req.target());
  if (parts.path == "/v1/chat/completions" || parts.path == "/chat/completions") {
    if (req.method() != http::verb::post) {
      openai_error e;
      e.status = 405;
      e.message = "Method not allowed: use POST.";
      return conn->reply(openai_error_response(req, e, request_id_of(++serial_)));
    }
    return chat(std::move(req), conn);
  }
  if (parts.path == "/v1/models" && req.method() == http::verb::get) {
    return conn->reply(json_response(
      req, 200,
      nlohmann::json{{"object", "list"},
                     {"data", nlohmann::json::array({{{"id", "gpt-4o-mini"}, {"object", "model"}, {"owned_by", "mock"}}})}}));
  }
  openai_error e;
  e.status = 404;
  e.message = "Invalid URL (" + std::string(req.method_string()) + " " + parts.path + ")";
  conn->reply(openai_error_response(req, e, request_id_of(++serial_)));
}

void openai_service::chat(http_request&& req, const connection_ptr& conn) {
  auto cfg = ctx_.config.snapshot();
  const auto& oc = cfg->openai;
  const std::uint64_t serial = ++serial_;
  const std::string request_id = request_id_of(serial);
  auto& counters = ctx_.log.counters(service::openai);
  counters.messages_in.fetch_add(1, std::memory_order_relaxed);
  counters.bytes_in.fetch_add(req.body().size(), std::memory_order_relaxed);

  auto fail = [&](const openai_error& e, nlohmann::json entry) {
    counters.rejected.fetch_add(1);
    entry["status"] = e.status;
    entry["error"] = e.body()["error"];
    entry["request_id"] = request_id;
    ctx_.log.add(service::openai, "openai.rejected", std::move(entry));
    conn->reply(openai_error_response(req, e, request_id));
  };

  const auto [scheme, key] = authorization(req);
  if (scheme != "bearer" || key.empty()) {
    openai_error e;
    e.status = 401;
    e.message = "You didn't provide an API key. You need to provide your API key in an Authorization header using "
                "Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    return fail(e, {{"reason", "no_key"}});
  }
  if (!oc.api_key.empty() && key != oc.api_key) {
    openai_error e;
    e.status = 401;
    e.message = "Incorrect API key provided: " + key.substr(0, 3) + "***. You can find your API key at "
                "https://platform.openai.com/account/api-keys.";
    e.code = "invalid_api_key";
    return fail(e, {{"reason", "wrong_key"}});
  }

  config_error header_err;
  const auto forced = parse_fault_header(header(req, "X-Mock-Fault"), header_err);
  if (!header_err.message.empty()) {
    openai_error e;
    e.message = header_err.message;
    return fail(e, {{"reason", "bad_fault_header"}});
  }
  const std::initializer_list<fault_kind> kinds{fault_kind::status, fault_kind::delay, fault_kind::drop, fault_kind::stall,
                                                fault_kind::stream_error, fault_kind::no_done};
  auto faults = select_faults({&oc.faults, &cfg->faults}, "chat", kinds, ctx_.rng);
  add_forced(faults, forced, kinds);
  if (!faults.empty()) counters.faults.fetch_add(faults.fired.size());

  if (const auto* f = faults.get(fault_kind::status)) {
    counters.rejected.fetch_add(1);
    ctx_.log.add(service::openai, "openai.fault", {{"kind", "status"}, {"status", f->status}, {"request_id", request_id}});
    const int delay = faults.get(fault_kind::delay) ? faults.get(fault_kind::delay)->delay_ms : 0;
    return conn->reply_after(std::chrono::milliseconds(delay), status_fault_response(req, *f, request_id));
  }
  for (auto k : {fault_kind::drop, fault_kind::stall}) {
    const auto* f = faults.get(k);
    if (!f || f->after > 0) continue;
    ctx_.log.add(service::openai, "openai.fault", {{"kind", to_string(k)}, {"after_events", 0}, {"request_id", request_id}});
    if (k == fault_kind::drop) return conn->drop();
    return conn->stall(std::chrono::milliseconds(f->stall_ms));
  }

  auto body = nlohmann::json::parse(req.body(), nullptr, false);
  if (body.is_discarded()) {
    openai_error e;
    e.message = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
                "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
    return fail(e, {{"reason", "not_json"}, {"body", req.body().substr(0, 2000)}});
  }
  if (auto e = validate_chat_request(body, oc.check_strict_schemas)) {
    nlohmann::json entry{{"reason", "invalid"}};
    if (body.is_object() && body.contains("messages") && body["messages"].is_array()) entry["messages"] = body["messages"];
    return fail(*e, std::move(entry));
  }

  const reply_plan plan = plan_reply(body, oc, serial);
  const bool stream = body.value("stream", false);
  const bool include_usage = stream && body.contains("stream_options") && body["stream_options"].is_object() &&
                             body["stream_options"].value("include_usage", false);
  const std::string model = body["model"].get<std::string>();
  const auto created = static_cast<std::int64_t>(std::time(nullptr));
  chunk_builder chunks("chatcmpl-mock" + std::to_string(serial), created, model, include_usage);

  nlohmann::json entry = request_summary(body, cfg->record_bodies);
  entry["request_id"] = request_id;
  entry["headers"] = headers_for_log(req);
  entry["rule"] = plan.rule;
  entry["reply"] = plan.calls.empty() ? nlohmann::json{{"text", plan.text}} : nlohmann::json{{"tool_calls", nlohmann::json::array()}};
  if (!plan.calls.empty() && !plan.text.empty()) entry["reply"]["text"] = plan.text;
  for (const auto& c : plan.calls)
    entry["reply"]["tool_calls"].push_back({{"id", c.id}, {"name", c.name}, {"arguments", c.arguments}});
  entry["finish_reason"] = plan.finish_reason;
  std::vector<std::string> fault_names;
  for (const auto* f : faults.fired) fault_names.emplace_back(to_string(f->kind));
  entry["faults"] = fault_names;
  ctx_.log.add(service::openai, "openai.request", std::move(entry));
  counters.accepted.fetch_add(1);

  const auto interval = std::chrono::microseconds(static_cast<std::int64_t>(1e6 / oc.tokens_per_second));
  int first_byte = 0;
  if (const auto* d = faults.get(fault_kind::delay)) first_byte = d->delay_ms;

  if (!stream) {
    const std::size_t n = plan.calls.empty() ? plan.pieces.size() : plan.calls.size() * 4;
    const auto wait = std::chrono::milliseconds(first_byte + oc.ttft_ms) +
                      std::chrono::duration_cast<std::chrono::milliseconds>(interval * static_cast<std::int64_t>(n));
    auto res = json_response(req, 200, chunks.completion(plan));
    res.set("x-request-id", request_id);
    return conn->reply_after(wait, std::move(res));
  }

  std::vector<std::string> events;
  events.push_back(chunks.role(!plan.calls.empty()));
  for (const auto& p : plan.pieces) events.push_back(chunks.content(p));
  for (std::size_t i = 0; i < plan.calls.size(); ++i) {
    events.push_back(chunks.call_start(i, plan.calls[i]));
    for (const auto& frag : plan.calls[i].fragments) events.push_back(chunks.call_arguments(i, frag));
  }
  const std::size_t paced = events.size() - 1;
  events.push_back(chunks.finish(plan.finish_reason));
  if (include_usage) events.push_back(chunks.usage(plan.prompt_tokens, plan.completion_tokens));
  events.push_back(chunk_builder::done());

  std::optional<fault_rule> midstream;
  for (auto k : {fault_kind::drop, fault_kind::stall, fault_kind::stream_error, fault_kind::no_done})
    if (const auto* f = faults.get(k); f && !midstream) midstream = *f;

  http::response<http::empty_body> head{http::status::ok, req.version()};
  head.set(http::field::server, "ce-mock");
  head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  head.set(http::field::cache_control, "no-cache, must-revalidate");
  head.set("x-request-id", request_id);
  head.set("openai-version", "2020-10-01");
  head.set("openai-processing-ms", std::to_string(oc.ttft_ms));
  head.set("x-ratelimit-limit-requests", "10000");
  head.set("x-ratelimit-remaining-requests", "9999");
  head.keep_alive(req.keep_alive());
  head.chunked(true);

  stream_shape shape;
  shape.ttft = std::chrono::milliseconds(oc.ttft_ms);
  shape.interval = interval;
  shape.keepalive = std::chrono::milliseconds(oc.keepalive_ms);
  shape.keepalive_every = oc.keepalive_every;
  shape.coalesce_every = oc.coalesce_every;
  shape.split_every = oc.split_every;
  auto sse = std::make_shared<sse_stream>(*this, std::move(conn->stream()), std::move(conn->buffer()), conn->routes(),
                                          std::move(head), std::move(events), paced, shape, std::move(midstream),
                                          request_id);
  sse->start(std::chrono::milliseconds(first_byte));
}

} // namespace ce::mocks
