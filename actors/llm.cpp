#include "actors/llm.hpp"

#include "actors/call_session.hpp"
#include "actors/common.hpp"
#include "actors/metered.hpp"
#include "actors/tools.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "dialog/policy.hpp"
#include "dialog/speech_format.hpp"

#include <ctime>

namespace ce::actors {
namespace {

struct llm_state {
  engine_services services;
  caf::actor session;
  caf::actor tools;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<dialog::local_policy> policy;
  std::uint64_t generation = 0;
  static inline const char* name = "llm";
};
using llm_actor = metered<llm_state>;

/// Today's date in the server's local time zone, "YYYY-MM-DD" (deployments run the engine
/// with TZ set to the dealership's zone; the store converts with facts.timezone).
std::string local_date() {
  auto now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

/// Streams one policy output: every sentence as its own message (TTS starts on the first
/// while the rest follow), then the tool calls, then the end of the turn.
void emit(llm_actor* self, std::uint64_t generation, dialog::turn_output out) {
  auto& s = self->state;
  for (auto& sentence : out.sentences) self->send(s.session, agent_sentence{generation, std::move(sentence)});
  for (auto& call : out.tool_calls)
    self->send(s.tools, tool_call{generation, std::move(call.id), std::move(call.name), std::move(call.arguments_json)});
  if (out.end_of_turn) self->send(s.session, agent_turn_done{generation, s.policy->expected_answer()});
}

dialog::turn_output run_policy(dialog::local_policy& p, const respond& r) {
  switch (r.cause) {
    case turn_cause::call_started: return p.on_call_started();
    case turn_cause::caller_said: return p.on_user(r.text);
    case turn_cause::retry: return p.on_recovered(r.text);
    case turn_cause::caller_silent: return p.on_silence(r.reprompt, 0);
    case turn_cause::max_duration: return p.on_max_duration();
    case turn_cause::dtmf: return p.on_dtmf(r.text.empty() ? ' ' : r.text.front());
  }
  return p.on_user(r.text);
}

caf::behavior llm(llm_actor* self, engine_services services, caf::actor session, caf::actor tools, llm_setup setup) {
  self->meter("llm");
  auto& s = self->state;
  s.services = std::move(services);
  s.session = std::move(session);
  s.tools = std::move(tools);
  s.sid = setup.call_sid;
  s.log = log::get("llm");
  s.policy = std::make_unique<dialog::local_policy>(s.services.cfg->dealership, setup.direction, setup.caller_number);
  s.policy->set_date(local_date());
  return {
    [=](respond& r) {
      auto& st = self->state;
      if (r.generation < st.generation) {
        st.services.metrics->stale_dropped.inc();
        return;
      }
      st.generation = r.generation;
      if (r.cause == turn_cause::caller_silent) {
        emit(self, r.generation, st.policy->on_silence(r.reprompt, st.services.cfg->calls.max_reprompts));
        return;
      }
      emit(self, r.generation, run_policy(*st.policy, r));
    },
    [=](tool_result& r) {
      auto& st = self->state;
      if (r.generation < st.generation) {
        st.services.metrics->stale_dropped.inc();
        return;
      }
      emit(self, r.generation, st.policy->on_tool_result(r.id, r.result_json));
    },
    [=](interrupt_atom, std::uint64_t g) { self->state.generation = std::max(self->state.generation, g); },
    [=](heard_atom, std::uint64_t, const std::string& heard) { self->state.policy->on_interrupted(heard); },
  };
}

} // namespace

caf::actor spawn_llm(caf::actor_system& sys, const engine_services& services, caf::actor session, caf::actor tools,
                     llm_setup setup) {
  return sys.spawn(llm, services, std::move(session), std::move(tools), std::move(setup));
}

} // namespace ce::actors
