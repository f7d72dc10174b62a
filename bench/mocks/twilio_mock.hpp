// Twilio REST mock (protocols.md §3.6, §4, §9.2): calls under
// `/2010-04-01/Accounts/{AccountSid}/Calls.json` and `.../Calls/{CallSid}.json`.
//
// Auth: HTTP Basic with the account sid and auth token (or an API key sid and secret);
// otherwise 401 code 20003. Create needs To, From and exactly one of Url / Twiml (a stricter
// check than Twilio, which ignores Twiml when both are given), answers 201 with the Call
// (status queued, a fresh CA sid), then every `step_ms`: initiated, ringing, and the
// configured outcome (answered -> in-progress, or busy / no-answer / failed). Status
// callbacks go to StatusCallback for the StatusCallbackEvent values asked for (only
// `completed` when none are), form-encoded, signed with the auth token
// (X-Twilio-Signature), with SequenceNumber, Timestamp and, on terminal events,
// CallDuration / Duration / SipResponseCode. On answer a Url is fetched like Twilio would
// (POST with the call parameters, signed) when `fetch_twiml`.
//
// Update: Status=completed hangs up (an unanswered call becomes canceled), Status=canceled
// cancels an unanswered call; Twiml / Url replace the call's TwiML (recorded; unless it
// holds <Connect>, the call completes `twiml_exec_ms` later). An unknown or finished sid is
// 404 code 20404. GET fetches the Call.
//
// Media streams are out of scope: `set_hook` receives every answer, update and completion
// so a test or the load generator can start or stop its simulated stream, and `hang_up`
// ends a call from the callee's side.
#pragma once

#include "mocks/http_core.hpp"
#include "mocks/twilio_call_event.hpp"

#include <functional>
#include <map>
#include <mutex>

namespace ce::mocks {


class twilio_service : public request_handler {
public:
  explicit twilio_service(mock_context& ctx);

  void handle(http_request&& req, const connection_ptr& conn) override;
  /// Called (on an I/O thread, without locks held) for call answers, updates and ends.
  void set_hook(twilio_hook hook);
  /// The callee hangs up: an answered call completes, an unanswered one is canceled.
  bool hang_up(const std::string& call_sid);
  /// Every call the mock knows, as Call resources plus what was received and executed.
  nlohmann::json calls() const;
  void reset();

private:
  struct call_state;
  using call_ptr = std::shared_ptr<call_state>;

  void create(http_request&& req, const connection_ptr& conn, const std::string& account);
  void update(http_request&& req, const connection_ptr& conn, const std::string& account, const std::string& sid);
  void advance(const call_ptr& c);
  void schedule(const call_ptr& c, std::chrono::milliseconds delay);
  void finish(const call_ptr& c, const std::string& status);
  void execute_twiml(const call_ptr& c, const std::string& twiml, const std::string& url);
  void fetch_twiml(const call_ptr& c, const std::string& url);
  void queue_callback(const call_ptr& c, const std::string& event, const std::string& call_status);
  void send_next_callback(const call_ptr& c);
  void notify(twilio_call_event ev);
  nlohmann::json resource(const call_state& c) const;
  std::string new_sid();

  mock_context& ctx_;
  mutable std::mutex mutex_;
  std::map<std::string, call_ptr> calls_;
  std::uint64_t counter_ = 0;
  twilio_hook hook_;
};

} // namespace ce::mocks
