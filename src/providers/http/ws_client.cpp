#include "providers/http/ws_client.hpp"

#include "providers/http/backoff.hpp"

#include <nlohmann/json.hpp>

namespace ce::http {

namespace websocket = beast::websocket;

ws_client::ws_client(executor ex, std::shared_ptr<ssl::context> tls, ws_options options, handlers h)
  : ex_(std::move(ex)), tls_(std::move(tls)), options_(std::move(options)), h_(std::move(h)) {}

void ws_client::start() {
  if (options_.endpoint.secure()) {
    if (!tls_) return end(make_error(provider_errc::tls_failure, "no TLS context for a wss URL"), {});
    ws_.emplace(ex_, *tls_);
  } else {
    ws_.emplace(ex_);
  }
  ws_->read_message_max(options_.max_message_bytes);
  // The buffer a client masks outgoing frames in (allocated per connection, 4 KB by
  // default): audio and control messages are well under 1 KB; a longer one is masked in
  // pieces. Two provider WebSockets per call.
  ws_->write_buffer_bytes(1024);
  async_open(ws_->next_layer(), options_.endpoint, options_.connect_timeout,
             [self = shared_from_this()](beast::error_code ec, std::string_view phase) { self->on_open(ec, phase); });
}

void ws_client::on_open(beast::error_code ec, std::string_view phase) {
  if (ended_) return;
  if (ec) return end(classify_transport(ec, phase == "tls" ? "tls" : "connect"), {});
  // From here the WebSocket's own timers apply, not the TCP stream's.
  ws_->next_layer().tcp().expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = options_.connect_timeout;
  t.idle_timeout = options_.idle_timeout.count() > 0 ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                          options_.idle_timeout)
                                                    : websocket::stream_base::none();
  t.keep_alive_pings = options_.idle_timeout.count() > 0;
  ws_->set_option(t);
  ws_->set_option(websocket::stream_base::decorator([headers = options_.headers](websocket::request_type& req) {
    req.set(beast::http::field::user_agent, "callengine/0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  ws_->async_handshake(handshake_response_, options_.endpoint.authority(), options_.target,
                       [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
}

void ws_client::on_handshake(beast::error_code ec) {
  if (ended_) return;
  if (ec == websocket::error::upgrade_declined || (ec && handshake_response_.result_int() >= 300)) {
    // A refused upgrade: classify by status and the vendor's reason (JSON body or header).
    const auto& res = handshake_response_;
    const int status = static_cast<int>(res.result_int());
    std::string reason, message;
    auto body = nlohmann::json::parse(res.body(), nullptr, false);
    if (body.is_object()) {
      for (const char* k : {"err_code", "error_code"})
        if (body.contains(k) && body[k].is_string()) reason = body[k].get<std::string>();
      for (const char* k : {"err_msg", "error_message"})
        if (body.contains(k) && body[k].is_string()) message = body[k].get<std::string>();
    }
    if (message.empty()) message = std::string(res["dg-error"]);
    if (message.empty()) message = "upgrade refused with " + std::to_string(status);
    auto err = classify_http(status, reason, std::move(message));
    apply_retry_hints(err, std::string(res["retry-after-ms"]), std::string(res[beast::http::field::retry_after]), "");
    return end(std::move(err), {});
  }
  if (ec) return end(classify_transport(ec, "handshake"), {});
  open_ = true;
  response_head head;
  head.status = static_cast<int>(handshake_response_.result_int());
  for (const auto& f : handshake_response_) head.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  do_read();
  if (h_.on_open) h_.on_open(head);
  if (!ended_ && !outbox_.empty() && !writing_) do_write();
}

void ws_client::do_read() {
  ws_->async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void ws_client::on_read(beast::error_code ec, std::size_t) {
  if (ended_) return;
  if (ec == websocket::error::closed) {
    const auto& r = ws_->reason();
    ws_close_info info{static_cast<std::uint16_t>(r.code), std::string(r.reason.data(), r.reason.size())};
    // Our own close() completing is a normal end whatever code we sent.
    if (close_sent_) return end(std::nullopt, info);
    return end(classify_ws_close(info.code, info.reason), info);
  }
  if (ec) return end(classify_transport(ec, "read"), {});
  const auto data = read_buffer_.data();
  if (ws_->got_text()) {
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    if (h_.on_text) h_.on_text(text);
  } else {
    std::string bytes(static_cast<const char*>(data.data()), data.size());
    if (h_.on_binary) h_.on_binary(std::move(bytes));
  }
  read_buffer_.consume(read_buffer_.size());
  if (ended_) return;
  do_read();
}

void ws_client::send_text(std::string text) {
  if (ended_ || closing_) return;
  queued_bytes_ += text.size();
  outbox_.push_back({std::move(text), false});
  if (open_ && !writing_) do_write();
}

void ws_client::send_binary(std::string bytes, std::size_t coalesce_up_to) {
  if (ended_ || closing_ || bytes.empty()) return;
  queued_bytes_ += bytes.size();
  // The front message is being written while writing_; never touch it.
  const std::size_t first_free = writing_ ? 1 : 0;
  if (coalesce_up_to > 0 && outbox_.size() > first_free && outbox_.back().binary &&
      outbox_.back().data.size() + bytes.size() <= coalesce_up_to) {
    outbox_.back().data += bytes;
  } else {
    outbox_.push_back({std::move(bytes), true});
  }
  if (open_ && !writing_) do_write();
}

void ws_client::do_write() {
  if (outbox_.empty() || ended_) return;
  writing_ = true;
  auto& msg = outbox_.front();
  ws_->binary(msg.binary);
  ws_->async_write(asio::buffer(msg.data),
                   [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void ws_client::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ended_) return;
  if (ec) return end(classify_transport(ec, "write"), {});
  queued_bytes_ -= outbox_.front().data.size();
  outbox_.pop_front();
  if (!outbox_.empty()) return do_write();
  if (closing_) return do_close();
  if (h_.on_drained) h_.on_drained();
}

void ws_client::close(std::uint16_t code) {
  if (ended_ || closing_) return;
  closing_ = true;
  close_code_ = code;
  if (!ws_ || !open_) {
    // Not connected yet: nothing to say goodbye to.
    if (ws_) ws_->next_layer().close();
    return end(std::nullopt, {});
  }
  if (!writing_ && outbox_.empty()) do_close();
}

void ws_client::do_close() {
  if (close_sent_ || ended_) return;
  close_sent_ = true;
  // The close handshake is bounded by the handshake timeout option.
  websocket::stream_base::timeout t{};
  t.handshake_timeout = options_.close_timeout;
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws_->set_option(t);
  ws_->async_close(websocket::close_reason(close_code_.value_or(1000)), [self = shared_from_this()](beast::error_code ec) {
    if (self->ended_) return;
    // The pending read completes with `closed` once the server's close frame is in; only
    // a failure of the close itself ends the connection here.
    if (ec) self->end(std::nullopt, ws_close_info{self->close_code_.value_or(1000), {}});
  });
}

void ws_client::abort() {
  if (ended_) return;
  ended_ = true;
  if (ws_) ws_->next_layer().close();
}

void ws_client::end(std::optional<provider_error> err, ws_close_info info) {
  if (ended_) return;
  ended_ = true;
  if (ws_) ws_->next_layer().close();
  outbox_.clear();
  queued_bytes_ = 0;
  auto on_closed = std::move(h_.on_closed);
  h_.on_closed = nullptr;
  if (on_closed) on_closed(std::move(err), info);
}

} // namespace ce::http
