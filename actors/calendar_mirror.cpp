#include "actors/calendar_mirror.hpp"

#include "actors/metered.hpp"
#include "calendar/calendar_mirror.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "store/seed.hpp"

namespace ce::actors {
namespace {

using tick_atom = caf::atom_constant<caf::atom("mtick")>;
using reconcile_atom = caf::atom_constant<caf::atom("reconcile")>;
constexpr std::size_t per_turn = 20;  // appointments mirrored per handler, then yield

struct mirror_state {
  std::unique_ptr<calendar::calendar_mirror> core;
  std::chrono::seconds reconcile_every{300};
  bool timer_pending = false;
  calendar::calendar_mirror::clock::time_point timer_at{};
  std::uint64_t dropped_at_reconcile = 0;
  static inline const char* name = "calendar_mirror";
};
using mirror_actor = metered<mirror_state>;

void pump(mirror_actor* self) {
  auto& s = self->state;
  using clock = calendar::calendar_mirror::clock;
  auto tried = s.core->run_due(clock::now(), per_turn);
  if (tried >= per_turn) {
    self->send(self, tick_atom::value);  // more due: let other messages in first
    return;
  }
  // Notifications were refused while the queue was full: look for them once it has room.
  if (s.core->counts().dropped != s.dropped_at_reconcile && s.core->depth() == 0) {
    s.dropped_at_reconcile = s.core->counts().dropped;
    if (auto added = s.core->reconcile(); added && *added > 0) {
      self->send(self, tick_atom::value);
      return;
    }
  }
  auto next = s.core->next_due();
  if (!next || (s.timer_pending && s.timer_at <= *next)) return;
  auto wait = std::max(clock::duration::zero(), *next - clock::now());
  s.timer_pending = true;
  s.timer_at = *next;
  self->delayed_send(self, std::chrono::duration_cast<std::chrono::milliseconds>(wait) + std::chrono::milliseconds(1),
                     tick_atom::value);
}

caf::behavior calendar_mirror(mirror_actor* self, std::shared_ptr<const engine_config> cfg,
                              std::shared_ptr<calendar::google_calendar> google, ce::metrics::registry* metrics) {
  self->meter("calendar_mirror");
  auto& s = self->state;
  store::pg_options pg;
  pg.url = store::effective_database_url(cfg->store);
  pg.application_name = "callengine-calendar";
  pg.connect_timeout_ms = 2000;
  calendar::mirror_options o;
  o.max_queue = cfg->google.mirror_queue;
  o.max_attempts = cfg->google.mirror_max_attempts;
  o.horizon_days = cfg->google.mirror_horizon_days;
  o.time_zone = cfg->dealership.timezone;
  o.shop_name = cfg->dealership.name;
  for (const auto& svc : cfg->dealership.services) o.service_names[svc.id] = svc.name;
  s.core = std::make_unique<calendar::calendar_mirror>(store::pg_connection{pg}, std::move(google), std::move(o), metrics);
  s.reconcile_every = std::chrono::seconds(cfg->google.reconcile_interval_s);
  self->send(self, reconcile_atom::value);
  return {
    [=](const calendar_changed& c) {
      self->state.core->enqueue(c.appointment_id, c.call_sid);
      pump(self);
    },
    [=](tick_atom) {
      self->state.timer_pending = false;
      pump(self);
    },
    [=](reconcile_atom) {
      auto& st = self->state;
      st.dropped_at_reconcile = st.core->counts().dropped;
      st.core->reconcile();
      self->delayed_send(self, st.reconcile_every, reconcile_atom::value);
      pump(self);
    },
  };
}

} // namespace

caf::actor spawn_calendar_mirror(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                 std::shared_ptr<calendar::google_calendar> google, ce::metrics::registry& metrics) {
  return sys.spawn<caf::detached>(calendar_mirror, std::move(cfg), std::move(google), &metrics);
}

} // namespace ce::actors
