// The line between a client's io thread and its owner: every owner callback is invoked
// through the gate, and the client's destructor closes it. After close() returns, no
// callback is running and none will run, so an owner may destroy what its callbacks
// capture right after destroying the client. Destroying the client from inside one of its
// own callbacks is allowed (close() then does not wait for itself).
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

namespace ce::http {

class callback_gate {
public:
  /// Calls `f` unless the gate is closed; returns whether it did.
  template <class F>
  bool invoke(F&& f) {
    std::lock_guard lock(mutex_);
    if (closed_.load(std::memory_order_acquire)) return false;
    running_in_.store(std::this_thread::get_id(), std::memory_order_release);
    struct reset {
      std::atomic<std::thread::id>& id;
      ~reset() { id.store(std::thread::id(), std::memory_order_release); }
    } guard{running_in_};
    std::forward<F>(f)();
    return true;
  }

  /// Closes the gate, waiting for a callback running on another thread to return.
  void close() {
    if (running_in_.load(std::memory_order_acquire) == std::this_thread::get_id()) {
      closed_.store(true, std::memory_order_release);  // called from inside a callback
      return;
    }
    std::lock_guard lock(mutex_);
    closed_.store(true, std::memory_order_release);
  }

  bool closed() const { return closed_.load(std::memory_order_acquire); }

private:
  std::mutex mutex_;
  std::atomic<bool> closed_{false};
  std::atomic<std::thread::id> running_in_{};
};

} // namespace ce::http
