// The path of one call's caller audio and speech events from the edge into its actors.
//
// The edge sends them straight to the call's current stt actor, which the call_session
// sets here whenever it spawns one. While there is no stt (between a failure and its
// restart, or after the call ended) they go to the session, which forwards them. Audio in
// flight is bounded: the edge counts a batch's frames in `in_flight` when it sends it and
// the actor that takes it counts them out; past calls.inbound_queue_frames the edge drops
// new audio (a stuck call cannot queue without bound). Counts are in 20 ms frames, whatever
// the batching. (With a cloud recogniser the audio does not come this way at all: the edge
// writes it into the recogniser's connection on the call's shard.)
#pragma once

#include <caf/actor.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace ce::actors {

class audio_route {
public:
  /// Signed: a restart resets the count while frames of the old target are still being
  /// counted out; a brief negative count only makes the bound a little looser.
  std::atomic<std::int32_t> in_flight{0};

  void set_target(caf::actor a) {
    std::lock_guard<std::mutex> guard{mutex_};
    target_ = std::move(a);
  }
  caf::actor target() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return target_;
  }

private:
  mutable std::mutex mutex_;
  caf::actor target_;
};

} // namespace ce::actors
