// asr_pool: the process-wide pool of pocketsphinx decoders (each a detached actor on its
// own thread, since decoding blocks). An stt actor leases a decoder for one utterance,
// streams audio to it and gets the transcript back; the lease returns to the pool at the
// end of the utterance, or when the lessee dies (monitored). Waiting lessees queue
// (bounded; past the bound the request is refused and the stt reports an empty result).
#pragma once

#include "callengine/audio.hpp"
#include "callengine/config.hpp"
#include "callengine/speech_hint.hpp"

#include <caf/all.hpp>

#include <string>

namespace ce::actors {

struct asr_acquire {
  std::uint64_t utterance_id = 0;
  speech_hint hint = speech_hint::open;  ///< what the agent just asked for
};
struct asr_lease {
  std::uint64_t utterance_id = 0;
  caf::actor decoder;  ///< invalid when refused
};
/// stt -> decoder
struct asr_audio {
  std::uint64_t utterance_id = 0;
  mulaw_buffer audio;
};
struct asr_finish {
  std::uint64_t utterance_id = 0;
  bool abort = false;  ///< drop the utterance instead of decoding it
};
/// decoder -> stt
struct asr_result {
  std::uint64_t utterance_id = 0;
  std::string text;
  std::int64_t decode_ms = 0;  ///< CPU time of the final decode step
  bool ok = true;
};

/// Builds the domain language model, loads `cfg.decoder_pool` decoders and returns the
/// pool, or an error message when pocketsphinx cannot start.
caf::expected<caf::actor> spawn_asr_pool(caf::actor_system& sys, const engine_config& cfg,
                                         const std::string& work_dir, std::string* error);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::asr_acquire)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::asr_lease)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::asr_audio)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::asr_finish)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::asr_result)
