#include "actors/stt.hpp"

#include "actors/asr_pool.hpp"
#include "actors/call_session.hpp"
#include "actors/metered.hpp"
#include "audio/vad.hpp"
#include "common/log.hpp"

#include <deque>
#include <map>

namespace ce::actors {
namespace {

constexpr std::size_t preroll_bytes = 300 * 8;  // audio kept from before the detected onset
constexpr std::size_t batch_bytes = 100 * 8;    // audio sent to the decoder per message

struct stt_state {
  engine_services services;
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

void on_audio(stt_actor* self, inbound_audio& a) {
  auto& s = self->state;
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

caf::behavior stt(stt_actor* self, engine_services services, caf::actor session, std::string sid) {
  self->meter("stt");
  auto& s = self->state;
  s.services = std::move(services);
  s.session = std::move(session);
  s.sid = std::move(sid);
  s.log = log::get("stt");
  s.vad = std::make_unique<audio::energy_vad>(s.services.cfg->stt.vad);
  return {
    [=](inbound_audio& a) { on_audio(self, a); },
    [=](asr_lease& l) { on_lease(self, l); },
    [=](const expect_answer& e) { self->state.hint = e.hint; },
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
                     std::string call_sid) {
  return sys.spawn(stt, services, std::move(session), std::move(call_sid));
}

} // namespace ce::actors
