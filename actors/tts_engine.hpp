// tts_engine: the process-wide espeak-ng synthesiser (espeak-ng has global state, so one
// instance, on its own thread: a detached actor). Requests from every call queue here;
// a request whose generation is already stale is skipped, and synthesis in progress stops
// as soon as its call's generation moves on. Recent sentences are cached (bounded LRU),
// so common phrases cost nothing the second time.
#pragma once

#include "callengine/audio.hpp"
#include "callengine/media_port.hpp"
#include "callengine/config.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace ce::actors {

/// A word start inside a chunk (audio offset in the chunk, text offset in the segment).
using synth_word = ce::word_start;

struct synth_request {
  std::uint64_t generation = 0;
  std::uint32_t segment = 0;
  std::string text;
  std::shared_ptr<const std::atomic<std::uint64_t>> live_generation;
  caf::actor reply_to;
};

struct synth_chunk {
  std::uint64_t generation = 0;
  std::uint32_t segment = 0;
  mulaw_buffer audio;
  std::vector<synth_word> words;  ///< word starts inside this chunk
  bool last = false;              ///< the segment is complete (audio may be empty)
  bool failed = false;
};

caf::expected<caf::actor> spawn_tts_engine(caf::actor_system& sys, const engine_config& cfg,
                                           std::string* error);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::synth_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::synth_chunk)
