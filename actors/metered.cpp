#include "actors/metered.hpp"

#include "metrics/metrics.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace ce::actors {
namespace {

std::mutex roles_mutex;
ce::metrics::registry* bound_registry = nullptr;
std::map<std::string, std::unique_ptr<role_metrics>> roles;

void store_max(ce::metrics::gauge& g, double v) {
  if (v > g.value()) g.set(v);  // racy by design: a max gauge tolerates a lost update
}

} // namespace

void bind_actor_metrics(ce::metrics::registry& r) {
  std::lock_guard<std::mutex> guard{roles_mutex};
  bound_registry = &r;
}

role_metrics& metrics_for_role(const std::string& role) {
  std::lock_guard<std::mutex> guard{roles_mutex};
  auto& slot = roles[role];
  if (slot) return *slot;
  auto& r = bound_registry ? *bound_registry : ce::metrics::default_registry();
  ce::metrics::labels l{{"role", role}};
  slot = std::make_unique<role_metrics>();
  slot->messages = &r.get_counter("ce_actor_messages_total", "Messages handled, by actor role", l);
  slot->handler_seconds = &r.get_histogram("ce_actor_handler_seconds", "Handler time per message, by actor role",
                                           ce::metrics::exponential_buckets(1e-6, 4, 11), l);
  slot->mailbox_depth = &r.get_histogram("ce_actor_mailbox_depth",
                                         "Messages still queued when a message is handled, by actor role",
                                         {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}, l);
  slot->mailbox_depth_max = &r.get_gauge("ce_actor_mailbox_depth_max", "Deepest mailbox seen, by actor role", l);
  slot->live = &r.get_gauge("ce_actors_live", "Live actors, by role", l);
  slot->failures = &r.get_counter("ce_actor_failures_total", "Actors that ended abnormally, by role", l);
  return *slot;
}

void record_message(role_metrics& m, std::size_t depth, std::chrono::nanoseconds took) {
  auto ns = static_cast<std::uint64_t>(took.count());
  m.messages->inc();
  m.handler_seconds->observe(static_cast<double>(ns) * 1e-9);
  m.mailbox_depth->observe(static_cast<double>(depth));
  store_max(*m.mailbox_depth_max, static_cast<double>(depth));
}

void record_live(role_metrics& m, int delta) { m.live->add(delta); }

} // namespace ce::actors
