// tts: the call's text-to-speech child. It decides who speaks each sentence (segment) of
// an agent turn and announces every attempt to the call's edge (media_sink::begin_segment),
// which cuts the audio at playback marks, paces it to Twilio and tells call_session where
// each mark falls in the text (so barge-in knows what was heard).
//
// Embedded provider: the shared espeak-ng synthesiser (tts_engine) answers here and the
// audio goes on to the edge with its word starts. Deepgram: the clients live on the call's
// shard and hand their audio straight to the edge there; this actor only hears when a
// segment is done or a connection failed, and decides what is re-spoken by whom (REST, or
// the embedded synthesiser for the rest of the call).
//
// Lifetime: spawned and monitored by call_session. Receives `speak` per sentence and
// `interrupt_atom` (high priority); audio of older generations is dropped, and the
// synthesiser stops working on it (shared generation counter).
#pragma once

#include "actors/services.hpp"
#include "callengine/media_port.hpp"

#include <caf/all.hpp>

#include <memory>
#include <string>

namespace ce::actors {

struct speak {
  std::uint64_t generation = 0;
  std::uint32_t segment = 0;
  std::string text;
};

caf::actor spawn_tts(caf::actor_system& sys, const engine_services& services, caf::actor session,
                     std::shared_ptr<media_sink> sink, std::string call_sid);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::speak)
