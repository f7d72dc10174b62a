// tts: the call's text-to-speech child. Embedded provider: the shared espeak-ng
// synthesiser (tts_engine). Plays audio straight to the call's media sink, placing a
// playback mark at word boundaries every ~mark_every_ms and at each segment's end, and
// tells call_session where each mark falls in the text (so barge-in knows what was heard).
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
