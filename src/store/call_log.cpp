// Call logs and per-turn transcripts: one transaction of two upserts, so a retry after an
// outage rewrites the same rows and never duplicates a call or a turn.
#include "store/dealership_store.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace ce::store {

status dealership_store::write_call_log(const call_record& call, std::optional<std::int64_t> customer_id) {
  if (call.call_sid.empty() || call.call_sid.size() > 64)
    return make_error(store_errc::invalid, "a call log needs a call_sid of at most 64 characters");
  nlohmann::json turns = nlohmann::json::array();
  std::set<int> indexes;
  for (const auto& t : call.turns) {
    if (!indexes.insert(t.index).second)
      return make_error(store_errc::invalid, "turn " + std::to_string(t.index) + " appears twice");
    if (t.speaker != "caller" && t.speaker != "agent")
      return make_error(store_errc::invalid, "turn " + std::to_string(t.index) + ": speaker must be caller or agent");
    if (t.index < 0) return make_error(store_errc::invalid, "turn indexes start at 0");
    turns.push_back({{"turn_index", t.index},
                     {"speaker", t.speaker},
                     {"text", t.text},
                     {"heard", t.heard},
                     {"interrupted", t.interrupted},
                     {"latency_ms", t.latency_ms < 0 ? nlohmann::json(nullptr) : nlohmann::json(t.latency_ms)},
                     {"at_ms", t.at_ms}});
  }
  std::optional<std::string> reason;
  if (call.ended_by) reason = std::string{to_string(*call.ended_by)};

  pg_transaction tx{conn_};
  if (auto b = tx.begin(); !b) return b;
  auto log = conn_.exec(
    "INSERT INTO call_logs (call_sid, stream_sid, direction, from_number, customer_id, started_at, duration_ms,"
    " end_reason, barge_ins, child_restarts)"
    " VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000), $7, $8, $9, $10)"
    " ON CONFLICT (call_sid) DO UPDATE SET stream_sid = excluded.stream_sid, direction = excluded.direction,"
    "  from_number = excluded.from_number, customer_id = coalesce(excluded.customer_id, call_logs.customer_id),"
    "  started_at = excluded.started_at, duration_ms = excluded.duration_ms, end_reason = excluded.end_reason,"
    "  barge_ins = excluded.barge_ins, child_restarts = excluded.child_restarts, updated_at = now()",
    pg_params{}
      .add(call.call_sid).add(call.stream_sid).add(std::string{to_string(call.direction)}).add(call.from)
      .add(customer_id).add(call.started_unix_ms).add(call.duration_ms).add(reason).add(call.barge_ins)
      .add(call.child_restarts));
  if (!log) return log.error();
  if (!call.turns.empty()) {
    auto t = conn_.exec(
      "INSERT INTO call_turns (call_sid, turn_index, speaker, text, heard, interrupted, latency_ms, at_ms)"
      " SELECT $1, t.turn_index, t.speaker, t.text, t.heard, t.interrupted, t.latency_ms, t.at_ms"
      " FROM jsonb_to_recordset($2::jsonb) AS t(turn_index int, speaker text, text text, heard text,"
      "  interrupted boolean, latency_ms bigint, at_ms bigint)"
      " ON CONFLICT (call_sid, turn_index) DO UPDATE SET speaker = excluded.speaker, text = excluded.text,"
      "  heard = excluded.heard, interrupted = excluded.interrupted, latency_ms = excluded.latency_ms,"
      "  at_ms = excluded.at_ms",
      pg_params{}.add(call.call_sid).add(turns.dump()));
    if (!t) return t.error();
  }
  return tx.commit();
}

} // namespace ce::store
