// The engine's I/O threads as shards: each shard is one thread running its own
// io_context, and every socket of one call (the Twilio stream and the call's Deepgram and
// OpenAI connections) lives on one shard. Work of a call runs to completion on the thread
// that read it: no strand, no lock and no thread hand-over on the audio path. Other
// threads (the actors) reach a shard only by posting to it.
//
// Because exactly one thread runs a shard's io_context, anything created on it (sockets,
// timers, the provider clients) may use the io_context's own executor directly.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ce::runtime {

class shard {
public:
  explicit shard(int index);
  shard(const shard&) = delete;
  shard& operator=(const shard&) = delete;

  boost::asio::io_context& io() { return io_; }
  int index() const { return index_; }
  /// True on this shard's own thread.
  bool in_thread() { return io_.get_executor().running_in_this_thread(); }

  /// Runs `f` on the shard's thread, later (never inline).
  template <class F>
  void post(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
  }

  /// Calls living on this shard (kept by the edge; new calls go to the least loaded shard).
  std::atomic<int> calls{0};
  /// Open server connections accepted onto this shard.
  std::atomic<int> connections{0};

private:
  friend class shard_pool;
  int index_;
  boost::asio::io_context io_;
};

class shard_pool {
public:
  /// `count` shards (0: one per core). Threads start with start(). `tick`: while busy, a
  /// shard handles what is ready this often instead of sleeping in epoll until each next
  /// event (zero: always sleep in epoll); idle for `idle_after`, it sleeps in epoll again.
  explicit shard_pool(int count, std::chrono::microseconds tick = {},
                      std::chrono::milliseconds idle_after = std::chrono::milliseconds(50));
  ~shard_pool();
  shard_pool(const shard_pool&) = delete;
  shard_pool& operator=(const shard_pool&) = delete;

  std::size_t size() const { return shards_.size(); }
  shard& at(std::size_t i) { return *shards_[i]; }
  /// The shard with the fewest calls (then connections); ties go round-robin.
  shard& least_loaded();

  /// Starts one thread per shard (named "shard-N"). Idempotent.
  void start();
  /// Stops every io_context and joins the threads (not from a shard thread). Idempotent.
  /// `destroy`: also destroys the io_contexts, with every handler, socket and object still
  /// living on them (nothing may use a shard afterwards).
  void stop(bool destroy = false);

private:
  void run(shard& s);

  std::chrono::microseconds tick_;
  std::chrono::milliseconds idle_after_;
  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>> guards_;
  std::atomic<unsigned> next_{0};
};

} // namespace ce::runtime
