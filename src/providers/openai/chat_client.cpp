#include "providers/openai/chat_client.hpp"

#include "common/log.hpp"
#include "providers/http/callback_gate.hpp"
#include "providers/http/http_exchange.hpp"
#include "providers/http/tls.hpp"
#include "providers/openai/chat_protocol.hpp"
#include "providers/openai/sentence_splitter.hpp"
#include "providers/openai/sse_decoder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>


#include <atomic>
#include <unordered_map>

namespace ce::openai {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

milliseconds since(steady::time_point t) { return std::chrono::duration_cast<milliseconds>(steady::now() - t); }

class chat_stream;

} // namespace

struct chat_client::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, chat_client_options o)
    : ex_(io.get_executor()), opt_(std::move(o)), log_(log::get("openai")) {}

  void do_start(std::uint64_t id, chat_request request, chat_callbacks callbacks);
  void do_cancel(std::optional<std::uint64_t> id);
  void forget(std::uint64_t id) { streams_.erase(id); }

  http::executor ex_;
  chat_client_options opt_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unordered_map<std::uint64_t, std::shared_ptr<chat_stream>> streams_;
  http::jitter_source jitter_;
  std::atomic<std::uint64_t> next_id_{0};
  /// Bumped by cancel_all() at once (any thread): streams started before stop delivering
  /// even before the posted cancel reaches them.
  std::atomic<std::uint64_t> cancel_epoch_{0};
  http::callback_gate gate_;
};

namespace {

class chat_stream : public std::enable_shared_from_this<chat_stream> {
public:
  chat_stream(std::shared_ptr<chat_client::impl> owner, std::uint64_t id, http::url endpoint, chat_request request,
              chat_callbacks callbacks)
    : owner_(owner), id_(id), endpoint_(std::move(endpoint)), deadline_(request.deadline),
      context_(owner->opt_.log_context.empty() ? request.log_context : owner->opt_.log_context + " " + request.log_context),
      model_(request.model), body_(build_chat_body(request)), cb_(std::move(callbacks)), timer_(owner->ex_),
      epoch_(owner->cancel_epoch_.load(std::memory_order_acquire)) {}

  void start() {
    started_ = steady::now();
    attempt();
  }

  void cancel() {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    if (exchange_) exchange_->cancel();
    exchange_.reset();
    owner_->log_->info("{} llm stream cancelled after {} ms attempts={} delivered={}", context_, since(started_).count(),
                       attempts_, content_delivered_);
  }

private:
  bool live() const {
    return !done_ && !owner_->gate_.closed() &&
           owner_->cancel_epoch_.load(std::memory_order_acquire) == epoch_;
  }

  void attempt() {
    const milliseconds left = deadline_ - since(started_);
    if (left.count() <= 0)
      return finish(http::make_error(http::provider_errc::timeout, "the request's deadline passed", "deadline"));
    ++attempts_;
    status_ = 0;
    request_id_.clear();
    error_body_.clear();
    decoder_ = sse_decoder{};
    acc_ = chunk_accumulator{};
    const auto& opt = owner_->opt_;
    http::http_request_spec spec;
    spec.method = boost::beast::http::verb::post;
    spec.endpoint = endpoint_;
    spec.target = endpoint_.path + "/chat/completions";
    spec.headers = {{"Authorization", "Bearer " + opt.api_key},
                    {"Content-Type", "application/json"},
                    {"Accept", "text/event-stream"}};
    if (!opt.organization.empty()) spec.headers.emplace_back("OpenAI-Organization", opt.organization);
    if (!opt.project.empty()) spec.headers.emplace_back("OpenAI-Project", opt.project);
    spec.body = body_;
    http::http_timeouts t{std::min(opt.connect_timeout, left), std::min(opt.first_byte_timeout, left), opt.idle_timeout};
    if (endpoint_.secure() && !owner_->tls_) owner_->tls_ = http::client_tls_context(opt.tls);

    std::weak_ptr<chat_stream> weak = weak_from_this();
    const int n = attempts_;
    http::http_exchange::handlers h;
    h.on_head = [weak, n](const http::response_head& head) {
      if (auto s = weak.lock(); s && s->attempts_ == n) s->on_head(head);
    };
    h.on_body = [weak, n](std::string_view piece) {
      if (auto s = weak.lock(); s && s->attempts_ == n) s->on_body(piece);
    };
    h.on_done = [weak, n](std::optional<http::provider_error> err) {
      if (auto s = weak.lock(); s && s->attempts_ == n) s->on_exchange_done(std::move(err));
    };
    owner_->log_->debug("{} llm request attempt={} model={} bytes={}", context_, attempts_, model_, body_.size());
    exchange_ = std::make_shared<http::http_exchange>(owner_->ex_, owner_->tls_, std::move(spec), t, std::move(h));
    exchange_->start();
  }

  void on_head(const http::response_head& head) {
    status_ = head.status;
    head_ = head;
    request_id_ = head.get("x-request-id");
    if (status_ == 200 && head.get("content-type").find("text/event-stream") == std::string::npos) {
      end_attempt(http::make_error(http::provider_errc::protocol_violation,
                                   "expected text/event-stream, got '" + head.get("content-type") + "'", "not_sse"));
    }
  }

  void on_body(std::string_view piece) {
    if (!live()) return;
    if (status_ != 200) {
      if (error_body_.size() < 64 * 1024) error_body_.append(piece);
      return;
    }
    events_.clear();
    decoder_.feed(piece, events_);
    for (auto& ev : events_) {
      if (ev.data.empty()) continue;
      auto step = acc_.on_data(ev.data);
      if (step.error) return end_attempt(std::move(*step.error));
      if (!step.text.empty()) {
        deliver_text(step.text);
        if (!live()) return;
      }
      if (step.done) return complete();
    }
    if (decoder_.overflowed())
      end_attempt(http::make_error(http::provider_errc::protocol_violation, "an SSE line is too long", "line_too_long"));
  }

  void deliver_text(const std::string& text) {
    if (!content_delivered_) ttft_ = since(started_);
    content_delivered_ = true;
    if (cb_.on_text) owner_->gate_.invoke([&] { cb_.on_text(text); });
    if (!live() || !cb_.on_sentence) return;
    for (auto& s : splitter_.push(text)) {
      owner_->gate_.invoke([&] { cb_.on_sentence(std::move(s)); });
      if (!live()) return;
    }
  }

  void on_exchange_done(std::optional<http::provider_error> err) {
    exchange_.reset();
    if (done_) return;
    if (status_ == 200) {
      if (!err)
        err = http::make_error(http::provider_errc::truncated, "the stream ended without [DONE]", "no_done");
      return end_attempt(std::move(*err));
    }
    if (status_ != 0) {
      return end_attempt(chat_http_error(status_, error_body_, head_.get("retry-after-ms"), head_.get("retry-after"),
                                         head_.get("x-should-retry")));
    }
    end_attempt(err ? std::move(*err) : http::make_error(http::provider_errc::protocol_violation, "no response"));
  }

  void end_attempt(http::provider_error err) {
    if (exchange_) exchange_->cancel();
    exchange_.reset();
    if (err.http_status == 0) err.http_status = status_;
    if (!content_delivered_) {
      const milliseconds left = deadline_ - since(started_);
      if (auto delay = http::retry_delay(err, owner_->opt_.retry, attempts_, left, owner_->jitter_.next())) {
        owner_->log_->info("{} llm attempt {} failed ({}), retrying in {} ms", context_, attempts_, err.describe(),
                           delay->count());
        timer_.expires_after(*delay);
        timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
          if (auto s = weak.lock(); s && !ec && !s->done_) s->attempt();
        });
        return;
      }
    }
    finish(std::move(err));
  }

  void complete() {
    if (exchange_) exchange_->cancel();  // [DONE]: stop reading and close
    exchange_.reset();
    if (cb_.on_sentence) {
      if (auto rest = splitter_.finish()) {
        owner_->gate_.invoke([&] { cb_.on_sentence(std::move(*rest)); });
        if (!live()) return;
      }
    }
    finish(std::nullopt);
  }

  bool live_for(const chat_client::impl& owner) const {
    return !owner.gate_.closed() &&
           owner.cancel_epoch_.load(std::memory_order_acquire) == epoch_;
  }

  void finish(std::optional<http::provider_error> err) {
    if (done_) return;
    done_ = true;
    chat_outcome out;
    out.completion = err ? acc_.partial() : acc_.finish();
    out.completion.request_id = request_id_;
    out.completion.attempts = attempts_;
    out.completion.time_to_first_text = content_delivered_ ? ttft_ : milliseconds(0);
    out.content_delivered = content_delivered_;
    out.error = std::move(err);
    const auto& c = out.completion;
    if (out.error) {
      owner_->log_->warn("{} llm request failed after {} attempt(s) in {} ms request_id={} delivered={}: {}", context_,
                         attempts_, since(started_).count(), request_id_, content_delivered_, out.error->describe());
    } else {
      owner_->log_->info("{} llm request done in {} ms attempts={} ttft_ms={} finish={} tool_calls={} "
                         "prompt_tokens={} completion_tokens={} request_id={}",
                         context_, since(started_).count(), attempts_, ttft_.count(), c.finish_reason,
                         c.tool_calls.size(), c.usage ? c.usage->prompt_tokens : 0,
                         c.usage ? c.usage->completion_tokens : 0, request_id_);
    }
    auto owner = owner_;
    auto on_done = std::move(cb_.on_done);
    owner->forget(id_);  // may drop the last reference to *this: nothing but locals below
    if (on_done && live_for(*owner)) owner->gate_.invoke([&] { on_done(std::move(out)); });
  }

  std::shared_ptr<chat_client::impl> owner_;
  std::uint64_t id_;
  http::url endpoint_;
  milliseconds deadline_;
  std::string context_;
  std::string model_;
  std::string body_;
  chat_callbacks cb_;
  http::steady_timer timer_;
  std::uint64_t epoch_;
  std::shared_ptr<http::http_exchange> exchange_;
  steady::time_point started_;
  int attempts_ = 0;
  int status_ = 0;
  http::response_head head_;
  std::string request_id_;
  std::string error_body_;
  sse_decoder decoder_;
  std::vector<sse_event> events_;
  chunk_accumulator acc_;
  sentence_splitter splitter_;
  bool content_delivered_ = false;
  milliseconds ttft_{0};
  bool done_ = false;
};

} // namespace

void chat_client::impl::do_start(std::uint64_t id, chat_request request, chat_callbacks callbacks) {
  auto endpoint = http::parse_url(opt_.base_url);
  if (gate_.closed()) return;
  if (!endpoint) {
    chat_outcome out;
    out.error = http::make_error(http::provider_errc::bad_request, "invalid base_url " + opt_.base_url);
    if (callbacks.on_done) gate_.invoke([&] { callbacks.on_done(std::move(out)); });
    return;
  }
  auto s = std::make_shared<chat_stream>(shared_from_this(), id, std::move(*endpoint), std::move(request),
                                         std::move(callbacks));
  streams_[id] = s;
  s->start();
}

void chat_client::impl::do_cancel(std::optional<std::uint64_t> id) {
  if (id) {
    auto it = streams_.find(*id);
    if (it == streams_.end()) return;
    auto s = it->second;
    streams_.erase(it);
    s->cancel();
    return;
  }
  auto all = std::move(streams_);
  streams_.clear();
  for (auto& [k, s] : all) s->cancel();
}

chat_client::chat_client(boost::asio::io_context& io, chat_client_options options)
  : impl_(std::make_shared<impl>(io, std::move(options))) {}

chat_client::~chat_client() {
  impl_->gate_.close();
  asio::post(impl_->ex_, [p = impl_] { p->do_cancel(std::nullopt); });
}

std::uint64_t chat_client::start(chat_request request, chat_callbacks callbacks) {
  const std::uint64_t id = ++impl_->next_id_;
  asio::post(impl_->ex_, [p = impl_, id, r = std::move(request), c = std::move(callbacks)]() mutable {
    p->do_start(id, std::move(r), std::move(c));
  });
  return id;
}

void chat_client::cancel(std::uint64_t stream_id) {
  asio::post(impl_->ex_, [p = impl_, stream_id] { p->do_cancel(stream_id); });
}

void chat_client::cancel_all() {
  impl_->cancel_epoch_.fetch_add(1, std::memory_order_acq_rel);
  asio::post(impl_->ex_, [p = impl_] { p->do_cancel(std::nullopt); });
}

} // namespace ce::openai
