#include "actors/llm_impl.hpp"

#include "actors/call_session.hpp"
#include "actors/common.hpp"
#include "metrics/metrics.hpp"
#include "dialog/speech_format.hpp"

#include <ctime>

namespace ce::actors {
namespace {

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

dialog::turn_output run_policy(llm_actor* self, const respond& r) {
  auto& p = *self->state.policy;
  switch (r.cause) {
    case turn_cause::call_started: return p.on_call_started();
    case turn_cause::caller_said: return p.on_user(r.text);
    case turn_cause::retry: return p.on_recovered(r.text);
    case turn_cause::caller_silent: return p.on_silence(r.reprompt, self->state.services.cfg->calls.max_reprompts);
    case turn_cause::max_duration: return p.on_max_duration();
    case turn_cause::dtmf: return p.on_dtmf(r.text.empty() ? ' ' : r.text.front());
    case turn_cause::voicemail: return p.on_voicemail();
  }
  return p.on_user(r.text);
}

bool stale(llm_actor* self, std::uint64_t generation) {
  if (generation >= self->state.generation) return false;
  self->state.services.metrics->stale_dropped.inc();
  return true;
}

caf::behavior llm(llm_actor* self, engine_services services, caf::actor session, caf::actor tools, llm_setup setup) {
  self->meter("llm");
  auto& s = self->state;
  s.services = std::move(services);
  s.session = std::move(session);
  s.tools = std::move(tools);
  s.setup = std::move(setup);
  s.sid = s.setup.call_sid;
  s.log = log::get("llm");
  s.today = s.services.today ? s.services.today->get() : std::string{};
  if (s.today.empty()) s.today = local_date();  // PostgreSQL has not told the shop's date yet
  s.policy = std::make_unique<dialog::local_policy>(s.services.cfg->dealership, s.setup.direction,
                                                    s.setup.caller_number, s.services.intents);
  s.policy->set_date(s.today);
  if (s.setup.job) {
    s.policy->set_outbound_job(s.setup.job->kind, s.services.cfg->reminders.opt_out_key);
    s.job = dialog::prompt_job{s.setup.job->kind, {}, false, false, {}};
  }
  if (s.services.cfg->llm.provider == "openai") openai_setup(self);
  return {
    [=](respond& r) {
      if (stale(self, r.generation)) {
        // Keys come faster than turns: the next key's interrupt overtakes this one. The
        // local policy still sees every key (it collects digits); only its output is dropped.
        if (r.cause == turn_cause::dtmf && self->state.client) openai_collect_key(self, r.text);
        else if (r.cause == turn_cause::dtmf && self->state.policy) run_policy(self, r);
        return;
      }
      self->state.generation = r.generation;
      if (self->state.client) return openai_respond(self, r);
      respond_locally(self, r);
    },
    [=](tool_result& r) {
      if (stale(self, r.generation)) return;
      if (self->state.client && openai_tool_result(self, r)) return;
      emit_policy(self, r.generation, self->state.policy->on_tool_result(r.id, r.result_json));
    },
    [=](llm_stream_sentence& m) { openai_sentence(self, m); },
    [=](keypad_flush_atom, std::uint64_t epoch) { openai_keypad_flush(self, epoch); },
    [=](llm_stream_done& m) { openai_done(self, m); },
    [=](interrupt_atom, std::uint64_t g) {
      self->state.generation = std::max(self->state.generation, g);
      openai_interrupt(self, g);
    },
    [=](heard_atom, std::uint64_t, const std::string& heard) {
      self->state.policy->on_interrupted(heard);
      openai_heard(self, heard);
    },
  };
}

} // namespace

llm_state::~llm_state() {
  if (!log) return;
  if (requests > 0 || failed_over || services.cfg->llm.provider == "openai")
    log->info("call_sid={} role=llm usage: {} OpenAI requests, {} prompt tokens, {} completion tokens{}", sid, requests,
              prompt_tokens, completion_tokens, failed_over ? " (failed over to the local dialog)" : "");
}

void emit_policy(llm_actor* self, std::uint64_t generation, dialog::turn_output out) {
  auto& s = self->state;
  for (auto& sentence : out.sentences) self->send(s.session, agent_sentence{generation, std::move(sentence)});
  for (auto& call : out.tool_calls)
    self->send(s.tools, tool_call{generation, std::move(call.id), std::move(call.name), std::move(call.arguments_json)});
  if (out.end_of_turn) self->send(s.session, agent_turn_done{generation, s.policy->expected_answer()});
}

void respond_locally(llm_actor* self, const respond& r) { emit_policy(self, r.generation, run_policy(self, r)); }

void fail_over(llm_actor* self, const http::provider_error& why, const respond* pending, std::uint64_t generation) {
  auto& s = self->state;
  if (!s.client) return;
  s.log->warn("call_sid={} role=llm provider=openai failing over to the local dialog for the rest of the call: {} "
              "({} failed turns)",
              s.sid, why.describe(), s.failed_turns);
  if (s.failover_counter) s.failover_counter->inc();
  s.failed_over = true;
  s.client->cancel_all();
  s.client.reset();
  s.turn = openai_turn{};
  if (!pending) return;
  respond r = *pending;
  r.generation = generation;
  // The policy starts fresh: a greeting not yet given is given now; a caller line is
  // answered as the first of the conversation.
  respond_locally(self, r);
}

caf::actor spawn_llm(caf::actor_system& sys, const engine_services& services, caf::actor session, caf::actor tools,
                     llm_setup setup) {
  return sys.spawn(llm, services, std::move(session), std::move(tools), std::move(setup));
}

} // namespace ce::actors
