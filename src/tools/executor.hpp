// Runs one tool call of docs/tools.md against the dealership store, for one call's
// caller_context: validates the arguments, applies the caller scope, executes, and answers
// with the contract's result JSON. Never throws: every failure is an {"ok":false,...}
// result, and the call goes on.
//
// Blocking (PostgreSQL, Redis): runs where the store runs, in a detached worker.
#pragma once

#include "callengine/config.hpp"
#include "store/cache.hpp"
#include "store/dealership_store.hpp"
#include "tools/caller_context.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::tools {

/// What the engine does after playing the current turn (end_call, transfer_to_human).
struct control_request {
  enum class action { end_call, transfer_to_human };
  action what = action::end_call;
  std::string reason;  ///< as the agent gave it, for the call log
};

/// What one tool call did to the customer cache (for the hit-rate metric).
struct cache_stats {
  std::int64_t hits = 0;
  std::int64_t misses = 0;
  std::int64_t errors = 0;  ///< Redis unreachable or failing: the call went on without it
};

struct tool_outcome {
  std::string result_json;                 ///< {"ok":true,...} or {"ok":false,"error",...}
  std::optional<control_request> control;  ///< set by end_call and transfer_to_human
  std::string error;                       ///< the result's error code; "" on success
  /// For the call's log line, never for the caller: the store error behind a failure
  /// (e.g. "store unavailable: connection refused"); "" when none.
  std::string detail;
  cache_stats cache;
  /// Appointments this call booked, moved or cancelled (the engine mirrors them to the shop
  /// calendar off the call path).
  std::vector<std::int64_t> changed_appointments;
};

/// [start_unix, end_unix) when the shop calendar is busy (e.g. a bay closed, a staff meeting).
struct busy_period {
  std::int64_t start_unix = 0;
  std::int64_t end_unix = 0;
};
/// The shop calendar's busy periods overlapping [from_unix, to_unix) for the call
/// `call_sid`; nullopt when unknown (Google unreachable or slow): slots then come from
/// PostgreSQL alone. `may_wait` false: answer from what is cached only, never wait for
/// Google (a booking must not be delayed by it).
using busy_fn = std::function<std::optional<std::vector<busy_period>>(
  std::int64_t from_unix, std::int64_t to_unix, const std::string& call_sid, bool may_wait)>;

using clock_fn = std::function<std::chrono::system_clock::time_point()>;

struct tool_env {
  store::dealership_store& store;
  /// nullptr: no Redis (absent or not configured); lookups go to PostgreSQL only.
  store::customer_cache* cache = nullptr;
  const dealership_facts& facts;
  /// "Now" for past-time checks and offered slots; tests pin it. Converted to the
  /// dealership's local time by PostgreSQL (facts.timezone).
  clock_fn now = [] { return std::chrono::system_clock::now(); };
  /// Set when Google Calendar is configured: its busy periods remove offered slots.
  busy_fn calendar_busy{};
};

/// Executes tool `name` with `arguments_json` (a JSON object; "" counts as {}).
tool_outcome execute(tool_env& env, caller_context& ctx, std::string_view name, std::string_view arguments_json);

} // namespace ce::tools
