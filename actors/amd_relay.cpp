#include "actors/amd_relay.hpp"

#include "actors/call_registry.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "store/redis.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

namespace ce::actors {

namespace {

bool all_of_set(const std::string& s, std::size_t max, bool (*ok)(unsigned char)) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [&](char c) { return ok(static_cast<unsigned char>(c)); });
}

} // namespace

std::string format_amd_message(const std::string& node, const std::string& call_sid, const std::string& answered_by) {
  return node + "\n" + call_sid + "\n" + answered_by;
}

bool parse_amd_message(const std::string& text, std::string& node, std::string& call_sid, std::string& answered_by) {
  auto a = text.find('\n');
  if (a == std::string::npos) return false;
  auto b = text.find('\n', a + 1);
  if (b == std::string::npos) return false;
  node = text.substr(0, a);
  call_sid = text.substr(a + 1, b - a - 1);
  answered_by = text.substr(b + 1);
  return !node.empty() && node.size() <= 300 &&
         all_of_set(call_sid, 64, [](unsigned char c) { return std::isalnum(c) != 0; }) &&
         all_of_set(answered_by, 32, [](unsigned char c) { return std::islower(c) != 0 || c == '_'; });
}

struct amd_relay::impl {
  amd_relay_options opt;
  caf::actor registry;
  std::shared_ptr<spdlog::logger> log = log::get("twilio");
  ce::metrics::counter& published;
  ce::metrics::counter& received;
  ce::metrics::counter& failed;
  ce::metrics::gauge& connected;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  std::atomic<bool> up{false};
  std::mutex mutex;
  std::deque<std::string> queue;  ///< under mutex, at most opt.queue_limit
  std::thread thread;

  impl(amd_relay_options o, caf::actor r, ce::metrics::registry& m)
    : opt(std::move(o)), registry(std::move(r)),
      published(m.get_counter("ce_amd_relay_published_total", "AMD verdicts this node told the other nodes")),
      received(m.get_counter("ce_amd_relay_received_total", "AMD verdicts received from other nodes")),
      failed(m.get_counter("ce_amd_relay_failed_total", "AMD verdicts not relayed (Redis down or the queue full)")),
      connected(m.get_gauge("ce_amd_relay_subscribed", "1 while this node receives other nodes' AMD verdicts")) {
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  }
  ~impl() {
    if (wake_fd >= 0) close(wake_fd);
  }

  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd, &one, sizeof one);
  }

  /// Waits for the wake-up fd, and the subscription's socket when there is one.
  /// Returns {woken, readable}.
  std::pair<bool, bool> wait(int sub_fd, int timeout_ms) {
    pollfd fds[2] = {{wake_fd, POLLIN, 0}, {sub_fd, POLLIN, 0}};
    int n = poll(fds, sub_fd >= 0 ? 2 : 1, timeout_ms);
    if (n <= 0) return {false, false};
    bool woken = (fds[0].revents & POLLIN) != 0;
    if (woken) {
      std::uint64_t count = 0;
      [[maybe_unused]] auto r = read(wake_fd, &count, sizeof count);
    }
    return {woken, sub_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0};
  }

  void publish_queued(store::redis_connection& pub) {
    std::deque<std::string> batch;
    {
      std::lock_guard lock(mutex);
      batch.swap(queue);
    }
    for (auto& message : batch) {
      auto r = pub.command({"PUBLISH", opt.channel, message});
      if (!r) r = pub.command({"PUBLISH", opt.channel, message});  // one reconnect
      if (r) {
        published.inc();
      } else {
        failed.inc();
        log->warn("AMD verdict not relayed to the other nodes: {}", r.error().message);
      }
    }
  }

  void deliver(const store::redis_reply& push) {
    // ["message", channel, payload]
    if (push.type != store::redis_reply::kind::array || push.elements.size() != 3 || push.elements[0].text != "message")
      return;
    std::string node, sid, answered_by;
    if (!parse_amd_message(push.elements[2].text, node, sid, answered_by)) {
      log->warn("a malformed message on {} ignored", opt.channel);
      return;
    }
    if (node == opt.node) return;  // delivered locally when it arrived
    received.inc();
    log->debug("call_sid={} answered by {} (relayed from {})", sid, answered_by, node);
    caf::anon_send(registry, amd_verdict{std::move(sid), std::move(answered_by)});
  }

  void run() {
    store::redis_options ro;
    ro.url = opt.redis_url;
    ro.connect_timeout_ms = 1000;
    ro.command_timeout_ms = 1000;
    store::redis_connection sub{ro};
    store::redis_connection pub{ro};
    bool subscribed = false;
    bool told_down = false;
    auto retry_at = std::chrono::steady_clock::now();
    int backoff_ms = 200;
    while (!stopping.load()) {
      const auto now = std::chrono::steady_clock::now();
      if (!subscribed && now >= retry_at) {
        auto s = sub.command({"SUBSCRIBE", opt.channel});
        if (s) {
          subscribed = true;
          backoff_ms = 200;
          up = true;
          connected.set(1);
          log->info("AMD verdicts relayed between nodes on Redis channel {}{}", opt.channel, told_down ? " (again)" : "");
          told_down = false;
        } else {
          sub.disconnect();
          if (!told_down) log->warn("AMD relay: cannot subscribe to Redis ({}); verdicts stay on the node that receives them", s.error().message);
          told_down = true;
          retry_at = now + std::chrono::milliseconds(backoff_ms);
          backoff_ms = std::min(backoff_ms * 2, 10000);
        }
      }
      int timeout_ms = subscribed ? 1000
                                  : static_cast<int>(std::max<std::int64_t>(
                                      1, std::chrono::duration_cast<std::chrono::milliseconds>(retry_at - now).count()));
      auto [woken, readable] = wait(subscribed ? sub.socket() : -1, std::min(timeout_ms, 1000));
      if (woken) publish_queued(pub);
      if (readable) {
        auto pushed = sub.read_pushed();
        if (!pushed) {
          subscribed = false;
          up = false;
          connected.set(0);
          sub.disconnect();
          told_down = true;
          log->warn("AMD relay: the Redis subscription was lost ({}); resubscribing", pushed.error().message);
          retry_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms);
          continue;
        }
        for (const auto& p : *pushed) deliver(p);
      }
    }
    connected.set(0);
  }
};

amd_relay::amd_relay(amd_relay_options options, caf::actor registry, ce::metrics::registry& metrics)
  : impl_(std::make_shared<impl>(std::move(options), std::move(registry), metrics)) {
  impl_->thread = std::thread([i = impl_] { i->run(); });
}

amd_relay::~amd_relay() {
  impl_->stopping = true;
  impl_->wake();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void amd_relay::publish(const std::string& call_sid, const std::string& answered_by) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->queue.size() >= impl_->opt.queue_limit) {
      impl_->failed.inc();
      return;
    }
    impl_->queue.push_back(format_amd_message(impl_->opt.node, call_sid, answered_by));
  }
  impl_->wake();
}

bool amd_relay::subscribed() const { return impl_->up.load(); }

} // namespace ce::actors
