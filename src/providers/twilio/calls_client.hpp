// Twilio REST: creating an outbound call (protocols.md: `POST /2010-04-01/Accounts/{Sid}/
// Calls.json`, HTTP Basic with the account SID and auth token, a form body), with the
// engine's status callbacks and asynchronous answering-machine detection.
//
// One request per call, no retry inside: the scheduler owns the policy (a 429 puts the job
// back without spending an attempt; anything else is a failed attempt, retried later).
// Threading: place() may be called from any thread; `done` runs on the client's io_context
// (a shard), exactly once.
#pragma once

#include "providers/http/result.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ce::twilio_rest {

struct calls_options {
  std::string api_base = "https://api.twilio.com";  ///< TWILIO_API_BASE for the mock
  std::string account_sid;
  std::string auth_token;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds answer_timeout{10000};
};

struct outbound_call {
  std::string to;
  std::string from;
  std::string url;              ///< the engine's voice webhook (TwiML for the answered call)
  std::string status_callback;  ///< call progress: initiated, ringing, answered, completed
  std::string amd_callback;     ///< AsyncAmdStatusCallback; "" = no machine detection
  int timeout_s = 25;           ///< ringing time before no-answer
};

struct created_call {
  std::string sid;          ///< CA...
  std::string status;       ///< queued (create); queued ... completed, busy, no-answer, failed, canceled (fetch)
  std::string answered_by;  ///< fetch: AMD's verdict when there was one
};

/// The form body of the create request (parameter order as sent).
std::vector<std::pair<std::string, std::string>> create_form(const outbound_call& c);
/// Reads Twilio's answer: 201 (create) or 200 (fetch) with the Call resource, or an error
/// body {code, message, status}.
http::result<created_call> read_create_answer(int status, std::string_view body);

class calls_client {
public:
  calls_client(boost::asio::io_context& io, calls_options options);
  ~calls_client();
  calls_client(const calls_client&) = delete;
  calls_client& operator=(const calls_client&) = delete;

  void place(outbound_call call, std::function<void(http::result<created_call>)> done);
  /// `GET .../Calls/{sid}.json`: the call as Twilio sees it now (for a final status
  /// callback that never came).
  void fetch(std::string call_sid, std::function<void(http::result<created_call>)> done);

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

} // namespace ce::twilio_rest
