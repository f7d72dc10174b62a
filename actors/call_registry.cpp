#include "actors/call_registry.hpp"

#include "actors/call_session.hpp"
#include "actors/reminder_scheduler.hpp"
#include "actors/metered.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"

#include <chrono>
#include <deque>
#include <unordered_map>

namespace ce::actors {
namespace {

using namespace std::chrono_literals;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using drain_deadline_atom = caf::atom_constant<caf::atom("draindl")>;

struct reservation {
  admission_request request;
  time_point expires;
};

struct live_call {
  caf::actor session;
  call_record summary;
};

struct registry_state {
  std::shared_ptr<const engine_config> cfg;
  std::shared_ptr<call_metrics> metrics;
  std::shared_ptr<spdlog::logger> log;
  std::unordered_map<std::string, reservation> reservations;
  std::unordered_map<std::string, live_call> live;
  std::deque<call_record> recent;  // newest first, bounded
  std::unordered_map<std::string, end_reason> ending;  // decided, stream not yet gone
  std::unordered_map<std::string, std::pair<std::string, time_point>> early_amd;  // verdicts before their stream
  int outbound_lines = 0;  // of the cap, kept for outbound calls (reminder_scheduler)
  bool draining = false;
  std::vector<std::function<void()>> drain_waiters;
  static inline const char* name = "call_registry";
};

using registry_actor = metered<registry_state>;

std::size_t occupied(const registry_state& s) { return s.live.size() + s.reservations.size(); }

std::size_t occupied(const registry_state& s, call_direction d) {
  std::size_t n = 0;
  for (const auto& [sid, r] : s.reservations) n += r.request.direction == d;
  for (const auto& [sid, c] : s.live) n += c.summary.direction == d;
  return n;
}

/// A reservation already holds its slot: its stream is admitted even while draining (the
/// caller is already on the line). Of the cap, `outbound_lines` are kept for outbound
/// calls: an inbound surge cannot stall reminders, and reminders never take more.
admission_decision decide(const registry_state& s, bool has_reservation, call_direction d) {
  if (has_reservation) return {true, end_reason::refused_capacity};
  if (s.draining) return {false, end_reason::refused_draining};
  auto cap = static_cast<std::size_t>(s.cfg->calls.max_concurrent_calls);
  if (occupied(s) >= cap) return {false, end_reason::refused_capacity};
  auto lines = static_cast<std::size_t>(s.outbound_lines);
  if (lines > 0) {
    if (d == call_direction::inbound && occupied(s, d) >= cap - lines) return {false, end_reason::refused_capacity};
    if (d == call_direction::outbound && occupied(s, d) >= lines) return {false, end_reason::refused_capacity};
  }
  return {true, end_reason::refused_capacity};
}

void remember(registry_state& s, call_record rec) {
  s.recent.push_front(std::move(rec));
  while (s.recent.size() > s.cfg->calls.recent_calls_kept) s.recent.pop_back();
}

void check_drained(registry_state& s) {
  if (!s.draining || !s.live.empty() || s.drain_waiters.empty()) return;
  auto waiters = std::move(s.drain_waiters);
  s.drain_waiters.clear();
  s.log->info("drain complete: no live calls");
  for (auto& w : waiters) w();
}

void on_admit(registry_actor* self, admit_call& msg) {
  auto& s = self->state;
  const auto& sid = msg.request.call_sid;
  bool known = s.reservations.count(sid) > 0 || s.live.count(sid) > 0;
  auto d = decide(s, known, msg.request.direction);
  if (d.admitted && !known) {
    auto ttl = std::chrono::seconds(s.cfg->calls.admission_reservation_s);
    s.reservations[sid] = reservation{msg.request, steady_clock::now() + ttl};
  }
  if (!d.admitted) {
    s.metrics->refused(d.refusal).inc();
    s.log->info("call_sid={} role=registry refused: {} (live={} reserved={})", sid, to_string(d.refusal),
                s.live.size(), s.reservations.size());
  }
  msg.reply(d);
}

admission_decision on_register(registry_actor* self, const stream_start& start) {
  auto& s = self->state;
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  auto it = s.reservations.find(start.call_sid);
  bool reserved = it != s.reservations.end();
  auto d = decide(s, reserved, start.direction);
  if (reserved) s.reservations.erase(it);
  if (!d.admitted) {
    s.metrics->refused(d.refusal).inc();
    s.log->info("call_sid={} role=registry stream refused: {}", start.call_sid, to_string(d.refusal));
    return d;
  }
  call_record summary;
  summary.call_sid = start.call_sid;
  summary.stream_sid = start.stream_sid;
  summary.direction = start.direction;
  summary.from = start.from;
  summary.state = "live";
  summary.started_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  s.live[start.call_sid] = live_call{sender, std::move(summary)};
  s.metrics->admitted.inc();
  s.metrics->active.set(static_cast<double>(s.live.size()));
  s.log->info("call_sid={} role=registry admitted ({} live{})", start.call_sid, s.live.size(),
              reserved ? "" : ", no webhook reservation");
  if (auto amd = s.early_amd.find(start.call_sid); amd != s.early_amd.end()) {
    self->send(sender, amd_verdict{start.call_sid, amd->second.first});
    s.early_amd.erase(amd);
  }
  return d;
}

void on_ended(registry_actor* self, call_ended& msg) {
  auto& s = self->state;
  auto sid = msg.record.call_sid;
  bool was_live = s.live.erase(sid) > 0;
  s.ending.erase(sid);
  if (was_live && msg.record.ended_by) s.metrics->ended(*msg.record.ended_by).inc();
  s.metrics->active.set(static_cast<double>(s.live.size()));
  remember(s, std::move(msg.record));
  check_drained(s);
}

std::optional<end_reason> reason_of(const registry_state& s, const std::string& sid) {
  if (auto it = s.ending.find(sid); it != s.ending.end()) return it->second;
  for (const auto& r : s.recent)
    if (r.call_sid == sid) return r.ended_by;
  return std::nullopt;
}

void on_find(registry_actor* self, query_call& q) {
  auto& s = self->state;
  auto it = s.live.find(q.call_sid);
  if (it != s.live.end()) {
    auto reply = q.reply;
    auto sid = q.call_sid;
    self->request(it->second.session, caf::duration{std::chrono::seconds(2)}, get_record_atom::value)
      .then([reply](call_record& r) { reply(std::move(r)); },
            [self, reply, sid](caf::error&) {
              // The session ended (or is stuck) before it answered: its final record may
              // already be here, or arrive after this error; answer with what is known
              // rather than a 404 for a call that exists.
              auto& st = self->state;
              for (const auto& r : st.recent)
                if (r.call_sid == sid) return reply(r);
              if (auto live = st.live.find(sid); live != st.live.end()) return reply(live->second.summary);
              reply(std::nullopt);
            });
    return;
  }
  for (const auto& r : s.recent)
    if (r.call_sid == q.call_sid) return q.reply(r);
  q.reply(std::nullopt);
}

void on_kill(registry_actor* self, kill_call_child& k) {
  auto& s = self->state;
  auto it = s.live.find(k.call_sid);
  if (it == s.live.end()) return k.reply(false);
  auto reply = k.reply;
  self->request(it->second.session, caf::duration{std::chrono::seconds(2)}, kill_child_atom::value, k.role)
    .then([reply](bool ok) { reply(ok); }, [reply](caf::error&) { reply(false); });
}

void on_drain(registry_actor* self, begin_drain& d) {
  auto& s = self->state;
  s.draining = true;
  s.drain_waiters.push_back(std::move(d.done));
  s.log->info("role=registry draining: {} live calls, deadline {} ms", s.live.size(), d.deadline_ms);
  self->delayed_send(self, std::chrono::milliseconds(d.deadline_ms), drain_deadline_atom::value);
  check_drained(s);
}

void on_drain_deadline(registry_actor* self) {
  auto& s = self->state;
  if (s.live.empty()) return;
  s.log->warn("role=registry drain deadline passed with {} live calls; ending them", s.live.size());
  for (auto& [sid, call] : s.live) self->send(call.session, end_now_atom::value, end_reason::drain_deadline);
}

void sweep(registry_actor* self) {
  auto& s = self->state;
  auto now = steady_clock::now();
  std::erase_if(s.reservations, [&](const auto& kv) {
    if (kv.second.expires > now) return false;
    s.log->info("call_sid={} role=registry reservation expired (no stream arrived)", kv.first);
    return true;
  });
  std::erase_if(s.early_amd, [&](const auto& kv) { return kv.second.second + 60s < now; });
  self->delayed_send(self, 5s, sweep_atom::value);
}

caf::behavior call_registry(registry_actor* self, std::shared_ptr<const engine_config> cfg,
                            std::shared_ptr<call_metrics> metrics) {
  self->meter("registry");
  self->state.cfg = std::move(cfg);
  self->state.metrics = std::move(metrics);
  self->state.log = log::get("registry");
  self->state.outbound_lines = outbound_lines(*self->state.cfg);
  self->delayed_send(self, 5s, sweep_atom::value);
  return {
    [=](admit_call& m) { on_admit(self, m); },
    [=](register_atom, const stream_start& start) { return on_register(self, start); },
    [=](call_summary& m) {
      auto it = self->state.live.find(m.record.call_sid);
      if (it != self->state.live.end()) it->second.summary = std::move(m.record);
    },
    [=](const call_ending& m) { self->state.ending[m.call_sid] = m.reason; },
    [=](call_ended& m) { on_ended(self, m); },
    [=](query_after_stream& q) { q.reply(reason_of(self->state, q.call_sid)); },
    [=](query_calls& q) {
      std::vector<call_record> out;
      out.reserve(self->state.live.size() + self->state.recent.size());
      for (const auto& [sid, c] : self->state.live) out.push_back(c.summary);
      for (const auto& r : self->state.recent) {
        out.push_back(r);
        out.back().turns.clear();
      }
      q.reply(std::move(out));
    },
    [=](query_call& q) { on_find(self, q); },
    [=](kill_call_child& k) { on_kill(self, k); },
    [=](begin_drain& d) { on_drain(self, d); },
    [=](drain_deadline_atom) { on_drain_deadline(self); },
    [=](sweep_atom) { sweep(self); },
    [=](amd_verdict& v) {
      auto& st = self->state;
      if (auto it = st.live.find(v.call_sid); it != st.live.end()) return self->send(it->second.session, std::move(v));
      if (st.early_amd.size() < 1000) st.early_amd[v.call_sid] = {v.answered_by, steady_clock::now()};
    },
  };
}

} // namespace

caf::actor spawn_call_registry(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                               std::shared_ptr<call_metrics> metrics) {
  return sys.spawn(call_registry, std::move(cfg), std::move(metrics));
}

} // namespace ce::actors
