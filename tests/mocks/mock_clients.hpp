// Raw protocol clients for the mock tests: a WebSocket client, an HTTP client that keeps
// every body chunk with its arrival time (SSE and streamed audio), a tiny HTTP server that
// records what the Twilio mock posts to it, and an SSE parser. Every operation has a
// timeout, so a broken mock fails a test instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ce::mocks::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using header_list = std::vector<std::pair<std::string, std::string>>;

/// A WebSocket client; each call runs its own io_context until done or timed out.
class ws_client {
public:
  struct handshake_result {
    beast::error_code ec;
    unsigned status = 0;  ///< 101 on success, the HTTP status of a refusal otherwise
    http::response<http::string_body> response;
  };
  struct message {
    bool ok = false;      ///< false: `ec` says why (closed, timeout, reset)
    bool binary = false;
    std::string data;
    beast::error_code ec;
    std::chrono::steady_clock::time_point at;
  };

  ws_client();
  ~ws_client();

  handshake_result connect(std::uint16_t port, const std::string& target, const header_list& headers = {},
                           ms timeout = 3000ms);
  bool send_text(const std::string& text, ms timeout = 3000ms);
  bool send_binary(std::span<const std::uint8_t> bytes, ms timeout = 3000ms);
  message read(ms timeout = 3000ms);
  /// The next message; on timeout (`ec` = beast::error::timeout) the read stays pending
  /// and the next call continues waiting for it.
  /// Reads until a text message whose JSON `type` is `type` (binary and other messages are
  /// collected into `skipped` when given).
  std::optional<nlohmann::json> read_until_type(const std::string& type, ms timeout = 3000ms,
                                                std::vector<message>* skipped = nullptr);
  /// The close code/reason the server sent (after a read failed with `closed`).
  websocket::close_reason close_reason() const { return ws_.reason(); }
  void close(ms timeout = 2000ms);

private:
  template <class Start>
  bool run(Start start, ms timeout);
  void start_read();

  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  // One read stays outstanding across timed-out calls: cancelling a WebSocket read would
  // leave the stream unusable, and a test often waits for "nothing arrives".
  bool read_pending_ = false;
  bool read_ready_ = false;
  message read_result_;
};

/// One HTTP exchange with the body's chunks and their arrival times.
struct http_exchange {
  beast::error_code ec;        ///< error that ended the exchange (timeout, reset, eof), if any
  bool complete = false;       ///< the whole response arrived
  bool timed_out = false;
  unsigned status = 0;
  http::fields headers;
  std::string body;
  std::vector<std::string> chunks;  ///< HTTP chunk bodies as written by the server (chunked only)
  std::vector<std::pair<double, std::size_t>> arrivals;  ///< (ms since request, bytes) per read
  double header_ms = -1;       ///< time to the response header
};

/// Sends one request and reads the response. `idle_timeout` ends the read when no byte
/// arrives for that long (a stalled stream); `total_timeout` bounds everything.
http_exchange http_call(std::uint16_t port, http::verb method, const std::string& target, const std::string& body = {},
                        const header_list& headers = {}, ms total_timeout = 5000ms, ms idle_timeout = 5000ms);

/// Shortcuts: JSON in, parsed JSON body out (null when not JSON).
nlohmann::json parse_body(const http_exchange& ex);

/// An SSE stream split the way openai-python does it.
struct sse_stream_view {
  std::vector<std::string> data;  ///< the data of each event, in order
  int comments = 0;
  bool done = false;              ///< a `data: [DONE]` event was seen
};
sse_stream_view parse_sse(const std::string& body);

/// Records the requests the Twilio mock sends (callbacks, TwiML fetches) and answers each
/// with 200 and `reply_body` (as text/xml).
class recording_server {
public:
  struct request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< lowercase names
    std::string body;
  };

  explicit recording_server(std::string reply_body = "<Response/>");
  ~recording_server();
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  std::vector<request> requests() const;
  /// Waits until at least `n` requests arrived.
  std::vector<request> wait_for(std::size_t n, ms timeout) const;

private:
  void serve();

  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::string reply_;
  mutable std::mutex mutex_;
  std::vector<request> requests_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Authorization headers the mocks accept.
inline header_list deepgram_auth() { return {{"Authorization", "Token test-key"}}; }
inline header_list bearer(const std::string& key = "sk-test") { return {{"Authorization", "Bearer " + key}}; }

/// Polls `pred` every 2 ms until it holds or `timeout` passes.
template <class Pred>
bool eventually(Pred pred, ms timeout = 2000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

} // namespace ce::mocks::test
