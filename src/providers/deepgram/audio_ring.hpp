// The last N bytes of audio sent, kept for a replay after a reconnect. Fixed capacity,
// no allocation after construction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace ce::deepgram {

class audio_ring {
public:
  explicit audio_ring(std::size_t capacity) : buf_(capacity) {}

  void push(std::span<const std::uint8_t> bytes) {
    const std::size_t cap = buf_.size();
    if (cap == 0 || bytes.empty()) return;
    if (bytes.size() >= cap) {  // only the newest `cap` bytes survive
      std::copy(bytes.end() - static_cast<std::ptrdiff_t>(cap), bytes.end(), buf_.begin());
      head_ = 0;
      size_ = cap;
      return;
    }
    // write at the tail, in at most two pieces
    std::size_t tail = (head_ + size_) % cap;
    const std::size_t first = std::min(bytes.size(), cap - tail);
    std::copy_n(bytes.begin(), first, buf_.begin() + static_cast<std::ptrdiff_t>(tail));
    std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(first), bytes.end(), buf_.begin());
    const std::size_t total = size_ + bytes.size();
    if (total > cap) {  // the oldest bytes were overwritten
      head_ = (head_ + (total - cap)) % cap;
      size_ = cap;
    } else {
      size_ = total;
    }
  }

  /// Oldest first.
  std::vector<std::uint8_t> contents() const {
    std::vector<std::uint8_t> out;
    out.reserve(size_);
    const std::size_t first = std::min(size_, buf_.size() - head_);
    out.insert(out.end(), buf_.begin() + static_cast<std::ptrdiff_t>(head_),
               buf_.begin() + static_cast<std::ptrdiff_t>(head_ + first));
    out.insert(out.end(), buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(size_ - first));
    return out;
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buf_.size(); }
  void clear() { head_ = size_ = 0; }

private:
  std::vector<std::uint8_t> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

} // namespace ce::deepgram
