// Call vocabulary: directions, end reasons, the stream start, turn and call records.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce {

enum class call_direction { inbound, outbound };

constexpr std::string_view to_string(call_direction d) {
  return d == call_direction::inbound ? "inbound" : "outbound";
}

/// Why a call ended. Every call ends with exactly one of these.
enum class end_reason {
  caller_hangup,     ///< Twilio sent `stop` or closed the socket
  agent_hangup,      ///< the agent finished the conversation (end_call)
  transfer,          ///< handed to a human (the <Connect action> answers <Dial>)
  silence_timeout,   ///< the caller stayed silent through every reprompt
  max_duration,      ///< the call reached the configured maximum length
  child_failure,     ///< a child actor failed twice; the call ended politely
  refused_capacity,  ///< admission cap reached
  refused_draining,  ///< the engine is shutting down
  invalid_stream,    ///< bad or missing stream token / protocol violation at start
  drain_deadline,    ///< still live when the shutdown deadline passed
};

constexpr std::string_view to_string(end_reason r) {
  switch (r) {
    case end_reason::caller_hangup: return "caller_hangup";
    case end_reason::agent_hangup: return "agent_hangup";
    case end_reason::transfer: return "transfer";
    case end_reason::silence_timeout: return "silence_timeout";
    case end_reason::max_duration: return "max_duration";
    case end_reason::child_failure: return "child_failure";
    case end_reason::refused_capacity: return "refused_capacity";
    case end_reason::refused_draining: return "refused_draining";
    case end_reason::invalid_stream: return "invalid_stream";
    case end_reason::drain_deadline: return "drain_deadline";
  }
  return "unknown";
}

inline constexpr end_reason all_end_reasons[] = {
  end_reason::caller_hangup,    end_reason::agent_hangup,     end_reason::transfer,
  end_reason::silence_timeout,  end_reason::max_duration,     end_reason::child_failure,
  end_reason::refused_capacity, end_reason::refused_draining, end_reason::invalid_stream,
  end_reason::drain_deadline,
};

/// What Twilio's `start` message tells us (already validated by the edge).
struct stream_start {
  std::string call_sid;
  std::string stream_sid;
  std::string account_sid;
  std::map<std::string, std::string> custom_parameters;
  call_direction direction = call_direction::inbound;
  std::string from;  ///< caller number, from the webhook (via the admission reservation)
  std::string to;
};

/// The webhook asks whether a call may be admitted.
struct admission_request {
  std::string call_sid;
  std::string from;
  std::string to;
  call_direction direction = call_direction::inbound;
};

struct admission_decision {
  bool admitted = false;
  end_reason refusal = end_reason::refused_capacity;  ///< meaningful when !admitted
};

/// One turn of the conversation, as kept for the transcript.
struct turn_record {
  int index = 0;
  std::string speaker;             ///< "caller" or "agent"
  std::string text;                ///< what was recognised (caller) or generated (agent)
  std::string heard;               ///< agent turns: what the caller heard before a barge-in
  bool interrupted = false;        ///< agent turn cut short by the caller
  std::int64_t at_ms = 0;          ///< offset from call start
  std::int64_t latency_ms = -1;    ///< agent turns: end of caller speech -> first audio sent
};

/// A call as the operator sees it (live or recently ended).
struct call_record {
  std::string call_sid;
  std::string stream_sid;
  call_direction direction = call_direction::inbound;
  std::string from;
  std::string state;               ///< "live" or "ended"
  std::optional<end_reason> ended_by;
  std::int64_t started_unix_ms = 0;
  std::int64_t duration_ms = 0;
  int barge_ins = 0;
  int child_restarts = 0;
  std::vector<turn_record> turns;
};

} // namespace ce
