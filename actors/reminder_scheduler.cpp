#include "actors/reminder_scheduler.hpp"

#include "actors/common.hpp"
#include "actors/metered.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "providers/twilio/calls_client.hpp"
#include "runtime/shards.hpp"
#include "store/outbound_jobs.hpp"
#include "store/seed.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>

namespace ce::actors::scheduler_detail {
/// The REST client's answer for one attempt (sent from the shard).
struct rest_answer {
  std::int64_t job_id = 0;
  int attempt = 0;
  std::string kind;
  std::string call_sid;  ///< empty on failure
  std::string error;
  bool rate_limited = false;
  int retry_after_s = 0;
};

/// Twilio's answer to a status lookup (GET Calls/{sid}).
struct fetched_status {
  std::string call_sid;
  std::string status;       ///< empty on failure
  std::string answered_by;
  std::string error;
};

} // namespace ce::actors::scheduler_detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::scheduler_detail::rest_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::scheduler_detail::fetched_status)

namespace ce::actors {

reminders_mode reminders_mode_of(const engine_config& cfg) {
  const auto& r = cfg.reminders;
  if (!r.enabled) return {"off", "reminders.enabled is false"};
  std::string missing;
  if (cfg.twilio.account_sid.empty()) missing += " TWILIO_ACCOUNT_SID";
  if (cfg.twilio.auth_token.empty()) missing += " TWILIO_AUTH_TOKEN";
  if (cfg.twilio.from_number.empty()) missing += " TWILIO_FROM_NUMBER";
  if (!r.test_number.empty()) {
    if (!missing.empty()) return {"off", "test number set, but Twilio is not configured (missing" + missing + ")"};
    return {"test", "every outbound call goes to the test number " + r.test_number + " and nowhere else"};
  }
  if (r.live) {
    if (!missing.empty()) return {"off", "reminders.live, but Twilio is not configured (missing" + missing + ")"};
    return {"live", "calling customers' own numbers"};
  }
  return {"off", "jobs are created but nothing is dialled: set reminders.test_number (CE_REMINDER_TEST_NUMBER) "
                 "or reminders.live: true"};
}

int outbound_lines(const engine_config& cfg) {
  if (!reminders_mode_of(cfg).places_calls()) return 0;
  // at least one line always stays inbound
  return std::clamp(cfg.reminders.max_concurrent, 0, std::max(0, cfg.calls.max_concurrent_calls - 1));
}

namespace {

using namespace std::chrono_literals;
using tick_atom = caf::atom_constant<caf::atom("rtick")>;
using scheduler_detail::fetched_status;
using scheduler_detail::rest_answer;

struct scheduler_metrics {
  explicit scheduler_metrics(ce::metrics::registry& r)
    : registry(r),
      leader(r.get_gauge("ce_reminder_scheduler_leader", "1 while this node holds the scheduler lock")),
      next_run(r.get_gauge("ce_reminder_next_run_unix", "When the scheduler next creates the day's jobs (unix s)")),
      live(r.get_gauge("ce_reminder_live_attempts", "Outbound attempts placed and not ended (all nodes)")),
      rest_failures(r.get_counter("ce_reminder_rest_failures_total", "Twilio REST create-call requests that failed")),
      rate_limited(r.get_counter("ce_reminder_rate_limited_total", "Create-call requests Twilio answered 429")) {}
  ce::metrics::counter& placed(const std::string& kind) {
    return registry.get_counter("ce_reminder_calls_placed_total", "Outbound calls Twilio accepted, by job kind",
                                {{"kind", kind}});
  }
  ce::metrics::counter& amd(const std::string& answered_by) {
    return registry.get_counter("ce_reminder_amd_total", "Answering-machine detection results",
                                {{"answered_by", answered_by}});
  }
  ce::metrics::counter& status(const std::string& st) {
    return registry.get_counter("ce_reminder_call_status_total", "Twilio status callbacks of outbound calls",
                                {{"status", st}});
  }
  ce::metrics::gauge& jobs(const std::string& state) {
    return registry.get_gauge("ce_reminder_jobs", "Outbound jobs by state", {{"state", state}});
  }
  ce::metrics::counter& fetched(const std::string& st) {
    return registry.get_counter("ce_reminder_status_fetched_total",
                                "Final statuses of outbound calls looked up on Twilio (their callback never came)",
                                {{"status", st}});
  }
  ce::metrics::gauge& outcomes(const std::string& outcome) {
    return registry.get_gauge("ce_reminder_job_outcomes", "Outbound jobs by outcome", {{"outcome", outcome}});
  }
  ce::metrics::registry& registry;
  ce::metrics::gauge& leader;
  ce::metrics::gauge& next_run;
  ce::metrics::gauge& live;
  ce::metrics::counter& rest_failures;
  ce::metrics::counter& rate_limited;
};

struct scheduler_state {
  std::shared_ptr<const engine_config> cfg;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<scheduler_metrics> m;
  std::unique_ptr<store::pg_connection> db;
  std::shared_ptr<twilio_rest::calls_client> client;  ///< lives on the shard
  runtime::shard* shard = nullptr;
  std::shared_ptr<shop_date> today;
  store::calling_rules rules;
  reminders_mode mode;
  std::string node;
  std::optional<std::string> test_number;
  int run_at_minute = 9 * 60;
  bool leader = false;
  bool told_follower = false;
  std::string created_day;  ///< the shop day whose jobs this node created (or found created)
  double tokens = 0;        ///< calls that may be placed now (refilled at calls_per_second)
  steady_clock::time_point refilled;
  steady_clock::time_point counted;
  steady_clock::time_point status_checked;
  /// When each open call was last looked up on Twilio (pruned as calls end).
  std::unordered_map<std::string, steady_clock::time_point> looked_up;
  bool db_down_logged = false;
  static inline const char* name = "reminder_scheduler";
};

using scheduler_actor = metered<scheduler_state>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int minute_of(const std::string& hhmm) { return std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2)); }

store::calling_rules rules_of(const engine_config& cfg) {
  store::calling_rules r;
  r.time_zone = cfg.dealership.timezone;
  r.window_start_minute = minute_of(cfg.reminders.window_start);
  r.window_end_minute = minute_of(cfg.reminders.window_end);
  r.retry_gaps_minutes = cfg.reminders.retry_gaps_minutes;
  r.max_attempts = cfg.reminders.max_attempts;
  r.followup_after_days = cfg.reminders.followup_after_days;
  r.max_live = outbound_lines(cfg) > 0 ? outbound_lines(cfg) : cfg.reminders.max_concurrent;
  static constexpr const char* days[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  for (int d = 0; d < 7; ++d) {
    bool open = false;
    for (const auto& h : cfg.dealership.hours)
      if (h.day == days[d] && !h.open.empty()) open = true;
    if (!open && !cfg.dealership.hours.empty() && !cfg.reminders.call_on_closed_days) r.closed_weekdays.push_back(d);
  }
  return r;
}

std::string base_url(const engine_config& cfg) {
  auto b = cfg.server.public_base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

void update_counts(scheduler_actor* self) {
  auto& s = self->state;
  auto counts = store::count_jobs(*s.db);
  if (!counts) return;
  for (const char* st : {"pending", "claimed", "calling", "done", "failed", "cancelled"}) s.m->jobs(st).set(0);
  for (const auto& [st, n] : counts->by_state) s.m->jobs(st).set(static_cast<double>(n));
  for (const auto& [o, n] : counts->by_outcome) s.m->outcomes(o).set(static_cast<double>(n));
  s.m->live.set(static_cast<double>(counts->live_attempts));
}

/// Creates today's jobs once it is past run_at (idempotent in the store, so a restart or a
/// second node creates nothing twice).
void create_jobs_if_due(scheduler_actor* self, const store::shop_clock& clock, std::int64_t now) {
  auto& s = self->state;
  if (clock.minute < s.run_at_minute) {
    s.m->next_run.set(static_cast<double>(now + (s.run_at_minute - clock.minute) * 60));
    return;
  }
  s.m->next_run.set(static_cast<double>(now + (24 * 60 - clock.minute + s.run_at_minute) * 60));
  if (s.created_day == clock.day) return;
  if (auto done = store::day_jobs_created(*s.db, clock.day); done && *done) {
    s.created_day = clock.day;
    s.log->info("role=reminder_scheduler jobs of {} were created already", clock.day);
    return;
  }
  auto report = store::create_day_jobs(*s.db, clock.day, now, s.rules, s.node);
  if (!report) {
    s.log->warn("role=reminder_scheduler creating the jobs of {} failed: {}", clock.day, report.error().message);
    return;
  }
  s.created_day = clock.day;
  s.log->info("role=reminder_scheduler jobs of {}: {} reminders and {} follow-ups created", clock.day,
              report->reminders, report->followups);
}

void place(scheduler_actor* self, const store::claimed_job& job) {
  auto& s = self->state;
  // the safety rule, checked again right where the number is used
  if (s.test_number && job.dial != *s.test_number) {
    s.log->error("role=reminder_scheduler job {} would dial another number than the test number; not placed",
                 job.job_id);
    (void)store::attempt_not_placed(*s.db, job.job_id, job.attempt, "refused: test mode dials only the test number",
                                    unix_now(), s.rules);
    return;
  }
  outbound_job_ref ref{job.job_id, job.attempt, std::string{store::to_string(job.kind)}};
  auto tag = format_outbound_job(ref);
  auto base = base_url(*s.cfg);
  twilio_rest::outbound_call call;
  call.to = job.dial;
  call.from = s.cfg->twilio.from_number;
  call.url = base + "/twilio/voice?job=" + tag;
  call.status_callback = base + "/twilio/call-status?job=" + tag;
  call.amd_callback = base + "/twilio/amd-status?job=" + tag;
  call.timeout_s = s.cfg->twilio.ring_timeout_s;
  s.log->info("role=reminder_scheduler placing {} job {} attempt {}{}", tag.substr(tag.rfind('/') + 1), job.job_id,
              job.attempt, s.test_number ? " (to the test number)" : "");
  caf::actor me = caf::actor_cast<caf::actor>(self);
  s.client->place(std::move(call), [me, job_id = job.job_id, attempt = job.attempt, kind = ref.kind](
                                     http::result<twilio_rest::created_call> r) {
    rest_answer a{job_id, attempt, kind, {}, {}, false, 0};
    if (r) {
      a.call_sid = r->sid;
    } else {
      a.error = r.error().describe();
      a.rate_limited = r.error().code == http::provider_errc::rate_limited;
      if (r.error().retry_after)
        a.retry_after_s = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(*r.error().retry_after).count());
    }
    caf::anon_send(me, std::move(a));
  });
}

void on_answer(scheduler_actor* self, const rest_answer& a) {
  auto& s = self->state;
  auto now = unix_now();
  if (!a.call_sid.empty()) {
    s.m->placed(a.kind).inc();
    auto st = store::attempt_placed(*s.db, a.job_id, a.attempt, a.call_sid);
    if (!st && st.error().code != store::store_errc::not_found)
      s.log->warn("call_sid={} role=reminder_scheduler recording the placed call failed: {}", a.call_sid,
                  st.error().message);
    s.log->info("call_sid={} role=reminder_scheduler job {} attempt {} placed", a.call_sid, a.job_id, a.attempt);
    return;
  }
  if (a.rate_limited) {
    s.m->rate_limited.inc();
    s.tokens = 0;  // slow down: nothing more this second
    auto st = store::attempt_withdrawn(*s.db, a.job_id, a.attempt, now, std::max(a.retry_after_s, 5));
    s.log->warn("role=reminder_scheduler job {}: Twilio answered 429; tried again later{}", a.job_id,
                st ? "" : " (" + st.error().message + ")");
    return;
  }
  s.m->rest_failures.inc();
  auto st = store::attempt_not_placed(*s.db, a.job_id, a.attempt, a.error, now, s.rules);
  s.log->warn("role=reminder_scheduler job {} attempt {} not placed: {}{}", a.job_id, a.attempt, a.error,
              st ? "" : " (recording it failed: " + st.error().message + ")");
}

void on_callback(scheduler_actor* self, const outbound_call_event& ev) {
  auto& s = self->state;
  auto now = unix_now();
  if (!ev.answered_by.empty()) s.m->amd(ev.answered_by).inc();
  if (!ev.call_status.empty()) s.m->status(ev.call_status).inc();
  // a callback may overtake the REST answer (or outlive the node that placed the call):
  // the URL says which attempt it is
  if (ev.job) (void)store::attempt_placed(*s.db, ev.job->job_id, ev.job->attempt, ev.call_sid);
  std::optional<std::string> answered_by;
  if (!ev.answered_by.empty()) answered_by = ev.answered_by;
  auto known = store::attempt_status(*s.db, ev.call_sid, ev.call_status, answered_by, now, s.rules);
  if (!known) {
    s.log->warn("call_sid={} role=reminder_scheduler callback {} not recorded: {}", ev.call_sid,
                ev.call_status.empty() ? "amd " + ev.answered_by : ev.call_status, known.error().message);
    return;
  }
  s.log->info("call_sid={} role=reminder_scheduler {} {}{}", ev.call_sid,
              ev.call_status.empty() ? "answered by" : "status", ev.call_status.empty() ? ev.answered_by : ev.call_status,
              *known ? "" : " (no open attempt: a duplicate or another engine's call)");
}

/// Looks up on Twilio the calls that were placed a while ago and are still open here: a
/// final status callback may have been lost (or sent to a node that is gone). Each call is
/// looked up at most once per `status_check_after_s`; a handful per pass.
void check_open_calls(scheduler_actor* self, std::int64_t now) {
  auto& s = self->state;
  const auto after = std::chrono::seconds(s.cfg->reminders.status_check_after_s);
  const auto now_steady = steady_clock::now();
  if (now_steady - s.status_checked < std::min<steady_clock::duration>(after, 5s)) return;
  s.status_checked = now_steady;
  auto open = store::open_calls_placed_before(*s.db, now - s.cfg->reminders.status_check_after_s, 20);
  if (!open) {
    s.log->warn("role=reminder_scheduler listing open calls failed: {}", open.error().message);
    return;
  }
  std::erase_if(s.looked_up, [&](const auto& kv) { return std::find(open->begin(), open->end(), kv.first) == open->end(); });
  caf::actor me = caf::actor_cast<caf::actor>(self);
  int asked = 0;
  for (const auto& sid : *open) {
    auto it = s.looked_up.find(sid);
    if (it != s.looked_up.end() && now_steady - it->second < after) continue;
    if (++asked > 5) break;
    s.looked_up[sid] = now_steady;
    s.client->fetch(sid, [me, sid](http::result<twilio_rest::created_call> r) {
      fetched_status f{sid, {}, {}, {}};
      if (r) {
        f.status = r->status;
        f.answered_by = r->answered_by;
      } else {
        f.error = r.error().describe();
      }
      caf::anon_send(me, std::move(f));
    });
  }
}

void on_fetched(scheduler_actor* self, const fetched_status& f) {
  auto& s = self->state;
  if (f.status.empty()) {
    s.log->warn("call_sid={} role=reminder_scheduler looking the call up on Twilio failed: {}", f.call_sid, f.error);
    return;
  }
  if (!store::is_final_call_status(f.status)) {
    s.log->debug("call_sid={} role=reminder_scheduler still {} on Twilio", f.call_sid, f.status);
    return;
  }
  std::optional<std::string> answered_by;
  if (!f.answered_by.empty()) answered_by = f.answered_by;
  auto known = store::attempt_status(*s.db, f.call_sid, f.status, answered_by, unix_now(), s.rules);
  if (!known) {
    s.log->warn("call_sid={} role=reminder_scheduler final status {} from Twilio not recorded: {}", f.call_sid, f.status,
                known.error().message);
    return;
  }
  if (!*known) return;  // its callback arrived meanwhile
  s.m->fetched(f.status).inc();
  s.log->info("call_sid={} role=reminder_scheduler status {} looked up on Twilio (its final callback never came)",
              f.call_sid, f.status);
}

void tick(scheduler_actor* self) {
  auto& s = self->state;
  self->delayed_send(self, std::chrono::milliseconds(s.cfg->reminders.tick_ms), tick_atom::value);
  auto now_steady = steady_clock::now();
  const double burst = std::max(1.0, s.cfg->reminders.calls_per_second);
  s.tokens = std::min(burst, s.tokens + s.cfg->reminders.calls_per_second *
                                          std::chrono::duration<double>(now_steady - s.refilled).count());
  s.refilled = now_steady;
  if (auto c = s.db->connect(); !c) {
    if (!s.db_down_logged) s.log->warn("role=reminder_scheduler PostgreSQL unreachable: {}", c.error().message);
    s.db_down_logged = true;
    s.leader = false;
    s.m->leader.set(0);
    return;
  }
  s.db_down_logged = false;
  if (now_steady - s.counted > 10s) {
    s.counted = now_steady;
    update_counts(self);
  }
  auto now = unix_now();
  auto clock = store::shop_clock_at(*s.db, now, s.rules.time_zone);
  if (clock && s.today) s.today->set(clock->day);
  auto holds = s.leader ? store::holds_scheduler_lock(*s.db) : store::try_scheduler_lock(*s.db);
  bool was_leader = s.leader;
  s.leader = holds && *holds;
  s.m->leader.set(s.leader ? 1 : 0);
  if (s.leader != was_leader || (!s.leader && !s.told_follower)) {
    s.told_follower = !s.leader;
    s.log->info("role=reminder_scheduler {}", s.leader ? "this node schedules outbound calls (it holds the lock)"
                                                       : "another node schedules outbound calls; this one records callbacks");
  }
  if (!s.leader || !clock) return;
  create_jobs_if_due(self, *clock, now);
  if (!s.mode.places_calls() || !s.client) return;
  check_open_calls(self, now);
  int budget = static_cast<int>(std::floor(s.tokens));
  if (budget <= 0) return;
  auto claimed = store::claim_due_jobs(*s.db, s.node, budget, now, s.rules, s.test_number);
  if (!claimed) {
    s.log->warn("role=reminder_scheduler claiming due jobs failed: {}", claimed.error().message);
    return;
  }
  s.tokens -= static_cast<double>(claimed->size());
  for (const auto& job : *claimed) place(self, job);
}

caf::behavior reminder_scheduler(scheduler_actor* self, std::shared_ptr<const engine_config> cfg,
                                 ce::metrics::registry* metrics, runtime::shard* shard, std::shared_ptr<shop_date> today) {
  self->meter("reminder_scheduler");
  auto& s = self->state;
  s.cfg = std::move(cfg);
  s.log = log::get("reminders");
  s.m = std::make_unique<scheduler_metrics>(*metrics);
  s.shard = shard;
  s.today = std::move(today);
  s.rules = rules_of(*s.cfg);
  s.mode = reminders_mode_of(*s.cfg);
  s.run_at_minute = minute_of(s.cfg->reminders.run_at);
  s.node = node_name();
  if (s.mode.mode == "test") s.test_number = s.cfg->reminders.test_number;
  store::pg_options o;
  o.url = store::effective_database_url(s.cfg->store);
  o.application_name = "callengine-reminders";
  o.connect_timeout_ms = 2000;
  s.db = std::make_unique<store::pg_connection>(o);
  if (s.mode.places_calls() && shard) {
    twilio_rest::calls_options co;
    co.api_base = s.cfg->twilio.api_base;
    co.account_sid = s.cfg->twilio.account_sid;
    co.auth_token = s.cfg->twilio.auth_token;
    s.client = std::make_shared<twilio_rest::calls_client>(shard->io(), co);
  }
  s.refilled = steady_clock::now();
  s.log->info("reminders: mode {}: {}; window {}-{} ({}), jobs created at {}, at most {} calls/s and {} at once",
              s.mode.mode, s.mode.detail, s.cfg->reminders.window_start, s.cfg->reminders.window_end,
              s.rules.time_zone, s.cfg->reminders.run_at, s.cfg->reminders.calls_per_second, s.rules.max_live);
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) { tick(self); },
    [=](const rest_answer& a) { on_answer(self, a); },
    [=](const fetched_status& f) { on_fetched(self, f); },
    [=](const outbound_callback& c) { on_callback(self, c.event); },
  };
}

} // namespace

caf::actor spawn_reminder_scheduler(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                    ce::metrics::registry& metrics, runtime::shard* rest_shard,
                                    std::shared_ptr<shop_date> today) {
  return sys.spawn<caf::detached>(reminder_scheduler, std::move(cfg), &metrics, rest_shard, std::move(today));
}

} // namespace ce::actors
