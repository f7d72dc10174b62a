#include "actors/stt.hpp"

#include "actors/asr_pool.hpp"
#include "actors/call_session.hpp"
#include "actors/deepgram_speech.hpp"
#include "actors/metered.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "runtime/shards.hpp"

#include <map>
#include <optional>

// Deepgram client callbacks (the call's shard) -> the stt actor.
namespace ce::actors::dg_stt {
struct opened {
  bool reconnected = false;
  std::size_t replayed_bytes = 0;
};
struct speech {  ///< SpeechStarted (with its time) or a non-empty interim (now)
  std::optional<time_point> at;
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
  std::shared_ptr<media_sink> sink;
  std::shared_ptr<audio_route> route;
  caf::actor session;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;

  // ---- embedded recogniser: the utterance in progress (or being decoded) ----
  mulaw_buffer preroll;         // the last preroll_bytes before an onset
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
  bool speech_signalled = false;  // speech_started sent for the speech in progress
  // The edge detector's view of the caller's speech while Deepgram recognises it: whether
  // a failover must hand the sentence in flight to the embedded recogniser.
  bool speech_active = false;      // the caller is talking
  bool last_was_utterance = false; // the last speech was long enough to be an utterance
  bool answered = false;           // Deepgram delivered an utterance since its onset
  time_point last_speech_end{};
  std::uint64_t speech_seq = 0;

  bool deepgram() const { return static_cast<bool>(dg.client); }

  ~stt_state() {
    if (dg.client) {
      // The call is over (or this actor failed): the edge stops writing into the client,
      // which sends CloseStream and finishes after this actor is gone.
      sink->route_caller_audio(nullptr, false);
      dg.close_and_linger();
    }
  }
  static inline const char* name = "stt";
};

using stt_actor = metered<stt_state>;

// ---- embedded recogniser --------------------------------------------------------------------

void send_backlog(stt_actor* self) {
  auto& s = self->state;
  if (!s.decoder || s.backlog.empty()) return;
  self->send(s.decoder, asr_audio{s.utterance_id, std::move(s.backlog)});
  s.backlog = {};
}

void acquire_decoder(stt_actor* self) {
  auto& s = self->state;
  if (s.decoder) {  // a previous utterance's decoder still in hand: give it back
    self->send(s.decoder, asr_finish{s.utterance_id - 1, true});
    s.decoder = caf::actor{};
  }
  s.awaiting_lease = true;
  self->send(s.services.asr_pool, asr_acquire{s.utterance_id, s.hint});
}

/// A new utterance whose audio so far is `audio` (the preroll, or a handed-over sentence).
void begin_utterance(stt_actor* self, mulaw_buffer audio) {
  auto& s = self->state;
  ++s.utterance_id;
  s.speaking = true;
  s.finish_pending = false;
  s.backlog = std::move(audio);
  s.utterance_bytes = s.backlog.size();
  acquire_decoder(self);
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

void add_speech(stt_actor* self, const mulaw_buffer& audio) {
  auto& s = self->state;
  auto max_bytes = static_cast<std::size_t>(s.services.cfg->stt.max_utterance_ms) * 8;
  auto take = std::min(audio.size(), max_bytes > s.utterance_bytes ? max_bytes - s.utterance_bytes : 0);
  s.utterance_bytes += take;
  s.backlog.insert(s.backlog.end(), audio.begin(), audio.begin() + static_cast<std::ptrdiff_t>(take));
  if (s.decoder && s.backlog.size() >= batch_bytes) send_backlog(self);
}

void keep_preroll(stt_state& s, const mulaw_buffer& audio) {
  s.preroll.insert(s.preroll.end(), audio.begin(), audio.end());
  if (s.preroll.size() > preroll_bytes)
    s.preroll.erase(s.preroll.begin(), s.preroll.end() - static_cast<std::ptrdiff_t>(preroll_bytes));
}

void on_audio(stt_actor* self, const mulaw_buffer& audio) {
  auto& s = self->state;
  if (s.speaking) add_speech(self, audio);
  else keep_preroll(s, audio);
}

void on_speech_embedded(stt_actor* self, const caller_speech& e) {
  auto& s = self->state;
  if (e.what == caller_speech::kind::started) {
    begin_utterance(self, std::move(s.preroll));
    s.preroll = {};
    self->send(s.session, speech_started{e.at});
    return;
  }
  if (e.forced)
    s.log->info("call_sid={} role=stt utterance reached {} ms; decoding it now", s.sid,
                s.services.cfg->stt.max_utterance_ms);
  s.speech_end = e.at;
  s.last_speech_end = e.at;
  self->send(s.session, speech_stopped{e.at, e.utterance});
  if (s.speaking) end_utterance(self, e.utterance);
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

/// After a failover: the sentence the edge kept while Deepgram had it goes on (or, when it
/// already ended, is decoded) with the embedded recogniser.
void on_handover(stt_actor* self, speech_handover& h) {
  auto& s = self->state;
  if (s.deepgram() || h.audio.empty()) return;
  const auto ms = h.audio.size() / 8;
  if (s.speaking) {  // a new speech began meanwhile: that one is recognised, this one is gone
    s.log->info("call_sid={} role=stt a new speech began during the failover; {} ms of the one before are not "
                "decoded", s.sid, ms);
    return;
  }
  if (h.in_progress) {
    begin_utterance(self, std::move(h.audio));
    s.log->info("call_sid={} role=stt the sentence in flight ({} ms so far) goes on with the embedded recogniser",
                s.sid, ms);
    return;
  }
  begin_utterance(self, std::move(h.audio));
  s.speech_end = s.last_speech_end;
  s.log->info("call_sid={} role=stt the sentence in flight ({} ms, not answered by deepgram) is decoded by the "
              "embedded recogniser", s.sid, ms);
  end_utterance(self, true);
}

// ---- Deepgram ----------------------------------------------------------------------------

/// Tells the session the caller started talking, once per speech (the edge's detector,
/// Deepgram's SpeechStarted or its first interim words: whichever comes first).
void signal_speech(stt_actor* self, time_point onset, const char* by) {
  auto& s = self->state;
  if (s.speech_signalled) return;
  s.speech_signalled = true;
  s.log->info("call_sid={} role=stt speech started ({})", s.sid, by);
  self->send(s.session, speech_started{onset});
}

void on_speech_deepgram(stt_actor* self, const caller_speech& e) {
  auto& s = self->state;
  if (e.what == caller_speech::kind::started) {
    s.speech_active = true;
    s.last_was_utterance = false;
    s.answered = false;
    ++s.speech_seq;
    signal_speech(self, e.at, "local VAD");
    return;
  }
  s.speech_active = false;
  s.last_was_utterance = e.utterance;
  s.last_speech_end = e.at;
  self->send(s.session, speech_stopped{e.at, e.utterance});
  if (!e.utterance) {
    if (!s.answered) s.speech_signalled = false;  // a click: the next speech counts
    return;
  }
  // Deepgram endpoints on its own; if nothing comes, ask it to finalise what it heard.
  const auto& dg = s.services.cfg->deepgram;
  auto wait = std::max(dg.utterance_end_ms, dg.endpointing_ms) + 1500;
  self->delayed_send(self, std::chrono::milliseconds(wait), dg_stt::nudge_atom::value, s.speech_seq);
}

void on_deepgram_utterance(stt_actor* self, deepgram::stt_utterance& u) {
  auto& s = self->state;
  s.answered = true;
  s.speech_signalled = false;
  if (u.text.empty()) return;
  const auto now = steady_clock::now();
  auto end = u.end_at == time_point{} ? now : std::min(u.end_at, now);
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - end).count();
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
  const bool in_flight = !s.answered && (s.speech_active || s.last_was_utterance);
  // the edge sends the audio here from now on, the unanswered sentence first
  s.sink->route_caller_audio(nullptr, in_flight);
  s.dg.client.reset();  // no callback after this
  ++s.dg_reconnect_epoch;
  // the detector's view goes on in the embedded logic: a speech under way is the handed-over one
  s.speaking = false;
  s.preroll.clear();
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
  s.dg_counters.emplace(s.services.metrics->registry, "stt", "deepgram");
  caf::actor me = caf::actor_cast<caf::actor>(self);
  deepgram::live_stt_callbacks cb;
  cb.on_opened = [me](const deepgram::stt_opened& o) {
    caf::anon_send(me, dg_stt::opened{o.reconnected, o.replayed_bytes});
  };
  // Only the first interim of a speech matters here (it may be the first sign of it):
  // the rest stay on the shard. (The callbacks run on the shard's thread only.)
  auto interim_sent = std::make_shared<bool>(false);
  cb.on_speech_started = [me](const deepgram::stt_speech_started& e) {
    caf::anon_send(me, dg_stt::speech{e.at, {}});
  };
  cb.on_interim = [me, interim_sent](const deepgram::stt_interim& i) {
    if (*interim_sent) return;
    *interim_sent = true;
    caf::anon_send(me, dg_stt::speech{std::nullopt, i.text});
  };
  cb.on_utterance = [me, interim_sent](deepgram::stt_utterance u) {
    *interim_sent = false;
    caf::anon_send(me, dg_stt::utterance{std::move(u)});
  };
  cb.on_failed = [me](const http::provider_error& e) { caf::anon_send(me, dg_stt::failed{e}); };
  cb.on_closed = [lingering = s.dg.lingering] { lingering->reset(); };
  // The client lives on the call's shard, beside the Twilio socket that feeds it.
  s.dg.client = std::make_unique<deepgram::live_stt_client>(s.sink->shard().io(),
                                                            deepgram_stt_options(*s.services.cfg, s.sid), std::move(cb));
  s.dg.client->connect();
  s.sink->route_caller_audio(s.dg.client->audio_port(), false);
}

void count_out(stt_state& s, const inbound_audio& a) {
  if (a.counted)
    s.route->in_flight.fetch_sub(static_cast<std::int32_t>((a.audio.size() + frame_bytes_20ms - 1) / frame_bytes_20ms),
                                 std::memory_order_relaxed);
}

caf::behavior stt(stt_actor* self, engine_services services, caf::actor session, std::string sid,
                  std::shared_ptr<media_sink> sink, std::shared_ptr<audio_route> route) {
  self->meter("stt");
  auto& s = self->state;
  s.services = std::move(services);
  s.sink = std::move(sink);
  s.route = std::move(route);
  s.session = std::move(session);
  s.sid = std::move(sid);
  s.log = log::get("stt");
  if (s.services.cfg->stt.provider == "deepgram") start_deepgram(self);
  else s.sink->route_caller_audio(nullptr, false);
  return {
    [=](inbound_audio& a) {
      count_out(self->state, a);
      // with Deepgram the audio goes to its client at the edge; a batch sent before the
      // route changed is not needed
      if (!self->state.deepgram()) on_audio(self, a.audio);
    },
    [=](const caller_speech& e) {
      if (self->state.deepgram()) on_speech_deepgram(self, e);
      else on_speech_embedded(self, e);
    },
    [=](speech_handover& h) { on_handover(self, h); },
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
      const auto now = steady_clock::now();
      auto onset = e.at && *e.at != time_point{} ? std::min(*e.at, now) : now;
      signal_speech(self, onset, e.at ? "deepgram SpeechStarted" : "deepgram interim");
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
      if (!st.deepgram() || seq != st.speech_seq || st.answered || st.speech_active) return;
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
                     std::string call_sid, std::shared_ptr<media_sink> sink, std::shared_ptr<audio_route> route) {
  return sys.spawn(stt, services, std::move(session), std::move(call_sid), std::move(sink), std::move(route));
}

} // namespace ce::actors
