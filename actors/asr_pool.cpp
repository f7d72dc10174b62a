#include "actors/asr_pool.hpp"

#include "actors/metered.hpp"
#include "common/log.hpp"
#include "providers/pocketsphinx/decoder.hpp"
#include "providers/pocketsphinx/domain_lm.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <set>

namespace ce::actors::detail {
// pool -> decoder
struct asr_assign {
  std::uint64_t utterance_id = 0;
  ce::speech_hint hint = ce::speech_hint::open;
};
} // namespace ce::actors::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::detail::asr_assign)

namespace ce::actors {
namespace {

using detail::asr_assign;
constexpr std::size_t max_waiting = 256;
using released_atom = caf::atom_constant<caf::atom("released")>;
using reset_atom = caf::atom_constant<caf::atom("asrreset")>;

struct decoder_state {
  std::unique_ptr<stt::decoder> decoder;
  caf::actor pool;
  std::uint64_t utterance_id = 0;
  bool leased = false;
  static inline const char* name = "asr_decoder";
};
using decoder_actor = metered<decoder_state>;

void release(decoder_actor* self) {
  auto& s = self->state;
  if (!s.leased) return;
  s.leased = false;
  self->send(s.pool, released_atom::value);
}

caf::behavior decoder_worker(decoder_actor* self, std::shared_ptr<std::unique_ptr<stt::decoder>> slot) {
  self->meter("asr_decoder");
  self->state.decoder = std::move(*slot);
  return {
    [=](const asr_assign& a) {
      self->state.pool = caf::actor_cast<caf::actor>(self->current_sender());
      self->state.utterance_id = a.utterance_id;
      self->state.leased = true;
      self->state.decoder->begin_utterance();
    },
    [=](const asr_audio& a) {
      if (self->state.leased && a.utterance_id == self->state.utterance_id) self->state.decoder->feed_mulaw(a.audio);
    },
    [=](const asr_finish& f) {
      auto& s = self->state;
      if (!s.leased || f.utterance_id != s.utterance_id) return;
      if (f.abort) {
        s.decoder->abort_utterance();
      } else {
        auto t0 = std::chrono::steady_clock::now();
        auto text = s.decoder->end_utterance();
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), asr_result{f.utterance_id, std::move(text), ms, true});
      }
      release(self);
    },
    [=](reset_atom) {
      if (self->state.decoder->in_utterance()) self->state.decoder->abort_utterance();
      self->state.leased = false;
    },
  };
}

struct waiting {
  std::uint64_t utterance_id;
  caf::actor lessee;
  speech_hint hint = speech_hint::open;
};

struct pool_state {
  std::vector<caf::actor> free;
  std::map<caf::actor_addr, caf::actor_addr> lessee_of;  // decoder -> lessee
  std::deque<waiting> queue;
  std::set<caf::actor_addr> monitored;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "asr_pool";
};
using pool_actor = metered<pool_state>;

void assign(pool_actor* self, caf::actor decoder, const waiting& w) {
  self->state.lessee_of[decoder.address()] = w.lessee.address();
  self->send(decoder, asr_assign{w.utterance_id, w.hint});
  self->send(w.lessee, asr_lease{w.utterance_id, decoder});
}

void watch(pool_actor* self, const caf::actor& lessee) {
  if (self->state.monitored.insert(lessee.address()).second) self->monitor(lessee);
}

void on_lessee_down(pool_actor* self, const caf::down_msg& dm) {
  auto& s = self->state;
  s.monitored.erase(dm.source);
  std::erase_if(s.queue, [&](const waiting& w) { return w.lessee.address() == dm.source; });
  for (auto it = s.lessee_of.begin(); it != s.lessee_of.end();) {
    if (it->second != dm.source) {
      ++it;
      continue;
    }
    auto decoder = caf::actor_cast<caf::actor>(it->first);
    it = s.lessee_of.erase(it);
    if (!decoder) continue;
    self->send(decoder, reset_atom::value);  // ordered before any later assignment
    s.free.push_back(decoder);
  }
  while (!s.free.empty() && !s.queue.empty()) {
    auto w = s.queue.front();
    s.queue.pop_front();
    auto d = s.free.back();
    s.free.pop_back();
    assign(self, d, w);
  }
}

caf::behavior asr_pool(pool_actor* self, const std::vector<caf::actor>& decoders) {
  self->meter("asr_pool");
  self->attach_functor([decoders](const caf::error&) {
    for (const auto& d : decoders) caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
  });
  self->state.free = decoders;
  self->state.log = log::get("stt");
  self->set_down_handler([=](caf::down_msg& dm) { on_lessee_down(self, dm); });
  return {
    [=](const asr_acquire& a) {
      auto& s = self->state;
      auto lessee = caf::actor_cast<caf::actor>(self->current_sender());
      if (!lessee) return;
      watch(self, lessee);
      waiting w{a.utterance_id, lessee, a.hint};
      if (!s.free.empty()) {
        auto d = s.free.back();
        s.free.pop_back();
        return assign(self, d, w);
      }
      if (s.queue.size() >= max_waiting) {
        s.log->warn("role=asr_pool {} utterances waiting; refusing one", s.queue.size());
        self->send(lessee, asr_lease{a.utterance_id, caf::actor{}});
        return;
      }
      s.queue.push_back(std::move(w));
    },
    [=](released_atom) {
      auto& s = self->state;
      auto decoder = caf::actor_cast<caf::actor>(self->current_sender());
      if (s.lessee_of.erase(decoder.address()) == 0) return;  // already reclaimed
      while (!s.queue.empty()) {
        auto w = s.queue.front();
        s.queue.pop_front();
        if (!w.lessee) continue;
        return assign(self, decoder, w);
      }
      s.free.push_back(decoder);
    },
  };
}

} // namespace

caf::expected<caf::actor> spawn_asr_pool(caf::actor_system& sys, const engine_config& cfg, const std::string& work_dir,
                                         std::string* error) {
  auto lm = stt::prepare_domain_lm(cfg.dealership, cfg.stt, work_dir, error);
  if (!lm) return caf::make_error(caf::sec::runtime_error, *error);
  auto dict = stt::domain_dict_path(work_dir);
  std::vector<std::unique_ptr<stt::decoder>> loaded;
  for (int i = 0; i < std::max(1, cfg.stt.decoder_pool); ++i) {
    auto d = stt::decoder::create(cfg.stt, *lm, dict, error);
    if (!d) return caf::make_error(caf::sec::runtime_error, *error);
    loaded.push_back(std::move(d));
  }
  std::vector<caf::actor> decoders;
  for (auto& d : loaded) {
    auto slot = std::make_shared<std::unique_ptr<stt::decoder>>(std::move(d));
    decoders.push_back(sys.spawn<caf::detached>(decoder_worker, slot));
  }
  return sys.spawn(asr_pool, decoders);
}

} // namespace ce::actors
