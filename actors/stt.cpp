#include "actors/stt.hpp"

#include "actors/asr_pool.hpp"
#include "actors/call_session.hpp"
#include "actors/deepgram_speech.hpp"
#include "actors/metered.hpp"
#include "actors/provider_runtime.hpp"
#include "audio/vad.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"

#include <deque>
#include <map>
#include <optional>

// Deepgram client callbacks (an io thread) -> the stt actor.
namespace ce::actors::dg_stt {
struct opened {
  bool reconnected = false;
  std::size_t replayed_bytes = 0;
};
struct speech {  ///< SpeechStarted (stream time) or a non-empty interim (now)
  std::optional<double> stream_time;
  std::string text;
};
struct utterance {
  deepgram::stt_utterance u;
};
struct failed {
  http::provider_error error;
};
using reconnect_atom = caf::atom_constant<caf::atom("dgreconn")>;
using nudge_atom = caf::atom_constant<caf::atom("dgnudge")>;
} // namespace ce::actors::dg_stt

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_stt::opened)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_stt::speech)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_stt::utterance)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_stt::failed)

namespace ce::actors {
namespace {

constexpr std::size_t preroll_bytes = 300 * 8;  // audio kept from before the detected onset
constexpr std::size_t batch_bytes = 100 * 8;    // audio sent to the decoder per message

struct stt_state {
  engine_services services;
  std::shared_ptr<audio_route> audio;
  caf::actor session;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<audio::energy_vad> vad;
  std::deque<mulaw_buffer> preroll;
  std::size_t preroll_size = 0;

  // the utterance in progress (or being decoded)
  std::uint64_t utterance_id = 0;
  bool speaking = false;
  caf::actor decoder;
  bool awaiting_lease = false;
  bool finish_pending = false;  // speech ended before a decoder was leased
  mulaw_buffer backlog;         // audio waiting for the decoder
  std::size_t utterance_bytes = 0;
  time_point speech_end;
  std::map<std::uint64_t, time_point> decoding;  // utterance -> end of its speech
  speech_hint hint = speech_hint::open;          // for the next utterance

  // ---- Deepgram (provider "deepgram" until a failover) ----
  lingering_client<deepgram::live_stt_client> dg;
  std::optional<provider_counters> dg_counters;
  int dg_failures = 0;
  std::uint64_t dg_reconnect_epoch = 0;
  bool speech_signalled = false;   // speech_started sent for the speech in progress
  std::int64_t stream_ms = 0;      // audio streamed so far (Deepgram's time base)
  mulaw_buffer dg_outbox;          // audio not yet handed to the client (< send_ms)
  time_point last_arrival{};
  // The local VAD's view of the caller's speech, kept while Deepgram recognises it, so a
  // failover mid-sentence can still decode the sentence locally.
  mulaw_buffer shadow;
  bool shadow_active = false;      // the VAD says the caller is talking
  bool shadow_utterance = false;   // the last VAD speech was long enough to be an utterance
  bool shadow_answered = false;    // Deepgram delivered an utterance since its onset
  time_point shadow_end{};
  std::uint64_t shadow_seq = 0;

  bool deepgram() const { return static_cast<bool>(dg.client); }

  ~stt_state() {
    // The call is over: the last audio, CloseStream, and the client finishes after this
    // actor is gone (its final results are not needed any more).
    if (dg.client && !dg_outbox.empty()) dg.client->send_audio(std::move(dg_outbox));
    dg.close_and_linger();
  }
  static inline const char* name = "stt";
};

using stt_actor = metered<stt_state>;

time_point stream_time_to_clock(time_point frame_arrival, std::int64_t frame_end_ms, std::int64_t at_ms) {
  return frame_arrival - std::chrono::milliseconds(std::max<std::int64_t>(0, frame_end_ms - at_ms));
}

void send_backlog(stt_actor* self) {
  auto& s = self->state;
  if (!s.decoder || s.backlog.empty()) return;
  self->send(s.decoder, asr_audio{s.utterance_id, std::move(s.backlog)});
  s.backlog = {};
}

void begin_utterance(stt_actor* self) {
  auto& s = self->state;
  ++s.utterance_id;
  s.speaking = true;
  s.finish_pending = false;
  s.utterance_bytes = 0;
  s.backlog.clear();
  for (auto& f : s.preroll) s.backlog.insert(s.backlog.end(), f.begin(), f.end());
  s.utterance_bytes = s.backlog.size();
  s.preroll.clear();
  s.preroll_size = 0;
  if (s.decoder) {  // a previous utterance's decoder still in hand: give it back
    self->send(s.decoder, asr_finish{s.utterance_id - 1, true});
    s.decoder = caf::actor{};
  }
  s.awaiting_lease = true;
  self->send(s.services.asr_pool, asr_acquire{s.utterance_id, s.hint});
}

void end_utterance(stt_actor* self, bool decode) {
  auto& s = self->state;
  s.speaking = false;
  if (decode) s.decoding[s.utterance_id] = s.speech_end;
  if (s.decoder) {
    send_backlog(self);
    self->send(s.decoder, asr_finish{s.utterance_id, !decode});
    s.decoder = caf::actor{};
    return;
  }
  if (!decode) {
    s.backlog.clear();
    s.finish_pending = false;
    return;
  }
  s.finish_pending = true;  // decoded once the lease arrives
}

void add_speech(stt_actor* self, const mulaw_buffer& frame) {
  auto& s = self->state;
  auto max_bytes = static_cast<std::size_t>(s.services.cfg->stt.max_utterance_ms) * 8;
  if (s.utterance_bytes + frame.size() > max_bytes) return;  // the forced end below handles it
  s.utterance_bytes += frame.size();
  s.backlog.insert(s.backlog.end(), frame.begin(), frame.end());
  if (s.decoder && s.backlog.size() >= batch_bytes) send_backlog(self);
}

void keep_preroll(stt_state& s, mulaw_buffer&& frame) {
  s.preroll_size += frame.size();
  s.preroll.push_back(std::move(frame));
  while (s.preroll_size > preroll_bytes && !s.preroll.empty()) {
    s.preroll_size -= s.preroll.front().size();
    s.preroll.pop_front();
  }
}

void on_audio_deepgram(stt_actor* self, inbound_frame& a);

void on_audio(stt_actor* self, inbound_frame& a) {
  auto& s = self->state;
  if (s.deepgram()) return on_audio_deepgram(self, a);
  auto r = s.vad->push(a.payload);
  auto now_ms = s.vad->stream_ms();
  switch (r.event) {
    case audio::vad_result::kind::speech_started: {
      keep_preroll(s, std::move(a.payload));
      begin_utterance(self);
      auto onset = stream_time_to_clock(a.arrived, now_ms, r.start_ms);
      self->send(s.session, speech_started{onset});
      return;
    }
    case audio::vad_result::kind::speech_stopped: {
      add_speech(self, a.payload);
      s.speech_end = stream_time_to_clock(a.arrived, now_ms, r.end_ms);
      self->send(s.session, speech_stopped{s.speech_end, r.is_utterance});
      end_utterance(self, r.is_utterance);
      return;
    }
    case audio::vad_result::kind::none: break;
  }
  if (!s.speaking) return keep_preroll(s, std::move(a.payload));
  add_speech(self, a.payload);
  if (s.utterance_bytes >= static_cast<std::size_t>(s.services.cfg->stt.max_utterance_ms) * 8) {
    s.log->info("call_sid={} role=stt utterance reached {} ms; decoding it now", s.sid,
                s.services.cfg->stt.max_utterance_ms);
    s.speech_end = a.arrived;
    s.vad->reset();
    self->send(s.session, speech_stopped{s.speech_end, true});
    end_utterance(self, true);
  }
}

void on_lease(stt_actor* self, asr_lease& l) {
  auto& s = self->state;
  bool wanted = l.utterance_id == s.utterance_id && s.awaiting_lease && (s.speaking || s.finish_pending);
  if (l.utterance_id == s.utterance_id) s.awaiting_lease = false;
  if (!l.decoder) {
    if (!wanted) return;
    s.log->warn("call_sid={} role=stt no decoder available; utterance {} dropped", s.sid, l.utterance_id);
    s.backlog.clear();
    if (s.finish_pending) {
      s.decoding.erase(l.utterance_id);
      self->send(s.session, transcript_ready{l.utterance_id, {}, s.speech_end, 0});
    }
    s.finish_pending = false;
    return;
  }
  if (!wanted) {
    self->send(l.decoder, asr_finish{l.utterance_id, true});  // give it straight back
    return;
  }
  s.decoder = l.decoder;
  send_backlog(self);
  if (s.finish_pending) {
    s.finish_pending = false;
    self->send(s.decoder, asr_finish{s.utterance_id, false});
    s.decoder = caf::actor{};
  }
}

// ---- Deepgram ----------------------------------------------------------------------------

/// Tells the session the caller started talking, once per speech (local VAD, Deepgram's
/// SpeechStarted or its first interim words: whichever comes first).
void signal_speech(stt_actor* self, time_point onset, const char* by) {
  auto& s = self->state;
  if (s.speech_signalled) return;
  s.speech_signalled = true;
  s.log->info("call_sid={} role=stt speech started ({})", s.sid, by);
  self->send(s.session, speech_started{onset});
}

time_point deepgram_time_to_clock(const stt_state& s, double stream_seconds) {
  return stream_time_to_clock(s.last_arrival, s.stream_ms, static_cast<std::int64_t>(stream_seconds * 1000.0));
}

void append_shadow(stt_state& s, const mulaw_buffer& frame) {
  auto max_bytes = static_cast<std::size_t>(s.services.cfg->stt.max_utterance_ms) * 8;
  if (s.shadow.size() + frame.size() > max_bytes) return;
  s.shadow.insert(s.shadow.end(), frame.begin(), frame.end());
}

void on_audio_deepgram(stt_actor* self, inbound_frame& a) {
  auto& s = self->state;
  s.stream_ms += static_cast<std::int64_t>(a.payload.size()) / 8;
  s.last_arrival = a.arrived;
  // a copy (the VAD and the shadow keep theirs), sent every deepgram.stt.send_ms while the
  // caller talks (and until the detector's hangover ends, which covers Deepgram's
  // endpointing), every silence_send_ms while the line is quiet
  s.dg_outbox.insert(s.dg_outbox.end(), a.payload.begin(), a.payload.end());
  auto r = s.vad->push(a.payload);
  auto now_ms = s.vad->stream_ms();
  const auto& dg = s.services.cfg->deepgram;
  const bool talking = s.shadow_active || r.event != audio::vad_result::kind::none;
  if (s.dg_outbox.size() >= static_cast<std::size_t>(talking ? dg.send_ms : dg.silence_send_ms) * 8) {
    s.dg.client->send_audio(std::move(s.dg_outbox));
    s.dg_outbox = {};
  }
  switch (r.event) {
    case audio::vad_result::kind::speech_started: {
      s.shadow.clear();
      for (auto& f : s.preroll) append_shadow(s, f);
      s.preroll.clear();
      s.preroll_size = 0;
      append_shadow(s, a.payload);
      s.shadow_active = true;
      s.shadow_utterance = false;
      s.shadow_answered = false;
      ++s.shadow_seq;
      signal_speech(self, stream_time_to_clock(a.arrived, now_ms, r.start_ms), "local VAD");
      return;
    }
    case audio::vad_result::kind::speech_stopped: {
      append_shadow(s, a.payload);
      s.shadow_active = false;
      s.shadow_utterance = r.is_utterance;
      s.shadow_end = stream_time_to_clock(a.arrived, now_ms, r.end_ms);
      self->send(s.session, speech_stopped{s.shadow_end, r.is_utterance});
      if (!r.is_utterance) {
        if (!s.shadow_answered) s.speech_signalled = false;  // a click: the next speech counts
        mulaw_buffer{}.swap(s.shadow);
        return;
      }
      // Deepgram endpoints on its own; if nothing comes, ask it to finalise what it heard.
      auto wait = std::max(s.services.cfg->deepgram.utterance_end_ms, s.services.cfg->deepgram.endpointing_ms) + 1500;
      self->delayed_send(self, std::chrono::milliseconds(wait), dg_stt::nudge_atom::value, s.shadow_seq);
      return;
    }
    case audio::vad_result::kind::none: break;
  }
  if (s.shadow_active) append_shadow(s, a.payload);
  else keep_preroll(s, std::move(a.payload));
}

void on_deepgram_utterance(stt_actor* self, deepgram::stt_utterance& u) {
  auto& s = self->state;
  s.shadow_answered = true;
  s.speech_signalled = false;
  // answered: the shadow copy of the sentence is not needed any more (its capacity is
  // seconds of audio per call, not worth keeping between sentences)
  if (!s.shadow_active) mulaw_buffer{}.swap(s.shadow);
  if (u.text.empty()) return;
  auto end = deepgram_time_to_clock(s, u.end);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - end).count();
  s.log->debug("call_sid={} role=stt deepgram utterance ({}) \"{}\"", s.sid, deepgram::to_string(u.reason), u.text);
  self->send(s.session, transcript_ready{++s.utterance_id, std::move(u.text), end, std::max<std::int64_t>(0, waited)});
}

/// Deepgram is given up for the rest of the call: the embedded recogniser takes over, with
/// the audio of the sentence in flight when there is one.
void fail_over(stt_actor* self, const http::provider_error& why) {
  auto& s = self->state;
  s.log->warn("call_sid={} role=stt provider=deepgram failed ({}) after {} failure(s); the embedded recogniser "
              "takes over for the rest of the call",
              s.sid, why.describe(), s.dg_failures);
  s.dg_counters->failover();
  s.dg.client.reset();  // no callback after this
  ++s.dg_reconnect_epoch;
  if (s.shadow_active && !s.shadow_answered) {
    // mid-sentence: the local utterance starts with what the caller said so far
    ++s.utterance_id;
    s.speaking = true;
    s.finish_pending = false;
    s.backlog = std::move(s.shadow);
    s.utterance_bytes = s.backlog.size();
    s.awaiting_lease = true;
    s.log->info("call_sid={} role=stt the sentence in flight ({} ms so far) goes on with the embedded recogniser",
                s.sid, s.backlog.size() / 8);
    self->send(s.services.asr_pool, asr_acquire{s.utterance_id, s.hint});
  } else if (s.shadow_utterance && !s.shadow_answered && !s.shadow.empty()) {
    // the sentence just ended and Deepgram never answered it: decode it here
    ++s.utterance_id;
    s.speaking = false;
    s.backlog = std::move(s.shadow);
    s.utterance_bytes = s.backlog.size();
    s.decoding[s.utterance_id] = s.shadow_end;
    s.finish_pending = true;
    s.awaiting_lease = true;
    s.log->info("call_sid={} role=stt the sentence in flight ({} ms, not answered by deepgram) is decoded by the "
                "embedded recogniser", s.sid, s.backlog.size() / 8);
    self->send(s.services.asr_pool, asr_acquire{s.utterance_id, s.hint});
  }
  s.shadow.clear();
  s.shadow_active = false;
  s.shadow_utterance = false;
}

void on_deepgram_failed(stt_actor* self, const http::provider_error& e) {
  auto& s = self->state;
  if (!s.deepgram()) return;
  ++s.dg_failures;
  s.dg_counters->error(e);
  auto max = s.services.cfg->deepgram.max_failures_per_call;
  if (should_fail_over(e, s.dg_failures, max)) return fail_over(self, e);
  // reconnect (the client replays the last second of audio); a short pause after repeats
  auto delay = std::chrono::milliseconds(e.retry_after ? std::min<std::int64_t>(e.retry_after->count(), 1000)
                                                       : 150 * (s.dg_failures - 1));
  s.log->warn("call_sid={} role=stt provider=deepgram connection failed ({}); reconnecting in {} ms ({}/{})", s.sid,
              e.describe(), delay.count(), s.dg_failures, max);
  auto epoch = ++s.dg_reconnect_epoch;
  if (delay.count() <= 0) s.dg.client->reconnect();
  else self->delayed_send(self, delay, dg_stt::reconnect_atom::value, epoch);
}

void start_deepgram(stt_actor* self) {
  auto& s = self->state;
  if (!s.services.providers) {
    s.log->error("call_sid={} role=stt provider=deepgram has no provider runtime; using the embedded recogniser",
                 s.sid);
    return;
  }
  s.dg_counters.emplace(s.services.metrics->registry, "stt", "deepgram");
  caf::actor me = caf::actor_cast<caf::actor>(self);
  deepgram::live_stt_callbacks cb;
  cb.on_opened = [me](const deepgram::stt_opened& o) {
    caf::anon_send(me, dg_stt::opened{o.reconnected, o.replayed_bytes});
  };
  cb.on_speech_started = [me](const deepgram::stt_speech_started& e) {
    caf::anon_send(me, dg_stt::speech{e.timestamp, {}});
  };
  cb.on_interim = [me](const deepgram::stt_interim& i) { caf::anon_send(me, dg_stt::speech{std::nullopt, i.text}); };
  cb.on_utterance = [me](deepgram::stt_utterance u) { caf::anon_send(me, dg_stt::utterance{std::move(u)}); };
  cb.on_failed = [me](const http::provider_error& e) { caf::anon_send(me, dg_stt::failed{e}); };
  cb.on_closed = [lingering = s.dg.lingering] { lingering->reset(); };
  s.dg.client = std::make_unique<deepgram::live_stt_client>(s.services.providers->io(),
                                                            deepgram_stt_options(*s.services.cfg, s.sid), std::move(cb));
  s.dg.client->connect();
}

caf::behavior stt(stt_actor* self, engine_services services, caf::actor session, std::string sid,
                  std::shared_ptr<audio_route> audio) {
  self->meter("stt");
  auto& s = self->state;
  s.audio = std::move(audio);
  s.services = std::move(services);
  s.session = std::move(session);
  s.sid = std::move(sid);
  s.log = log::get("stt");
  s.vad = std::make_unique<audio::energy_vad>(s.services.cfg->stt.vad);
  if (s.services.cfg->stt.provider == "deepgram") start_deepgram(self);
  return {
    [=](inbound_audio& a) {
      if (a.counted)
        self->state.audio->in_flight.fetch_sub(static_cast<std::int32_t>(a.frames.size()), std::memory_order_relaxed);
      for (auto& f : a.frames) on_audio(self, f);
    },
    [=](asr_lease& l) { on_lease(self, l); },
    [=](const expect_answer& e) { self->state.hint = e.hint; },
    [=](const dg_stt::opened& o) {
      auto& st = self->state;
      if (!st.deepgram()) return;
      if (o.reconnected)
        st.log->info("call_sid={} role=stt provider=deepgram reconnected; {} ms of audio replayed", st.sid,
                     o.replayed_bytes / 8);
      else
        st.log->debug("call_sid={} role=stt provider=deepgram connected", st.sid);
    },
    [=](const dg_stt::speech& e) {
      auto& st = self->state;
      if (!st.deepgram()) return;
      auto onset = e.stream_time ? deepgram_time_to_clock(st, *e.stream_time) : steady_clock::now();
      signal_speech(self, std::min(onset, steady_clock::now()), e.stream_time ? "deepgram SpeechStarted" : "deepgram interim");
    },
    [=](dg_stt::utterance& u) {
      if (self->state.deepgram()) on_deepgram_utterance(self, u.u);
    },
    [=](const dg_stt::failed& f) { on_deepgram_failed(self, f.error); },
    [=](dg_stt::reconnect_atom, std::uint64_t epoch) {
      auto& st = self->state;
      if (st.deepgram() && epoch == st.dg_reconnect_epoch) st.dg.client->reconnect();
    },
    [=](dg_stt::nudge_atom, std::uint64_t seq) {
      auto& st = self->state;
      if (!st.deepgram() || seq != st.shadow_seq || st.shadow_answered || st.shadow_active) return;
      st.log->debug("call_sid={} role=stt provider=deepgram no utterance after the caller stopped; Finalize", st.sid);
      st.speech_signalled = false;
      st.dg.client->finalize();
    },
    [=](asr_result& r) {
      auto& st = self->state;
      auto it = st.decoding.find(r.utterance_id);
      if (it == st.decoding.end()) return;  // an aborted utterance
      auto end = it->second;
      st.decoding.erase(it);
      if (!r.ok) st.log->warn("call_sid={} role=stt decoder failed on utterance {}", st.sid, r.utterance_id);
      self->send(st.session, transcript_ready{r.utterance_id, std::move(r.text), end, r.decode_ms});
    },
  };
}

} // namespace

caf::actor spawn_stt(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::string call_sid, std::shared_ptr<audio_route> audio) {
  return sys.spawn(stt, services, std::move(session), std::move(call_sid), std::move(audio));
}

} // namespace ce::actors
