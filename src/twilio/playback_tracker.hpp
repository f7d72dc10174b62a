// What the caller actually heard (protocols.md §1.4). The engine sends a mark after each
// audio segment; Twilio echoes it when playback passes it, and on `clear` echoes every
// pending mark at once without saying it was flushed. This tracker keeps the outstanding
// marks in send order and tells heard echoes from cancelled ones.
//
// Caveat: an echo Twilio sent just before it received our `clear` (the segment really did
// play) arrives after on_clear() and is counted as cancelled. The heard position can
// therefore only err on the short side, which is the safe side for truncating history.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ce::twilio {

/// A mark the engine sent after an audio segment.
struct mark_info {
  std::string name;                 ///< unique per call, e.g. "<generation>:<segment>"
  std::uint64_t generation = 0;     ///< the agent turn the segment belongs to
  std::size_t heard_text_upto = 0;  ///< char offset into the turn's text once this is heard
};

enum class echo_status {
  heard,      ///< playback reached the mark
  cancelled,  ///< the mark was flushed by a clear
  unknown,    ///< no outstanding mark has this name (a protocol error; counted)
};

struct echo_result {
  echo_status status = echo_status::unknown;
  mark_info mark;             ///< the matched mark (empty when unknown)
  bool out_of_order = false;  ///< matched, but not the oldest outstanding mark (counted)
};

class playback_tracker {
public:
  /// Marks beyond this many outstanding drop the oldest (counted in overflowed()).
  static constexpr std::size_t default_max_outstanding = 4096;

  explicit playback_tracker(std::size_t max_outstanding = default_max_outstanding);

  /// Records a mark the engine just sent (after the audio it follows).
  void sent(mark_info mark);

  /// Twilio echoed the mark `name`. Matches the oldest outstanding mark of that name.
  echo_result on_echo(std::string_view name);

  /// The engine sent `clear`: every outstanding mark is now cancelled.
  void on_clear();

  /// Marks sent and not yet echoed, cancelled ones included.
  std::size_t outstanding() const { return marks_.size(); }

  /// True while a mark that was not cancelled awaits its echo (audio is still queued).
  bool playing() const { return marks_.size() > cancelled_; }

  /// True while a mark of `generation` that was not cancelled awaits its echo.
  bool playing(std::uint64_t generation) const;

  /// The furthest `heard_text_upto` of the heard marks of `generation`; nullopt if none of
  /// its marks has been heard (yet).
  std::optional<std::size_t> heard_upto(std::uint64_t generation) const;

  std::size_t unknown_echoes() const { return unknown_echoes_; }
  std::size_t out_of_order_echoes() const { return out_of_order_echoes_; }
  std::size_t cancelled_echoes() const { return cancelled_echoes_; }
  std::size_t overflowed() const { return overflowed_; }

private:
  struct pending {
    mark_info mark;
    bool cancelled = false;
  };

  void note_heard(const mark_info& mark);
  echo_result take(std::deque<pending>::iterator it);

  static constexpr std::size_t generations_kept = 64;

  std::size_t max_outstanding_;
  std::deque<pending> marks_;
  std::size_t cancelled_ = 0;  ///< how many of marks_ are cancelled
  std::map<std::uint64_t, std::size_t> heard_;  ///< generation -> furthest heard offset
  std::size_t unknown_echoes_ = 0;
  std::size_t out_of_order_echoes_ = 0;
  std::size_t cancelled_echoes_ = 0;
  std::size_t overflowed_ = 0;
};

} // namespace ce::twilio
