// Google Calendar v3 client (protocols.md §8) with its OAuth2 refresh-token exchange.
//
// Tokens: an access token is fetched on first use with the refresh token, cached, fetched
// again `refresh_margin` before it expires, and once more (at most twice per operation)
// when the API answers 401. Concurrent operations share one refresh. Token endpoint errors
// invalid_grant / invalid_client are permanent (an operator must act).
//
// Operations: freeBusy, events.insert (with our own idempotent id: a 409 means the event
// exists already — it is fetched and returned as success, revived if it was cancelled),
// events.patch, events.delete (410 = already deleted = success), events.get. Errors are
// classified per §8.5: 403 rateLimitExceeded / userRateLimitExceeded / quotaExceeded, 429
// and 5xx (and connection failures and timeouts) are retried with jittered backoff
// (honouring Retry-After) within the operation's `deadline`; the others are permanent.
//
// Threading: every member may be called from any thread (it posts to the client's strand);
// every completion runs on that strand exactly once, unless the client is destroyed first
// (then none runs: the destructor waits for a completion running on the io thread, and
// none runs after it).
#pragma once

#include "providers/google/calendar_types.hpp"
#include "providers/http/backoff.hpp"
#include "providers/http/result.hpp"
#include "providers/http/tls.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace ce::google {

struct calendar_options {
  std::string token_url = "https://oauth2.googleapis.com/token";
  std::string calendar_base = "https://www.googleapis.com/calendar/v3";
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string scope;  ///< optional, space-separated
  /// Refresh this long before the token's expiry.
  std::chrono::seconds refresh_margin{60};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds first_byte_timeout{5000};
  std::chrono::milliseconds idle_timeout{5000};
  /// Per operation, retries and token refreshes included.
  std::chrono::milliseconds deadline{8000};
  http::retry_policy retry{4, std::chrono::milliseconds(250), std::chrono::milliseconds(4000), 0.25,
                           std::chrono::milliseconds(30000)};
  /// sendUpdates for insert/patch/delete ("all", "externalOnly", "none"); empty: not sent.
  std::string send_updates;
  http::tls_options tls;
  std::string log_context;
};

template <class T>
using calendar_callback = std::function<void(http::result<T>)>;

class calendar_client {
public:
  calendar_client(boost::asio::io_context& io, calendar_options options);
  ~calendar_client();
  calendar_client(const calendar_client&) = delete;
  calendar_client& operator=(const calendar_client&) = delete;

  void free_busy(free_busy_query query, calendar_callback<free_busy_result> done);
  /// `event.id` must be a valid base32hex id (make_event_id); bad_request otherwise.
  void insert_event(std::string calendar_id, calendar_event event, calendar_callback<insert_outcome> done);
  void patch_event(std::string calendar_id, std::string event_id, event_patch patch,
                   calendar_callback<calendar_event> done);
  void delete_event(std::string calendar_id, std::string event_id, calendar_callback<delete_outcome> done);
  void get_event(std::string calendar_id, std::string event_id, calendar_callback<calendar_event> done);

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace ce::google
