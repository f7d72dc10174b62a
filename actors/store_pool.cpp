#include "actors/store_pool.hpp"

#include "actors/calendar_mirror.hpp"
#include "actors/metered.hpp"
#include "calendar/google_calendar.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "store/cache.hpp"
#include "store/redis.hpp"
#include "store/seed.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace ce::actors {
namespace {

struct pool_metrics {
  explicit pool_metrics(ce::metrics::registry& r) : registry(r),
      latency(r.get_histogram("ce_tool_seconds", "Tool execution time (database and cache included)",
                              ce::metrics::exponential_buckets(1e-4, 2, 16))),
      cache_hits(r.get_counter("ce_customer_cache_hits_total", "Customer lookups answered by Redis")),
      cache_misses(r.get_counter("ce_customer_cache_misses_total", "Customer lookups that went to PostgreSQL")),
      cache_errors(r.get_counter("ce_customer_cache_errors_total", "Customer cache operations that failed (Redis down)")),
      snapshots(r.get_counter("ce_session_snapshots_total", "Session snapshots written to Redis")),
      snapshots_skipped(r.get_counter("ce_session_snapshots_skipped_total", "Session snapshots skipped: Redis unreachable")) {
    // the counters live as long as the registry, unlike this object
    r.add_callback_gauge("ce_customer_cache_hit_ratio", "Share of customer lookups answered by Redis",
                         [&hits = cache_hits, &misses = cache_misses] {
                           auto h = static_cast<double>(hits.value());
                           auto m = static_cast<double>(misses.value());
                           return h + m > 0 ? h / (h + m) : 0.0;
                         });
  }
  ce::metrics::counter& calls(const std::string& tool, const std::string& outcome) {
    return registry.get_counter("ce_tool_calls_total", "Tool calls, by tool and outcome",
                                {{"tool", tool}, {"outcome", outcome.empty() ? "ok" : outcome}});
  }
  ce::metrics::registry& registry;
  ce::metrics::histogram& latency;
  ce::metrics::counter& cache_hits;
  ce::metrics::counter& cache_misses;
  ce::metrics::counter& cache_errors;
  ce::metrics::counter& snapshots;
  ce::metrics::counter& snapshots_skipped;
};

struct worker_state {
  std::shared_ptr<const engine_config> cfg;
  std::shared_ptr<pool_metrics> m;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<store::dealership_store> db;
  std::unique_ptr<store::redis_connection> redis;
  std::unique_ptr<store::customer_cache> cache;
  calendar_link calendar;
  static inline const char* name = "store_worker";
};
using worker_actor = metered<worker_state>;

bool open_connections(worker_state& s) {
  store::pg_options pg;
  pg.url = store::effective_database_url(s.cfg->store);
  pg.application_name = "callengine-tools";
  pg.connect_timeout_ms = 2000;
  auto calendar = store::make_shop_calendar(s.cfg->dealership);
  if (!calendar.ok()) {
    s.log->critical("role=store_worker the dealership's hours are unusable: {}", calendar.error().message);
    return false;
  }
  // Not connected yet: the connection opens on first use and reopens after a loss.
  s.db = std::make_unique<store::dealership_store>(store::pg_connection{pg}, std::move(*calendar));
  store::redis_options ro;
  ro.url = store::effective_redis_url(s.cfg->store);
  s.redis = std::make_unique<store::redis_connection>(ro);
  s.cache = std::make_unique<store::customer_cache>(*s.redis, s.cfg->store.customer_cache_ttl_s);
  return true;
}

tool_ran run(worker_actor* self, run_tool& r) {
  auto& s = self->state;
  auto t0 = std::chrono::steady_clock::now();
  tools::tool_env env{*s.db, s.cache.get(), s.cfg->dealership};
  if (auto google = s.calendar.google) {
    env.calendar_busy = [google](std::int64_t from, std::int64_t to, const std::string& call_sid, bool may_wait) {
      auto busy = google->busy_between(from, to, call_sid, may_wait);
      if (!busy) return std::optional<std::vector<tools::busy_period>>{};
      std::vector<tools::busy_period> out;
      for (const auto& b : *busy) out.push_back({b.start_unix, b.end_unix});
      return std::optional<std::vector<tools::busy_period>>{std::move(out)};
    };
  }
  auto outcome = tools::execute(env, r.context, r.name, r.arguments_json);
  if (s.calendar.mirror)
    for (auto id : outcome.changed_appointments)
      self->send(s.calendar.mirror, calendar_changed{id, r.context.call_sid});
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  s.m->latency.observe(static_cast<double>(us) * 1e-6);
  s.m->calls(r.name, outcome.error).inc();
  s.m->cache_hits.inc(static_cast<std::uint64_t>(outcome.cache.hits));
  s.m->cache_misses.inc(static_cast<std::uint64_t>(outcome.cache.misses));
  s.m->cache_errors.inc(static_cast<std::uint64_t>(outcome.cache.errors));
  if (!outcome.detail.empty())
    s.log->warn("call_sid={} role=store_worker {} failed: {} ({})", r.context.call_sid, r.name, outcome.error,
                outcome.detail);
  return tool_ran{std::move(r.context), std::move(outcome), us};
}

void save(worker_actor* self, const session_snapshot& snap) {
  auto& s = self->state;
  nlohmann::json j{{"call_sid", snap.call_sid},   {"state", snap.state},         {"turns", snap.turn_count},
                   {"verified", snap.verified},   {"last_caller_text", snap.last_caller_text},
                   {"started_unix_ms", snap.started_unix_ms}};
  j["customer_id"] = snap.customer_id ? nlohmann::json(*snap.customer_id) : nlohmann::json(nullptr);
  auto st = store::put_session(*s.redis, snap.call_sid, j.dump(), s.cfg->store.session_ttl_s);
  if (st.ok()) return s.m->snapshots.inc();
  s.m->snapshots_skipped.inc();
  s.log->debug("call_sid={} role=store_worker session snapshot skipped: {}", snap.call_sid, st.error().message);
}

caf::behavior store_worker(worker_actor* self, std::shared_ptr<const engine_config> cfg,
                           std::shared_ptr<pool_metrics> m, calendar_link calendar) {
  self->meter("store_worker");
  auto& s = self->state;
  s.cfg = std::move(cfg);
  s.m = std::move(m);
  s.calendar = std::move(calendar);
  s.log = log::get("store");
  if (!open_connections(s)) {
    self->quit(caf::make_error(caf::sec::runtime_error, "invalid dealership hours"));
    return {};
  }
  return {
    [=](run_tool& r) { return run(self, r); },
    [=](const session_snapshot& snap) { save(self, snap); },
  };
}

} // namespace

caf::actor spawn_store_pool(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                            ce::metrics::registry& metrics, calendar_link calendar) {
  auto m = std::make_shared<pool_metrics>(metrics);
  auto size = static_cast<std::size_t>(std::max(1, cfg->store.pool_size));
  return caf::actor_pool::make(
    sys.dummy_execution_unit(), size, [&sys, cfg, m, calendar] { return sys.spawn<caf::detached>(store_worker, cfg, m, calendar); },
    caf::actor_pool::round_robin());
}

} // namespace ce::actors
