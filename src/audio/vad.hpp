// Energy-based voice-activity detection for 8 kHz mu-law, cheap enough to run on every
// inbound frame of every call. Time is stream time: milliseconds of audio pushed since
// construction or the last reset(), counted from bytes (8 bytes = 1 ms).
//
// A frame is voiced when its level reaches max(min_speech_dbfs, floor + onset_db_above_floor)
// (3 dB less while in speech, for hysteresis). Speech starts after `onset_ms` of contiguous
// voiced audio and stops after `hangover_ms` without any. The noise floor is the minimum
// frame level over the last few seconds (minimum statistics): it falls at once, rises
// slowly, and stays at the quiet gaps between words instead of climbing into speech. A
// stationary sound lasting longer than that window becomes the floor and stops counting
// as speech, so a sudden step in line noise cannot hold the detector in speech forever.
#pragma once

#include "callengine/config.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace ce::audio {

struct vad_result {
  enum class kind { none, speech_started, speech_stopped };

  kind event = kind::none;
  /// speech_started and speech_stopped: stream time of the start of the first voiced
  /// frame of this speech (what onset latency is measured from).
  std::int64_t start_ms = 0;
  /// speech_stopped: stream time of the end of the last voiced frame.
  std::int64_t end_ms = 0;
  /// speech_stopped: the speech lasted at least min_utterance_ms (else it was a click,
  /// a cough or a burst of line noise).
  bool is_utterance = false;

  std::int64_t duration_ms() const { return end_ms - start_ms; }
};

class energy_vad {
public:
  /// Throws std::invalid_argument naming the field when `cfg` holds a negative duration
  /// or margin, or a min_speech_dbfs outside (-100, 0].
  explicit energy_vad(const vad_config& cfg);

  /// Feeds the next frame (any length; 20 ms is typical, an empty frame is ignored). At
  /// most one event per frame.
  vad_result push(std::span<const std::uint8_t> mulaw);
  /// Forgets everything: stream time restarts at 0 and the floor at its initial guess.
  void reset();

  bool in_speech() const { return in_speech_; }
  /// Neither in speech nor counting voiced frames towards an onset: the line is quiet.
  bool quiet() const { return !in_speech_ && candidate_start_ms_ < 0; }
  /// The last frame pushed reached the threshold (speech, or a candidate onset).
  bool last_voiced() const { return last_voiced_; }
  std::int64_t stream_ms() const { return static_cast<std::int64_t>(bytes_ / 8); }
  double noise_floor_dbfs() const { return floor_; }
  /// The level a frame needs to count as voiced right now.
  double threshold_dbfs() const;

private:
  static constexpr int floor_blocks = 20;       // 20 x 250 ms = 5 s of minimum statistics
  static constexpr int floor_block_ms = 250;
  static constexpr double floor_rise_tau_ms = 1000.0;
  static constexpr double hysteresis_db = 3.0;

  void track_floor(double level, std::int64_t frame_ms, std::int64_t end_ms);
  vad_result on_silent_frame(bool voiced, std::int64_t begin_ms, std::int64_t end_ms);
  vad_result on_speech_frame(bool voiced, std::int64_t end_ms);

  vad_config cfg_;
  double initial_floor_;
  std::uint64_t bytes_ = 0;
  bool in_speech_ = false;
  std::int64_t candidate_start_ms_ = -1;  // first voiced frame of a run, while silent
  std::int64_t speech_start_ms_ = 0;
  std::int64_t last_voiced_end_ms_ = 0;
  bool last_voiced_ = false;
  double floor_;
  std::array<double, floor_blocks> block_mins_{};
  int block_index_ = 0;
  double block_min_;
  std::int64_t block_start_ms_ = 0;
};

} // namespace ce::audio
