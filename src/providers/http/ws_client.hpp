// Private to the provider clients: a WebSocket client connection over TCP or TLS, on an
// io_context run by one thread (a shard). The opening handshake is an HTTP exchange (Beast
// parses the response); after it, the framing is the engine's own (websocket/frames.hpp):
// one read takes every frame the socket has and one write sends every queued message, so a
// provider's audio costs a system call per batch, not an asynchronous operation per frame.
// Liveness: a tick every half `idle_timeout`; a tick with no frame since the last one
// sends a ping, the next such tick ends the connection (dead after idle_timeout to 1.5x).
//
// Every handler runs on that thread. After a handshake failure or the end of the
// connection, on_closed is called exactly once, unless abort() was called first (then no
// handler is called again). A normal close (1000, or our close() completing) reports no
// error.
#pragma once

#include "providers/http/http_exchange.hpp"
#include "providers/http/provider_error.hpp"
#include "providers/http/transport.hpp"
#include "websocket/frames.hpp"

#include <boost/beast/http.hpp>

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
  /// One read takes what the socket has, up to this much (the buffer grows for a longer
  /// message); kept small, it is memory every call holds.
  std::size_t read_bytes = 2048;
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
    /// A binary message; the bytes are valid during the call only (move them out if kept).
    std::function<void(std::span<const std::uint8_t> bytes)> on_binary;
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
    ws::opcode op = ws::opcode::text;
    ws::frame_header header;  ///< filled (with its mask key) when the write starts
  };

  void on_open(beast::error_code ec, std::string_view phase);
  void on_request_written(beast::error_code ec);
  void on_handshake(beast::error_code ec);
  void refused();
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes, std::size_t room);
  void on_message(const ws::message& m);
  void queue(ws::opcode op, std::string data);
  void do_write();
  void on_write(beast::error_code ec);
  void send_close_frame();
  void arm_liveness();
  void end(std::optional<provider_error> err, ws_close_info info);

  executor ex_;
  std::shared_ptr<ssl::context> tls_;
  ws_options options_;
  handlers h_;
  std::optional<transport> stream_;
  std::string key_;
  std::optional<boost::beast::http::request<boost::beast::http::empty_body>> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> response_;
  boost::beast::flat_buffer handshake_buffer_;
  ws::frame_reader reader_;
  ws::mask_source masks_;
  std::deque<outgoing> outbox_;
  std::size_t in_flight_ = 0;  ///< the first messages of outbox_ being written
  std::vector<asio::const_buffer> gather_;
  std::size_t queued_bytes_ = 0;
  std::optional<std::uint16_t> close_code_;
  steady_timer liveness_;
  std::chrono::steady_clock::time_point close_sent_at_{};
  bool heard_since_tick_ = false;  ///< a frame came since the last liveness tick
  bool ping_outstanding_ = false;
  bool open_ = false;
  bool closing_ = false;     ///< close() called
  bool close_sent_ = false;
  bool ended_ = false;
};

} // namespace ce::http
