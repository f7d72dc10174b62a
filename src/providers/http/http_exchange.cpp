#include "providers/http/http_exchange.hpp"

#include <boost/asio/post.hpp>

#include <cctype>
#include <limits>

namespace ce::http {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

} // namespace

std::string response_head::get(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

http_exchange::http_exchange(executor ex, std::shared_ptr<ssl::context> tls, http_request_spec spec,
                             http_timeouts timeouts, handlers h)
  : ex_(std::move(ex)), tls_(std::move(tls)), spec_(std::move(spec)), timeouts_(timeouts), h_(std::move(h)) {}

void http_exchange::start() {
  if (spec_.endpoint.secure()) {
    if (!tls_) return finish(make_error(provider_errc::tls_failure, "no TLS context for an https URL"));
    stream_.emplace(ex_, *tls_);
  } else {
    stream_.emplace(ex_);
  }
  async_open(*stream_, spec_.endpoint, timeouts_.connect,
             [self = shared_from_this()](beast::error_code ec, std::string_view phase) { self->on_open(ec, phase); });
}

void http_exchange::cancel() {
  if (done_) return;
  // The handlers stay (one of them may be running: cancel() from inside a handler);
  // done_ keeps them from being called again.
  done_ = true;
  if (stream_) stream_->close();
}

void http_exchange::on_open(beast::error_code ec, std::string_view phase) {
  if (done_) return;
  if (ec) return finish(classify_transport(ec, phase == "tls" ? "tls" : "connect"));
  do_write();
}

void http_exchange::do_write() {
  auto& req = request_.emplace(spec_.method, spec_.target, 11);
  req.set(bhttp::field::host, spec_.endpoint.authority());
  req.set(bhttp::field::user_agent, "callengine/0.1");
  for (const auto& [k, v] : spec_.headers) req.set(k, v);
  if (!spec_.body.empty() || spec_.method == bhttp::verb::post || spec_.method == bhttp::verb::patch ||
      spec_.method == bhttp::verb::put) {
    req.body() = std::move(spec_.body);
    req.prepare_payload();
  }
  req.keep_alive(false);
  stream_->tcp().expires_after(timeouts_.first_byte);
  bhttp::async_write(*stream_, req, [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_write(e); });
}

void http_exchange::on_write(beast::error_code ec) {
  if (done_) return;
  if (ec) return finish(classify_transport(ec, "write"));
  request_.reset();  // sent: its body (an OpenAI request is kilobytes) is not needed while the answer streams
  do_read_header();
}

void http_exchange::do_read_header() {
  parser_.emplace();
  // Not boost::none: Beast 1.74 compares a Content-Length against an empty optional
  // limit as "too large" (every fixed-length body fails with body_limit).
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  parser_->header_limit(64 * 1024);
  bhttp::async_read_header(*stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read_header(e); });
}

void http_exchange::on_read_header(beast::error_code ec) {
  if (done_) return;
  if (ec) return finish(classify_transport(ec, "first byte"));
  response_head head;
  const auto& msg = parser_->get();
  head.status = static_cast<int>(msg.result_int());
  for (const auto& f : msg) head.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  if (h_.on_head) h_.on_head(head);
  if (done_) return;  // cancelled from the handler
  if (parser_->is_done()) return finish(std::nullopt);
  do_read_body();
}

void http_exchange::do_read_body() {
  auto& body = parser_->get().body();
  body.data = body_buf_.data();
  body.size = body_buf_.size();
  stream_->tcp().expires_after(timeouts_.idle);
  bhttp::async_read_some(*stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read_body(e); });
}

void http_exchange::on_read_body(beast::error_code ec) {
  if (done_) return;
  if (ec == bhttp::error::need_buffer) ec = {};
  const std::size_t n = body_buf_.size() - parser_->get().body().size;
  if (n > 0) {
    body_started_ = true;
    if (h_.on_body) h_.on_body(std::string_view(body_buf_.data(), n));
    if (done_) return;
  }
  if (ec) return finish(classify_transport(ec, "read"));
  if (parser_->is_done()) return finish(std::nullopt);
  do_read_body();
}

void http_exchange::finish(std::optional<provider_error> err) {
  if (done_) return;
  done_ = true;
  if (stream_) stream_->close();
  auto on_done = std::move(h_.on_done);
  h_.on_done = nullptr;
  if (on_done) on_done(std::move(err));
}

std::shared_ptr<http_exchange> buffered_request(executor ex, std::shared_ptr<ssl::context> tls,
                                                http_request_spec spec, http_timeouts timeouts, std::size_t max_body,
                                                std::function<void(std::optional<provider_error>, buffered_response)> done) {
  auto collected = std::make_shared<buffered_response>();
  auto too_big = std::make_shared<bool>(false);
  http_exchange::handlers h;
  h.on_head = [collected](const response_head& head) { collected->head = head; };
  h.on_body = [collected, too_big, max_body](std::string_view piece) {
    if (collected->body.size() + piece.size() > max_body) {
      *too_big = true;
      return;
    }
    collected->body.append(piece);
  };
  h.on_done = [collected, too_big, max_body, done = std::move(done)](std::optional<provider_error> err) {
    if (!err && *too_big)
      err = make_error(provider_errc::protocol_violation,
                       "response body larger than " + std::to_string(max_body) + " bytes");
    if (err) err->http_status = collected->head.status;
    done(std::move(err), std::move(*collected));
  };
  auto exchange = std::make_shared<http_exchange>(std::move(ex), std::move(tls), std::move(spec), timeouts, std::move(h));
  exchange->start();
  return exchange;
}

} // namespace ce::http
