// Private to actors/: the state of a call_session and the functions of its two halves,
// call_session.cpp (lifecycle, children, supervision, ending) and call_turns.cpp (the
// turn state machine: transcripts, agent turns, segments played, barge-in, silence).
#pragma once

#include "actors/call_session.hpp"
#include "actors/llm.hpp"
#include "actors/metered.hpp"
#include "common/log.hpp"

#include <deque>
#include <map>
#include <optional>
#include <unordered_set>

namespace ce::actors {

/// The agent turn being generated / played.
struct agent_turn {
  std::uint64_t generation = 0;
  std::size_t record_index = 0;          ///< in call_record::turns
  std::string text;                       ///< sentences joined with spaces
  std::vector<std::size_t> segment_start; ///< offset of each segment in `text`
  std::size_t segments_played = 0;        ///< whole segments Twilio played, in order
  std::size_t heard = 0;                  ///< characters of `text` in whole segments played
  bool llm_done = false;
  bool audio_started = false;
  std::optional<time_point> latency_from; ///< end of the caller speech that caused it
};

struct child {
  std::string role;
  caf::actor handle;
};

struct session_state {
  engine_services services;
  call_setup setup;
  std::shared_ptr<spdlog::logger> log;
  std::string sid;  ///< call_sid, on every log line

  // children
  caf::actor stt, llm, tts, tools;
  std::map<caf::actor_addr, std::string> roles;
  std::map<std::string, int> restarts;

  // turn state
  std::uint64_t generation = 0;
  std::optional<agent_turn> turn;
  /// An interrupted turn waiting for the edge to say how much of it was heard.
  struct pending_heard {
    std::uint64_t generation = 0;
    std::size_t record_index = 0;
    std::string text;
    std::vector<std::size_t> segment_start;
    std::size_t provisional = 0;  ///< whole segments played
    bool llm_told = false;        ///< the llm already got the provisional trim
  };
  std::optional<pending_heard> heard_wait;
  bool caller_speaking = false;
  std::uint64_t silence_epoch = 0;
  int reprompts = 0;
  std::string last_caller_text;
  bool merge_next_utterance = false;  ///< the caller went on talking before any answer played

  // ending
  bool admitted = false;
  std::optional<end_reason> pending_end;  ///< decided; waiting for the goodbye to play
  bool closing = false;                   ///< media_sink::close sent
  bool finished = false;

  call_record record;
  time_point started_at;
  std::optional<std::int64_t> customer_id;  ///< once the tools identified the caller
  bool verified = false;

  // outbound calls
  bool awaiting_answer = false;   ///< no word before the AMD verdict (or reminders.amd_wait_ms)
  bool voicemail_started = false; ///< the message for a machine is being left
  std::string answered_by;

  static inline const char* name = "call_session";
};

using session_actor = metered<session_state>;

// call_session.cpp
void spawn_children(session_actor* self);
void respawn_child(session_actor* self, const std::string& role);
void begin_ending(session_actor* self, end_reason why);
void finish(session_actor* self, end_reason why);
void publish_summary(session_actor* self);
std::int64_t ms_since_start(const session_state& s);

// call_turns.cpp
void start_agent_turn(session_actor* self, respond request, std::optional<time_point> latency_from);
void on_transcript(session_actor* self, transcript_ready& t);
void on_speech_started(session_actor* self, const speech_started& e);
void on_agent_sentence(session_actor* self, agent_sentence& s);
void on_agent_turn_done(session_actor* self, const agent_turn_done& d);
void on_segment_played(session_actor* self, const segment_played& p);
void on_speech_heard(session_actor* self, const speech_heard& h);
/// The llm learns how much of the last interrupted turn was heard before anything else.
void settle_heard(session_actor* self);
void on_playback_started(session_actor* self, const playback_started& p);
void on_silence_tick(session_actor* self, std::uint64_t epoch);
void interrupt_turn(session_actor* self, const char* why);
bool agent_active(const session_state& s);

} // namespace ce::actors
