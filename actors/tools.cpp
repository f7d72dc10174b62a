#include "actors/tools.hpp"

#include "actors/call_session.hpp"
#include "actors/common.hpp"
#include "actors/metered.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"

#include <nlohmann/json.hpp>

namespace ce::actors {
namespace {

struct tools_state {
  engine_services services;
  caf::actor session;
  std::string sid;
  std::shared_ptr<spdlog::logger> log;
  std::uint64_t generation = 0;
  static inline const char* name = "tools";
};
using tools_actor = metered<tools_state>;

std::string error_result(const std::string& message) {
  return nlohmann::json{{"ok", false}, {"error", message}}.dump();
}

/// Parses the arguments as a JSON object; the LLM may send anything.
std::optional<nlohmann::json> parse_arguments(const std::string& text, std::string& error) {
  auto j = nlohmann::json::parse(text.empty() ? "{}" : text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "arguments must be a JSON object";
    return std::nullopt;
  }
  return j;
}

std::string run_control(tools_actor* self, const tool_call& call, end_reason why) {
  std::string error;
  auto args = parse_arguments(call.arguments_json, error);
  if (!args) return error_result(error);
  auto reason = args->value("reason", std::string{});
  self->state.log->info("call_sid={} role=tools turn={} {} (reason: {})", self->state.sid, call.generation, call.name,
                        reason.empty() ? "-" : reason);
  self->send(self->state.session, call_control{call.generation, why});
  return nlohmann::json{{"ok", true}}.dump();
}

std::string run(tools_actor* self, const tool_call& call) {
  if (call.name == "transfer_to_human") return run_control(self, call, end_reason::transfer);
  if (call.name == "end_call") return run_control(self, call, end_reason::agent_hangup);
  self->state.log->warn("call_sid={} role=tools unknown tool '{}'", self->state.sid, call.name);
  return error_result("unknown tool: " + call.name);
}

caf::behavior tools(tools_actor* self, engine_services services, caf::actor session, std::string sid) {
  self->meter("tools");
  auto& s = self->state;
  s.services = std::move(services);
  s.session = std::move(session);
  s.sid = std::move(sid);
  s.log = log::get("tools");
  return {
    [=](const tool_call& call) {
      auto& st = self->state;
      if (call.generation < st.generation) {
        st.services.metrics->stale_dropped.inc();
        st.log->info("call_sid={} role=tools dropped {} of interrupted turn {}", st.sid, call.name, call.generation);
        return;
      }
      st.generation = call.generation;
      auto result = run(self, call);
      self->send(caf::actor_cast<caf::actor>(self->current_sender()), tool_result{call.generation, call.id, std::move(result)});
    },
    [=](interrupt_atom, std::uint64_t g) { self->state.generation = std::max(self->state.generation, g); },
  };
}

} // namespace

caf::actor spawn_tools(caf::actor_system& sys, const engine_services& services, caf::actor session,
                       std::string call_sid) {
  return sys.spawn(tools, services, std::move(session), std::move(call_sid));
}

} // namespace ce::actors
