#include "providers/http/provider_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include <algorithm>

namespace ce::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// Vendor reasons that decide the class whatever the status says.
bool quota_reason(std::string_view r) {
  return one_of(r, {"insufficient_quota", "credit_balance_exhausted", "project_spend_limit_exceeded",
                    "billing_hard_limit_reached", "ASR_PAYMENT_REQUIRED"});
}
bool rate_reason(std::string_view r) {
  return one_of(r, {"rate_limit_exceeded", "slow_down", "rateLimitExceeded", "userRateLimitExceeded",
                    "quotaExceeded", "TOO_MANY_REQUESTS", "requests", "tokens"});
}
bool auth_reason(std::string_view r) {
  return one_of(r, {"invalid_grant", "invalid_client", "unauthorized_client", "authError", "INVALID_AUTH",
                    "invalid_api_key", "authentication_error"});
}
bool transient_reason(std::string_view r) {
  return one_of(r, {"internal_failure", "server_error", "temporarily_unavailable", "backendError",
                    "server_is_overloaded", "internalError"});
}

provider_errc from_status(int status) {
  if (status == 400) return provider_errc::bad_request;
  if (status == 401) return provider_errc::unauthenticated;
  if (status == 402) return provider_errc::quota_exhausted;
  if (status == 403) return provider_errc::forbidden;
  if (status == 404) return provider_errc::not_found;
  if (status == 408) return provider_errc::timeout;
  if (status == 409) return provider_errc::conflict;
  if (status == 410) return provider_errc::gone;
  if (status == 429) return provider_errc::rate_limited;
  if (status >= 500 && status <= 599) return provider_errc::server_error;
  if (status >= 400 && status <= 499) return provider_errc::bad_request;
  return provider_errc::protocol_violation;  // 1xx/3xx or nonsense where an answer was due
}

} // namespace

std::string_view to_string(provider_errc code) {
  switch (code) {
  case provider_errc::unauthenticated: return "unauthenticated";
  case provider_errc::forbidden: return "forbidden";
  case provider_errc::quota_exhausted: return "quota_exhausted";
  case provider_errc::bad_request: return "bad_request";
  case provider_errc::not_found: return "not_found";
  case provider_errc::gone: return "gone";
  case provider_errc::conflict: return "conflict";
  case provider_errc::rate_limited: return "rate_limited";
  case provider_errc::timeout: return "timeout";
  case provider_errc::unreachable: return "unreachable";
  case provider_errc::connection_lost: return "connection_lost";
  case provider_errc::server_error: return "server_error";
  case provider_errc::truncated: return "truncated";
  case provider_errc::protocol_violation: return "protocol_violation";
  case provider_errc::tls_failure: return "tls_failure";
  case provider_errc::cancelled: return "cancelled";
  }
  return "unknown";
}

bool is_permanent(provider_errc code) {
  switch (code) {
  case provider_errc::unauthenticated:
  case provider_errc::forbidden:
  case provider_errc::quota_exhausted:
  case provider_errc::bad_request:
  case provider_errc::not_found:
  case provider_errc::gone:
  case provider_errc::protocol_violation:
  case provider_errc::tls_failure:
  case provider_errc::cancelled:
    return true;
  case provider_errc::conflict:
  case provider_errc::rate_limited:
  case provider_errc::timeout:
  case provider_errc::unreachable:
  case provider_errc::connection_lost:
  case provider_errc::server_error:
  case provider_errc::truncated:
    return false;
  }
  return true;
}

std::string provider_error::describe() const {
  std::string out(to_string(code));
  if (http_status != 0 || !reason.empty()) {
    out += " (";
    if (http_status != 0) out += std::to_string(http_status);
    if (http_status != 0 && !reason.empty()) out += ' ';
    out += reason;
    out += ')';
  }
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

provider_error make_error(provider_errc code, std::string message, std::string reason) {
  provider_error e;
  e.code = code;
  e.message = std::move(message);
  e.reason = std::move(reason);
  return e;
}

provider_error classify_http(int status, std::string_view reason, std::string message) {
  provider_error e;
  e.http_status = status;
  e.reason = std::string(reason);
  e.message = std::move(message);
  if (quota_reason(reason)) {
    e.code = provider_errc::quota_exhausted;
  } else if (rate_reason(reason) && (status == 403 || status == 429 || status == 0)) {
    e.code = provider_errc::rate_limited;
  } else if (auth_reason(reason) && status >= 400 && status < 500) {
    e.code = provider_errc::unauthenticated;
  } else if (transient_reason(reason) && status >= 400) {
    e.code = status == 429 ? provider_errc::rate_limited : provider_errc::server_error;
  } else {
    e.code = from_status(status);
  }
  return e;
}

provider_error classify_http(int status, std::initializer_list<std::string_view> reasons, std::string message) {
  std::string_view chosen;
  for (auto pred : {quota_reason, rate_reason, auth_reason, transient_reason}) {
    for (auto r : reasons)
      if (!r.empty() && pred(r)) {
        chosen = r;
        break;
      }
    if (!chosen.empty()) break;
  }
  if (chosen.empty())
    for (auto r : reasons)
      if (!r.empty()) {
        chosen = r;
        break;
      }
  return classify_http(status, chosen, std::move(message));
}

provider_error classify_stream_error(std::string_view type, std::string_view code, std::string message) {
  provider_error e;
  e.reason = std::string(!code.empty() ? code : type);
  e.message = std::move(message);
  if (quota_reason(type) || quota_reason(code)) e.code = provider_errc::quota_exhausted;
  else if (rate_reason(type) || rate_reason(code)) e.code = provider_errc::rate_limited;
  else if (auth_reason(type) || auth_reason(code)) e.code = provider_errc::unauthenticated;
  else if (type == "invalid_request_error") e.code = provider_errc::bad_request;
  else e.code = provider_errc::server_error;
  return e;
}

provider_error classify_transport(const boost::system::error_code& ec, std::string_view phase) {
  provider_error e;
  e.message = std::string(phase) + ": " + ec.message();
  e.reason = std::string(phase);
  if (ec == asio::error::operation_aborted) {
    e.code = provider_errc::cancelled;
  } else if (ec == beast::error::timeout) {
    e.code = provider_errc::timeout;
  } else if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
             ec == asio::error::no_data || ec == asio::error::no_recovery ||
             ec == asio::error::connection_refused || ec == asio::error::network_unreachable ||
             ec == asio::error::host_unreachable || ec == asio::error::network_down) {
    e.code = provider_errc::unreachable;
  } else if (ec == asio::error::eof || ec == asio::error::connection_reset ||
             ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
             ec == asio::error::not_connected || ec == asio::error::shut_down ||
             ec == beast::http::error::end_of_stream || ec == beast::http::error::partial_message ||
             ec == beast::websocket::error::closed || ec == asio::ssl::error::stream_truncated) {
    e.code = provider_errc::connection_lost;
  } else if (ec.category() == asio::error::get_ssl_category()) {
    e.code = provider_errc::tls_failure;
  } else if (ec.category() == beast::http::make_error_code(beast::http::error::bad_version).category() ||
             ec.category() ==
               beast::websocket::make_error_code(beast::websocket::error::bad_http_version).category()) {
    e.code = provider_errc::protocol_violation;
  } else {
    e.code = phase == "connect" ? provider_errc::unreachable : provider_errc::connection_lost;
  }
  return e;
}

std::optional<provider_error> classify_ws_close(std::uint16_t code, std::string_view reason) {
  if (code == 1000) return std::nullopt;
  provider_error e;
  e.reason = std::string(reason.empty() ? std::string_view("close") : reason);
  e.message = "closed by server with " + std::to_string(code) + (reason.empty() ? "" : " " + std::string(reason));
  if (code == 1008 && reason == "DATA-0001") e.code = provider_errc::rate_limited;
  else if (code == 1008 || code == 1003 || code == 1007 || code == 1002) e.code = provider_errc::protocol_violation;
  else if (code == 1009) e.code = provider_errc::bad_request;
  else if (code == 1011 && reason == "NET-0001") e.code = provider_errc::timeout;
  else if (code == 1011 || code == 1012 || code == 1013 || code == 1014) e.code = provider_errc::server_error;
  else e.code = provider_errc::connection_lost;
  return e;
}

} // namespace ce::http
