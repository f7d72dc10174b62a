#include "actors/call_session_impl.hpp"

#include "actors/common.hpp"
#include "actors/llm.hpp"
#include "actors/stt.hpp"
#include "actors/tts.hpp"
#include "metrics/metrics.hpp"

#include <chrono>

namespace ce::actors {
namespace {

using silence_atom = caf::atom_constant<caf::atom("silence")>;

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::int64_t millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool stale(session_actor* self, std::uint64_t generation) {
  auto& s = self->state;
  if (s.turn && s.turn->generation == generation) return false;
  s.services.metrics->stale_dropped.inc();
  return true;
}

void arm_silence_timer(session_actor* self) {
  auto& s = self->state;
  auto epoch = ++s.silence_epoch;
  self->delayed_send(self, std::chrono::milliseconds(s.services.cfg->calls.silence_reprompt_ms), silence_atom::value,
                     epoch);
}

/// A turn that said nothing (a key press being collected, a tool call cut short) leaves
/// no agent line in the transcript.
bool drop_silent_record(session_state& s, const agent_turn& t) {
  if (!t.text.empty() || t.record_index + 1 != s.record.turns.size()) return false;
  s.record.turns.pop_back();
  return true;
}

void turn_finished(session_actor* self) {
  auto& s = self->state;
  auto& t = *s.turn;
  if (drop_silent_record(s, t)) {
    s.turn.reset();
    if (s.pending_end) return begin_ending(self, *s.pending_end);
    if (!s.caller_speaking) arm_silence_timer(self);
    return;
  }
  auto& rec = s.record.turns[t.record_index];
  rec.heard = rec.text;
  s.log->debug("call_sid={} role=call_session turn={} played to the end", s.sid, t.generation);
  s.turn.reset();
  publish_summary(self);
  if (s.pending_end) return begin_ending(self, *s.pending_end);
  if (!s.caller_speaking) arm_silence_timer(self);
}

void check_turn_finished(session_actor* self) {
  auto& s = self->state;
  if (!s.turn) return;
  auto& t = *s.turn;
  if (t.llm_done && t.segments_played == t.segment_start.size()) turn_finished(self);
}

} // namespace

bool agent_active(const session_state& s) { return s.turn.has_value(); }

void start_agent_turn(session_actor* self, respond request, std::optional<time_point> latency_from) {
  auto& s = self->state;
  if (s.finished || s.closing) return;
  if (s.turn) interrupt_turn(self, "superseded");
  settle_heard(self);  // the new request goes out with the interrupted turn trimmed
  auto generation = ++s.generation;
  turn_record rec;
  rec.index = static_cast<int>(s.record.turns.size());
  rec.speaker = "agent";
  rec.at_ms = ms_since_start(s);
  s.record.turns.push_back(rec);
  agent_turn t;
  t.generation = generation;
  t.record_index = s.record.turns.size() - 1;
  t.latency_from = latency_from;
  s.turn = std::move(t);
  ++s.silence_epoch;
  request.generation = generation;
  s.log->debug("call_sid={} role=call_session turn={} started", s.sid, generation);
  self->send(s.llm, std::move(request));
}

void interrupt_turn(session_actor* self, const char* why) {
  auto& s = self->state;
  if (!s.turn) return;
  auto& t = *s.turn;
  auto next = ++s.generation;
  for (auto* child : {&s.llm, &s.tts, &s.tools})
    if (*child) self->send<caf::message_priority::high>(*child, interrupt_atom::value, next);
  s.setup.sink->clear(next);  // the edge answers with what was heard (on_speech_heard)
  settle_heard(self);          // an older interruption still unanswered: its provisional trim
  auto heard = t.text.substr(0, std::min(t.heard, t.text.size()));  // whole segments played
  const bool recorded = !drop_silent_record(s, t);
  if (recorded) {
    auto& rec = s.record.turns[t.record_index];
    rec.interrupted = true;
    rec.heard = heard;
  }
  if (t.audio_started) {
    // the edge knows the last mark Twilio played: the llm hears of the trim once it answers
    s.heard_wait = session_state::pending_heard{t.generation, recorded ? t.record_index : s.record.turns.size(),
                                                t.text, t.segment_start, heard.size(), false};
  } else if (s.llm) {
    self->send(s.llm, heard_atom::value, t.generation, heard);  // nothing was audible yet
  }
  // Caller speech over a turn not yet audible is the caller going on: join the two
  // utterances. A key press is not speech.
  if (!t.audio_started && std::string_view(why) != "dtmf") s.merge_next_utterance = true;
  s.log->info("call_sid={} role=call_session turn={} interrupted ({}); {} of {} chars in whole sentences heard",
              s.sid, t.generation, why, heard.size(), t.text.size());
  s.turn.reset();
}

void on_speech_started(session_actor* self, const speech_started& e) {
  auto& s = self->state;
  s.caller_speaking = true;
  s.reprompts = 0;
  ++s.silence_epoch;
  if (!s.turn || s.pending_end || s.voicemail_started) return;  // a machine's beep does not interrupt the message
  bool audible = s.turn->audio_started;
  interrupt_turn(self, "barge-in");
  if (!audible) return;
  auto reaction = steady_clock::now() - e.onset;
  ++s.record.barge_ins;
  s.services.metrics->barge_ins.inc();
  s.services.metrics->barge_in_reaction.observe(seconds(reaction));
  s.log->info("call_sid={} role=call_session barge-in: clear sent {} ms after speech onset", s.sid, millis(reaction));
}

void on_transcript(session_actor* self, transcript_ready& t) {
  auto& s = self->state;
  if (s.finished || s.closing) return;
  s.caller_speaking = false;
  auto text = std::move(t.text);
  if (s.merge_next_utterance && !s.last_caller_text.empty() && !text.empty())
    text = s.last_caller_text + " " + text;
  s.merge_next_utterance = false;
  turn_record rec;
  rec.index = static_cast<int>(s.record.turns.size());
  rec.speaker = "caller";
  rec.text = text;
  rec.at_ms = ms_since_start(s);
  s.record.turns.push_back(rec);
  // what the caller said is theirs (names, dates of birth): its words only at debug
  s.log->info("call_sid={} role=call_session caller turn recognised ({} chars, decode {} ms)", s.sid, text.size(),
              t.decode_ms);
  s.log->debug("call_sid={} role=call_session caller said \"{}\"", s.sid, text);
  s.last_caller_text = text;
  publish_summary(self);
  if (s.pending_end) return;
  // an outbound call's "hello?" before the answering-machine verdict, or a machine's
  // greeting while the message is left: heard, not answered
  if (s.awaiting_answer || s.voicemail_started) return;
  start_agent_turn(self, respond{0, turn_cause::caller_said, std::move(text), 0}, t.speech_end);
}

void on_agent_sentence(session_actor* self, agent_sentence& m) {
  if (stale(self, m.generation)) return;
  auto& s = self->state;
  auto& t = *s.turn;
  auto offset = t.text.empty() ? 0 : t.text.size() + 1;
  if (!t.text.empty()) t.text += ' ';
  t.text += m.text;
  auto segment = static_cast<std::uint32_t>(t.segment_start.size());
  t.segment_start.push_back(offset);
  s.record.turns[t.record_index].text = t.text;
  s.log->debug("call_sid={} role=call_session turn={} agent says \"{}\"", s.sid, t.generation, m.text);
  self->send(s.tts, speak{t.generation, segment, std::move(m.text)});
}

void on_agent_turn_done(session_actor* self, const agent_turn_done& d) {
  if (stale(self, d.generation)) return;
  if (self->state.stt) self->send(self->state.stt, expect_answer{d.expect});
  self->state.turn->llm_done = true;
  check_turn_finished(self);
}

void on_segment_played(session_actor* self, const segment_played& p) {
  auto& s = self->state;
  if (!s.turn || s.turn->generation != p.generation) return;  // a turn interrupted since
  auto& t = *s.turn;
  if (p.segment >= t.segment_start.size()) return;
  t.segments_played = std::max<std::size_t>(t.segments_played, p.segment + 1);
  const auto end = p.segment + 1 < t.segment_start.size() ? t.segment_start[p.segment + 1] - 1 : t.text.size();
  t.heard = std::max(t.heard, std::min(end, t.text.size()));
  check_turn_finished(self);
}

void on_speech_heard(session_actor* self, const speech_heard& h) {
  auto& s = self->state;
  if (!s.heard_wait || s.heard_wait->generation != h.generation) return;
  auto& w = *s.heard_wait;
  std::size_t offset = w.provisional;
  if (h.any && h.segment < w.segment_start.size())
    offset = std::max(offset, std::min(w.text.size(), w.segment_start[h.segment] + h.chars));
  auto heard = w.text.substr(0, offset);
  if (w.record_index < s.record.turns.size() && s.record.turns[w.record_index].interrupted)
    s.record.turns[w.record_index].heard = heard;
  s.log->debug("call_sid={} role=call_session turn={} the caller heard {} of {} chars", s.sid, h.generation,
               heard.size(), w.text.size());
  if (!w.llm_told && s.llm) self->send(s.llm, heard_atom::value, w.generation, std::move(heard));
  s.heard_wait.reset();
}

void settle_heard(session_actor* self) {
  auto& s = self->state;
  if (!s.heard_wait || s.heard_wait->llm_told) return;
  auto& w = *s.heard_wait;
  w.llm_told = true;  // the edge's answer still refines the transcript
  if (s.llm) self->send(s.llm, heard_atom::value, w.generation, w.text.substr(0, w.provisional));
}

void on_playback_started(session_actor* self, const playback_started& p) {
  auto& s = self->state;
  if (!s.turn || s.turn->generation != p.generation || s.turn->audio_started) return;
  auto& t = *s.turn;
  t.audio_started = true;
  if (!t.latency_from) return;
  auto latency = p.at - *t.latency_from;
  s.services.metrics->turn_latency.observe(seconds(latency));
  s.record.turns[t.record_index].latency_ms = millis(latency);
  s.log->info("call_sid={} role=call_session turn={} latency {} ms (end of caller speech -> first audio sent)",
              s.sid, t.generation, millis(latency));
}

void on_silence_tick(session_actor* self, std::uint64_t epoch) {
  auto& s = self->state;
  if (epoch != s.silence_epoch || s.caller_speaking || s.turn || s.pending_end || s.closing) return;
  ++s.reprompts;
  auto max = s.services.cfg->calls.max_reprompts;
  if (s.reprompts <= max) s.services.metrics->reprompts.inc();
  s.log->info("call_sid={} role=call_session caller silent; reprompt {}/{}", s.sid, s.reprompts, max);
  if (s.reprompts > max) s.pending_end = end_reason::silence_timeout;
  start_agent_turn(self, respond{0, turn_cause::caller_silent, {}, s.reprompts}, std::nullopt);
}

} // namespace ce::actors
