#include "actors/tts.hpp"

#include "actors/call_session.hpp"
#include "actors/common.hpp"
#include "actors/deepgram_speech.hpp"
#include "actors/metered.hpp"
#include "actors/tts_engine.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "runtime/shards.hpp"

#include <atomic>
#include <map>
#include <optional>

// Deepgram client callbacks (the call's shard) -> the tts actor. `key` names one attempt at
// one segment (a segment re-spoken by another provider gets a new key). The audio itself
// never comes here: the clients hand it to the edge on their shard (agent_audio_port),
// which reports, with a failure, how much of each attempt it played.
namespace ce::actors::dg_tts {
using progress = std::vector<std::pair<std::uint64_t, std::size_t>>;
struct done {
  std::uint64_t key = 0;
  std::optional<http::provider_error> error;  ///< REST only: the segment failed
  progress played;                            ///< with an error: audio played per attempt
};
struct segment_failed {  ///< WebSocket refused a segment before it reached the server
  std::uint64_t key = 0;
  http::provider_error error;
  progress played;
};
struct ws_failed {
  http::provider_error error;
  progress played;
};
} // namespace ce::actors::dg_tts

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_tts::done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_tts::segment_failed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dg_tts::ws_failed)

namespace ce::actors {
namespace {

/// Who synthesises a segment.
enum class voice { local, ws, rest };

struct segment_playback {
  std::string text;               ///< the segment's whole text
  std::size_t char_base = 0;      ///< characters covered before the current attempt (a re-speak)
  voice by = voice::local;
  std::uint64_t key = 0;          ///< the current attempt
};

struct tts_state {
  engine_services services;
  caf::actor session;
  std::shared_ptr<media_sink> sink;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::shared_ptr<std::atomic<std::uint64_t>> live_generation = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::uint64_t generation = 0;
  std::map<std::uint32_t, segment_playback> segments;  // of the current generation, in order
  std::uint64_t next_key = 0;
  std::map<std::uint64_t, std::uint32_t> key_segment;  // live attempts -> segment

  // ---- Deepgram (provider "deepgram" until a failover) ----
  voice mode = voice::local;     ///< who gets new segments
  lingering_client<deepgram::tts_stream_client> ws;
  bool ws_broken = false;        ///< the WebSocket failed; REST speaks until the next turn
  std::unique_ptr<deepgram::tts_rest_client> rest;
  std::optional<provider_counters> counters;
  int failures = 0;              ///< every Deepgram failure of this call
  int ws_failures = 0;           ///< of the WebSocket: at the limit, REST only for the call

  ~tts_state() { ws.close_and_linger(); }
  static inline const char* name = "tts";
};
using tts_actor = metered<tts_state>;

int ms_per_char(const tts_state& s, voice by) {
  return by == voice::local ? 0 : s.services.cfg->deepgram.tts_ms_per_char;
}

/// A new attempt at a segment: a new key, announced to the edge before any of its audio.
std::uint64_t new_attempt(tts_state& s, std::uint32_t segment, segment_playback& seg, voice by) {
  if (seg.key) s.key_segment.erase(seg.key);
  seg.key = ++s.next_key;
  seg.by = by;
  s.key_segment[seg.key] = segment;
  s.sink->begin_segment(speech_segment{seg.key, s.generation, segment, seg.text, seg.char_base, ms_per_char(s, by)});
  return seg.key;
}

/// The segment is complete (its end mark was placed at the edge): forget it.
void forget_segment(tts_state& s, std::uint64_t key) {
  auto k = s.key_segment.find(key);
  if (k == s.key_segment.end()) return;
  s.segments.erase(k->second);
  s.key_segment.erase(k);
}

// ---- embedded synthesiser ------------------------------------------------------------------

void send_local(tts_actor* self, std::uint32_t segment, segment_playback& seg) {
  auto& s = self->state;
  new_attempt(s, segment, seg, voice::local);
  self->send(s.services.tts_engine, synth_request{s.generation, segment, seg.text.substr(seg.char_base),
                                                  s.live_generation, caf::actor_cast<caf::actor>(self)});
}

/// A chunk of the embedded synthesiser: to the edge with its word starts (the edge places
/// the marks); the last chunk completes the segment there.
void on_chunk(tts_actor* self, synth_chunk& c) {
  auto& s = self->state;
  if (c.generation != s.generation) {
    s.services.metrics->stale_dropped.inc();
    return;
  }
  auto it = s.segments.find(c.segment);
  if (it == s.segments.end() || it->second.by != voice::local) return;
  auto key = it->second.key;
  if (c.last && c.failed)
    s.log->warn("call_sid={} role=tts turn={} segment {} could not be synthesised", s.sid, s.generation, c.segment);
  s.sink->segment_audio(key, std::move(c.audio), std::move(c.words), c.last);
  if (c.last) forget_segment(s, key);
}

// ---- Deepgram ------------------------------------------------------------------------------

/// Audio of a Deepgram client goes to the edge on the same shard, straight from the
/// client's callback; this actor only hears when a segment is done or failed.
void ensure_rest(tts_actor* self) {
  auto& s = self->state;
  if (s.rest) return;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto port = s.sink->agent_audio();
  deepgram::tts_rest_callbacks cb;
  cb.on_audio = [port](deepgram::tts_audio a) { port->audio(a.segment, std::move(a.mulaw)); };
  cb.on_done = [me, port](std::uint64_t key, std::optional<http::provider_error> e) {
    if (!e) {
      port->end(key);
      caf::anon_send(me, dg_tts::done{key, std::nullopt, {}});
    } else {
      caf::anon_send(me, dg_tts::done{key, std::move(e), port->progress()});
    }
  };
  s.rest = std::make_unique<deepgram::tts_rest_client>(s.sink->shard().io(),
                                                       deepgram_tts_rest_options(*s.services.cfg, s.sid), std::move(cb));
}

void ensure_ws(tts_actor* self) {
  auto& s = self->state;
  if (s.ws.client) return;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  auto port = s.sink->agent_audio();
  deepgram::tts_stream_callbacks cb;
  cb.on_audio = [port](deepgram::tts_audio a) { port->audio(a.segment, std::move(a.mulaw)); };
  cb.on_segment_done = [me, port](std::uint64_t key) {
    port->end(key);
    caf::anon_send(me, dg_tts::done{key, std::nullopt, {}});
  };
  cb.on_segment_failed = [me, port](std::uint64_t key, const http::provider_error& e) {
    caf::anon_send(me, dg_tts::segment_failed{key, e, port->progress()});
  };
  cb.on_failed = [me, port](const http::provider_error& e) { caf::anon_send(me, dg_tts::ws_failed{e, port->progress()}); };
  cb.on_warning = [log = s.log, sid = s.sid](const std::string& code, const std::string& text) {
    log->warn("call_sid={} role=tts provider=deepgram warning {}: {}", sid, code, text);
  };
  cb.on_closed = [lingering = s.ws.lingering] { lingering->reset(); };
  s.ws.client = std::make_unique<deepgram::tts_stream_client>(
    s.sink->shard().io(), deepgram_tts_stream_options(*s.services.cfg, s.sid), std::move(cb));
  s.ws.client->connect();
}

/// Sends (what is left of) a segment to the current provider.
void dispatch(tts_actor* self, std::uint32_t segment, segment_playback& seg) {
  auto& s = self->state;
  switch (s.mode) {
    case voice::local: return send_local(self, segment, seg);
    case voice::ws: {
      auto key = new_attempt(s, segment, seg, voice::ws);
      s.ws.client->speak(key, seg.text.substr(seg.char_base));
      return;
    }
    case voice::rest: {
      ensure_rest(self);
      auto key = new_attempt(s, segment, seg, voice::rest);
      s.rest->synthesize(key, seg.text.substr(seg.char_base));
      return;
    }
  }
}

/// Every segment not yet complete goes to the current provider, in order, from about where
/// the caller is in it (audio already played is not repeated): `played` is the edge's
/// count of each attempt's audio at the failure.
void respeak_pending(tts_actor* self, const dg_tts::progress& played) {
  auto& s = self->state;
  std::vector<std::uint64_t> finished;
  for (auto& [segment, seg] : s.segments) {
    if (seg.by != voice::local) {
      for (const auto& [key, bytes] : played)
        if (key == seg.key && bytes > 0)
          seg.char_base = estimated_heard_chars(seg.text, seg.char_base, bytes, ms_per_char(s, seg.by));
    }
    if (seg.text.find_first_not_of(' ', seg.char_base) == std::string::npos) {
      finished.push_back(seg.key);
      continue;
    }
    dispatch(self, segment, seg);
  }
  for (auto key : finished) {
    s.sink->end_segment(key);
    forget_segment(s, key);
  }
}

/// Deepgram is given up for the rest of the call: the embedded synthesiser speaks.
void fail_over(tts_actor* self, const http::provider_error& why, const dg_tts::progress& played) {
  auto& s = self->state;
  s.log->warn("call_sid={} role=tts provider=deepgram failed ({}) after {} failure(s); the embedded synthesiser "
              "takes over for the rest of the call",
              s.sid, why.describe(), s.failures);
  s.counters->failover();
  s.ws.client.reset();
  s.rest.reset();
  s.mode = voice::local;
  respeak_pending(self, played);  // their Deepgram attempts are abandoned (keys forgotten)
}

/// The WebSocket failed (connection, or a segment it could not take). A permanent error
/// (bad key, no credit) fails the role over; otherwise REST speaks what is pending, and the
/// next turn tries the WebSocket again, up to max_failures_per_call times in the call.
void on_ws_failure(tts_actor* self, const http::provider_error& e, const dg_tts::progress& played) {
  auto& s = self->state;
  ++s.failures;
  ++s.ws_failures;
  s.counters->error(e);
  if (e.is_permanent()) return fail_over(self, e, played);
  auto max = s.services.cfg->deepgram.max_failures_per_call;
  s.ws_broken = true;
  bool in_use = s.mode == voice::ws;
  if (s.ws_failures >= max) {
    s.log->warn("call_sid={} role=tts provider=deepgram WebSocket failed {} times ({}); REST speaks for the rest of "
                "the call", s.sid, s.ws_failures, e.describe());
    s.ws.client.reset();
  } else {
    s.log->warn("call_sid={} role=tts provider=deepgram WebSocket failed ({}); REST speaks {} ({}/{})", s.sid,
                e.describe(), in_use ? "the pending text" : "until the next turn", s.ws_failures, max);
  }
  if (!in_use) return;
  s.mode = voice::rest;
  respeak_pending(self, played);
}

/// A REST segment failed after its own retries. With the WebSocket not working either the
/// provider is down: the role fails over. REST-only (deepgram.tts.websocket false): retried
/// up to max_failures_per_call times in the call.
void on_rest_failure(tts_actor* self, const http::provider_error& e, const dg_tts::progress& played) {
  auto& s = self->state;
  ++s.failures;
  s.counters->error(e);
  bool rest_only = !s.services.cfg->deepgram.tts_websocket;
  if (e.is_permanent() || !rest_only || s.failures >= s.services.cfg->deepgram.max_failures_per_call)
    return fail_over(self, e, played);
  s.log->warn("call_sid={} role=tts provider=deepgram REST failed ({}); speaking the pending text again ({}/{})", s.sid,
              e.describe(), s.failures, s.services.cfg->deepgram.max_failures_per_call);
  if (s.rest) s.rest->cancel_all();  // its queue is re-spoken below
  respeak_pending(self, played);
}

void on_deepgram_done(tts_actor* self, dg_tts::done& d) {
  auto& s = self->state;
  if (!s.key_segment.count(d.key)) return;
  if (!d.error) return forget_segment(s, d.key);
  on_rest_failure(self, *d.error, d.played);
}

void start_deepgram(tts_actor* self) {
  auto& s = self->state;
  s.counters.emplace(s.services.metrics->registry, "tts", "deepgram");
  if (s.services.cfg->deepgram.tts_websocket) {
    s.mode = voice::ws;
    ensure_ws(self);
  } else {
    s.mode = voice::rest;
    ensure_rest(self);
  }
}

/// A new generation (a new turn or a barge-in): what is still playing of the old one stops.
void advance_generation(tts_actor* self, std::uint64_t g) {
  auto& s = self->state;
  if (g <= s.generation) return;
  s.generation = g;
  s.live_generation->store(g);
  bool ws_busy = false, rest_busy = false;
  for (auto& [segment, seg] : s.segments) {
    ws_busy |= seg.key && seg.by == voice::ws;
    rest_busy |= seg.key && seg.by == voice::rest;
  }
  if (ws_busy && s.ws.client) s.ws.client->clear();
  if (rest_busy && s.rest) s.rest->cancel_all();
  s.segments.clear();
  s.key_segment.clear();
  // After a WebSocket failure REST carried the turn; the next turn tries the WebSocket again.
  if (s.ws_broken && s.mode == voice::rest && s.ws.client) {
    s.ws_broken = false;
    s.mode = voice::ws;
    s.ws.client->reconnect();
  }
}

caf::behavior tts(tts_actor* self, engine_services services, caf::actor session, std::shared_ptr<media_sink> sink,
                  std::string sid) {
  self->meter("tts");
  auto& s = self->state;
  s.services = std::move(services);
  s.session = std::move(session);
  s.sink = std::move(sink);
  s.sid = std::move(sid);
  s.log = log::get("tts");
  if (s.services.cfg->tts.provider == "deepgram") start_deepgram(self);
  return {
    [=](speak& m) {
      auto& st = self->state;
      if (m.generation < st.generation) {
        st.services.metrics->stale_dropped.inc();
        return;
      }
      advance_generation(self, m.generation);
      auto& seg = st.segments[m.segment];
      seg = segment_playback{};
      seg.text = std::move(m.text);
      dispatch(self, m.segment, seg);
    },
    [=](synth_chunk& c) { on_chunk(self, c); },
    [=](interrupt_atom, std::uint64_t g) { advance_generation(self, g); },
    [=](dg_tts::done& d) { on_deepgram_done(self, d); },
    [=](dg_tts::segment_failed& f) {
      auto& st = self->state;
      if (!st.key_segment.count(f.key) || st.mode != voice::ws || !st.ws.client) return;
      // the WebSocket cannot take it: REST speaks the turn from here (all of it, in order)
      st.ws.client->clear();
      on_ws_failure(self, f.error, f.played);
    },
    [=](dg_tts::ws_failed& f) {
      if (self->state.ws.client) on_ws_failure(self, f.error, f.played);
    },
  };
}

} // namespace

caf::actor spawn_tts(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::shared_ptr<media_sink> sink, std::string call_sid) {
  return sys.spawn(tts, services, std::move(session), std::move(sink), std::move(call_sid));
}

} // namespace ce::actors
