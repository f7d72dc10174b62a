// call_log_writer: writes every ended call (call log + per-turn transcript) to PostgreSQL.
//
// Lifetime: process-wide, a detached actor (libpq blocks) with its own connection, spawned
// by the engine at start and stopped after the drain. Nothing is lost when PostgreSQL is
// down: records wait in a bounded queue (overflow drops the oldest, counted) and are
// retried with backoff; writes are idempotent upserts, so a retry never duplicates.
#pragma once

#include "actors/services.hpp"
#include "callengine/call.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <optional>

namespace ce::actors {

/// A finished call to persist (sent by call_session).
struct persist_call {
  call_record record;
  std::optional<std::int64_t> customer_id;
};

/// Request: answers `true` once every queued call log is written (shutdown waits for it,
/// with its own deadline).
using flush_atom = caf::atom_constant<caf::atom("flush")>;

caf::actor spawn_call_log_writer(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                 ce::metrics::registry& metrics);

} // namespace ce::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ce::actors::persist_call)
