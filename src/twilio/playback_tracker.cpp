#include "twilio/playback_tracker.hpp"

#include <algorithm>

namespace ce::twilio {

playback_tracker::playback_tracker(std::size_t max_outstanding)
  : max_outstanding_(std::max<std::size_t>(max_outstanding, 1)) {}

void playback_tracker::sent(mark_info mark) {
  if (marks_.size() >= max_outstanding_) {
    // Twilio stopped echoing (or we stopped listening): forget the oldest.
    if (marks_.front().cancelled) --cancelled_;
    marks_.pop_front();
    ++overflowed_;
  }
  marks_.push_back(pending{std::move(mark), false});
}

echo_result playback_tracker::on_echo(std::string_view name) {
  auto it = std::find_if(marks_.begin(), marks_.end(),
                         [&](const pending& p) { return p.mark.name == name; });
  if (it == marks_.end()) {
    ++unknown_echoes_;
    return echo_result{};
  }
  bool out_of_order = it != marks_.begin();
  if (out_of_order) ++out_of_order_echoes_;
  auto result = take(it);
  result.out_of_order = out_of_order;
  return result;
}

echo_result playback_tracker::take(std::deque<pending>::iterator it) {
  echo_result result;
  result.mark = std::move(it->mark);
  if (it->cancelled) {
    result.status = echo_status::cancelled;
    --cancelled_;
    ++cancelled_echoes_;
  } else {
    result.status = echo_status::heard;
    note_heard(result.mark);
  }
  marks_.erase(it);
  return result;
}

void playback_tracker::on_clear() {
  for (auto& p : marks_) p.cancelled = true;
  cancelled_ = marks_.size();
}

bool playback_tracker::playing(std::uint64_t generation) const {
  return std::any_of(marks_.begin(), marks_.end(), [&](const pending& p) {
    return !p.cancelled && p.mark.generation == generation;
  });
}

std::optional<std::size_t> playback_tracker::heard_upto(std::uint64_t generation) const {
  auto it = heard_.find(generation);
  if (it == heard_.end()) return std::nullopt;
  return it->second;
}

void playback_tracker::note_heard(const mark_info& mark) {
  // Hearing a later segment implies hearing the earlier ones: keep the furthest offset.
  auto [it, inserted] = heard_.try_emplace(mark.generation, mark.heard_text_upto);
  if (!inserted) it->second = std::max(it->second, mark.heard_text_upto);
  while (heard_.size() > generations_kept) heard_.erase(heard_.begin());
}

} // namespace ce::twilio
