// Private to src/net: where one call's caller audio goes, on the call's shard.
//
// Every inbound frame is voice-detected here, once (audio/vad.hpp), and the detector's
// events go to the call's stt through the inbox, each after the audio it concerns. The
// audio itself goes either straight into the recogniser's connection living on the same
// shard (a caller_audio_port: the Deepgram client), or, with no port, to the stt actor in
// batches of calls.quiet_batch_ms (the embedded recogniser, which decodes in batches of
// that size anyway).
//
// While a port takes the audio, the audio of the speech in progress (from 300 ms before
// its onset) is kept, and for a while after it ended, so that a failover to the embedded
// recogniser can decode the sentence that was in flight (media_sink::route_caller_audio).
// With the actors taking the audio, a speech longer than stt.max_utterance_ms is cut there
// (the embedded decoder's limit).
#pragma once

#include "audio/vad.hpp"
#include "callengine/config.hpp"
#include "callengine/media_port.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace ce::net {

class caller_audio {
public:
  explicit caller_audio(const engine_config& cfg);

  /// Events and batches go to `inbox` from now on (set when the stream starts).
  void attach(std::shared_ptr<call_inbox> inbox) { inbox_ = std::move(inbox); }
  /// One caller frame, in wire order.
  void push(std::span<const std::uint8_t> frame, time_point arrived);
  /// See media_sink::route_caller_audio.
  void route(std::shared_ptr<caller_audio_port> port, bool hand_over_speech);
  /// The stream ends: what is batched goes to the inbox.
  void flush();

private:
  void keep_speech_audio(std::span<const std::uint8_t> frame, const audio::vad_result& r, time_point arrived);
  void send_batch();
  void emit(caller_speech::kind what, time_point at, bool utterance, bool forced);

  std::shared_ptr<call_inbox> inbox_;
  std::shared_ptr<caller_audio_port> port_;
  audio::energy_vad vad_;
  std::size_t batch_bytes_;
  std::size_t max_speech_bytes_;
  std::int64_t speech_start_ms_ = 0;  ///< detector stream time of the speech in progress
  mulaw_buffer batch_;      ///< for the inbox, not sent yet
  // the speech kept for a failover (only while a port takes the audio)
  mulaw_buffer preroll_;    ///< ring of the last preroll_bytes before an onset
  std::size_t preroll_pos_ = 0;
  bool preroll_full_ = false;
  mulaw_buffer speech_;     ///< preroll + the speech in progress or just ended
  bool speech_active_ = false;
  time_point speech_ended_{};
};

} // namespace ce::net
