#include "actors/call_session_impl.hpp"

#include "actors/call_log_writer.hpp"
#include "actors/call_registry.hpp"
#include "actors/common.hpp"
#include "actors/llm.hpp"
#include "actors/store_pool.hpp"
#include "actors/stt.hpp"
#include "actors/tools.hpp"
#include "actors/tts.hpp"
#include "metrics/metrics.hpp"

#include <algorithm>
#include <chrono>

namespace ce::actors {
namespace {

using namespace std::chrono_literals;
using max_duration_atom = caf::atom_constant<caf::atom("maxdur")>;
using close_timeout_atom = caf::atom_constant<caf::atom("closeto")>;
using silence_atom = caf::atom_constant<caf::atom("silence")>;
using amd_timeout_atom = caf::atom_constant<caf::atom("amdwait")>;

caf::actor spawn_role(session_actor* self, const std::string& role) {
  auto& s = self->state;
  auto& sys = self->system();
  caf::actor me = caf::actor_cast<caf::actor>(self);
  caf::actor a;
  if (role == "stt") a = spawn_stt(sys, s.services, me, s.sid, s.setup.sink, s.setup.audio);
  else if (role == "tools")
    a = spawn_tools(sys, s.services, me,
                    tools_setup{s.sid, s.setup.start.job ? std::string{} : s.setup.start.from, s.setup.start.job});
  else if (role == "llm")
    a = spawn_llm(sys, s.services, me, s.tools,
                  llm_setup{s.setup.start.direction, s.sid, s.setup.start.from, &s.setup.sink->shard(),
                            s.setup.start.job});
  else if (role == "tts") a = spawn_tts(sys, s.services, me, s.setup.sink, s.sid);
  self->monitor(a);
  s.roles[a.address()] = role;
  if (role == "stt") {
    s.stt = a;
    // frames queued for a failed predecessor are gone: start counting afresh
    s.setup.audio->in_flight.store(0, std::memory_order_relaxed);
    s.setup.audio->set_target(a);
  }
  else if (role == "tools") s.tools = a;
  else if (role == "llm") s.llm = a;
  else if (role == "tts") s.tts = a;
  return a;
}

void stop_children(session_actor* self) {
  auto& s = self->state;
  for (auto* c : {&s.stt, &s.llm, &s.tts, &s.tools})
    if (*c) self->send_exit(*c, caf::exit_reason::user_shutdown);
  s.roles.clear();
}

void on_child_down(session_actor* self, caf::down_msg& dm) {
  auto& s = self->state;
  auto it = s.roles.find(dm.source);
  if (it == s.roles.end()) return;
  auto role = it->second;
  s.roles.erase(it);
  if (role == "stt") s.setup.audio->set_target({});  // frames come here until the restart
  if (s.finished) return;
  metrics_for_role(role).failures->inc();
  auto n = ++s.restarts[role];
  if (n > s.services.cfg->calls.max_child_restarts) {
    s.log->error("call_sid={} role={} failed again ({}); ending the call", s.sid, role,
                 self->system().render(dm.reason));
    if (role == "tts" || role == "llm") s.setup.sink->clear(++s.generation);
    return begin_ending(self, end_reason::child_failure);
  }
  s.log->warn("call_sid={} role={} failed ({}); restarting it ({}/{})", s.sid, role,
              self->system().render(dm.reason), n, s.services.cfg->calls.max_child_restarts);
  s.services.metrics->child_restarts.inc();
  ++s.record.child_restarts;
  respawn_child(self, role);
}

bool kill_child(session_actor* self, const std::string& role) {
  auto& s = self->state;
  caf::actor* target = role == "stt" ? &s.stt : role == "llm" ? &s.llm : role == "tts" ? &s.tts
                     : role == "tools" ? &s.tools : nullptr;
  if (!target || !*target) return false;
  self->send_exit(*target, fault_injected());
  return true;
}

/// The maximum-duration check, in steps of at most 30 s. A delayed message keeps its
/// receiver alive until it is due (CAF's clock holds a strong reference, and 0.17 cannot
/// cancel it): one 15-minute timer per call kept every ended call's actor in memory for
/// 15 minutes, which grew the engine by a few KB per call placed.
void arm_max_duration(session_actor* self) {
  auto& s = self->state;
  const auto due = s.started_at + std::chrono::seconds(s.services.cfg->calls.max_call_seconds);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - steady_clock::now());
  self->delayed_send(self, std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(30'000)),
                     max_duration_atom::value);
}

void on_registered(session_actor* self, const admission_decision& d) {
  auto& s = self->state;
  if (!d.admitted) {
    s.log->info("call_sid={} role=call_session not admitted: {}", s.sid, to_string(d.refusal));
    return begin_ending(self, d.refusal);
  }
  s.admitted = true;
  spawn_children(self);
  arm_max_duration(self);
  // An outbound call waits for the answering-machine verdict before it speaks: a machine
  // must not hear half a conversation (at most reminders.amd_wait_ms, then it greets).
  if (s.setup.start.job && s.services.cfg->reminders.amd_wait_ms > 0) {
    s.awaiting_answer = true;
    self->delayed_send(self, std::chrono::milliseconds(s.services.cfg->reminders.amd_wait_ms), amd_timeout_atom::value);
    return;
  }
  start_agent_turn(self, respond{0, turn_cause::call_started, {}, 0}, std::nullopt);
}

/// Twilio's answering-machine verdict (or none in time): greet a person, leave a message
/// for a machine, hang up on a fax.
void on_answered_by(session_actor* self, const std::string& answered_by) {
  auto& s = self->state;
  if (s.pending_end || s.finished) return;
  s.answered_by = answered_by;
  const bool machine = answered_by.rfind("machine", 0) == 0;
  s.log->info("call_sid={} role=call_session answered by {}", s.sid, answered_by.empty() ? "(no verdict in time)" : answered_by);
  if (s.awaiting_answer) {
    if (machine && answered_by == "machine_start") return;  // the greeting has not ended yet: wait for it
    s.awaiting_answer = false;
    if (answered_by == "fax") return begin_ending(self, end_reason::agent_hangup);
    s.voicemail_started = machine;
    start_agent_turn(self, respond{0, machine ? turn_cause::voicemail : turn_cause::call_started, {}, 0}, std::nullopt);
    return;
  }
  // A late verdict after the agent began as if a person answered: a machine gets the
  // message instead, from the start.
  if (machine && answered_by != "machine_start" && !s.voicemail_started) {
    if (agent_active(s)) interrupt_turn(self, "answering machine");
    s.voicemail_started = true;
    start_agent_turn(self, respond{0, turn_cause::voicemail, {}, 0}, std::nullopt);
  }
}

caf::behavior call_session(session_actor* self, engine_services services, call_setup setup) {
  self->meter("call_session");
  auto& s = self->state;
  s.services = std::move(services);
  s.setup = std::move(setup);
  s.sid = s.setup.start.call_sid;
  s.log = log::get("call");
  s.started_at = steady_clock::now();
  s.record.call_sid = s.sid;
  s.record.stream_sid = s.setup.start.stream_sid;
  s.record.direction = s.setup.start.direction;
  s.record.from = s.setup.start.from;
  s.record.state = "live";
  s.record.started_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  self->set_down_handler([=](caf::down_msg& dm) { on_child_down(self, dm); });
  // A bug in a handler must not leave the children running or the registry waiting: end
  // the call as a child failure. (No attach_functor here: it runs after the state is gone.)
  self->set_exception_handler([=](std::exception_ptr& eptr) -> caf::error {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    self->state.log->error("call_sid={} role=call_session handler threw: {}", self->state.sid, what);
    if (!self->state.closing) self->state.setup.sink->close(end_reason::child_failure);
    finish(self, end_reason::child_failure);
    return caf::exit_reason::normal;
  });
  self->request(s.services.registry, caf::duration{5s}, register_atom::value, s.setup.start)
    .then([=](const admission_decision& d) { on_registered(self, d); },
          [=](caf::error& e) {
            self->state.log->error("call_sid={} role=call_session registry unreachable: {}", self->state.sid,
                                   self->system().render(e));
            begin_ending(self, end_reason::child_failure);
          });
  return {
    // caller audio and speech events come here only while the call has no stt (see
    // audio_route): forward them to the one there is now
    [=](inbound_audio& a) {
      if (a.counted)
        self->state.setup.audio->in_flight.fetch_sub(
          static_cast<std::int32_t>((a.audio.size() + frame_bytes_20ms - 1) / frame_bytes_20ms), std::memory_order_relaxed);
      a.counted = false;
      if (self->state.stt && !self->state.finished) self->send(self->state.stt, std::move(a));
    },
    [=](const ce::caller_speech& e) {
      if (self->state.stt && !self->state.finished) self->send(self->state.stt, e);
    },
    [=](speech_handover& h) {
      if (self->state.stt && !self->state.finished) self->send(self->state.stt, std::move(h));
    },
    [=](const dtmf_pressed& d) {
      auto& st = self->state;
      // the digit is the caller's data (a ZIP code, a date of birth): not at info
      st.log->info("call_sid={} role=call_session key pressed", st.sid);
      st.log->debug("call_sid={} role=call_session dtmf {}", st.sid, d.digit);
      if (agent_active(st) && !st.pending_end) interrupt_turn(self, "dtmf");
      // The transcript keeps keys pressed in a row as one caller line: "[keypad 62704]".
      static constexpr std::string_view keypad = "[keypad ";
      auto& turns = st.record.turns;
      if (!turns.empty() && turns.back().speaker == "caller" && turns.back().text.rfind(keypad, 0) == 0) {
        turns.back().text.insert(turns.back().text.size() - 1, 1, d.digit);
      } else {
        turn_record rec;
        rec.index = static_cast<int>(turns.size());
        rec.speaker = "caller";
        rec.text = std::string(keypad) + d.digit + "]";
        rec.at_ms = ms_since_start(st);
        turns.push_back(std::move(rec));
      }
      if (!st.pending_end) start_agent_turn(self, respond{0, turn_cause::dtmf, std::string(1, d.digit), 0},
                                    steady_clock::now());  // latency: key press -> first audio
    },
    [=](const playback_started& p) { on_playback_started(self, p); },
    [=](stream_stopped_atom) { begin_ending(self, self->state.pending_end.value_or(end_reason::caller_hangup)); },
    [=](stream_closed_atom) { finish(self, self->state.pending_end.value_or(end_reason::caller_hangup)); },
    [=](const speech_started& e) { on_speech_started(self, e); },
    [=](const speech_stopped& e) {
      self->state.caller_speaking = false;
      if (!e.utterance) ++self->state.silence_epoch;  // a click: keep waiting
    },
    [=](transcript_ready& t) { on_transcript(self, t); },
    [=](agent_sentence& m) { on_agent_sentence(self, m); },
    [=](const agent_turn_done& d) { on_agent_turn_done(self, d); },
    [=](const segment_played& p) { on_segment_played(self, p); },
    [=](const speech_heard& h) { on_speech_heard(self, h); },
    [=](const caller_identified& c) {
      self->state.customer_id = c.customer_id;
      self->state.verified = c.verified;
      publish_summary(self);
    },
    [=](const call_control& c) {
      if (c.generation < self->state.generation) return;
      self->state.log->info("call_sid={} role=call_session agent requested {}", self->state.sid, to_string(c.reason));
      // an ending already decided (silence, max duration) keeps its reason
      if (!self->state.pending_end) self->state.pending_end = c.reason;
      auto why = *self->state.pending_end;
      caf::anon_send(self->state.services.registry, call_ending{self->state.sid, why});
      if (!agent_active(self->state)) begin_ending(self, why);
    },
    [=](silence_atom, std::uint64_t epoch) { on_silence_tick(self, epoch); },
    [=](max_duration_atom) {
      auto& st = self->state;
      if (st.pending_end || st.finished) return;
      if (steady_clock::now() < st.started_at + std::chrono::seconds(st.services.cfg->calls.max_call_seconds))
        return arm_max_duration(self);
      st.log->info("call_sid={} role=call_session maximum call duration reached", st.sid);
      if (agent_active(st)) interrupt_turn(self, "max duration");
      st.pending_end = end_reason::max_duration;
      start_agent_turn(self, respond{0, turn_cause::max_duration, {}, 0}, std::nullopt);
      self->delayed_send(self, 20s, close_timeout_atom::value);
    },
    [=](close_timeout_atom) {
      auto& st = self->state;
      if (st.finished) return;
      if (!st.closing) return begin_ending(self, st.pending_end.value_or(end_reason::max_duration));
      st.log->warn("call_sid={} role=call_session stream did not close in time; finishing", st.sid);
      finish(self, st.pending_end.value_or(end_reason::caller_hangup));
    },
    [=](end_now_atom, end_reason why) {
      if (self->state.pending_end) return begin_ending(self, *self->state.pending_end);
      begin_ending(self, why);
    },
    [=](get_record_atom) {
      auto r = self->state.record;
      r.duration_ms = ms_since_start(self->state);
      return r;
    },
    [=](kill_child_atom, const std::string& role) { return kill_child(self, role); },
    [=](const amd_verdict& v) { on_answered_by(self, v.answered_by); },
    [=](const keypad_entry& k) {
      auto& st = self->state;
      if (st.pending_end || st.finished || st.caller_speaking) return;
      if (agent_active(st)) interrupt_turn(self, "keypad entry");
      start_agent_turn(self, respond{0, turn_cause::caller_said, "(typed on the keypad: " + k.digits + ")", 0},
                       steady_clock::now());
    },
    [=](amd_timeout_atom) {
      if (self->state.awaiting_answer) on_answered_by(self, "");
    },
  };
}

} // namespace

std::int64_t ms_since_start(const session_state& s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - s.started_at).count();
}

void spawn_children(session_actor* self) {
  // tools before llm: llm sends its tool calls to the tools actor it is given
  for (const char* role : {"stt", "tools", "llm", "tts"}) spawn_role(self, role);
}

void respawn_child(session_actor* self, const std::string& role) {
  auto& s = self->state;
  spawn_role(self, role);
  if (role == "tools") {
    // the llm holds the tools handle: give the conversation a fresh llm too
    if (s.llm) {
      s.roles.erase(s.llm.address());
      self->demonitor(s.llm);
      self->send_exit(s.llm, caf::exit_reason::user_shutdown);
    }
    spawn_role(self, "llm");
  }
  bool turn_lost = s.turn && (role == "llm" || role == "tts" || role == "tools") &&
                   (!s.turn->llm_done || s.turn->segments_played < s.turn->segment_start.size());
  if (turn_lost && !s.pending_end) {
    // The turn in progress died with the child: cut it where the caller is and say it again.
    auto latency_from = s.turn->latency_from;
    interrupt_turn(self, "child restart");
    start_agent_turn(self, respond{0, turn_cause::retry, s.last_caller_text, 0}, latency_from);
  }
}

void publish_summary(session_actor* self) {
  auto& s = self->state;
  call_summary sum;
  sum.record = s.record;
  sum.record.turns.clear();
  sum.record.duration_ms = ms_since_start(s);
  // keep the turn count visible in the list view
  sum.record.turns.resize(s.record.turns.size());
  caf::anon_send(s.services.registry, std::move(sum));
  if (s.services.store_pool) {
    session_snapshot snap;
    snap.call_sid = s.sid;
    snap.state = s.closing ? "ending" : s.turn ? "speaking" : "listening";
    snap.turn_count = static_cast<int>(s.record.turns.size());
    snap.customer_id = s.customer_id;
    snap.verified = s.verified;
    snap.last_caller_text = s.last_caller_text;
    snap.started_unix_ms = s.record.started_unix_ms;
    caf::anon_send(s.services.store_pool, std::move(snap));
  }
}

void begin_ending(session_actor* self, end_reason why) {
  auto& s = self->state;
  if (s.closing || s.finished) return;
  s.closing = true;
  s.pending_end = why;
  caf::anon_send(s.services.registry, call_ending{s.sid, why});
  s.setup.sink->close(why);
  self->delayed_send(self, 5s, close_timeout_atom::value);
}

void finish(session_actor* self, end_reason why) {
  auto& s = self->state;
  if (s.finished) return;
  s.finished = true;
  s.setup.audio->set_target({});  // late frames come here and are dropped
  if (s.turn && !s.turn->llm_done) interrupt_turn(self, "call ended");
  s.record.state = "ended";
  s.record.ended_by = why;
  s.record.duration_ms = ms_since_start(s);
  s.log->info("call_sid={} role=call_session ended: {} after {} ms, {} turns, {} barge-ins", s.sid, to_string(why),
              s.record.duration_ms, s.record.turns.size(), s.record.barge_ins);
  // the log first: once the registry hears of the end, a drain may already be flushing logs
  if (s.admitted && s.services.call_logs) caf::anon_send(s.services.call_logs, persist_call{s.record, s.customer_id});
  caf::anon_send(s.services.registry, call_ended{s.record});
  stop_children(self);
  self->quit();
}

} // namespace ce::actors

namespace ce::actors {

caf::actor spawn_call_session(caf::actor_system& sys, engine_services services, call_setup setup) {
  return sys.spawn(call_session, std::move(services), std::move(setup));
}

} // namespace ce::actors
