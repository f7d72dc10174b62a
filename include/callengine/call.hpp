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

/// The outbound job a call was placed for (carried in its signed stream token).
struct outbound_job_ref {
  std::int64_t job_id = 0;
  int attempt = 0;
  std::string kind;  ///< "reminder" or "followup"
};

inline std::string format_outbound_job(const outbound_job_ref& ref) {
  return std::to_string(ref.job_id) + "/" + std::to_string(ref.attempt) + "/" + ref.kind;
}

/// "<job>/<attempt>/<kind>" -> the reference; nullopt when malformed.
inline std::optional<outbound_job_ref> parse_outbound_job(std::string_view text) {
  auto number = [](std::string_view t, std::int64_t& out) {
    if (t.empty() || t.size() > 18) return false;
    out = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    return out > 0;
  };
  auto a = text.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = text.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  outbound_job_ref ref;
  std::int64_t attempt = 0;
  if (!number(text.substr(0, a), ref.job_id) || !number(text.substr(a + 1, b - a - 1), attempt) || attempt > 1000)
    return std::nullopt;
  ref.attempt = static_cast<int>(attempt);
  ref.kind = std::string{text.substr(b + 1)};
  if (ref.kind != "reminder" && ref.kind != "followup") return std::nullopt;
  return ref;
}

/// What Twilio's `start` message tells us (already validated by the edge).
struct stream_start {
  std::string call_sid;
  std::string stream_sid;
  std::string account_sid;
  std::map<std::string, std::string> custom_parameters;
  call_direction direction = call_direction::inbound;
  std::string from;  ///< caller number, from the webhook (via the admission reservation)
  std::string to;
  std::optional<outbound_job_ref> job;  ///< outbound calls placed by the reminder scheduler
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
