// The path of one call's caller audio from the edge into its actors.
//
// The edge sends caller frames straight to the call's current stt actor, which the
// call_session sets here whenever it spawns one, instead of through the session: one
// mailbox hop per frame instead of two (50 frames a second per call; fewer while the line
// is quiet, when the edge batches them, see actors/gateway.cpp). While there is no
// stt (between a failure and its restart, or after the call ended) frames go to the
// session, which forwards them. Frames in flight are bounded: the edge counts a frame in
// `in_flight` when it sends it and the actor that takes it counts it out; past the
// configured limit the edge drops new frames (a stuck call cannot queue without bound).
// Counts are in frames, whatever the batching.
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
