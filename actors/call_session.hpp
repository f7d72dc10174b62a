// call_session: the supervisor of one call.
//
// Lifetime: spawned by the gateway when a Media Stream starts (one per call); registers
// with call_registry (which may refuse it); spawns and monitors its children `stt`,
// `llm`, `tts` and `tools`. A child that fails is restarted once per role; a second
// failure ends the call politely (end_reason::child_failure). It ends when Twilio stops
// the stream, the agent ends or transfers the call, the caller stays silent, or the call
// reaches its maximum duration; it then reports the call record to the registry, stops
// its children and quits.
//
// It owns the turn state machine: generations (one per agent turn), barge-in (interrupt
// + Twilio clear + history trimmed to what the edge says was heard), silence reprompts.
#pragma once

#include "actors/audio_route.hpp"
#include "actors/services.hpp"
#include "callengine/audio.hpp"
#include "callengine/call.hpp"
#include "callengine/media_port.hpp"
#include "callengine/speech_hint.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace ce::actors {

// --- from the edge (through the call's inbox) ---
/// Caller audio while it goes to the actors (the embedded recogniser): frames in order,
/// in batches of calls.quiet_batch_ms. The edge's voice detector's events
/// (ce::caller_speech) come as messages of their own, each after the audio it concerns.
struct inbound_audio {
  mulaw_buffer audio;
  bool counted = true;  ///< still counted in the route's in_flight (false once forwarded)
};
/// media_sink::route_caller_audio's hand-over: the audio of the speech in progress
/// (`in_progress`) or just ended, from before its onset.
struct speech_handover {
  mulaw_buffer audio;
  bool in_progress = false;
};
struct dtmf_pressed {
  char digit = 0;
};
struct playback_started {
  std::uint64_t generation = 0;
  time_point at;
};
using stream_stopped_atom = caf::atom_constant<caf::atom("ststopped")>;
using stream_closed_atom = caf::atom_constant<caf::atom("stclosed")>;

// --- from stt ---
struct speech_started {
  time_point onset;  ///< when the first voiced frame arrived
};
struct speech_stopped {
  time_point last_voiced;
  bool utterance = false;  ///< long enough to be speech (a transcript follows)
};
struct transcript_ready {
  std::uint64_t utterance_id = 0;
  std::string text;  ///< empty when nothing was recognised
  time_point speech_end;
  std::int64_t decode_ms = 0;
};

// --- from llm ---
struct agent_sentence {
  std::uint64_t generation = 0;
  std::string text;
};
struct agent_turn_done {
  std::uint64_t generation = 0;
  speech_hint expect = speech_hint::open;  ///< what kind of answer the turn invites
};

/// The keys the caller typed in a row, for the model (OpenAI path): a caller turn of its own.
struct keypad_entry {
  std::string digits;
};

// --- from tools ---
struct call_control {
  std::uint64_t generation = 0;
  end_reason reason = end_reason::agent_hangup;  ///< agent_hangup or transfer
};

/// The tools identified (and maybe verified) the customer this call is about.
struct caller_identified {
  std::int64_t customer_id = 0;
  bool verified = false;
};

// --- from the edge's agent speech (Twilio echoes its marks there) ---
/// Twilio played the whole segment to the caller.
struct segment_played {
  std::uint64_t generation = 0;
  std::uint32_t segment = 0;
};
/// The edge's answer to the `clear` that ended `generation`: the caller heard up to `chars`
/// characters of segment `segment` (nothing when !any).
struct speech_heard {
  std::uint64_t generation = 0;
  bool any = false;
  std::uint32_t segment = 0;
  std::size_t chars = 0;
};

// --- from the registry (operators) ---
using get_record_atom = caf::atom_constant<caf::atom("getrecord")>;  // -> call_record
using kill_child_atom = caf::atom_constant<caf::atom("killchild")>;  // (std::string role) -> bool
using end_now_atom = caf::atom_constant<caf::atom("endnow")>;        // (end_reason)

/// What the gateway gives a new call.
struct call_setup {
  stream_start start;
  std::shared_ptr<media_sink> sink;
  std::shared_ptr<audio_route> audio;  ///< shared with the inbox
};

caf::actor spawn_call_session(caf::actor_system& sys, engine_services services, call_setup setup);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::inbound_audio)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::speech_handover)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::caller_speech)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::dtmf_pressed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::playback_started)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::speech_started)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::speech_stopped)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::transcript_ready)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::agent_sentence)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::agent_turn_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::call_control)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::keypad_entry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::segment_played)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::speech_heard)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::caller_identified)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::call_setup)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::call_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::end_reason)
