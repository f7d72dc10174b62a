#include "net/caller_audio.hpp"

#include <algorithm>
#include <chrono>

namespace ce::net {
namespace {

constexpr std::size_t preroll_bytes = 300 * 8;  // audio kept from before a detected onset
/// How long the audio of an ended sentence is kept for a failover: the recogniser answers
/// within its endpointing (~0.3 s) or is nudged after its utterance end (~2.5 s).
constexpr auto keep_after_speech = std::chrono::seconds(4);

} // namespace

caller_audio::caller_audio(const engine_config& cfg)
  : vad_(cfg.stt.vad), batch_bytes_(static_cast<std::size_t>(std::max(20, cfg.calls.quiet_batch_ms)) * 8),
    max_speech_bytes_(static_cast<std::size_t>(cfg.stt.max_utterance_ms) * 8) {}

void caller_audio::push(std::span<const std::uint8_t> frame, time_point arrived) {
  const auto r = vad_.push(frame);
  const std::int64_t now_ms = vad_.stream_ms();
  auto clock = [&](std::int64_t at_ms) {
    return arrived - std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms - at_ms));
  };
  if (port_) {
    port_->write(frame,
                 vad_.quiet() ? caller_voice::quiet : vad_.last_voiced() ? caller_voice::voiced : caller_voice::pause,
                 arrived);
    keep_speech_audio(frame, r, arrived);
  } else {
    batch_.insert(batch_.end(), frame.begin(), frame.end());
    // The embedded decoder takes at most max_utterance_ms: a longer speech is cut here.
    if (r.event == audio::vad_result::kind::none && vad_.in_speech() &&
        static_cast<std::size_t>(now_ms - speech_start_ms_) * 8 >= max_speech_bytes_) {
      send_batch();
      emit(caller_speech::kind::stopped, arrived, true, true);
      vad_.reset();
      return;
    }
    if (r.event != audio::vad_result::kind::none || batch_.size() >= batch_bytes_) send_batch();
  }
  switch (r.event) {
    case audio::vad_result::kind::speech_started:
      speech_start_ms_ = r.start_ms;
      emit(caller_speech::kind::started, clock(r.start_ms), false, false);
      break;
    case audio::vad_result::kind::speech_stopped:
      emit(caller_speech::kind::stopped, clock(r.end_ms), r.is_utterance, false);
      break;
    case audio::vad_result::kind::none: break;
  }
}

void caller_audio::keep_speech_audio(std::span<const std::uint8_t> frame, const audio::vad_result& r,
                                     time_point arrived) {
  auto append = [&] {
    const std::size_t room = max_speech_bytes_ > speech_.size() ? max_speech_bytes_ - speech_.size() : 0;
    speech_.insert(speech_.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(std::min(room, frame.size())));
  };
  switch (r.event) {
    case audio::vad_result::kind::speech_started: {
      speech_.clear();
      if (preroll_full_) speech_.insert(speech_.end(), preroll_.begin() + static_cast<std::ptrdiff_t>(preroll_pos_), preroll_.end());
      speech_.insert(speech_.end(), preroll_.begin(), preroll_.begin() + static_cast<std::ptrdiff_t>(preroll_pos_));
      preroll_pos_ = 0;
      preroll_full_ = false;
      append();
      speech_active_ = true;
      return;
    }
    case audio::vad_result::kind::speech_stopped:
      append();
      speech_active_ = false;
      speech_ended_ = arrived;
      if (!r.is_utterance) mulaw_buffer{}.swap(speech_);  // a click: nothing to decode
      return;
    case audio::vad_result::kind::none: break;
  }
  if (speech_active_) return append();
  // quiet: the preroll ring, and an ended sentence is let go once it cannot matter
  if (preroll_.size() != preroll_bytes) preroll_.assign(preroll_bytes, mulaw_silence);
  auto rest = frame.size() >= preroll_bytes ? frame.last(preroll_bytes) : frame;
  while (!rest.empty()) {
    const std::size_t n = std::min(rest.size(), preroll_bytes - preroll_pos_);
    std::copy_n(rest.begin(), n, preroll_.begin() + static_cast<std::ptrdiff_t>(preroll_pos_));
    rest = rest.subspan(n);
    preroll_pos_ += n;
    if (preroll_pos_ == preroll_bytes) {
      preroll_pos_ = 0;
      preroll_full_ = true;
    }
  }
  if (!speech_.empty() && arrived - speech_ended_ > keep_after_speech) mulaw_buffer{}.swap(speech_);
}

void caller_audio::route(std::shared_ptr<caller_audio_port> port, bool hand_over_speech) {
  if (port && !port_) send_batch();  // what the actors were getting goes first
  if (hand_over_speech && inbox_) inbox_->speech_audio(std::move(speech_), speech_active_);
  mulaw_buffer{}.swap(speech_);
  if (!port) {
    mulaw_buffer{}.swap(preroll_);
    preroll_pos_ = 0;
    preroll_full_ = false;
    speech_active_ = false;
  } else if (!port_) {
    speech_active_ = false;  // speech already under way is the actors' (they had its onset)
  }
  port_ = std::move(port);
}

void caller_audio::flush() { send_batch(); }

void caller_audio::send_batch() {
  if (batch_.empty() || !inbox_) return;
  inbox_->caller_audio(std::move(batch_));
  batch_ = {};
}

void caller_audio::emit(caller_speech::kind what, time_point at, bool utterance, bool forced) {
  if (!inbox_) return;
  caller_speech ev;
  ev.what = what;
  ev.at = at;
  ev.utterance = utterance;
  ev.forced = forced;
  inbox_->caller_speech(ev);
}

} // namespace ce::net
