// Shared setup of the provider client tests: the in-process mock servers (bench/mocks), an
// io_context on its own thread for the clients, a thread-safe recorder of callback events,
// and audio helpers.
#pragma once

#include "mocks/mock_server.hpp"
#include "mocks/speech_audio.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ce::clients_test {

using json = nlohmann::json;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

inline std::unique_ptr<mocks::mock_server> start_mocks(const json& config = json::object()) {
  mocks::server_options o;
  o.config = config;
  auto m = std::make_unique<mocks::mock_server>(o);
  auto err = m->start();
  INFO((err ? *err : std::string()));
  REQUIRE_FALSE(err.has_value());
  return m;
}

/// The clients' io_context, run by one thread for the test's lifetime. Declare it before
/// the clients (it must outlive them).
class io_runner {
public:
  io_runner() : guard_(io_.get_executor()), thread_([this] {
    io_.run();
    std::lock_guard lock(mutex_);
    ran_out_ = true;
    cv_.notify_all();
  }) {}
  ~io_runner() {
    if (!drain(3000ms)) io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

  /// Lets the io_context run out of work (every client destroyed, every handler done);
  /// true when it did within `timeout`: nothing was left pending.
  bool drain(ms timeout) {
    guard_.reset();
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return ran_out_; });
  }

private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool ran_out_ = false;
  std::thread thread_;
};

/// Values recorded from callbacks (any thread), with waiting.
template <class T>
class recorder {
public:
  void push(T v) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(v));
    }
    cv_.notify_all();
  }
  std::vector<T> items() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  /// Waits until `n` items were recorded (or the timeout); true when they were.
  bool wait_for(std::size_t n, ms timeout = 5000ms) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return items_.size() >= n; });
  }
  /// Waits until `pred(items)` holds.
  bool wait_until(const std::function<bool(const std::vector<T>&)>& pred, ms timeout = 5000ms) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return pred(items_); });
  }

private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<T> items_;
};

inline std::vector<std::uint8_t> silence_ms(int duration) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(duration) * 8, 0xFF);
}

inline std::vector<std::uint8_t> speech(const std::string& text) { return mocks::synthesize_speech(text); }

inline std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// Calls `send` with consecutive `frame`-byte pieces of `audio`; with `pace` > 0, at
/// `pace` x real time (20 ms frames every 20/pace ms), like a phone call.
template <class Send>
void stream_audio(Send&& send, const std::vector<std::uint8_t>& audio, double pace = 0, std::size_t frame = 160) {
  const auto start = steady::now();
  for (std::size_t i = 0; i < audio.size(); i += frame) {
    if (pace > 0) {
      const auto due = start + std::chrono::microseconds(static_cast<std::int64_t>(
                                  static_cast<double>(i) / 8.0 * 1000.0 / pace));
      std::this_thread::sleep_until(due);
    }
    const std::size_t n = std::min(frame, audio.size() - i);
    send(std::vector<std::uint8_t>(audio.begin() + static_cast<std::ptrdiff_t>(i),
                                   audio.begin() + static_cast<std::ptrdiff_t>(i + n)));
  }
}

inline double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

} // namespace ce::clients_test
