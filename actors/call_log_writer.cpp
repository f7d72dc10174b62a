#include "actors/call_log_writer.hpp"

#include "actors/metered.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "store/dealership_store.hpp"
#include "store/seed.hpp"

#include <deque>

namespace ce::actors {
namespace {

using retry_atom = caf::atom_constant<caf::atom("retry")>;
constexpr std::size_t max_pending = 10000;
constexpr std::size_t batch_per_attempt = 200;  // keep each handler short

struct writer_metrics {
  explicit writer_metrics(ce::metrics::registry& r)
    : written(r.get_counter("ce_call_logs_written_total", "Call logs written to PostgreSQL")),
      retries(r.get_counter("ce_call_log_retries_total", "Call log write attempts that failed and will be retried")),
      dropped(r.get_counter("ce_call_logs_dropped_total", "Call logs dropped because the queue was full")),
      pending(r.get_gauge("ce_call_logs_pending", "Call logs waiting for PostgreSQL")) {}
  ce::metrics::counter& written;
  ce::metrics::counter& retries;
  ce::metrics::counter& dropped;
  ce::metrics::gauge& pending;
};

struct writer_state {
  std::shared_ptr<const engine_config> cfg;
  std::unique_ptr<writer_metrics> m;
  std::shared_ptr<spdlog::logger> log;
  std::optional<store::dealership_store> db;
  std::deque<persist_call> queue;
  bool retry_scheduled = false;
  std::vector<caf::response_promise> flush_waiters;
  std::chrono::milliseconds backoff{200};
  static inline const char* name = "call_log_writer";
};
using writer_actor = metered<writer_state>;

bool ensure_connected(writer_state& s) {
  if (s.db) return true;
  store::pg_options o;
  o.url = store::effective_database_url(s.cfg->store);
  o.application_name = "callengine-call-logs";
  auto created = store::dealership_store::create(o, s.cfg->dealership);
  if (!created.ok()) {
    s.log->warn("role=call_log_writer PostgreSQL unreachable: {}", created.error().message);
    return false;
  }
  s.db.emplace(std::move(*created));
  return true;
}

void schedule_retry(writer_actor* self) {
  auto& s = self->state;
  if (s.retry_scheduled) return;
  s.retry_scheduled = true;
  self->delayed_send(self, s.backoff, retry_atom::value);
  s.backoff = std::min(s.backoff * 2, std::chrono::milliseconds(10000));
}

void flush(writer_actor* self) {
  auto& s = self->state;
  std::size_t done = 0;
  while (!s.queue.empty() && done < batch_per_attempt) {
    if (!ensure_connected(s)) return schedule_retry(self);
    auto& front = s.queue.front();
    auto st = s.db->write_call_log(front.record, front.customer_id);
    if (!st.ok()) {
      s.m->retries.inc();
      if (st.code() == store::store_errc::invalid) {
        s.log->error("call_sid={} role=call_log_writer call log refused by PostgreSQL, dropped: {}",
                     front.record.call_sid, st.error().message);
        s.queue.pop_front();
        s.m->dropped.inc();
        continue;
      }
      s.log->warn("call_sid={} role=call_log_writer write failed ({}); {} waiting, retrying",
                  front.record.call_sid, st.error().message, s.queue.size());
      if (st.code() == store::store_errc::unavailable) s.db.reset();
      s.m->pending.set(static_cast<double>(s.queue.size()));
      return schedule_retry(self);
    }
    s.log->info("call_sid={} role=call_log_writer call log and {} turns written", front.record.call_sid,
                front.record.turns.size());
    s.queue.pop_front();
    s.m->written.inc();
    ++done;
  }
  s.backoff = std::chrono::milliseconds(200);
  s.m->pending.set(static_cast<double>(s.queue.size()));
  if (!s.queue.empty()) {
    self->send(self, retry_atom::value);  // more to write: yield, then go on
    return;
  }
  for (auto& w : s.flush_waiters) w.deliver(true);
  s.flush_waiters.clear();
}

caf::behavior call_log_writer(writer_actor* self, std::shared_ptr<const engine_config> cfg, ce::metrics::registry* r) {
  self->meter("call_log_writer");
  auto& s = self->state;
  s.cfg = std::move(cfg);
  s.m = std::make_unique<writer_metrics>(*r);
  s.log = log::get("store");
  return {
    [=](persist_call& p) {
      auto& st = self->state;
      if (st.queue.size() >= max_pending) {
        st.log->error("call_sid={} role=call_log_writer queue full ({}); dropping the oldest call log",
                      st.queue.front().record.call_sid, max_pending);
        st.queue.pop_front();
        st.m->dropped.inc();
      }
      st.queue.push_back(std::move(p));
      st.m->pending.set(static_cast<double>(st.queue.size()));
      if (!st.retry_scheduled) flush(self);
    },
    [=](retry_atom) {
      self->state.retry_scheduled = false;
      flush(self);
    },
    [=](flush_atom) -> caf::result<bool> {
      if (self->state.queue.empty()) return true;
      auto rp = self->make_response_promise<bool>();
      self->state.flush_waiters.push_back(rp);
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_call_log_writer(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                 ce::metrics::registry& metrics) {
  return sys.spawn<caf::detached>(call_log_writer, std::move(cfg), &metrics);
}

} // namespace ce::actors
