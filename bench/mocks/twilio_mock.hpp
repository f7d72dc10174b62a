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
// Answering-machine detection: with MachineDetection (Enable / DetectMessageEnd) and
// AsyncAmd=true, the AMD result (AccountSid, CallSid, AnsweredBy, MachineDetectionDuration)
// is posted, form-encoded and signed, to AsyncAmdStatusCallback `amd_delay_ms` after the
// answer; without AsyncAmd the TwiML fetch waits for the result and carries AnsweredBy.
// `amd_answered_by` says who picks up.
//
// Simulated callee (`twilio.callee.enabled`): when the TwiML run on answer holds
// <Connect><Stream>, a ce::sim::call (bench/sim) plays the person or the answering machine
// on the engine's stream, on a thread of its own: a person says `greeting` as the stream
// starts, then the `say` lines after the agent's turns, then hangs up (the call
// completes); a machine plays `voicemail_greeting` and a beep and listens until the engine
// closes the stream, then the <Connect action> is requested and the call completes. An
// update with new TwiML or a hang-up ends the callee's stream (`stop`, close).
//
// Otherwise media streams are out of scope: `set_hook` receives every answer, update and
// completion so a test or the load generator can start or stop its simulated stream, and
// `hang_up` ends a call from the callee's side.
#pragma once

#include "mocks/http_core.hpp"
#include "mocks/twilio_call_event.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

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
  /// Stops the simulated callees' thread (call after the mock's I/O threads stopped).
  void shutdown();
  ~twilio_service() override;

private:
  struct call_state;
  using call_ptr = std::shared_ptr<call_state>;

  void create(http_request&& req, const connection_ptr& conn, const std::string& account);
  void update(http_request&& req, const connection_ptr& conn, const std::string& account, const std::string& sid);
  void advance(const call_ptr& c);
  void schedule(const call_ptr& c, std::chrono::milliseconds delay);
  void finish(const call_ptr& c, const std::string& status);
  void execute_twiml(const call_ptr& c, const std::string& twiml, const std::string& url);
  void fetch_twiml(const call_ptr& c, const std::string& url, const std::string& answered_by = {});
  void run_answer_twiml(const call_ptr& c);
  void arm_async_amd(const call_ptr& c, bool callee_plays_greeting);
  void schedule_amd(const call_ptr& c, std::int64_t delay_from_answer_ms, bool sync);
  void send_amd(const call_ptr& c);
  bool start_callee(const call_ptr& c, const std::string& twiml, const std::string& url);
  void stop_callee(const call_ptr& c);
  void on_callee_event(const call_ptr& c, const std::string& event, std::int64_t at_ms);
  void on_callee_done(const call_ptr& c, const nlohmann::json& result, bool engine_closed,
                      const std::string& after_stream_twiml);
  boost::asio::io_context& callee_context();
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
  // The simulated callees run on one thread of their own (espeak-ng and 20 ms clocks off
  // the mock's I/O threads; a ce::sim::call is single-threaded).
  std::mutex callee_mutex_;
  std::unique_ptr<boost::asio::io_context> callee_ioc_;
  std::shared_ptr<void> callee_work_;
  std::thread callee_thread_;
  std::set<call_ptr> live_callees_;  ///< under mutex_
};

} // namespace ce::mocks
