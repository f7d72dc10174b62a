// The llm role on OpenAI Chat Completions (protocols.md §7): per agent turn the history
// (system prompt with the dealership's facts and the caller's record + the turns, an
// interrupted turn trimmed to what was heard) goes out with the tool schemas; sentences
// stream to the session as they complete; tool calls (joined by index by the client) run
// on the tools actor, their results go back to the model, until it answers with text or
// the depth limit. Failures: the client retries 429/5xx within the turn's budget; a failed
// turn gets a short apology; a permanent error or too many failed turns hand the call to
// the embedded dialog policy (llm.cpp: fail_over).
#include "actors/llm_impl.hpp"

#include "actors/call_session.hpp"
#include "runtime/shards.hpp"
#include "metrics/metrics.hpp"

namespace ce::actors {
namespace {

constexpr const char* lookup_call_id = "ce_caller_lookup";
constexpr const char* purpose_call_id = "ce_call_purpose";
/// Keys typed with pauses shorter than this are one entry (a ZIP code, a rating).
constexpr auto keypad_pause = std::chrono::milliseconds(1500);
constexpr const char* apology = "Sorry, I'm having a little trouble on my end. Could you say that again?";
constexpr const char* gave_up = "Sorry, I couldn't finish that just now. Could you tell me once more what you need?";
constexpr const char* empty_reply = "Sorry, could you say that again?";

void refresh_prompt(llm_actor* self) {
  auto& s = self->state;
  dialog::prompt_context ctx;
  ctx.direction = s.setup.direction;
  ctx.today = s.today;
  ctx.weekday = dialog::weekday_of(s.today);
  ctx.caller = s.caller;
  ctx.job = s.job;
  ctx.opt_out_key = s.services.cfg->reminders.opt_out_key;
  s.convo.set_system_prompt(dialog::build_system_prompt(s.services.cfg->dealership, ctx));
}

void say(llm_actor* self, std::uint64_t generation, std::string text) {
  auto& s = self->state;
  ++s.turn.sentences;
  self->send(s.session, agent_sentence{generation, std::move(text)});
}

void end_turn(llm_actor* self, std::uint64_t generation) {
  auto& s = self->state;
  s.turn.active = false;
  s.turn.request = 0;
  s.turn.round = openai::tool_round{};
  self->send(s.session, agent_turn_done{generation, speech_hint::open});
}

void send_request(llm_actor* self) {
  auto& s = self->state;
  auto& cfg = s.services.cfg->llm;
  openai::chat_request req;
  req.model = cfg.model;
  req.messages = s.convo.messages();
  const bool placed = s.job.has_value() && s.services.outbound_tool_definitions;
  req.tools = placed ? s.services.outbound_tool_definitions : s.services.tool_definitions;
  req.tools_json = placed ? s.services.outbound_tool_definitions_json : s.services.tool_definitions_json;
  // at the depth limit the model has to answer in words
  req.choice.kind = s.turn.depth >= cfg.max_tool_depth ? openai::tool_choice::mode::none
                                                       : openai::tool_choice::mode::automatic;
  req.parallel_tool_calls = true;
  req.max_completion_tokens = cfg.max_tokens;
  req.temperature = cfg.temperature;
  req.deadline = std::chrono::milliseconds(cfg.turn_budget_ms);
  req.log_context = "turn=" + std::to_string(s.turn.generation);
  auto generation = s.turn.generation;
  auto serial = ++s.next_request;
  auto me = caf::actor_cast<caf::actor_addr>(self);
  openai::chat_callbacks cb;
  cb.on_sentence = [me, generation, serial](std::string sentence) {
    if (auto a = caf::actor_cast<caf::actor>(me))
      caf::anon_send(a, llm_stream_sentence{generation, serial, std::move(sentence)});
  };
  cb.on_done = [me, generation, serial](openai::chat_outcome outcome) {
    if (auto a = caf::actor_cast<caf::actor>(me))
      caf::anon_send(a, llm_stream_done{generation, serial, std::move(outcome)});
  };
  s.turn.request = serial;
  s.turn.request_started = std::chrono::steady_clock::now();
  s.turn.request_spoke = false;
  s.turn.stream = s.client->start(std::move(req), std::move(cb));
  ++s.requests;
}

void record_usage(llm_actor* self, const openai::chat_completion& c) {
  auto& s = self->state;
  if (!c.usage) return;
  s.prompt_tokens += c.usage->prompt_tokens;
  s.completion_tokens += c.usage->completion_tokens;
  if (s.prompt_counter) s.prompt_counter->inc(static_cast<std::uint64_t>(std::max(0, c.usage->prompt_tokens)));
  if (s.completion_counter)
    s.completion_counter->inc(static_cast<std::uint64_t>(std::max(0, c.usage->completion_tokens)));
}

void count_error(llm_actor* self, const http::provider_error& e) {
  self->state.services.metrics->registry
    .get_counter("ce_provider_errors_total", "Cloud provider failures seen by calls, by kind",
                 {{"role", "llm"}, {"provider", "openai"}, {"kind", std::string{http::to_string(e.code)}}})
    .inc();
}

bool is_control_tool(const std::string& name) { return name == "end_call" || name == "transfer_to_human"; }

/// All results of the round are in: record it and ask the model again (or stop).
void round_complete(llm_actor* self) {
  auto& s = self->state;
  auto& t = s.turn;
  bool only_control = true;
  for (const auto& c : t.round.calls()) only_control = only_control && is_control_tool(c.name);
  s.convo.add_tool_round(t.round.wire_calls(), t.round.results());
  t.round = openai::tool_round{};
  ++t.depth;
  // "Goodbye." + end_call in one reply: the turn is complete, the session ends the call
  if (only_control && t.sentences > 0) return end_turn(self, t.generation);
  send_request(self);
}

void start_turn(llm_actor* self, const respond& r) {
  auto& s = self->state;
  s.turn = openai_turn{};
  s.turn.active = true;
  s.turn.generation = r.generation;
  s.turn.cause = r;
  s.convo.begin_agent_turn();
  if (r.cause == turn_cause::call_started && s.setup.direction == call_direction::inbound && !s.caller.lookup_done) {
    // the caller ID first, so the greeting (and the prompt) know who is calling
    s.turn.awaiting_lookup = true;
    self->send(s.tools, tool_call{r.generation, lookup_call_id, "lookup_customer", "{}"});
    return;
  }
  if (r.cause == turn_cause::call_started && s.job && s.job->first_name.empty()) {
    // what the call is about first, so the greeting asks for the customer by name
    s.turn.awaiting_lookup = true;
    self->send(s.tools, tool_call{r.generation, purpose_call_id, "get_call_purpose", "{}"});
    return;
  }
  send_request(self);
}

} // namespace

bool openai_setup(llm_actor* self) {
  auto& s = self->state;
  const auto& cfg = s.services.cfg->llm;
  auto& reg = s.services.metrics->registry;
  s.prompt_counter = &reg.get_counter("ce_llm_tokens_total", "LLM tokens used by calls", {{"kind", "prompt"}});
  s.completion_counter = &reg.get_counter("ce_llm_tokens_total", "LLM tokens used by calls", {{"kind", "completion"}});
  s.failover_counter = &reg.get_counter("ce_provider_failovers_total",
                                        "Calls whose role fell back to the embedded default after its cloud provider failed",
                                        {{"role", "llm"}, {"provider", "openai"}});
  s.first_sentence_seconds = &reg.get_histogram(
    "ce_llm_first_sentence_seconds", "OpenAI request sent to its first complete sentence handed to TTS",
    ce::metrics::latency_buckets());
  s.request_seconds = &reg.get_histogram("ce_llm_request_seconds",
                                         "OpenAI request sent to the end of its streamed completion (retries included)",
                                         ce::metrics::latency_buckets());
  if (!s.setup.shard) {
    s.log->error("call_sid={} role=llm no shard for the OpenAI connection; using the local dialog", s.sid);
    return false;
  }
  if (!s.services.tool_definitions) {
    s.log->error("call_sid={} role=llm tool schemas unusable (see the engine's start-up log); using the local dialog",
                 s.sid);
    return false;
  }
  openai::chat_client_options o;
  o.api_key = cfg.api_key;
  o.base_url = cfg.base_url;
  o.log_context = "call_sid=" + s.sid + " role=llm";
  s.client = std::make_unique<openai::chat_client>(s.setup.shard->io(), std::move(o));
  s.convo = openai::conversation{cfg.max_history_messages};
  refresh_prompt(self);
  return true;
}

void openai_respond(llm_actor* self, respond& r) {
  auto& s = self->state;
  if (s.turn.active) {  // superseded without an interrupt: abandon it
    if (s.turn.stream) s.client->cancel(s.turn.stream);
    s.turn = openai_turn{};
  }
  switch (r.cause) {
    case turn_cause::dtmf:
      // nothing is said while the caller types
      self->send(s.session, agent_turn_done{r.generation, speech_hint::digits});
      return openai_collect_key(self, r.text);
    case turn_cause::voicemail: {
      // a fixed message: the embedded policy's, which the model sees as said
      auto out = s.policy->on_voicemail();
      s.convo.begin_agent_turn();
      std::string said;
      for (const auto& sentence : out.sentences) said += (said.empty() ? "" : " ") + sentence;
      s.convo.add_completion_text(said);
      return emit_policy(self, r.generation, std::move(out));
    }
    case turn_cause::caller_silent:
    case turn_cause::max_duration: {
      // fixed phrases (and end_call / transfer) from the embedded policy; the model
      // sees them as the agent's words
      auto out = r.cause == turn_cause::caller_silent
                   ? s.policy->on_silence(r.reprompt, s.services.cfg->calls.max_reprompts)
                   : s.policy->on_max_duration();
      s.convo.begin_agent_turn();
      std::string said;
      for (const auto& sentence : out.sentences) said += (said.empty() ? "" : " ") + sentence;
      s.convo.add_completion_text(said);
      return emit_policy(self, r.generation, std::move(out));
    }
    case turn_cause::caller_said:
      s.convo.add_user(r.text.empty() ? "(unintelligible)" : r.text);
      break;
    case turn_cause::retry: {
      const auto& h = s.convo.history();
      bool already = !h.empty() && h.back().role == openai::chat_role::user && h.back().content == r.text;
      if (!r.text.empty() && !already) s.convo.add_user(r.text);
      break;
    }
    case turn_cause::call_started:
      break;
  }
  start_turn(self, r);
}

void openai_sentence(llm_actor* self, llm_stream_sentence& m) {
  auto& s = self->state;
  if (!s.client || !s.turn.active || m.request != s.turn.request || m.generation < s.generation) {
    s.services.metrics->stale_dropped.inc();
    return;
  }
  if (!s.turn.request_spoke && s.first_sentence_seconds) {
    s.turn.request_spoke = true;
    s.first_sentence_seconds->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.turn.request_started).count());
  }
  say(self, m.generation, std::move(m.text));
}

void openai_done(llm_actor* self, llm_stream_done& m) {
  auto& s = self->state;
  record_usage(self, m.outcome.completion);
  if (!s.client || !s.turn.active || m.request != s.turn.request || m.generation < s.generation) {
    s.services.metrics->stale_dropped.inc();
    return;
  }
  auto& t = s.turn;
  t.request = 0;
  t.stream = 0;
  if (s.request_seconds)
    s.request_seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t.request_started).count());
  auto& c = m.outcome.completion;
  if (m.outcome.error) {
    const auto& err = *m.outcome.error;
    count_error(self, err);
    ++s.failed_turns;
    s.log->warn("call_sid={} role=llm turn={} OpenAI request failed after {} attempts: {} (failed turns {}/{})", s.sid,
                t.generation, c.attempts, err.describe(), s.failed_turns, s.services.cfg->llm.max_failed_turns);
    if (err.is_permanent() || s.failed_turns >= s.services.cfg->llm.max_failed_turns) {
      auto pending = t.cause;
      auto generation = t.generation;
      bool spoke = t.sentences > 0;
      s.convo.interrupt_agent_turn({});
      fail_over(self, err, spoke ? nullptr : &pending, generation);
      if (spoke) self->send(s.session, agent_turn_done{generation, speech_hint::open});
      return;
    }
    // the caller hears a short sentence, not silence; the model sees it as said
    s.convo.add_completion_text(apology);
    say(self, t.generation, apology);
    return end_turn(self, t.generation);
  }
  s.log->debug("call_sid={} role=llm turn={} completion {} finish={} {} chars, {} tool calls, ttft {} ms", s.sid,
               t.generation, c.id, c.finish_reason, c.text.size(), c.tool_calls.size(), c.time_to_first_text.count());
  if (!c.text.empty()) s.convo.add_completion_text(c.text);
  if (c.tool_calls.empty()) {
    if (t.sentences == 0) {
      s.convo.add_completion_text(empty_reply);
      say(self, t.generation, empty_reply);
    }
    return end_turn(self, t.generation);
  }
  if (t.depth >= s.services.cfg->llm.max_tool_depth) {
    s.log->warn("call_sid={} role=llm turn={} tool depth {} reached; {} more tool calls not run", s.sid, t.generation,
                t.depth, c.tool_calls.size());
    if (t.sentences == 0) {
      s.convo.add_completion_text(gave_up);
      say(self, t.generation, gave_up);
    }
    return end_turn(self, t.generation);
  }
  t.round = openai::tool_round{c.tool_calls};
  for (const auto& call : c.tool_calls) {
    if (!call.arguments_valid) {
      s.log->warn("call_sid={} role=llm turn={} {} arguments are not JSON ({}); not run", s.sid, t.generation, call.name,
                  call.parse_error);
      t.round.set_result(call.id, openai::invalid_arguments_result(call));
      continue;
    }
    s.log->info("call_sid={} role=llm turn={} tool call {} {}", s.sid, t.generation, call.name, call.arguments);
    self->send(s.tools, tool_call{t.generation, call.id, call.name, call.arguments});
  }
  if (t.round.complete()) round_complete(self);
}

bool openai_tool_result(llm_actor* self, tool_result& r) {
  auto& s = self->state;
  auto& t = s.turn;
  if (!t.active || r.generation != t.generation) return false;
  if (t.awaiting_lookup && r.id == purpose_call_id) {
    t.awaiting_lookup = false;
    if (!dialog::update_prompt_job(*s.job, "get_call_purpose", r.result_json))
      s.log->warn("call_sid={} role=llm the call's purpose could not be loaded; the model goes on without it", s.sid);
    refresh_prompt(self);
    send_request(self);
    return true;
  }
  if (t.awaiting_lookup && r.id == lookup_call_id) {
    t.awaiting_lookup = false;
    dialog::update_prompt_caller(s.caller, "lookup_customer", r.result_json);
    if (!s.caller.lookup_done) {  // not even an answer we could read
      s.caller.lookup_done = true;
      s.caller.lookup_failed = true;
    }
    refresh_prompt(self);
    send_request(self);
    return true;
  }
  std::string name;
  for (const auto& c : t.round.calls())
    if (c.id == r.id) name = c.name;
  if (name.empty() || !t.round.set_result(r.id, r.result_json)) return false;
  bool changed = dialog::update_prompt_caller(s.caller, name, r.result_json);
  if (s.job) changed = dialog::update_prompt_job(*s.job, name, r.result_json) || changed;
  if (changed) refresh_prompt(self);
  if (t.round.complete()) round_complete(self);
  return true;
}

void openai_collect_key(llm_actor* self, const std::string& text) {
  // Keys are the caller's input for the model: digits typed in a row are one entry, handed
  // over after a pause (or '#'); '*' starts over.
  auto& s = self->state;
  char key = text.empty() ? ' ' : text.front();
  if (key == '*') s.keyed.clear();
  else if (key != '#' && s.keyed.size() < 32) s.keyed += key;
  auto epoch = ++s.keyed_epoch;
  if (key == '#') return openai_keypad_flush(self, epoch);
  self->delayed_send(self, keypad_pause, keypad_flush_atom::value, epoch);
}

void openai_keypad_flush(llm_actor* self, std::uint64_t epoch) {
  auto& s = self->state;
  if (epoch != s.keyed_epoch || s.keyed.empty()) return;
  auto digits = std::move(s.keyed);
  s.keyed.clear();
  self->send(s.session, keypad_entry{std::move(digits)});
}

void openai_interrupt(llm_actor* self, std::uint64_t generation) {
  auto& s = self->state;
  if (!s.client || !s.turn.active || s.turn.generation >= generation) return;
  if (s.turn.stream) s.client->cancel(s.turn.stream);
  s.log->debug("call_sid={} role=llm turn={} interrupted; stream cancelled, {} tool calls abandoned", s.sid,
               s.turn.generation, s.turn.round.calls().size());
  auto cause = s.turn.cause;
  s.turn = openai_turn{};
  s.turn.cause = cause;
}

void openai_heard(llm_actor* self, const std::string& heard) {
  auto& s = self->state;
  if (!s.client) return;
  s.convo.interrupt_agent_turn(heard);
}

} // namespace ce::actors
