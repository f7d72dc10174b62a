// Private to ce_google: the OAuth2 access token (cached, refreshed ahead of expiry, shared
// by concurrent callers) and authorized Calendar requests with the retry policy: a 401
// refreshes the token and tries again (at most twice), retryable errors back off within
// the deadline. Everything runs on the session's io thread.
#pragma once

#include "providers/google/calendar_client.hpp"
#include "providers/http/http_exchange.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace ce::google {

struct api_call {
  std::string name;  ///< "events.insert", … (logs)
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string path_and_query;  ///< below calendar_base, e.g. "/calendars/primary/events"
  std::string body;            ///< JSON, or empty
  /// Statuses handed back to the caller as they are (no retry), e.g. 409, 410, 404.
  std::vector<int> final_statuses;
};

/// `err` is nullopt for a 2xx answer and for a status listed in final_statuses (then
/// `res.head.status` tells which).
using api_done = std::function<void(std::optional<http::provider_error> err, http::buffered_response res)>;

class google_session : public std::enable_shared_from_this<google_session> {
public:
  google_session(http::executor ex, calendar_options options);

  /// Runs `call` with a valid token. On the io thread.
  void run(api_call call, api_done done);
  /// Drops pending work; no callback runs afterwards.
  void stop();

  const calendar_options& options() const { return opt_; }

private:
  struct op;
  using token_waiter = std::function<void(http::result<std::string>)>;

  void with_token(std::chrono::steady_clock::time_point deadline, token_waiter w);
  void refresh(std::chrono::steady_clock::time_point deadline);
  void on_token(std::optional<http::provider_error> err, http::buffered_response res,
                std::chrono::steady_clock::time_point deadline);
  void attempt(std::shared_ptr<op> o);
  void send(std::shared_ptr<op> o, const std::string& token);
  void on_answer(std::shared_ptr<op> o, const std::string& token, std::optional<http::provider_error> err,
                 http::buffered_response res);
  void retry_or_fail(std::shared_ptr<op> o, http::provider_error err);
  http::http_request_spec spec_for(const http::url& u, boost::beast::http::verb m, std::string target) const;

  http::executor ex_;
  calendar_options opt_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::optional<http::url> token_url_;
  std::optional<http::url> api_base_;
  http::jitter_source jitter_;

  std::string access_token_;
  std::chrono::steady_clock::time_point expires_at_{};
  bool refreshing_ = false;
  int token_attempts_ = 0;
  std::vector<token_waiter> waiters_;
  http::steady_timer token_timer_;
  std::shared_ptr<http::http_exchange> token_exchange_;
  std::vector<std::shared_ptr<op>> live_;
  bool stopped_ = false;
};

} // namespace ce::google
