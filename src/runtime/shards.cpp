#include "runtime/shards.hpp"

#include "common/log.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <algorithm>
#include <limits>

#include <pthread.h>

namespace ce::runtime {

// Concurrency hint 1: one thread runs this io_context, so the scheduler skips the work
// it would do to hand handlers to other threads (posts from other threads stay safe).
shard::shard(int index) : index_(index), io_(1) {}

shard_pool::shard_pool(int count, std::chrono::microseconds tick, std::chrono::milliseconds idle_after)
  : tick_(tick), idle_after_(idle_after) {
  if (count <= 0) count = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < count; ++i) shards_.push_back(std::make_unique<shard>(i));
}

shard_pool::~shard_pool() { stop(); }

shard& shard_pool::least_loaded() {
  // Start the scan at a rotating offset so ties (an idle engine) spread round-robin.
  const std::size_t n = shards_.size();
  const std::size_t first = next_.fetch_add(1, std::memory_order_relaxed) % n;
  shard* best = nullptr;
  long best_load = std::numeric_limits<long>::max();
  for (std::size_t k = 0; k < n; ++k) {
    auto& s = *shards_[(first + k) % n];
    // a live call weighs far more than a short-lived webhook connection
    const long load = 1000L * s.calls.load(std::memory_order_relaxed) + s.connections.load(std::memory_order_relaxed);
    if (load < best_load) {
      best_load = load;
      best = &s;
    }
  }
  return *best;
}

void shard_pool::start() {
  if (!threads_.empty()) return;
  for (auto& s : shards_) {
    guards_.push_back(std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      s->io_.get_executor()));
    threads_.emplace_back([this, sh = s.get()] {
      const std::string name = "shard-" + std::to_string(sh->index());
      pthread_setname_np(pthread_self(), name.c_str());
      // A throwing handler must not take the process down: log it and keep running.
      for (;;) {
        try {
          run(*sh);
          return;
        } catch (const std::exception& e) {
          log::get("net")->error("{}: a handler threw: {}", name, e.what());
        } catch (...) {
          log::get("net")->error("{}: a handler threw a non-standard exception", name);
        }
      }
    });
  }
}

// With a tick, a busy shard handles everything ready, then sleeps until the next tick:
// sockets that became ready meanwhile are handled together, one wake-up per tick instead of
// one per event. Idle, it blocks in epoll (no CPU while nothing happens).
void shard_pool::run(shard& s) {
  auto& io = s.io_;
  if (tick_.count() <= 0) {
    io.run();
    return;
  }
  using clock = std::chrono::steady_clock;
  auto last_work = clock::now();
  auto next = last_work;
  while (!io.stopped()) {
    const auto now = clock::now();
    if (io.poll() > 0) last_work = now;
    if (io.stopped()) return;
    if (now - last_work >= idle_after_) {
      io.run_one();  // sleeps until something happens
      last_work = next = clock::now();
      continue;
    }
    next += tick_;
    if (next < now) next = now;  // a long tick: do not try to catch up
    std::this_thread::sleep_until(next);
  }
}

void shard_pool::stop(bool destroy) {
  if (threads_.empty()) {
    if (destroy) shards_.clear();
    return;
  }
  guards_.clear();
  for (auto& s : shards_) s->io_.stop();
  for (auto& t : threads_) {
    if (!t.joinable()) continue;
    if (t.get_id() == std::this_thread::get_id()) t.detach();
    else t.join();
  }
  threads_.clear();
  if (destroy) shards_.clear();
}

} // namespace ce::runtime
