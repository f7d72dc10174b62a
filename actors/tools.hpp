// tools: the call's tool executor. It knows who the caller is and what they may see;
// tool calls of an interrupted generation are dropped, never run.
//
// Lifetime: spawned and monitored by call_session. Receives tool_call from llm, replies
// tool_result to the sender; control tools (end_call, transfer_to_human) also send
// call_control to call_session.
#pragma once

#include "actors/services.hpp"

#include <caf/all.hpp>

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

caf::actor spawn_tools(caf::actor_system& sys, const engine_services& services, caf::actor session,
                       std::string call_sid);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::tool_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::tool_result)
