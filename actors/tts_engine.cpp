#include "actors/tts_engine.hpp"

#include "actors/metered.hpp"
#include "common/log.hpp"
#include "providers/espeak/espeak_tts.hpp"

#include <list>
#include <unordered_map>

namespace ce::actors {
namespace {

constexpr std::size_t cached_chunk_bytes = 800;  // cached audio is replayed in 100 ms pieces

struct cached_speech {
  mulaw_buffer audio;
  std::vector<synth_word> words;  ///< offsets in the whole utterance
};

/// A bounded least-recently-used cache of synthesised sentences.
class speech_cache {
public:
  explicit speech_cache(std::size_t capacity) : capacity_(capacity) {}

  const cached_speech* find(const std::string& text) {
    auto it = index_.find(text);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->second;
  }

  void insert(const std::string& text, cached_speech speech) {
    if (capacity_ == 0 || index_.count(text)) return;
    entries_.emplace_front(text, std::move(speech));
    index_[text] = entries_.begin();
    if (entries_.size() > capacity_) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
  }

private:
  std::size_t capacity_;
  std::list<std::pair<std::string, cached_speech>> entries_;
  std::unordered_map<std::string, std::list<std::pair<std::string, cached_speech>>::iterator> index_;
};

struct engine_state {
  std::unique_ptr<tts::espeak_tts> synth;
  std::unique_ptr<speech_cache> cache;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "tts_engine";
};
using engine_actor = metered<engine_state>;

bool is_stale(const synth_request& r) { return r.live_generation && r.generation < r.live_generation->load(); }

void replay_cached(engine_actor* self, const synth_request& r, const cached_speech& c) {
  const auto& audio = c.audio;
  std::size_t w = 0;
  for (std::size_t off = 0; off < audio.size() || off == 0; off += cached_chunk_bytes) {
    auto end = std::min(audio.size(), off + cached_chunk_bytes);
    synth_chunk chunk{r.generation, r.segment, {}, {}, false, false};
    chunk.audio.assign(audio.begin() + static_cast<std::ptrdiff_t>(off), audio.begin() + static_cast<std::ptrdiff_t>(end));
    for (; w < c.words.size() && c.words[w].audio_offset < end; ++w)
      chunk.words.push_back(synth_word{c.words[w].audio_offset - off, c.words[w].text_offset});
    self->send(r.reply_to, std::move(chunk));
    if (audio.empty()) break;
  }
  self->send(r.reply_to, synth_chunk{r.generation, r.segment, {}, {}, true, false});
}

void synthesize(engine_actor* self, const synth_request& r) {
  auto& s = self->state;
  if (auto* hit = s.cache->find(r.text)) return replay_cached(self, r, *hit);
  cached_speech whole;
  bool complete = s.synth->synthesize(r.text, [&](tts::synth_chunk&& c) {
    if (is_stale(r)) return false;
    synth_chunk out{r.generation, r.segment, {}, {}, false, false};
    auto base = whole.audio.size();
    for (const auto& wb : c.words) {
      auto rel = wb.audio_offset >= base ? wb.audio_offset - base : 0;
      out.words.push_back(synth_word{rel, wb.text_offset});
      whole.words.push_back(synth_word{wb.audio_offset, wb.text_offset});
    }
    whole.audio.insert(whole.audio.end(), c.audio.begin(), c.audio.end());
    out.audio = std::move(c.audio);
    self->send(r.reply_to, std::move(out));
    return true;
  });
  if (!complete) {
    if (!is_stale(r)) {
      s.log->warn("role=tts_engine synthesis failed for \"{}\"", r.text);
      self->send(r.reply_to, synth_chunk{r.generation, r.segment, {}, {}, true, true});
    }
    return;
  }
  self->send(r.reply_to, synth_chunk{r.generation, r.segment, {}, {}, true, false});
  s.cache->insert(r.text, std::move(whole));
}

caf::behavior tts_engine(engine_actor* self, std::shared_ptr<std::unique_ptr<tts::espeak_tts>> slot,
                         std::size_t cache_entries) {
  self->meter("tts_engine");
  self->state.synth = std::move(*slot);
  self->state.cache = std::make_unique<speech_cache>(cache_entries);
  self->state.log = log::get("tts");
  return {
    [=](const synth_request& r) {
      if (is_stale(r)) return;  // the call moved on while this waited in the queue
      synthesize(self, r);
    },
  };
}

} // namespace

caf::expected<caf::actor> spawn_tts_engine(caf::actor_system& sys, const engine_config& cfg, std::string* error) {
  std::unique_ptr<tts::espeak_tts> synth;
  try {
    synth = std::make_unique<tts::espeak_tts>(cfg.tts);
  } catch (const std::exception& e) {
    *error = e.what();
    return caf::make_error(caf::sec::runtime_error, *error);
  }
  auto slot = std::make_shared<std::unique_ptr<tts::espeak_tts>>(std::move(synth));
  return sys.spawn<caf::detached>(tts_engine, slot, cfg.tts.cache_entries);
}

} // namespace ce::actors
