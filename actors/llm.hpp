// llm: the call's language-model child. Embedded provider: the deterministic dialog
// policy (src/dialog) driving the same tools an LLM would.
//
// Lifetime: spawned and monitored by call_session. Receives `respond` for every agent
// turn, `interrupt_atom` (high priority) on barge-in, `heard_atom` with what the caller
// heard of an interrupted turn, and tool results from `tools`. Streams agent_sentence
// (one per sentence, as soon as it is complete) and agent_turn_done to call_session, and
// tool_call to tools. Everything carries the generation; stale input is dropped.
#pragma once

#include "actors/services.hpp"
#include "callengine/call.hpp"

#include <caf/all.hpp>

#include <string>

namespace ce::runtime {
class shard;
}

namespace ce::actors {

enum class turn_cause { call_started, caller_said, caller_silent, max_duration, dtmf, retry, voicemail };

struct respond {
  std::uint64_t generation = 0;
  turn_cause cause = turn_cause::caller_said;
  std::string text;     ///< caller_said: the utterance; dtmf: the digit
  int reprompt = 0;     ///< caller_silent: 1, 2, ... (past max -> goodbye)
};
using heard_atom = caf::atom_constant<caf::atom("heard")>;  // (generation, std::string heard)

struct llm_setup {
  call_direction direction = call_direction::inbound;
  std::string call_sid;
  std::string caller_number;
  runtime::shard* shard = nullptr;  ///< the call's shard: the OpenAI connection lives there
  std::optional<outbound_job_ref> job;  ///< outbound calls placed for a reminder or follow-up job
};

caf::actor spawn_llm(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     caf::actor tools, llm_setup setup);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::respond)
