// stt: the call's speech-to-text child. It decides how the caller is recognised and
// turns what the edge and the recogniser report into the session's speech_started,
// speech_stopped and transcript_ready.
//
// The edge detects speech once, on every frame (media_port.hpp: caller_speech), and sends
// the events here at the rate of speech. The audio itself:
// - Deepgram: the edge writes every frame straight into this actor's live Deepgram
//   client, which lives on the call's shard (media_sink::route_caller_audio with the
//   client's port); this actor sees its events (speech, interim words, utterances,
//   failures) and decides reconnects and the failover to the embedded recogniser, for
//   which the edge hands over the sentence in flight.
// - Embedded: the edge sends the audio here in batches (inbound_audio); it goes to a
//   pocketsphinx decoder leased from asr_pool for each utterance.
//
// Lifetime: spawned and monitored by call_session; ends with it. Holds at most one decoder
// lease and one Deepgram client.
#pragma once

#include "actors/audio_route.hpp"
#include "actors/services.hpp"
#include "callengine/media_port.hpp"
#include "callengine/speech_hint.hpp"

#include <caf/all.hpp>

namespace ce::actors {

/// call_session -> stt: the kind of answer the agent's last turn invites; biases the
/// recognition of the caller's next utterance.
struct expect_answer {
  speech_hint hint = speech_hint::open;
};

/// `sink`: the call's edge, which routes the caller's audio; `route`: the audio batches'
/// bound (this actor counts out what it takes).
caf::actor spawn_stt(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::string call_sid, std::shared_ptr<media_sink> sink, std::shared_ptr<audio_route> route);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::expect_answer)
