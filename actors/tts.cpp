#include "actors/tts.hpp"

#include "actors/call_session.hpp"
#include "actors/common.hpp"
#include "actors/metered.hpp"
#include "actors/tts_engine.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"

#include <atomic>
#include <map>

namespace ce::actors {
namespace {

struct segment_playback {
  std::size_t text_length = 0;
  std::size_t bytes_since_mark = 0;
  int marks = 0;
};

struct tts_state {
  engine_services services;
  caf::actor session;
  std::shared_ptr<media_sink> sink;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::shared_ptr<std::atomic<std::uint64_t>> live_generation = std::make_shared<std::atomic<std::uint64_t>>(0);
  std::uint64_t generation = 0;
  std::map<std::uint32_t, segment_playback> segments;  // of the current generation
  static inline const char* name = "tts";
};
using tts_actor = metered<tts_state>;

void advance_generation(tts_state& s, std::uint64_t g) {
  if (g <= s.generation) return;
  s.generation = g;
  s.live_generation->store(g);
  s.segments.clear();
}

void place_mark(tts_actor* self, std::uint32_t segment, segment_playback& seg, std::size_t chars, bool end) {
  auto& s = self->state;
  auto name = "g" + std::to_string(s.generation) + "s" + std::to_string(segment) + "m" + std::to_string(seg.marks++);
  s.sink->mark(s.generation, name);
  self->send(s.session, mark_placed{s.generation, segment, std::move(name), chars, end});
  seg.bytes_since_mark = 0;
}

void play_range(tts_state& s, const mulaw_buffer& audio, std::size_t from, std::size_t to, segment_playback& seg) {
  if (to <= from) return;
  s.sink->play(s.generation, mulaw_buffer(audio.begin() + static_cast<std::ptrdiff_t>(from),
                                          audio.begin() + static_cast<std::ptrdiff_t>(to)));
  seg.bytes_since_mark += to - from;
}

void on_chunk(tts_actor* self, synth_chunk& c) {
  auto& s = self->state;
  if (c.generation != s.generation) {
    s.services.metrics->stale_dropped.inc();
    return;
  }
  auto it = s.segments.find(c.segment);
  if (it == s.segments.end()) return;
  auto& seg = it->second;
  auto mark_bytes = static_cast<std::size_t>(s.services.cfg->tts.mark_every_ms) * 8;
  std::size_t pos = 0;
  // a mark at a word start once enough audio played: everything before the word was heard
  for (const auto& w : c.words) {
    if (w.audio_offset <= pos || w.audio_offset > c.audio.size()) continue;
    if (seg.bytes_since_mark + (w.audio_offset - pos) < mark_bytes) continue;
    play_range(s, c.audio, pos, w.audio_offset, seg);
    place_mark(self, c.segment, seg, w.text_offset, false);
    pos = w.audio_offset;
  }
  if (c.audio.size() > pos) {
    if (pos == 0) {
      seg.bytes_since_mark += c.audio.size();
      s.sink->play(s.generation, std::move(c.audio));
    } else {
      play_range(s, c.audio, pos, c.audio.size(), seg);
    }
  }
  if (!c.last) return;
  if (c.failed) s.log->warn("call_sid={} role=tts turn={} segment {} could not be synthesised", s.sid, s.generation, c.segment);
  place_mark(self, c.segment, seg, seg.text_length, true);
  s.segments.erase(it);
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
  return {
    [=](speak& m) {
      auto& st = self->state;
      if (m.generation < st.generation) {
        st.services.metrics->stale_dropped.inc();
        return;
      }
      advance_generation(st, m.generation);
      st.segments[m.segment] = segment_playback{m.text.size(), 0, 0};
      self->send(st.services.tts_engine,
                 synth_request{m.generation, m.segment, std::move(m.text), st.live_generation,
                               caf::actor_cast<caf::actor>(self)});
    },
    [=](synth_chunk& c) { on_chunk(self, c); },
    [=](interrupt_atom, std::uint64_t g) { advance_generation(self->state, g); },
  };
}

} // namespace

caf::actor spawn_tts(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::shared_ptr<media_sink> sink, std::string call_sid) {
  return sys.spawn(tts, services, std::move(session), std::move(sink), std::move(call_sid));
}

} // namespace ce::actors
