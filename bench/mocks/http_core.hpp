// The HTTP plumbing every mock shares: a listener per port, a keep-alive HTTP connection
// that hands each request to a handler, and small helpers (targets, queries, responses,
// abortive closes, stalls). Every connection runs on its own strand; handlers are called on
// it and answer through the connection, or take the socket over (WebSocket upgrades,
// streamed bodies) and hand it back with `resume_http` when they are done.
#pragma once

#include "mocks/faults.hpp"
#include "mocks/mock_config.hpp"
#include "mocks/recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ce::mocks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;
using ws_stream = websocket::stream<beast::tcp_stream>;
using steady = std::chrono::steady_clock;

/// What every service shares: the I/O context, configuration, log and randomness.
struct mock_context {
  explicit mock_context(asio::io_context& io) : ioc(io) {}
  asio::io_context& ioc;
  config_store config;
  recorder log;
  random_source rng;
};

/// A long-lived session (WebSocket, streamed response) that can be aborted from outside.
class session_base {
public:
  virtual ~session_base() = default;
  /// Drops the connection abruptly; safe from any thread (posts to the session's strand).
  virtual void kill() = 0;
  /// Periodic check from the service's sweep timer (any thread): idle timeouts and the like.
  virtual void sweep(std::int64_t now_ms) {}
};

/// The live sessions of one service, for `/__mock/disconnect` and idle sweeps.
class session_registry {
public:
  std::uint64_t add(std::weak_ptr<session_base> s);
  void remove(std::uint64_t id);
  /// Calls `kill` on every live session; returns how many there were.
  std::size_t kill_all();
  std::size_t size() const;
  /// Visits the live sessions (outside the lock).
  void for_each(const std::function<void(session_base&)>& f);

private:
  mutable std::mutex mutex_;
  std::uint64_t next_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions_;
};

class http_connection;
using connection_ptr = std::shared_ptr<http_connection>;

/// A service's entry point: one parsed request, answered through `conn` (or taken over).
class request_handler {
public:
  virtual ~request_handler() = default;
  virtual void handle(http_request&& req, const connection_ptr& conn) = 0;
};

/// Which handler a port serves: the vendor's, plus the control API under `/__mock/`.
struct route_table {
  request_handler* vendor = nullptr;
  request_handler* control = nullptr;
};

/// One keep-alive HTTP/1.1 connection.
class http_connection : public std::enable_shared_from_this<http_connection> {
public:
  http_connection(beast::tcp_stream&& stream, beast::flat_buffer&& buffer, route_table routes);

  void start();
  /// Writes `res`, then reads the next request (or closes when not keep-alive).
  void reply(http_response res);
  /// Same, after `delay` (a first-byte delay fault).
  void reply_after(std::chrono::milliseconds delay, http_response res);
  /// Abortive close (TCP RST), nothing written.
  void drop();
  /// Answers nothing and keeps the socket open until the client closes it (or `max`).
  void stall(std::chrono::milliseconds max);

  /// The socket and any bytes read past the request, for a handler that takes over.
  beast::tcp_stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }
  const route_table& routes() const { return routes_; }
  asio::any_io_executor executor() { return stream_.get_executor(); }

private:
  void do_read();
  void on_read(beast::error_code ec);
  void on_write(beast::error_code ec, bool keep_alive);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  route_table routes_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http_response> response_;
  asio::steady_timer timer_;
};

/// Serves further requests on a socket a handler took over (keep-alive after a stream).
void resume_http(beast::tcp_stream&& stream, beast::flat_buffer&& buffer, route_table routes);
/// Closes with RST: linger 0, then close.
void drop_socket(tcp::socket& socket);
/// Keeps a taken-over socket open, reading and discarding, until the peer closes or
/// `max` passes (0 = no limit).
void hold_open(beast::tcp_stream&& stream, std::chrono::milliseconds max);

/// Accepts on one port; each connection gets its own strand.
class listener : public std::enable_shared_from_this<listener> {
public:
  listener(asio::io_context& ioc, route_table routes);
  beast::error_code open(const tcp::endpoint& ep);
  std::uint16_t port() const;
  void run();
  void close();

private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  route_table routes_;
};

// ---- request helpers ---------------------------------------------------------------------

using query_list = std::vector<std::pair<std::string, std::string>>;

struct target_parts {
  std::string path;  ///< raw (still percent-encoded) path
  query_list query;  ///< decoded pairs in order
};

target_parts split_target(std::string_view target);
inline target_parts split_target(beast::string_view target) {
  return split_target(std::string_view(target.data(), target.size()));
}
inline std::string_view to_sv(beast::string_view s) { return {s.data(), s.size()}; }
/// %XX decoding; `plus_is_space` for query strings. Malformed escapes are kept verbatim.
std::string percent_decode(std::string_view s, bool plus_is_space);
std::optional<std::string> query_value(const query_list& q, std::string_view key);
std::vector<std::string> query_values(const query_list& q, std::string_view key);
nlohmann::json query_to_json(const query_list& q);

/// The value of a header, or empty.
std::string header(const http_request& req, std::string_view name);
/// Splits `Authorization: <scheme> <credentials>`; the scheme is lowercased.
std::pair<std::string, std::string> authorization(const http_request& req);
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view s);

http_response make_response(const http_request& req, http::status status, std::string_view content_type,
                            std::string body);
http_response json_response(const http_request& req, http::status status, const nlohmann::json& body);
http_response json_response(const http_request& req, unsigned status, const nlohmann::json& body);

/// Every header, names lowercased (the mocks only ever see test credentials).
nlohmann::json headers_for_log(const http_request& req);

/// A deterministic, UUID-shaped id (for request ids).
std::string make_uuid(random_source& rng);

} // namespace ce::mocks
