// What the Twilio REST mock tells its owner about a call (no Asio here, so the public
// mock_server header stays light).
#pragma once

#include <functional>
#include <string>

namespace ce::mocks {

struct twilio_call_event {
  std::string kind;         ///< "answered", "updated", "completed"
  std::string call_sid;
  std::string account_sid;
  std::string from;
  std::string to;
  std::string status;       ///< the call's status after the event
  std::string twiml;        ///< inline TwiML in force (create or update), or fetched from `url`
  std::string url;          ///< TwiML URL in force, if any
};

using twilio_hook = std::function<void(const twilio_call_event&)>;

} // namespace ce::mocks
