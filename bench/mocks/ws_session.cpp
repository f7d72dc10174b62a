#include "mocks/ws_session.hpp"

#include <atomic>

namespace ce::mocks {
namespace {

std::atomic<std::uint64_t> next_conn_id{0};
constexpr std::size_t max_message_bytes = 1024 * 1024;
constexpr std::size_t max_spares = 8;

} // namespace

ws_session::ws_session(mock_context& ctx, service svc, session_registry& registry, beast::tcp_stream&& stream,
                       http_request request)
  : ctx_(ctx), service_(svc), request_(std::move(request)), conn_id_(++next_conn_id), registry_(registry),
    ws_(std::move(stream)), exec_(ws_.get_executor()), accept_timer_(exec_) {}

ws_session::~ws_session() {
  if (registry_id_) registry_.remove(registry_id_);
  if (open_) ctx_.log.counters(service_).open.fetch_sub(1);
}

void ws_session::start(std::chrono::milliseconds delay, header_list headers, std::string subprotocol) {
  headers_ = std::move(headers);
  subprotocol_ = std::move(subprotocol);
  registry_id_ = registry_.add(weak_from_this());
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10), websocket::stream_base::none(), false});
  ws_.read_message_max(max_message_bytes);
  ws_.auto_fragment(false);
  ws_.set_option(websocket::stream_base::decorator([this](websocket::response_type& res) {
    res.set(http::field::server, "ce-mock");
    for (const auto& [k, v] : headers_) res.set(k, v);
    if (!subprotocol_.empty()) res.set(http::field::sec_websocket_protocol, subprotocol_);
  }));
  if (delay.count() <= 0) {
    asio::dispatch(exec_, [self = shared_from_this()] { self->do_accept(); });
    return;
  }
  accept_timer_.expires_after(delay);
  accept_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->do_accept();
  });
}

void ws_session::kill() {
  asio::post(exec_, [self = shared_from_this()] { self->abort(); });
}

void ws_session::do_accept() {
  if (aborted_) return;
  ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void ws_session::on_accept(beast::error_code ec) {
  if (ec) return finish({{"by", "error"}, {"error", ec.message()}, {"phase", "handshake"}});
  open_ = true;
  ctx_.log.counters(service_).open.fetch_add(1);
  ctx_.log.counters(service_).accepted.fetch_add(1);
  on_open();
  do_read();
}

void ws_session::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void ws_session::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    if (ec == websocket::error::closed) {
      const auto& r = close_started_ ? *close_pending_ : ws_.reason();
      return finish({{"by", close_started_ ? "server" : "client"},
                     {"code", static_cast<int>(r.code)},
                     {"reason", std::string(r.reason.c_str())}});
    }
    if (close_started_) {
      return finish({{"by", "server"},
                     {"code", static_cast<int>(close_pending_->code)},
                     {"reason", std::string(close_pending_->reason.c_str())},
                     {"error", ec.message()}});
    }
    if (aborted_) return finish({{"by", "server"}, {"abort", true}});
    return finish({{"by", "error"}, {"error", ec.message()}});
  }
  auto& counters = ctx_.log.counters(service_);
  counters.messages_in.fetch_add(1, std::memory_order_relaxed);
  counters.bytes_in.fetch_add(bytes, std::memory_order_relaxed);
  const bool binary = ws_.got_binary();
  const auto data = buffer_.cdata();
  on_message(binary, std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  if (aborted_) return;
  do_read();
}

void ws_session::send_text(std::string text) {
  if (closing()) return;
  outbox_.push_back({std::move(text), false});
  if (!writing_) do_write();
}

void ws_session::send_binary(std::string bytes) {
  if (closing()) return;
  outbox_.push_back({std::move(bytes), true});
  if (!writing_) do_write();
}

std::string ws_session::spare_buffer() {
  if (spares_.empty()) return {};
  std::string s = std::move(spares_.back());
  spares_.pop_back();
  s.clear();
  return s;
}

void ws_session::do_write() {
  if (outbox_.empty() || aborted_ || !open_) return;
  writing_ = true;
  auto& m = outbox_.front();
  ws_.binary(m.binary);
  ws_.async_write(asio::buffer(m.data),
                  [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void ws_session::on_write(beast::error_code ec, std::size_t bytes) {
  writing_ = false;
  if (ec) {
    outbox_.clear();
    return;
  }
  auto& counters = ctx_.log.counters(service_);
  counters.messages_out.fetch_add(1, std::memory_order_relaxed);
  counters.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  if (!outbox_.empty()) {
    if (spares_.size() < max_spares) spares_.push_back(std::move(outbox_.front().data));
    outbox_.pop_front();
  }
  if (!outbox_.empty()) return do_write();
  if (close_pending_) return do_close();
  on_drained();
}

void ws_session::close_after_writes(std::uint16_t code, std::string reason) {
  if (closing()) return;
  close_pending_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  if (!writing_ && outbox_.empty() && open_) do_close();
}

void ws_session::close_now(std::uint16_t code, std::string reason) {
  if (closing()) return;
  // Keep only the message being written (Beast needs its buffer until it completes).
  if (writing_) {
    while (outbox_.size() > 1) outbox_.pop_back();
  } else {
    outbox_.clear();
  }
  close_pending_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  if (!writing_ && open_) do_close();
}

void ws_session::abort() {
  if (aborted_) return;
  aborted_ = true;
  accept_timer_.cancel();
  drop_socket(beast::get_lowest_layer(ws_).socket());
}

std::size_t ws_session::drop_queued_binary() {
  std::size_t dropped = 0;
  const std::size_t keep_front = writing_ ? 1 : 0;
  for (auto it = outbox_.begin() + static_cast<std::ptrdiff_t>(std::min(keep_front, outbox_.size()));
       it != outbox_.end();) {
    if (it->binary) {
      it = outbox_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

void ws_session::do_close() {
  if (close_started_ || aborted_) return;
  close_started_ = true;
  const auto reason = *close_pending_;
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code ec) {
    if (ec && !self->ended_) {
      // The peer vanished before answering the close; the read loop reports the end.
      drop_socket(beast::get_lowest_layer(self->ws_).socket());
    }
  });
}

void ws_session::finish(nlohmann::json how) {
  if (ended_) return;
  ended_ = true;
  how["conn"] = conn_id_;
  on_end(how);
}

} // namespace ce::mocks
