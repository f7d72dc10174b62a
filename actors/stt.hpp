// stt: the call's speech-to-text child (embedded provider: local voice-activity
// detection + pocketsphinx decoders leased from asr_pool).
//
// Lifetime: spawned and monitored by call_session; ends with it. Receives every caller
// frame (inbound_audio, straight from the edge through the call's audio_route; one frame
// per message while the caller may be talking, batches while the line is quiet); sends
// speech_started, speech_stopped and transcript_ready to call_session. Holds at most one decoder lease.
#pragma once

#include "actors/audio_route.hpp"
#include "actors/services.hpp"
#include "callengine/speech_hint.hpp"

#include <caf/all.hpp>

namespace ce::actors {

/// call_session -> stt: the kind of answer the agent's last turn invites; biases the
/// recognition of the caller's next utterance.
struct expect_answer {
  speech_hint hint = speech_hint::open;
};

/// `audio`: the call's audio route; the edge sends caller frames straight to this actor.
caf::actor spawn_stt(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::string call_sid, std::shared_ptr<audio_route> audio);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::expect_answer)
