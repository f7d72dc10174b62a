// The control API every mock port serves under `/__mock/` (JSON in, JSON out):
//
//   GET    /__mock/health                      {"ok":true}
//   GET    /__mock/config                      the config document in force
//   POST   /__mock/config    <merge patch>     RFC 7386 patch (arrays replace); 400 {"error"} if invalid
//   PUT    /__mock/config    <document>        replace the whole config
//   GET    /__mock/log?service=&event=&since=&limit=
//                                              {"entries":[...], "last_seq":n}; event is an
//                                              exact name, or a prefix ending in '.' or '*'
//   DELETE /__mock/log                         clear the log
//   GET    /__mock/stats                       counters per service
//   POST   /__mock/reset                       calls, tokens, cursors, counters, calendars
//   POST   /__mock/disconnect  {"service":"stt|tts|openai|all"}   {"dropped":n}
//   POST   /__mock/google/expire_tokens        every issued access token becomes stale
//   GET    /__mock/google/events?calendar=id   the stored events (cancelled ones too)
//   GET    /__mock/twilio/calls                every call with what it received and ran, its
//                                              AMD result and its simulated callee (twilio_mock.hpp)
//   POST   /__mock/twilio/hangup  {"call_sid":"CA..."}   the callee hangs up
#pragma once

#include "mocks/http_core.hpp"

#include <functional>
#include <optional>
#include <string>

namespace ce::mocks {

/// What the control API can act on (implemented by the server).
class control_target {
public:
  virtual ~control_target() = default;
  virtual mock_context& context() = 0;
  virtual std::optional<std::string> reset_state() = 0;
  virtual std::size_t disconnect(std::string_view service) = 0;
  virtual void expire_google_tokens() = 0;
  virtual std::vector<nlohmann::json> calendar_events(const std::string& calendar) = 0;
  virtual nlohmann::json twilio_calls() = 0;
  virtual bool twilio_hang_up(const std::string& sid) = 0;
  /// A config was installed: apply what must follow it (log limit, seed).
  virtual void config_changed() = 0;
};

class control_service : public request_handler {
public:
  explicit control_service(control_target& target) : target_(target) {}
  void handle(http_request&& req, const connection_ptr& conn) override;

private:
  control_target& target_;
};

} // namespace ce::mocks
