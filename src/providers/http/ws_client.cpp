#include "providers/http/ws_client.hpp"

#include "providers/http/backoff.hpp"

#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

namespace ce::http {

namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

namespace {

/// Queued messages sent with one gathered write, at most.
constexpr std::size_t max_gather = 32;

} // namespace

ws_client::ws_client(executor ex, std::shared_ptr<ssl::context> tls, ws_options options, handlers h)
  : ex_(std::move(ex)), tls_(std::move(tls)), options_(std::move(options)), h_(std::move(h)),
    reader_(/*server=*/false, options_.max_message_bytes), liveness_(ex_) {}

void ws_client::start() {
  if (options_.endpoint.secure()) {
    if (!tls_) return end(make_error(provider_errc::tls_failure, "no TLS context for a wss URL"), {});
    stream_.emplace(ex_, *tls_);
  } else {
    stream_.emplace(ex_);
  }
  async_open(*stream_, options_.endpoint, options_.connect_timeout,
             [self = shared_from_this()](beast::error_code ec, std::string_view phase) { self->on_open(ec, phase); });
}

// ---- the opening handshake (RFC 6455 §4.1) --------------------------------------------------

void ws_client::on_open(beast::error_code ec, std::string_view phase) {
  if (ended_) return;
  if (ec) return end(classify_transport(ec, phase == "tls" ? "tls" : "connect"), {});
  key_ = ws::random_key();
  auto& req = request_.emplace(bhttp::verb::get, options_.target, 11);
  req.set(bhttp::field::host, options_.endpoint.authority());
  req.set(bhttp::field::upgrade, "websocket");
  req.set(bhttp::field::connection, "Upgrade");
  req.set(bhttp::field::sec_websocket_key, key_);
  req.set(bhttp::field::sec_websocket_version, "13");
  req.set(bhttp::field::user_agent, "callengine/0.1");
  for (const auto& [k, v] : options_.headers) req.set(k, v);
  stream_->tcp().expires_after(options_.connect_timeout);
  bhttp::async_write(*stream_, req, [self = shared_from_this()](beast::error_code e, std::size_t) {
    self->on_request_written(e);
  });
}

void ws_client::on_request_written(beast::error_code ec) {
  if (ended_) return;
  request_.reset();
  if (ec) return end(classify_transport(ec, "handshake"), {});
  response_.emplace();
  response_->body_limit(64 * 1024);
  bhttp::async_read(*stream_, handshake_buffer_, *response_,
                    [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_handshake(e); });
}

void ws_client::on_handshake(beast::error_code ec) {
  if (ended_) return;
  if (ec) return end(classify_transport(ec, "handshake"), {});
  const auto& res = response_->get();
  if (res.result_int() != 101) return refused();
  if (res[bhttp::field::sec_websocket_accept] != ws::accept_key(key_))
    return end(make_error(provider_errc::protocol_violation, "bad Sec-WebSocket-Accept in the upgrade"), {});
  stream_->tcp().expires_never();
  open_ = true;
  response_head head;
  head.status = 101;
  for (const auto& f : res) head.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  // frames the server sent right behind its answer
  auto rest = handshake_buffer_.cdata();
  if (rest.size() > 0) reader_.append({static_cast<const std::uint8_t*>(rest.data()), rest.size()});
  handshake_buffer_ = {};
  response_.reset();
  heard_since_tick_ = true;
  arm_liveness();
  if (h_.on_open) h_.on_open(head);
  if (ended_) return;
  on_read({}, 0, 1);  // frames that came with the answer first, then the read loop
  if (!ended_ && !outbox_.empty() && in_flight_ == 0) do_write();
}

/// A refused upgrade: classified by status and the vendor's reason (JSON body or header).
void ws_client::refused() {
  const auto& res = response_->get();
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
  auto err = status >= 300 ? classify_http(status, reason, std::move(message))
                           : make_error(provider_errc::protocol_violation, "upgrade answered with " + std::to_string(status));
  apply_retry_hints(err, std::string(res["retry-after-ms"]), std::string(res[bhttp::field::retry_after]), "");
  end(std::move(err), {});
}

// ---- reading: every frame the socket has, per read -------------------------------------------

// After the handshake a plain connection reads and writes its socket directly (no timer
// bookkeeping per operation: liveness has its own timer); TLS goes through the TLS stream.
void ws_client::do_read() {
  auto room = reader_.prepare(options_.read_bytes);
  auto done = [self = shared_from_this(), size = room.size()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n, size);
  };
  if (stream_->secure()) stream_->async_read_some(asio::buffer(room.data(), room.size()), std::move(done));
  else stream_->tcp().socket().async_read_some(asio::buffer(room.data(), room.size()), std::move(done));
}


void ws_client::on_read(beast::error_code ec, std::size_t n, std::size_t /*room*/) {
  if (ended_) return;
  if (ec) {
    // the server closing the TCP connection right after its close frame is a normal end
    if (close_sent_ && (ec == asio::error::eof || ec == ssl::error::stream_truncated))
      return end(std::nullopt, ws_close_info{close_code_.value_or(1000), {}});
    return end(classify_transport(ec, "read"), {});
  }
  reader_.commit(n);
  heard_since_tick_ = true;
  while (!ended_) {
    auto m = reader_.next();
    if (!m) break;
    on_message(*m);
  }
  if (ended_) return;
  if (reader_.error()) {
    auto err = make_error(provider_errc::protocol_violation, "WebSocket protocol error: " + *reader_.error());
    return end(std::move(err), {});
  }
  do_read();
}

void ws_client::on_message(const ws::message& m) {
  switch (m.op) {
    case ws::opcode::text:
      if (h_.on_text) h_.on_text(m.text());
      return;
    case ws::opcode::binary:
      if (h_.on_binary) h_.on_binary(m.data);
      return;
    case ws::opcode::ping: return queue(ws::opcode::pong, std::string(m.text()));
    case ws::opcode::pong: return;
    case ws::opcode::close: {
      ws_close_info info{m.close_code(), m.data.size() > 2 ? std::string(m.text().substr(2)) : std::string()};
      if (info.code == 1005) info.code = 0;
      // Our own close() completing is a normal end whatever code we sent.
      if (close_sent_) return end(std::nullopt, info);
      return end(classify_ws_close(info.code == 0 ? 1005 : info.code, info.reason), info);
    }
    case ws::opcode::continuation: return;
  }
}

// ---- writing: every queued message, one gathered write --------------------------------------

void ws_client::send_text(std::string text) {
  if (ended_ || closing_) return;
  queue(ws::opcode::text, std::move(text));
}

void ws_client::send_binary(std::string bytes, std::size_t coalesce_up_to) {
  if (ended_ || closing_ || bytes.empty()) return;
  // The messages being written are never touched.
  if (coalesce_up_to > 0 && outbox_.size() > in_flight_ && outbox_.back().op == ws::opcode::binary &&
      outbox_.back().data.size() + bytes.size() <= coalesce_up_to) {
    queued_bytes_ += bytes.size();
    outbox_.back().data += bytes;
    return;
  }
  queue(ws::opcode::binary, std::move(bytes));
}

void ws_client::queue(ws::opcode op, std::string data) {
  if (ended_) return;
  queued_bytes_ += data.size();
  outbox_.push_back(outgoing{std::move(data), op, {}});
  if (open_ && in_flight_ == 0) do_write();
}

void ws_client::do_write() {
  if (outbox_.empty() || ended_) return;
  gather_.clear();
  in_flight_ = std::min(outbox_.size(), max_gather);
  for (std::size_t i = 0; i < in_flight_; ++i) {
    auto& msg = outbox_[i];
    auto key = masks_.next();
    msg.header = ws::make_header(msg.op, msg.data.size(), key.data());
    ws::mask_payload({reinterpret_cast<std::uint8_t*>(msg.data.data()), msg.data.size()}, key);
    gather_.emplace_back(msg.header.bytes.data(), msg.header.size);
    gather_.emplace_back(msg.data.data(), msg.data.size());
  }
  auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); };
  if (stream_->secure()) asio::async_write(*stream_, gather_, std::move(done));
  else asio::async_write(stream_->tcp().socket(), gather_, std::move(done));
}

void ws_client::on_write(beast::error_code ec) {
  const auto done = in_flight_;
  in_flight_ = 0;
  if (ended_) return;
  if (ec) return end(classify_transport(ec, "write"), {});
  for (std::size_t i = 0; i < done; ++i) {
    queued_bytes_ -= std::min(queued_bytes_, outbox_.front().op == ws::opcode::close ? 0 : outbox_.front().data.size());
    outbox_.pop_front();
  }
  if (!outbox_.empty()) return do_write();
  if (closing_ && !close_sent_) return send_close_frame();
  if (!closing_ && h_.on_drained) h_.on_drained();
}

void ws_client::close(std::uint16_t code) {
  if (ended_ || closing_) return;
  closing_ = true;
  close_code_ = code;
  if (!stream_ || !open_) {
    // Not connected yet: nothing to say goodbye to.
    if (stream_) stream_->close();
    return end(std::nullopt, {});
  }
  if (in_flight_ == 0 && outbox_.empty()) send_close_frame();
}

/// Our close frame; the server's answer (or close_timeout) ends the connection.
void ws_client::send_close_frame() {
  if (close_sent_ || ended_) return;
  close_sent_ = true;
  close_sent_at_ = std::chrono::steady_clock::now();
  outbox_.push_back(outgoing{ws::close_payload(close_code_.value_or(1000)), ws::opcode::close, {}});
  do_write();
  arm_liveness();  // now it watches the close timeout
}

// ---- liveness: a tick every half idle time; a silent tick sends a ping, a second one ends it --

void ws_client::arm_liveness() {
  const auto idle = options_.idle_timeout;
  std::chrono::milliseconds period = idle.count() > 0 ? std::max<std::chrono::milliseconds>(idle / 2, 50ms) : 0ms;
  if (close_sent_) period = 250ms;
  if (period.count() <= 0) return;
  liveness_.expires_after(period);
  liveness_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->ended_) return;
    if (self->close_sent_) {
      if (std::chrono::steady_clock::now() - self->close_sent_at_ >= self->options_.close_timeout)
        return self->end(std::nullopt, ws_close_info{self->close_code_.value_or(1000), {}});
    } else if (self->heard_since_tick_) {
      self->heard_since_tick_ = false;
      self->ping_outstanding_ = false;
    } else if (!self->ping_outstanding_) {
      self->ping_outstanding_ = true;
      self->queue(ws::opcode::ping, {});
    } else {
      return self->end(make_error(provider_errc::timeout,
                                  "no frame from the server for " +
                                    std::to_string(self->options_.idle_timeout.count()) + " ms",
                                  "idle"),
                       {});
    }
    self->arm_liveness();
  });
}

void ws_client::abort() {
  if (ended_) return;
  ended_ = true;
  liveness_.cancel();
  if (stream_) stream_->close();
}

void ws_client::end(std::optional<provider_error> err, ws_close_info info) {
  if (ended_) return;
  ended_ = true;
  liveness_.cancel();
  if (stream_) stream_->close();
  outbox_.clear();
  queued_bytes_ = 0;
  auto on_closed = std::move(h_.on_closed);
  h_.on_closed = nullptr;
  if (on_closed) on_closed(std::move(err), info);
}

} // namespace ce::http
