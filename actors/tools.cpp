#include "actors/tools.hpp"

#include "actors/call_session.hpp"
#include "actors/common.hpp"
#include "actors/metered.hpp"
#include "actors/store_pool.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <deque>

namespace ce::actors {
namespace {

using namespace std::chrono_literals;

struct queued_call {
  tool_call call;
  caf::actor reply_to;
};

struct tools_state {
  engine_services services;
  caf::actor session;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::uint64_t generation = 0;
  tools::caller_context context;
  std::optional<std::int64_t> reported_customer;
  bool reported_verified = false;
  std::deque<queued_call> queue;  // one tool at a time: each sees the context the last one left
  bool busy = false;
  static inline const char* name = "tools";
};
using tools_actor = metered<tools_state>;

void run_next(tools_actor* self);

std::string error_result(const std::string& code, const std::string& message) {
  return nlohmann::json{{"ok", false}, {"error", code}, {"message", message}}.dump();
}

/// end_call and transfer_to_human need no database: they work with PostgreSQL down.
std::optional<std::string> run_control(tools_actor* self, const tool_call& call) {
  std::optional<end_reason> why;
  if (call.name == "transfer_to_human") why = end_reason::transfer;
  if (call.name == "end_call") why = end_reason::agent_hangup;
  if (!why) return std::nullopt;
  auto args = nlohmann::json::parse(call.arguments_json.empty() ? "{}" : call.arguments_json, nullptr, false);
  auto reason = args.is_object() ? args.value("reason", std::string{}) : std::string{};
  self->state.log->info("call_sid={} role=tools turn={} {} (reason: {})", self->state.sid, call.generation, call.name,
                        reason.empty() ? "-" : reason);
  self->send(self->state.session, call_control{call.generation, *why});
  return nlohmann::json{{"ok", true}}.dump();
}

void report_identity(tools_actor* self) {
  auto& s = self->state;
  if (!s.context.customer_id) return;
  if (s.reported_customer == s.context.customer_id && s.reported_verified == s.context.verified) return;
  s.reported_customer = s.context.customer_id;
  s.reported_verified = s.context.verified;
  self->send(s.session, caller_identified{*s.context.customer_id, s.context.verified});
}

void finish(tools_actor* self, const queued_call& q, std::string result) {
  self->send(q.reply_to, tool_result{q.call.generation, q.call.id, std::move(result)});
  self->state.busy = false;
  run_next(self);
}

void run_next(tools_actor* self) {
  auto& s = self->state;
  while (!s.busy && !s.queue.empty()) {
    auto q = std::move(s.queue.front());
    s.queue.pop_front();
    if (q.call.generation < s.generation) {
      s.services.metrics->stale_dropped.inc();
      s.log->info("call_sid={} role=tools dropped {} of interrupted turn {}", s.sid, q.call.name, q.call.generation);
      continue;
    }
    if (auto r = run_control(self, q.call)) {
      self->send(q.reply_to, tool_result{q.call.generation, q.call.id, std::move(*r)});
      continue;
    }
    s.busy = true;
    s.log->debug("call_sid={} role=tools turn={} running {} {}", s.sid, q.call.generation, q.call.name, q.call.arguments_json);
    self->request(s.services.store_pool, caf::duration{10s}, run_tool{s.context, q.call.name, q.call.arguments_json})
      .then(
        [=](tool_ran& r) {
          auto& st = self->state;
          st.context = std::move(r.context);
          report_identity(self);
          st.log->info("call_sid={} role=tools turn={} {} -> {} ({} us)", st.sid, q.call.generation, q.call.name,
                       r.outcome.error.empty() ? "ok" : r.outcome.error, r.elapsed_us);
          finish(self, q, std::move(r.outcome.result_json));
        },
        [=](caf::error& e) {
          self->state.log->warn("call_sid={} role=tools {} got no answer from the store workers: {}", self->state.sid,
                                q.call.name, self->system().render(e));
          finish(self, q, error_result("unavailable", "The scheduling system is unreachable right now."));
        });
  }
}

caf::behavior tools(tools_actor* self, engine_services services, caf::actor session, tools_setup setup) {
  self->meter("tools");
  auto& s = self->state;
  s.services = std::move(services);
  s.session = std::move(session);
  s.sid = setup.call_sid;
  s.log = log::get("tools");
  s.context.call_sid = setup.call_sid;
  s.context.caller_phone = setup.caller_number;
  if (setup.job) {
    s.context.job_id = setup.job->job_id;
    s.context.job_attempt = setup.job->attempt;
  }
  return {
    [=](tool_call& call) {
      auto& st = self->state;
      if (call.generation < st.generation) {
        st.services.metrics->stale_dropped.inc();
        st.log->info("call_sid={} role=tools dropped {} of interrupted turn {}", st.sid, call.name, call.generation);
        return;
      }
      st.generation = call.generation;
      if (st.queue.size() >= 16) {
        st.log->warn("call_sid={} role=tools {} tool calls queued; refusing {}", st.sid, st.queue.size(), call.name);
        self->send(caf::actor_cast<caf::actor>(self->current_sender()),
                   tool_result{call.generation, call.id, error_result("unavailable", "Too many tool calls at once.")});
        return;
      }
      st.queue.push_back(queued_call{std::move(call), caf::actor_cast<caf::actor>(self->current_sender())});
      run_next(self);
    },
    [=](interrupt_atom, std::uint64_t g) { self->state.generation = std::max(self->state.generation, g); },
  };
}

} // namespace

caf::actor spawn_tools(caf::actor_system& sys, const engine_services& services, caf::actor session, tools_setup setup) {
  return sys.spawn(tools, services, std::move(session), std::move(setup));
}

} // namespace ce::actors
