// Private to the provider clients: a WebSocket client connection over TCP or TLS, on an
// io_context run by one thread (a shard). A read loop hands every message to the owner; a
// write queue keeps one write in flight; liveness comes from Beast's idle timeout with
// keep-alive pings (a ping after half the idle time without any frame, failure after the
// whole of it).
//
// Every handler runs on that thread. After a handshake failure or the end of the
// connection, on_closed is called exactly once, unless abort() was called first (then no
// handler is called again). A normal close (1000, or our close() completing) reports no
// error.
#pragma once

#include "providers/http/http_exchange.hpp"
#include "providers/http/provider_error.hpp"
#include "providers/http/transport.hpp"

#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::http {

struct ws_options {
  url endpoint;        ///< ws:// or wss:// host and port
  std::string target;  ///< path and query
  std::vector<std::pair<std::string, std::string>> headers;
  /// Resolve + TCP + TLS + upgrade.
  std::chrono::milliseconds connect_timeout{3000};
  /// No frame at all (data, ping or pong) for this long = dead; 0 = off.
  std::chrono::milliseconds idle_timeout{2500};
  /// Waiting for the peer's close frame after ours.
  std::chrono::milliseconds close_timeout{2000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

struct ws_close_info {
  std::uint16_t code = 0;  ///< the close code the server sent (0 = none: the socket died)
  std::string reason;
};

class ws_client : public std::enable_shared_from_this<ws_client> {
public:
  struct handlers {
    std::function<void(const response_head&)> on_open;
    std::function<void(std::string_view text)> on_text;
    std::function<void(std::string&& bytes)> on_binary;
    /// The write queue became empty.
    std::function<void()> on_drained;
    /// nullopt error: a normal close.
    std::function<void(std::optional<provider_error>, const ws_close_info&)> on_closed;
  };

  ws_client(executor ex, std::shared_ptr<ssl::context> tls, ws_options options, handlers h);

  /// Connects and upgrades. Call on the io thread (as every member below).
  void start();
  /// Queues a text / binary message (dropped when closing or closed). A binary message is
  /// appended to the last queued (not yet writing) binary message while that stays within
  /// `coalesce_up_to` bytes (0: never).
  void send_text(std::string text);
  void send_binary(std::string bytes, std::size_t coalesce_up_to = 0);
  std::size_t queued_bytes() const { return queued_bytes_; }
  bool is_open() const { return open_ && !closing_ && !ended_; }
  /// Sends a close frame once the queue is written, then waits for the server's.
  void close(std::uint16_t code = 1000);
  /// Drops the connection now; no handler is called afterwards.
  void abort();

private:
  struct outgoing {
    std::string data;
    bool binary = false;
  };

  void on_open(beast::error_code ec, std::string_view phase);
  void on_handshake(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close();
  void end(std::optional<provider_error> err, ws_close_info info);

  executor ex_;
  std::shared_ptr<ssl::context> tls_;
  ws_options options_;
  handlers h_;
  std::optional<beast::websocket::stream<transport>> ws_;
  beast::websocket::response_type handshake_response_;
  beast::flat_buffer read_buffer_;
  std::deque<outgoing> outbox_;
  std::size_t queued_bytes_ = 0;
  std::optional<std::uint16_t> close_code_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;     ///< close() called
  bool close_sent_ = false;
  bool ended_ = false;
};

} // namespace ce::http
