// Private to the provider clients (includes Beast): one byte stream that is either plain
// TCP (http/ws, the local mocks) or TLS over TCP (https/wss), so the HTTP and WebSocket
// code is written once. Also the opening sequence: resolve, connect, and for TLS set SNI
// and host-name verification and handshake, all under one connect timeout.
#pragma once

#include "providers/http/url.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

namespace ce::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

/// Every client runs on an io_context that exactly one thread runs (a shard,
/// runtime/shards.hpp): its handlers need no strand, and its sockets and timers use the
/// io_context's own executor, not a type-erased one.
using executor = asio::io_context::executor_type;
using tcp_stream = beast::basic_stream<tcp, executor>;
using steady_timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                                asio::wait_traits<std::chrono::steady_clock>, executor>;

class transport {
public:
  using executor_type = executor;

  /// Plain TCP.
  explicit transport(executor_type ex) : plain_(std::in_place, std::move(ex)) {}
  /// TLS over TCP with `ctx`.
  transport(executor_type ex, ssl::context& ctx) : tls_(std::in_place, std::move(ex), ctx) {}

  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;

  executor_type get_executor() noexcept { return tls_ ? tls_->get_executor() : plain_->get_executor(); }
  bool secure() const { return tls_.has_value(); }
  tcp_stream& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  beast::ssl_stream<tcp_stream>& tls() { return *tls_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) tls_->async_read_some(buffers, std::forward<Handler>(handler));
    else plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) tls_->async_write_some(buffers, std::forward<Handler>(handler));
    else plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

  /// Closes the socket now (pending operations complete with operation_aborted).
  void close() {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }

  friend void beast_close_socket(transport& t) { t.close(); }

private:
  std::optional<tcp_stream> plain_;
  std::optional<beast::ssl_stream<tcp_stream>> tls_;
};

// WebSocket teardown for the wrapper: delegate to the active layer.
void teardown(beast::role_type role, transport& t, beast::error_code& ec);

template <class Handler>
void async_teardown(beast::role_type role, transport& t, Handler&& handler) {
  if (t.secure()) {
    using beast::async_teardown;
    async_teardown(role, t.tls(), std::forward<Handler>(handler));
  } else {
    using beast::websocket::async_teardown;
    async_teardown(role, t.tcp().socket(), std::forward<Handler>(handler));
  }
}

/// `done(ec, phase)`: phase is "resolve", "connect" or "tls"; a timeout is reported as
/// beast::error::timeout.
using open_handler = std::function<void(beast::error_code, std::string_view phase)>;

/// Resolves `endpoint`, connects `t` and, when it is TLS, handshakes with SNI and host-name
/// verification, all within `timeout`. `t` must outlive the operation (hold its owner in
/// `done`). Runs on `t`'s executor.
void async_open(transport& t, const url& endpoint, std::chrono::milliseconds timeout, open_handler done);

} // namespace ce::http
