// stt: the call's speech-to-text child (embedded provider: local voice-activity
// detection + pocketsphinx decoders leased from asr_pool).
//
// Lifetime: spawned and monitored by call_session; ends with it. Receives every caller
// frame (inbound_audio, forwarded by call_session); sends speech_started,
// speech_stopped and transcript_ready to call_session. Holds at most one decoder lease.
#pragma once

#include "actors/services.hpp"

#include <caf/all.hpp>

namespace ce::actors {

caf::actor spawn_stt(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::string call_sid);

} // namespace ce::actors
