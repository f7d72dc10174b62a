// Google mock (protocols.md §8, §9.6): OAuth `POST /token` (refresh_token grant) and
// Calendar v3 under `/calendar/v3`: `POST /freeBusy`, `POST|GET /calendars/{id}/events`,
// `GET|PATCH|PUT|DELETE /calendars/{id}/events/{eventId}`.
//
// Tokens: a refresh with the configured client id, secret and refresh token returns
// `mock-at-<n>` with `expires_in` (optionally as a string). Tokens expire on a virtual clock
// running `clock_speed` x real time (or after `token_ttl_ms` of real time when set), so a
// client's refresh path runs in a short test; `expire_tokens()` expires them all now. A
// Calendar call with a missing, unknown or expired token gets 401 authError (unless
// `require_token` is false). Wrong refresh token: 400 invalid_grant; wrong client:
// 401 invalid_client.
//
// Faults match the operation: token, freeBusy, events.insert, events.patch,
// events.update, events.delete, events.get, events.list. A `status` fault answers in
// Google's shape: 403 rateLimitExceeded (usageLimits), 429 rateLimitExceeded with
// Retry-After, 5xx backendError (error_code overrides the reason).
#pragma once

#include "mocks/calendar_store.hpp"
#include "mocks/http_core.hpp"

#include <mutex>
#include <unordered_map>

namespace ce::mocks {

class google_service : public request_handler {
public:
  explicit google_service(mock_context& ctx);

  void handle(http_request&& req, const connection_ptr& conn) override;
  /// Re-seeds the calendars from the config and forgets every token.
  std::string reset();
  void expire_tokens();
  calendar_store& calendars() { return calendars_; }

private:
  void token(http_request&& req, const connection_ptr& conn, const mock_config& cfg);
  void calendar_api(http_request&& req, const connection_ptr& conn, const mock_config& cfg);
  bool token_valid(const std::string& token, const google_config& g);
  double virtual_now_ms(double speed);

  mock_context& ctx_;
  zone_db zones_;
  calendar_store calendars_;
  std::mutex token_mutex_;
  struct token_state {
    double virtual_expiry_ms = 0;
    std::optional<steady::time_point> real_expiry;
    bool revoked = false;
  };
  std::unordered_map<std::string, token_state> tokens_;
  std::uint64_t issued_ = 0;
  steady::time_point clock_real_ = steady::now();
  double clock_virtual_ms_ = 0;
};

} // namespace ce::mocks
