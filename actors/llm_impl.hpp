// Private to actors/: the state of the llm actor and the functions of its two providers,
// llm.cpp (the actor, the embedded dialog policy, failover) and llm_openai.cpp (OpenAI Chat
// Completions: the conversation, streamed sentences, the tool loop, retries' outcome).
#pragma once

#include "actors/llm.hpp"
#include "actors/metered.hpp"
#include "actors/tools.hpp"
#include "common/log.hpp"
#include "dialog/policy.hpp"
#include "dialog/system_prompt.hpp"
#include "providers/openai/chat_client.hpp"
#include "providers/openai/conversation.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace ce::metrics {
class counter;
class histogram;
}

namespace ce::actors {

/// From the OpenAI client's callbacks (provider I/O thread) to the llm actor. `request`
/// is the actor's serial number of the stream: anything of an older request is stale.
struct llm_stream_sentence {
  std::uint64_t generation = 0;
  std::uint64_t request = 0;
  std::string text;
};
struct llm_stream_done {
  std::uint64_t generation = 0;
  std::uint64_t request = 0;
  openai::chat_outcome outcome;
};

/// The agent turn OpenAI is working on.
using keypad_flush_atom = caf::atom_constant<caf::atom("keyflush")>;

struct openai_turn {
  bool active = false;
  std::uint64_t generation = 0;
  std::uint64_t request = 0;   ///< serial of the request in flight (0: none)
  std::uint64_t stream = 0;    ///< the client's stream id (for cancel)
  std::chrono::steady_clock::time_point request_started;
  bool request_spoke = false;  ///< the request in flight delivered a sentence
  respond cause;               ///< what started it (the local policy answers it on failover)
  int depth = 0;               ///< requests sent with tool results
  int sentences = 0;           ///< sentences sent to the session
  openai::tool_round round;    ///< tool calls waiting for results
  bool awaiting_lookup = false;  ///< the caller-ID lookup before the greeting
};

struct llm_state {
  engine_services services;
  caf::actor session;
  caf::actor tools;
  llm_setup setup;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::uint64_t generation = 0;
  std::string today;  ///< YYYY-MM-DD at the dealership

  /// The embedded policy: the whole conversation in local mode; in OpenAI mode silence
  /// reprompts, key presses and the wrap-up at maximum duration (fixed phrases).
  std::unique_ptr<dialog::local_policy> policy;

  // OpenAI (null client = local mode)
  std::unique_ptr<openai::chat_client> client;
  openai::conversation convo;
  dialog::prompt_caller caller;
  std::optional<dialog::prompt_job> job;  ///< calls the shop placed (reminder, follow-up)
  std::string keyed;                      ///< keys typed, for the model once the caller pauses
  std::uint64_t keyed_epoch = 0;
  openai_turn turn;
  std::uint64_t next_request = 0;
  int failed_turns = 0;
  bool failed_over = false;

  // usage of this call
  std::int64_t requests = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  ce::metrics::counter* prompt_counter = nullptr;
  ce::metrics::counter* completion_counter = nullptr;
  ce::metrics::counter* failover_counter = nullptr;
  ce::metrics::histogram* first_sentence_seconds = nullptr;
  ce::metrics::histogram* request_seconds = nullptr;

  ~llm_state();
  static inline const char* name = "llm";
};
using llm_actor = metered<llm_state>;

// llm.cpp
/// Streams one policy output (sentences, tool calls, end of turn) for `generation`.
void emit_policy(llm_actor* self, std::uint64_t generation, dialog::turn_output out);
/// Runs the embedded policy for a request (any cause).
void respond_locally(llm_actor* self, const respond& r);
/// OpenAI gave up for the rest of the call: log, count, local mode, answer `pending` locally.
void fail_over(llm_actor* self, const http::provider_error& why, const respond* pending, std::uint64_t generation);

// llm_openai.cpp
/// A key for the model (OpenAI path): collected; handed over after a pause or at '#'.
void openai_collect_key(llm_actor* self, const std::string& key);
/// A pause after the last key (or '#'): the digits typed go to the model as caller input.
void openai_keypad_flush(llm_actor* self, std::uint64_t epoch);
/// Creates the client and the conversation; false (local mode) when it cannot.
bool openai_setup(llm_actor* self);
void openai_respond(llm_actor* self, respond& r);
void openai_sentence(llm_actor* self, llm_stream_sentence& m);
void openai_done(llm_actor* self, llm_stream_done& m);
/// true when the result belonged to OpenAI's tool loop (else the policy's).
bool openai_tool_result(llm_actor* self, tool_result& r);
void openai_interrupt(llm_actor* self, std::uint64_t generation);
void openai_heard(llm_actor* self, const std::string& heard);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::llm_stream_sentence)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::llm_stream_done)
