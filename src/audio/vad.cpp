#include "audio/vad.hpp"

#include "audio/levels.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ce::audio {
namespace {

void require(bool ok, const char* field, const std::string& why) {
  if (!ok) throw std::invalid_argument(std::string("vad_config.") + field + " " + why);
}

const vad_config& validated(const vad_config& cfg) {
  require(cfg.onset_ms >= 0, "onset_ms", "must be >= 0, got " + std::to_string(cfg.onset_ms));
  require(cfg.hangover_ms >= 0, "hangover_ms",
          "must be >= 0, got " + std::to_string(cfg.hangover_ms));
  require(cfg.min_utterance_ms >= 0, "min_utterance_ms",
          "must be >= 0, got " + std::to_string(cfg.min_utterance_ms));
  require(cfg.onset_db_above_floor >= 0.0, "onset_db_above_floor",
          "must be >= 0, got " + std::to_string(cfg.onset_db_above_floor));
  require(cfg.min_speech_dbfs > silence_dbfs && cfg.min_speech_dbfs <= 0.0, "min_speech_dbfs",
          "must be in (-100, 0], got " + std::to_string(cfg.min_speech_dbfs));
  return cfg;
}

} // namespace

energy_vad::energy_vad(const vad_config& cfg)
  : cfg_(validated(cfg)),
    // Until real history exists, assume a floor low enough that min_speech_dbfs decides.
    initial_floor_(std::max(silence_dbfs, cfg.min_speech_dbfs - cfg.onset_db_above_floor)),
    floor_(initial_floor_),
    block_min_(initial_floor_) {
  reset();
}

void energy_vad::reset() {
  bytes_ = 0;
  in_speech_ = false;
  candidate_start_ms_ = -1;
  speech_start_ms_ = 0;
  last_voiced_end_ms_ = 0;
  last_voiced_ = false;
  floor_ = initial_floor_;
  block_mins_.fill(initial_floor_);
  block_index_ = 0;
  block_min_ = initial_floor_;
  block_start_ms_ = 0;
}

double energy_vad::threshold_dbfs() const {
  const double onset = std::max(cfg_.min_speech_dbfs, floor_ + cfg_.onset_db_above_floor);
  return in_speech_ ? onset - hysteresis_db : onset;
}

vad_result energy_vad::push(std::span<const std::uint8_t> mulaw) {
  if (mulaw.empty()) return {};
  const std::int64_t begin_ms = stream_ms();
  bytes_ += mulaw.size();
  const std::int64_t end_ms = stream_ms();
  const double level = mulaw_frame_dbfs(mulaw);
  const bool voiced = level >= threshold_dbfs();
  last_voiced_ = voiced;
  auto result = in_speech_ ? on_speech_frame(voiced, end_ms)
                           : on_silent_frame(voiced, begin_ms, end_ms);
  track_floor(level, end_ms - begin_ms, end_ms);
  return result;
}

vad_result energy_vad::on_silent_frame(bool voiced, std::int64_t begin_ms, std::int64_t end_ms) {
  if (!voiced) {
    candidate_start_ms_ = -1;
    return {};
  }
  if (candidate_start_ms_ < 0) candidate_start_ms_ = begin_ms;
  if (end_ms - candidate_start_ms_ < cfg_.onset_ms) return {};
  in_speech_ = true;
  speech_start_ms_ = candidate_start_ms_;
  last_voiced_end_ms_ = end_ms;
  candidate_start_ms_ = -1;
  return {vad_result::kind::speech_started, speech_start_ms_, 0, false};
}

vad_result energy_vad::on_speech_frame(bool voiced, std::int64_t end_ms) {
  if (voiced) {
    last_voiced_end_ms_ = end_ms;
    return {};
  }
  if (end_ms - last_voiced_end_ms_ < cfg_.hangover_ms) return {};
  in_speech_ = false;
  const bool utterance = last_voiced_end_ms_ - speech_start_ms_ >= cfg_.min_utterance_ms;
  return {vad_result::kind::speech_stopped, speech_start_ms_, last_voiced_end_ms_, utterance};
}

void energy_vad::track_floor(double level, std::int64_t frame_ms, std::int64_t end_ms) {
  block_min_ = std::min(block_min_, level);
  if (end_ms - block_start_ms_ >= floor_block_ms) {
    block_mins_[static_cast<std::size_t>(block_index_)] = block_min_;
    block_index_ = (block_index_ + 1) % floor_blocks;
    block_min_ = level;
    block_start_ms_ = end_ms;
  }
  const double target =
    std::min(block_min_, *std::min_element(block_mins_.begin(), block_mins_.end()));
  if (target <= floor_) {
    floor_ = target;
    return;
  }
  const double step = std::min(1.0, static_cast<double>(frame_ms) / floor_rise_tau_ms);
  floor_ += (target - floor_) * step;
}

} // namespace ce::audio
