// A small asynchronous HTTP/1.1 client for what the mocks send out themselves: Twilio
// status callbacks and TwiML fetches. Plain `http://` only (the engine under test listens
// on loopback); an `https://` URL completes at once with an error.
#pragma once

#include "mocks/http_core.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ce::mocks {

struct http_result {
  unsigned status = 0;  ///< 0 when no response arrived
  std::string body;
  std::string content_type;
  std::string error;    ///< why there is no response
};

struct url_parts {
  std::string scheme;
  std::string host;
  std::string port;
  std::string target;  ///< path and query, at least "/"
};

/// Splits scheme://host[:port][/target]; false when there is no scheme or host.
bool split_url(std::string_view url, url_parts& out);

/// Sends one request with `body` (form-encoded when non-empty) and calls `done` with the
/// outcome, on a strand of `ioc`.
void async_http_request(asio::io_context& ioc, http::verb method, const std::string& url, std::string body,
                        std::vector<std::pair<std::string, std::string>> headers, std::chrono::milliseconds timeout,
                        std::function<void(http_result)> done);

} // namespace ce::mocks
