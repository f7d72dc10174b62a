// The one error vocabulary of every cloud provider client (Deepgram, OpenAI, Google), and
// the one place where wire-level failures are classified into it: HTTP statuses with the
// vendor's reason code, socket / TLS / parser errors, WebSocket close codes.
//
// A client reports a `provider_error`; its owner decides what to do with it (retry,
// reconnect, fail over). `is_permanent()` says whether trying the same thing again can
// help: a bad key, an exhausted quota or a malformed request will fail again, a timeout
// or a 503 may not. Retries are only ever made for non-permanent errors (backoff.hpp).
//
// No Asio or Beast here: boost::system::error_code is only forward-declared.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace boost::system {
class error_code;
}

namespace ce::http {

enum class provider_errc : std::uint8_t {
  unauthenticated,     ///< 401, wrong or missing key, OAuth invalid_grant/invalid_client
  forbidden,           ///< 403 permission / region (not a rate limit)
  quota_exhausted,     ///< 402, OpenAI insufficient_quota, Deepgram ASR_PAYMENT_REQUIRED
  bad_request,         ///< 400, 413, 415, 422, 412: the request itself is wrong
  not_found,           ///< 404 (model, event, calendar)
  gone,                ///< 410 (event already deleted)
  conflict,            ///< 409 (OpenAI retries these; Google's duplicate id is handled above)
  rate_limited,        ///< 429, Google 403 rateLimitExceeded, OpenAI rate_limit_exceeded
  timeout,             ///< connect, first byte, idle stream, dead WebSocket, 408
  unreachable,         ///< DNS failure, connection refused, network down
  connection_lost,     ///< the peer closed or reset an established connection
  server_error,        ///< 5xx, WebSocket 1011, an `error` event inside a 200 stream
  truncated,           ///< a stream ended without its terminator (SSE [DONE])
  protocol_violation,  ///< the peer sent something we cannot parse or did not expect
  tls_failure,         ///< certificate verification or TLS handshake failure
  cancelled,           ///< the owner cancelled or closed the client
};

std::string_view to_string(provider_errc code);
/// Whether retrying the same request (or reconnecting) can help.
bool is_permanent(provider_errc code);

struct provider_error {
  provider_errc code = provider_errc::server_error;
  /// The HTTP status (handshake or response), 0 when there was none.
  int http_status = 0;
  /// The vendor's machine-readable reason when known: "insufficient_quota",
  /// "rate_limit_exceeded", "rateLimitExceeded", "TOO_MANY_REQUESTS", "NET-0001", ...
  std::string reason;
  /// Short human text (the vendor's message or ours); never a key or a payload.
  std::string message;
  /// Server hints for a retry (retry-after-ms, retry-after, x-should-retry).
  std::optional<std::chrono::milliseconds> retry_after;
  std::optional<bool> should_retry;

  bool is_permanent() const { return ce::http::is_permanent(code); }
  /// "rate_limited (429 rate_limit_exceeded): message" for logs.
  std::string describe() const;
};

provider_error make_error(provider_errc code, std::string message, std::string reason = {});

/// Classifies a non-success HTTP answer. `reason` is the vendor's code from the body
/// (OpenAI error.type / error.code, Google error.errors[0].reason, Deepgram err_code), when
/// any: it refines the status (429 insufficient_quota -> quota_exhausted, 403
/// rateLimitExceeded -> rate_limited, ...).
provider_error classify_http(int status, std::string_view reason, std::string message);
/// The same with several candidate reasons (e.g. OpenAI's error.type and error.code): the
/// most telling one (quota, rate, auth, transient) is used, else the first non-empty.
provider_error classify_http(int status, std::initializer_list<std::string_view> reasons, std::string message);

/// Classifies an `error` object that arrived inside a 200 stream (OpenAI), by its type/code.
provider_error classify_stream_error(std::string_view type, std::string_view code, std::string message);

/// Classifies a socket, TLS, HTTP-parser or WebSocket error. `phase` names what was
/// going on ("connect", "tls", "handshake", "read", "write") for the message.
provider_error classify_transport(const boost::system::error_code& ec, std::string_view phase);

/// Classifies a WebSocket close frame received from the server (Deepgram: 1011 NET-0001,
/// 1008 DATA-0000, 1009 BIG-0001, ...). nullopt for a normal close (1000).
std::optional<provider_error> classify_ws_close(std::uint16_t code, std::string_view reason);

} // namespace ce::http
