// The WebSocket server session both Deepgram mocks build on: handshake (with extra
// response headers and an optional delay), a read loop handing each message to the
// subclass, a write queue with one write in flight (text and binary, recycling buffers
// so steady streaming does not allocate), and the three ways to end: a close frame after
// the queued messages, a close frame now, or an abortive TCP drop.
#pragma once

#include "mocks/http_core.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ce::mocks {

class ws_session : public session_base, public std::enable_shared_from_this<ws_session> {
public:
  using header_list = std::vector<std::pair<std::string, std::string>>;

  ws_session(mock_context& ctx, service svc, session_registry& registry, beast::tcp_stream&& stream,
             http_request request);
  ~ws_session() override;

  /// Answers the upgrade after `delay` with `headers` (and `subprotocol` when non-empty).
  void start(std::chrono::milliseconds delay, header_list headers, std::string subprotocol);
  void kill() override;

protected:
  /// The handshake completed.
  virtual void on_open() {}
  /// One whole message; `data` is valid until the call returns.
  virtual void on_message(bool binary, std::span<const std::uint8_t> data) = 0;
  /// The write queue became empty.
  virtual void on_drained() {}
  /// The connection is gone; `how` says why (for the log).
  virtual void on_end(const nlohmann::json& how) = 0;

  void send_text(std::string text);
  void send_binary(std::string bytes);
  /// An empty string with capacity left over from an earlier write.
  std::string spare_buffer();
  /// Sends a close frame once everything queued is written; later sends are ignored.
  void close_after_writes(std::uint16_t code, std::string reason);
  /// Drops what is not yet written and sends a close frame as soon as possible.
  void close_now(std::uint16_t code, std::string reason);
  /// TCP RST, no close frame.
  void abort();
  /// Removes queued (not in flight) binary messages; returns how many.
  std::size_t drop_queued_binary();

  bool closing() const { return close_pending_.has_value() || close_started_ || aborted_; }
  bool writing() const { return writing_; }
  std::size_t queued() const { return outbox_.size(); }
  /// The session's strand; safe to use from any thread.
  const asio::any_io_executor& executor() const { return exec_; }

  mock_context& ctx_;
  const service service_;
  const http_request request_;
  const std::uint64_t conn_id_;

private:
  struct outgoing {
    std::string data;
    bool binary = false;
  };

  void do_accept();
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close();
  void finish(nlohmann::json how);

  session_registry& registry_;
  std::uint64_t registry_id_ = 0;
  ws_stream ws_;
  const asio::any_io_executor exec_;
  beast::flat_buffer buffer_;
  asio::steady_timer accept_timer_;
  header_list headers_;
  std::string subprotocol_;
  std::deque<outgoing> outbox_;
  std::vector<std::string> spares_;
  bool writing_ = false;
  bool open_ = false;
  bool ended_ = false;
  bool aborted_ = false;
  bool close_started_ = false;
  std::optional<websocket::close_reason> close_pending_;
};

} // namespace ce::mocks
