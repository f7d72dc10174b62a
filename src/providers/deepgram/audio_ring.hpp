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
    if (buf_.empty()) return;
    if (bytes.size() >= buf_.size()) bytes = bytes.last(buf_.size());
    for (std::uint8_t b : bytes) {
      buf_[(head_ + size_) % buf_.size()] = b;
      if (size_ < buf_.size()) ++size_;
      else head_ = (head_ + 1) % buf_.size();
    }
  }

  /// Oldest first.
  std::vector<std::uint8_t> contents() const {
    std::vector<std::uint8_t> out(size_);
    for (std::size_t i = 0; i < size_; ++i) out[i] = buf_[(head_ + i) % buf_.size()];
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
