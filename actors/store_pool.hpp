// store_pool: the detached workers that talk to PostgreSQL and Redis for calls: they run
// tool calls (src/tools, docs/tools.md) and write session snapshots. libpq and hiredis
// block, so each worker is a detached actor with its own connections; the pool hands
// requests out round robin. A lost connection is re-established on the next request
// (with backoff inside the store); meanwhile tools answer "unavailable" and snapshots are
// skipped (counted): calls go on without the database or the cache.
//
// Lifetime: process-wide, spawned by the engine, stopped after the drain.
#pragma once

#include "actors/services.hpp"
#include "tools/caller_context.hpp"
#include "tools/executor.hpp"

#include <caf/all.hpp>

#include <optional>
#include <string>

namespace ce::calendar {
class google_calendar;
}

namespace ce::actors {

/// tools -> pool, request; the reply is a tool_ran.
struct run_tool {
  tools::caller_context context;
  std::string name;
  std::string arguments_json;
};
struct tool_ran {
  tools::caller_context context;  ///< updated (verification, ownership learned)
  tools::tool_outcome outcome;
  std::int64_t elapsed_us = 0;
};

/// call_session -> pool, fire and forget: `session:{call_sid}` in Redis.
struct session_snapshot {
  std::string call_sid;
  std::string state;  ///< greeting, listening, speaking, ending
  int turn_count = 0;
  std::optional<std::int64_t> customer_id;
  bool verified = false;
  std::string last_caller_text;
  std::int64_t started_unix_ms = 0;
};

/// The shop calendar, when Google is configured: its busy blocks remove offered slots
/// (`google`), and booked / moved / cancelled appointments are sent to `mirror`
/// (calendar_mirror.hpp) without waiting.
struct calendar_link {
  std::shared_ptr<calendar::google_calendar> google;
  caf::actor mirror;
};

caf::actor spawn_store_pool(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                            ce::metrics::registry& metrics, calendar_link calendar = {});

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::run_tool)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::tool_ran)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::session_snapshot)
