// tools: the call's tool executor. It knows who the caller is and what they may see;
// tool calls of an interrupted generation are dropped, never run.
//
// Lifetime: spawned and monitored by call_session. Receives tool_call from llm, runs them
// one at a time (each sees the caller context the previous one left) on the store_pool,
// replies tool_result to the sender; control tools (end_call, transfer_to_human) run here
// and also send call_control to call_session; caller_identified tells call_session who the
// call is about.
#pragma once

#include "actors/services.hpp"

#include <caf/all.hpp>

#include <optional>
#include <string>

namespace ce::actors {

struct tool_call {
  std::uint64_t generation = 0;
  std::string id;
  std::string name;
  std::string arguments_json;
};
struct tool_result {
  std::uint64_t generation = 0;
  std::string id;
  std::string result_json;  ///< {"ok":true,...} or {"ok":false,"error":"..."}
};

struct tools_setup {
  std::string call_sid;
  std::string caller_number;  ///< Twilio From: the caller scope of every tool
  std::optional<outbound_job_ref> job;  ///< outbound calls: the job the call was placed for
};

caf::actor spawn_tools(caf::actor_system& sys, const engine_services& services, caf::actor session, tools_setup setup);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::tool_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::tool_result)
