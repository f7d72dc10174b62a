// Private to src/net: one call's agent speech on its way to Twilio, on the call's shard.
//
// The tts actor announces every attempt at a segment (media_sink::begin_segment); its
// audio then comes straight from the synthesiser's connection on the same shard (the
// agent_audio_port) or, from the embedded synthesiser, with its word starts. Here the audio
// is cut at playback marks every tts.mark_every_ms (at a word start when words are known,
// else where the speaking rate says the text is), handed to the playout (pacing to
// Twilio). Twilio echoes each mark as the caller hears it: the edge keeps the position
// heard, tells the call_session when a whole segment was played, and answers a `clear`
// with what the caller heard of the generation it ends. Audio of a cleared generation is
// dropped.
#pragma once

#include "callengine/config.hpp"
#include "callengine/media_port.hpp"

#include <cstdint>
#include <deque>
#include <string_view>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ce::net {

/// Where agent audio and marks go next (the media session's paced writer).
class playout {
public:
  virtual ~playout() = default;
  virtual void queue_audio(std::uint64_t generation, std::span<const std::uint8_t> audio) = 0;
  virtual void queue_mark(std::uint64_t generation, std::string name) = 0;
  /// What was queued may go now (one write for the audio and marks of one hand-over).
  virtual void commit() = 0;
};

class agent_speech {
public:
  agent_speech(const engine_config& cfg, playout& out) : mark_bytes_(static_cast<std::size_t>(cfg.tts.mark_every_ms) * 8), out_(out) {}

  void attach(std::shared_ptr<call_inbox> inbox) { inbox_ = std::move(inbox); }
  void begin(speech_segment s);
  /// Cloud audio: marks placed by the speaking-rate estimate.
  void audio(std::uint64_t key, std::span<const std::uint8_t> mulaw);
  /// Embedded audio: marks at word starts; `last` ends the attempt.
  void audio_with_words(std::uint64_t key, std::span<const std::uint8_t> mulaw, const std::vector<word_start>& words,
                        bool last);
  void end(std::uint64_t key);
  /// Twilio echoed mark `name`; false when it is not one of ours (or was cleared).
  bool echoed(std::string_view name);
  std::vector<std::pair<std::uint64_t, std::size_t>> progress() const;
  /// Attempts and marks of generations below `generation` are forgotten, and what was heard
  /// of the generation it ends is reported.
  void clear(std::uint64_t generation);
  /// Stale audio dropped (unknown key or cleared generation).
  std::uint64_t dropped() const { return dropped_; }

private:
  struct attempt {
    speech_segment seg;
    std::size_t bytes = 0;             ///< audio handed to the playout
    std::size_t bytes_since_mark = 0;
    int marks = 0;
  };

  attempt* find(std::uint64_t key);
  void play(attempt& a, std::span<const std::uint8_t> audio);
  void place_mark(attempt& a, std::size_t chars, bool end);
  std::size_t estimated_chars(const attempt& a) const;

  std::size_t mark_bytes_;
  playout& out_;
  std::shared_ptr<call_inbox> inbox_;
  struct placed_mark {
    std::string name;
    std::uint64_t generation = 0;
    std::uint32_t segment = 0;
    std::size_t chars = 0;
    bool end = false;
  };
  /// What the caller heard of the latest generation (the last echoed mark).
  struct heard_position {
    std::uint64_t generation = 0;
    bool any = false;
    std::uint32_t segment = 0;
    std::size_t chars = 0;
  };

  std::vector<attempt> live_;  ///< a handful at most: the segments of the turn in progress
  std::deque<placed_mark> placed_;  ///< queued for Twilio, not echoed yet, in order
  heard_position heard_;
  std::uint64_t min_generation_ = 0;
  std::uint64_t dropped_ = 0;
};

} // namespace ce::net
