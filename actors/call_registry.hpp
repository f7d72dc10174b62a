// call_registry: process-wide admission control and live-call index.
//
// Lifetime: spawned by main at start, ended by main at shutdown (after drain). Admission:
// the webhook reserves a slot (expires after calls.admission_reservation_s); the stream's
// call_session registers and turns the reservation into a live call. Past the cap, calls
// are refused (polite TwiML) and admitted calls are untouched. Keeps the last
// calls.recent_calls_kept ended calls for operators and for Twilio's <Connect action>.
#pragma once

#include "actors/services.hpp"
#include "callengine/call.hpp"

#include <caf/all.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ce::actors {

// --- from the gateway (edge threads); callbacks run on the registry's thread ---
struct admit_call {
  admission_request request;
  std::function<void(admission_decision)> reply;
};
struct query_after_stream {
  std::string call_sid;
  std::function<void(std::optional<end_reason>)> reply;
};
struct query_calls {
  std::function<void(std::vector<call_record>)> reply;
};
struct query_call {
  std::string call_sid;
  std::function<void(std::optional<call_record>)> reply;
};
struct kill_call_child {
  std::string call_sid;
  std::string role;
  std::function<void(bool)> reply;
};
struct begin_drain {
  std::int64_t deadline_ms = 0;
  std::function<void()> done;
};
/// Twilio's answering-machine verdict for an outbound call: to its call_session (kept
/// until the stream registers when it comes first).
struct amd_verdict {
  std::string call_sid;
  std::string answered_by;
};

// --- from call_session ---
using register_atom = caf::atom_constant<caf::atom("register")>;  // (stream_start) -> admission_decision
struct call_summary {
  call_record record;  ///< without turns
};
struct call_ending {
  std::string call_sid;
  end_reason reason = end_reason::caller_hangup;
};
struct call_ended {
  call_record record;
};

caf::actor spawn_call_registry(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                               std::shared_ptr<call_metrics> metrics);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::admit_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::query_after_stream)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::query_calls)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::query_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::kill_call_child)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::begin_drain)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::amd_verdict)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::call_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::call_ending)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::call_ended)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::stream_start)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::admission_decision)
