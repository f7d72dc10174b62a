// Private to the provider clients: one HTTP/1.1 request on its own connection, with the
// response body streamed as it arrives (chunked or not), so SSE and audio bodies are
// handed over piece by piece. Everything runs on the executor the exchange is given (one thread); the
// handlers are called there, in order: on_head once, on_body any number of times, then
// on_done exactly once, unless the owner calls cancel() first (then none of them again).
//
// Timeouts: `connect` covers resolve + TCP + TLS; `first_byte` runs from the request
// write until the response header is complete; `idle` is the longest gap between two
// reads of the body (a stalled stream).
#pragma once

#include "providers/http/provider_error.hpp"
#include "providers/http/transport.hpp"
#include "providers/http/url.hpp"

#include <boost/beast/http.hpp>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::http {

namespace bhttp = boost::beast::http;

struct http_timeouts {
  std::chrono::milliseconds connect{3000};
  std::chrono::milliseconds first_byte{5000};
  std::chrono::milliseconds idle{10000};
};

struct http_request_spec {
  bhttp::verb method = bhttp::verb::get;
  url endpoint;                 ///< scheme, host and port to connect to
  std::string target;           ///< path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Status and headers of a response (names compared case-insensitively).
struct response_head {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  /// The first value of header `name`, or "".
  std::string get(std::string_view name) const;
};

class http_exchange : public std::enable_shared_from_this<http_exchange> {
public:
  struct handlers {
    std::function<void(const response_head&)> on_head;
    std::function<void(std::string_view piece)> on_body;
    /// nullopt: the whole body arrived.
    std::function<void(std::optional<provider_error>)> on_done;
  };

  http_exchange(executor ex, std::shared_ptr<ssl::context> tls, http_request_spec spec,
                http_timeouts timeouts, handlers h);

  /// Starts the request. Call on the executor's thread.
  void start();
  /// Closes the connection; no handler is called afterwards. Call on the executor's thread.
  void cancel();
  /// Whether the first body byte was handed over.
  bool body_started() const { return body_started_; }

private:
  void on_open(beast::error_code ec, std::string_view phase);
  void do_write();
  void on_write(beast::error_code ec);
  void do_read_header();
  void on_read_header(beast::error_code ec);
  void do_read_body();
  void on_read_body(beast::error_code ec);
  void finish(std::optional<provider_error> err);

  executor ex_;
  std::shared_ptr<ssl::context> tls_;
  http_request_spec spec_;
  http_timeouts timeouts_;
  handlers h_;
  std::optional<transport> stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request<bhttp::string_body>> request_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
  /// One read of the body. Streams (SSE) come in pieces of a few hundred bytes and JSON
  /// answers are collected piece by piece, so 4 KB costs no extra reads that matter and
  /// keeps an OpenAI request in flight (one per call that is thinking) small.
  std::array<char, 4 * 1024> body_buf_{};
  bool done_ = false;
  bool body_started_ = false;
};

/// A whole (bounded) response: for JSON APIs and error bodies.
struct buffered_response {
  response_head head;
  std::string body;
};

/// Runs one request and collects the body (at most `max_body` bytes, else a
/// protocol_violation). `done` runs on the executor's thread. Returns the exchange (to cancel it).
std::shared_ptr<http_exchange> buffered_request(executor ex, std::shared_ptr<ssl::context> tls,
                                                http_request_spec spec, http_timeouts timeouts, std::size_t max_body,
                                                std::function<void(std::optional<provider_error>, buffered_response)> done);

} // namespace ce::http
