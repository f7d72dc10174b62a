#include "store/outbound_jobs.hpp"

#include <algorithm>
#include <cctype>

namespace ce::store {
namespace {

/// The scheduler's advisory lock key ("ceremind" in ASCII, as a bigint).
constexpr std::int64_t scheduler_lock_key = 0x636572656d696e64;

bool terminal_status(std::string_view s) {
  return s == "completed" || s == "busy" || s == "no-answer" || s == "failed" || s == "canceled";
}

bool retried_status(std::string_view s) { return s == "busy" || s == "no-answer" || s == "failed"; }

status check_rules(const calling_rules& r) {
  if (r.time_zone.empty()) return make_error(store_errc::invalid, "calling rules need the shop's time zone");
  if (r.window_start_minute < 0 || r.window_end_minute > 24 * 60 || r.window_start_minute >= r.window_end_minute)
    return make_error(store_errc::invalid, "the calling window must start before it ends, within one day");
  if (r.max_attempts < 1) return make_error(store_errc::invalid, "at least one attempt per job");
  return done{};
}

job_kind kind_of(std::string_view s) { return s == "followup" ? job_kind::followup : job_kind::reminder; }

status end_attempt(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view st, std::int64_t now_unix,
                   const calling_rules& rules);

} // namespace

std::string_view to_string(job_kind k) { return k == job_kind::followup ? "followup" : "reminder"; }

result<day_jobs_report> create_day_jobs(pg_connection& conn, std::string_view shop_day, std::int64_t now_unix,
                                        const calling_rules& rules, std::string_view node) {
  if (auto ok = check_rules(rules); !ok) return ok.error();
  if (rules.followup_after_days < 0) return make_error(store_errc::invalid, "followup_after_days must be >= 0");
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b.error();
  // $1 day, $2 now, $3 zone, $4 window start (minutes), $5 window end (minutes)
  auto reminders = conn.exec(
    "WITH ins AS ("
    " INSERT INTO reminder_jobs (kind, appointment_id, customer_id, due_at, not_after)"
    " SELECT 'reminder', a.id, a.customer_id,"
    "        greatest(to_timestamp($2::bigint), ($1::date + make_interval(mins => $4::int)) AT TIME ZONE $3),"
    "        a.starts_at"
    " FROM appointments a JOIN customers c ON c.id = a.customer_id"
    " WHERE a.status IN ('booked', 'confirmed') AND (a.starts_at AT TIME ZONE $3)::date = $1::date + 1"
    "   AND c.phone IS NOT NULL AND NOT c.do_not_call"
    " ON CONFLICT (kind, appointment_id) DO NOTHING RETURNING 1)"
    " SELECT count(*) FROM ins",
    pg_params{}.add(shop_day).add(now_unix).add(rules.time_zone).add(rules.window_start_minute));
  if (!reminders) return reminders.error();
  auto followups = conn.exec(
    "WITH ins AS ("
    " INSERT INTO reminder_jobs (kind, appointment_id, customer_id, due_at, not_after)"
    " SELECT 'followup', a.id, a.customer_id,"
    "        greatest(to_timestamp($2::bigint), ($1::date + make_interval(mins => $4::int)) AT TIME ZONE $3),"
    "        ($1::date + make_interval(mins => $5::int)) AT TIME ZONE $3"
    " FROM appointments a JOIN customers c ON c.id = a.customer_id"
    " WHERE a.status = 'completed' AND (a.starts_at AT TIME ZONE $3)::date = $1::date - $6::int"
    "   AND c.phone IS NOT NULL AND NOT c.do_not_call"
    " ON CONFLICT (kind, appointment_id) DO NOTHING RETURNING 1)"
    " SELECT count(*) FROM ins",
    pg_params{}
      .add(shop_day)
      .add(now_unix)
      .add(rules.time_zone)
      .add(rules.window_start_minute)
      .add(rules.window_end_minute)
      .add(rules.followup_after_days));
  if (!followups) return followups.error();
  day_jobs_report report{static_cast<int>((*reminders)[0].int64(0)), static_cast<int>((*followups)[0].int64(0))};
  for (auto [kind, n] : {std::pair{"reminder", report.reminders}, std::pair{"followup", report.followups}}) {
    auto run = conn.exec("INSERT INTO scheduler_runs (kind, shop_day, node, created) VALUES ($1, $2::date, $3, $4)"
                         " ON CONFLICT (kind, shop_day) DO UPDATE SET created = scheduler_runs.created + excluded.created",
                         pg_params{}.add(kind).add(shop_day).add(node).add(n));
    if (!run) return run.error();
  }
  if (auto c = tx.commit(); !c) return c.error();
  return report;
}

result<bool> day_jobs_created(pg_connection& conn, std::string_view shop_day) {
  auto r = conn.exec("SELECT count(DISTINCT kind) = 2 FROM scheduler_runs WHERE shop_day = $1::date",
                     pg_params{}.add(shop_day));
  if (!r) return r.error();
  return (*r)[0].boolean(0);
}

result<std::vector<claimed_job>> claim_due_jobs(pg_connection& conn, std::string_view node, int limit,
                                                std::int64_t now_unix, const calling_rules& rules,
                                                const std::optional<std::string>& test_number) {
  if (auto ok = check_rules(rules); !ok) return ok.error();
  if (limit <= 0) return std::vector<claimed_job>{};
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b.error();
  // What changed since the jobs were made: cancelled appointments and opted-out customers
  // are not called; a moved reminder is due the day before its new date.
  auto cancelled = conn.exec(
    "UPDATE reminder_jobs j SET state = 'cancelled', outcome = 'appointment_cancelled', updated_at = now()"
    " FROM appointments a WHERE a.id = j.appointment_id AND j.state = 'pending' AND j.kind = 'reminder'"
    "   AND a.status NOT IN ('booked', 'confirmed')");
  if (!cancelled) return cancelled.error();
  auto opted = conn.exec(
    "UPDATE reminder_jobs j SET state = 'cancelled', outcome = 'opted_out', updated_at = now()"
    " FROM customers c WHERE c.id = j.customer_id AND j.state = 'pending' AND c.do_not_call");
  if (!opted) return opted.error();
  auto moved = conn.exec(
    "UPDATE reminder_jobs j SET not_after = a.starts_at,"
    "   due_at = (((a.starts_at AT TIME ZONE $1)::date - 1) + make_interval(mins => $2::int)) AT TIME ZONE $1,"
    "   updated_at = now()"
    " FROM appointments a WHERE a.id = j.appointment_id AND j.kind = 'reminder' AND j.state = 'pending'"
    "   AND a.status IN ('booked', 'confirmed') AND a.starts_at IS DISTINCT FROM j.not_after",
    pg_params{}.add(rules.time_zone).add(rules.window_start_minute));
  if (!moved) return moved.error();
  auto expired = conn.exec(
    "UPDATE reminder_jobs SET state = 'failed', outcome = coalesce(outcome, 'expired'), updated_at = now()"
    " WHERE state = 'pending' AND not_after IS NOT NULL AND not_after <= to_timestamp($1::bigint)",
    pg_params{}.add(now_unix));
  if (!expired) return expired.error();
  // An attempt whose node died before Twilio answered it (or without a callback ever
  // arriving) would hold its job forever: after a while it counts as failed.
  auto stale = conn.exec(
    "SELECT job_id, attempt FROM reminder_attempts"
    " WHERE ended_at IS NULL AND status = 'placing' AND call_sid IS NULL"
    "   AND placed_at < to_timestamp($1::bigint) - make_interval(mins => $2::int)",
    pg_params{}.add(now_unix).add(rules.stale_placing_minutes));
  if (!stale) return stale.error();
  for (int i = 0; i < stale->size(); ++i) {
    auto job = (*stale)[i].int64(0);
    auto attempt = (*stale)[i].int32(1);
    auto a = conn.exec("UPDATE reminder_attempts SET status = 'failed', error = 'never placed (its node stopped)',"
                       " ended_at = to_timestamp($3::bigint) WHERE job_id = $1 AND attempt = $2",
                       pg_params{}.add(job).add(attempt).add(now_unix));
    if (!a) return a.error();
    if (auto e = end_attempt(conn, job, attempt, "failed", now_unix, rules); !e) return e.error();
  }
  // A placed call whose final callback never came (lost, or sent to a node that is gone):
  // the attempt ends; the job keeps the outcome its conversation recorded, or fails without
  // another call (it may have been answered).
  auto lost = conn.exec(
    "WITH ended AS ("
    "  UPDATE reminder_attempts SET status = 'unknown', error = 'no final status from Twilio',"
    "    ended_at = to_timestamp($1::bigint)"
    "  WHERE ended_at IS NULL AND call_sid IS NOT NULL"
    "    AND placed_at < to_timestamp($1::bigint) - make_interval(mins => $2::int) RETURNING job_id)"
    " UPDATE reminder_jobs j SET state = CASE WHEN j.outcome IS NULL THEN 'failed' ELSE 'done' END,"
    "   outcome = coalesce(j.outcome, 'no_final_status'), updated_at = now()"
    " FROM ended WHERE j.id = ended.job_id AND j.state IN ('claimed', 'calling', 'done')",
    pg_params{}.add(now_unix).add(rules.stale_calling_minutes));
  if (!lost) return lost.error();
  if (rules.max_live > 0) {
    auto live = conn.exec("SELECT count(*) FROM reminder_attempts WHERE ended_at IS NULL");
    if (!live) return live.error();
    limit = std::min<int>(limit, rules.max_live - static_cast<int>((*live)[0].int64(0)));
    if (limit <= 0) {
      if (auto c = tx.commit(); !c) return c.error();
      return std::vector<claimed_job>{};
    }
  }
  std::string closed = "{";
  for (std::size_t i = 0; i < rules.closed_weekdays.size(); ++i)
    closed += (i ? "," : "") + std::to_string(rules.closed_weekdays[i]);
  closed += "}";

  // $1 node, $2 limit, $3 now, $4 zone, $5 window start, $6 window end, $7 test number
  auto rows = conn.exec(
    "WITH open AS ("
    "  SELECT (extract(hour FROM to_timestamp($3::bigint) AT TIME ZONE $4) * 60"
    "        + extract(minute FROM to_timestamp($3::bigint) AT TIME ZONE $4)) BETWEEN $5::int AND $6::int - 1"
    "   AND NOT (extract(dow FROM to_timestamp($3::bigint) AT TIME ZONE $4)::int = ANY ($8::int[])) AS ok),"
    " due AS ("
    "  SELECT j.id FROM reminder_jobs j, open"
    "  WHERE open.ok AND j.state = 'pending' AND j.due_at <= to_timestamp($3::bigint)"
    "    AND (j.not_after IS NULL OR j.not_after > to_timestamp($3::bigint))"
    "  ORDER BY j.due_at, j.id LIMIT $2::int FOR UPDATE OF j SKIP LOCKED),"
    " claimed AS ("
    "  UPDATE reminder_jobs j SET state = 'claimed', attempts = j.attempts + 1, claimed_by = $1,"
    "    claimed_at = to_timestamp($3::bigint), updated_at = now()"
    "  FROM due WHERE j.id = due.id"
    "  RETURNING j.id, j.kind, j.attempts, j.appointment_id, j.customer_id),"
    " attempt AS ("
    "  INSERT INTO reminder_attempts (job_id, attempt, node, dialled, placed_at)"
    "  SELECT c.id, c.attempts, $1, coalesce($7, cu.phone), to_timestamp($3::bigint)"
    "  FROM claimed c JOIN customers cu ON cu.id = c.customer_id"
    "  RETURNING job_id, dialled)"
    " SELECT c.id, c.kind, c.attempts, c.appointment_id, c.customer_id, cu.phone, att.dialled, cu.first_name,"
    "   a.service_type, to_char(a.starts_at AT TIME ZONE $4, 'YYYY-MM-DD HH24:MI'),"
    "   coalesce(v.year || ' ' || v.make || ' ' || v.model, '')"
    " FROM claimed c JOIN attempt att ON att.job_id = c.id"
    "   JOIN customers cu ON cu.id = c.customer_id JOIN appointments a ON a.id = c.appointment_id"
    "   LEFT JOIN vehicles v ON v.id = a.vehicle_id"
    " ORDER BY c.id",
    pg_params{}
      .add(node)
      .add(limit)
      .add(now_unix)
      .add(rules.time_zone)
      .add(rules.window_start_minute)
      .add(rules.window_end_minute)
      .add(test_number)
      .add(closed));
  if (!rows) return rows.error();
  std::vector<claimed_job> out;
  for (int i = 0; i < rows->size(); ++i) {
    auto r = (*rows)[i];
    claimed_job j;
    j.job_id = r.int64(0);
    j.kind = kind_of(r.text(1));
    j.attempt = r.int32(2);
    j.appointment_id = r.int64(3);
    j.customer_id = r.int64(4);
    j.phone = std::string{r.text(5)};
    j.dial = std::string{r.text(6)};
    j.first_name = std::string{r.text(7)};
    j.service_type = std::string{r.text(8)};
    j.starts_local = std::string{r.text(9)};
    j.vehicle = std::string{r.text(10)};
    out.push_back(std::move(j));
  }
  if (auto c = tx.commit(); !c) return c.error();
  return out;
}

result<claimed_job> job_context(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view time_zone) {
  auto rows = conn.exec(
    "SELECT j.id, j.kind, att.attempt, j.appointment_id, j.customer_id, cu.phone, att.dialled, cu.first_name,"
    "   a.service_type, to_char(a.starts_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI'),"
    "   coalesce(v.year || ' ' || v.make || ' ' || v.model, '')"
    " FROM reminder_jobs j JOIN reminder_attempts att ON att.job_id = j.id AND att.attempt = $2"
    "   JOIN customers cu ON cu.id = j.customer_id JOIN appointments a ON a.id = j.appointment_id"
    "   LEFT JOIN vehicles v ON v.id = a.vehicle_id"
    " WHERE j.id = $1",
    pg_params{}.add(job_id).add(attempt).add(time_zone));
  if (!rows) return rows.error();
  if (rows->empty()) return make_error(store_errc::not_found, "no such outbound job attempt");
  auto r = (*rows)[0];
  claimed_job j;
  j.job_id = r.int64(0);
  j.kind = kind_of(r.text(1));
  j.attempt = r.int32(2);
  j.appointment_id = r.int64(3);
  j.customer_id = r.int64(4);
  j.phone = std::string{r.text(5)};
  j.dial = std::string{r.text(6)};
  j.first_name = std::string{r.text(7)};
  j.service_type = std::string{r.text(8)};
  j.starts_local = std::string{r.text(9)};
  j.vehicle = std::string{r.text(10)};
  return j;
}

result<std::optional<next_service>> recommended_service(pg_connection& conn, std::int64_t job_id,
                                                        const std::vector<std::string>& candidates) {
  if (candidates.empty()) return std::optional<next_service>{};
  std::string list = "{";
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    for (char c : candidates[i])  // service ids are [a-z_]: nothing to quote, refuse anything else
      if (!(std::islower(static_cast<unsigned char>(c)) || c == '_'))
        return make_error(store_errc::invalid, "a service id is lower case letters and underscores");
    list += (i ? "," : "") + candidates[i];
  }
  list += "}";
  auto r = conn.exec(
    "WITH done AS (SELECT a.vehicle_id, a.service_type FROM reminder_jobs j JOIN appointments a"
    "   ON a.id = j.appointment_id WHERE j.id = $1)"
    " SELECT s.t, coalesce(max(h.performed_on)::text, '') FROM unnest($2::text[]) AS s(t)"
    "   CROSS JOIN done LEFT JOIN service_history h ON h.service_type = s.t AND h.vehicle_id = done.vehicle_id"
    " WHERE s.t <> done.service_type GROUP BY s.t ORDER BY max(h.performed_on) NULLS FIRST, s.t LIMIT 1",
    pg_params{}.add(job_id).add(list));
  if (!r) return r.error();
  if (r->empty()) return std::optional<next_service>{};
  return std::optional<next_service>{next_service{std::string{(*r)[0].text(0)}, std::string{(*r)[0].text(1)}}};
}

status attempt_withdrawn(pg_connection& conn, std::int64_t job_id, int attempt, std::int64_t now_unix,
                         int retry_after_s) {
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b;
  auto a = conn.exec("DELETE FROM reminder_attempts WHERE job_id = $1 AND attempt = $2 AND call_sid IS NULL",
                     pg_params{}.add(job_id).add(attempt));
  if (!a) return a.error();
  if (a->affected() != 1) return make_error(store_errc::not_found, "no unplaced attempt for that job");
  auto j = conn.exec("UPDATE reminder_jobs SET state = 'pending', attempts = attempts - 1,"
                     " due_at = to_timestamp($2::bigint + $3::bigint), updated_at = now()"
                     " WHERE id = $1 AND state = 'claimed'",
                     pg_params{}.add(job_id).add(now_unix).add(static_cast<std::int64_t>(retry_after_s)));
  if (!j) return j.error();
  return tx.commit();
}

status attempt_placed(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view call_sid) {
  if (call_sid.empty() || call_sid.size() > 64) return make_error(store_errc::invalid, "a call SID is 1-64 characters");
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b;
  auto a = conn.exec("UPDATE reminder_attempts SET call_sid = $3, status = 'queued'"
                     " WHERE job_id = $1 AND attempt = $2 AND call_sid IS NULL",
                     pg_params{}.add(job_id).add(attempt).add(call_sid));
  if (!a) return a.error();
  if (a->affected() != 1) return make_error(store_errc::not_found, "no unplaced attempt for that job");
  auto j = conn.exec("UPDATE reminder_jobs SET state = 'calling', call_sid = $2, updated_at = now()"
                     " WHERE id = $1 AND state = 'claimed'",
                     pg_params{}.add(job_id).add(call_sid));
  if (!j) return j.error();
  return tx.commit();
}

namespace {

/// Ends attempt `attempt` of `job_id` with Twilio status `st`: the job is retried, done or failed.
status end_attempt(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view st, std::int64_t now_unix,
                   const calling_rules& rules) {
  if (st == "completed") {
    // the conversation records its outcome (job_outcome); a call that ended without one
    auto r = conn.exec("UPDATE reminder_jobs SET state = 'done', outcome = coalesce(outcome, 'no_decision'),"
                       " last_status = 'completed', updated_at = now() WHERE id = $1",
                       pg_params{}.add(job_id));
    if (!r) return r.error();
    return done{};
  }
  const bool retry = retried_status(st) && attempt < rules.max_attempts;
  const int gap_index = std::clamp(attempt - 1, 0, static_cast<int>(rules.retry_gaps_minutes.size()) - 1);
  const int gap = rules.retry_gaps_minutes.empty() ? 30 : rules.retry_gaps_minutes[static_cast<std::size_t>(gap_index)];
  if (retry) {
    // retried only while the next try is still before the job's last moment
    auto r = conn.exec("UPDATE reminder_jobs SET state = 'pending', last_status = $2,"
                       "   due_at = to_timestamp($3::bigint) + make_interval(mins => $4::int), updated_at = now()"
                       " WHERE id = $1 AND (not_after IS NULL"
                       "   OR to_timestamp($3::bigint) + make_interval(mins => $4::int) < not_after)",
                       pg_params{}.add(job_id).add(st).add(now_unix).add(gap));
    if (!r) return r.error();
    if (r->affected() == 1) return done{};
  }
  auto f = conn.exec("UPDATE reminder_jobs SET state = 'failed', last_status = $2,"
                     " outcome = coalesce(outcome, replace($2, '-', '_')), updated_at = now() WHERE id = $1",
                     pg_params{}.add(job_id).add(st));
  if (!f) return f.error();
  return done{};
}

} // namespace

status attempt_not_placed(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view error,
                          std::int64_t now_unix, const calling_rules& rules) {
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b;
  auto a = conn.exec("UPDATE reminder_attempts SET status = 'failed', error = left($3, 300), ended_at = to_timestamp($4::bigint)"
                     " WHERE job_id = $1 AND attempt = $2 AND ended_at IS NULL",
                     pg_params{}.add(job_id).add(attempt).add(error).add(now_unix));
  if (!a) return a.error();
  if (auto e = end_attempt(conn, job_id, attempt, "failed", now_unix, rules); !e) return e;
  return tx.commit();
}

result<bool> attempt_status(pg_connection& conn, std::string_view call_sid, std::string_view call_status,
                            std::optional<std::string> answered_by, std::int64_t now_unix,
                            const calling_rules& rules) {
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b.error();
  if (answered_by) {
    auto amd = conn.exec("UPDATE reminder_attempts SET answered_by = $2 WHERE call_sid = $1",
                         pg_params{}.add(call_sid).add(*answered_by));
    if (!amd) return amd.error();
    if (call_status.empty()) {
      if (auto c = tx.commit(); !c) return c.error();
      return amd->affected() == 1;
    }
  }
  const bool terminal = terminal_status(call_status);
  // a duplicate or late callback for an attempt that already ended changes nothing
  auto a = conn.exec("UPDATE reminder_attempts SET status = $2,"
                     "   ended_at = CASE WHEN $3::boolean THEN to_timestamp($4::bigint) ELSE ended_at END"
                     " WHERE call_sid = $1 AND ended_at IS NULL RETURNING job_id, attempt",
                     pg_params{}.add(call_sid).add(call_status).add(terminal).add(now_unix));
  if (!a) return a.error();
  if (a->empty()) {
    if (auto c = tx.commit(); !c) return c.error();
    return false;
  }
  if (terminal) {
    if (auto e = end_attempt(conn, (*a)[0].int64(0), (*a)[0].int32(1), call_status, now_unix, rules); !e)
      return e.error();
  }
  if (auto c = tx.commit(); !c) return c.error();
  return true;
}

bool is_final_call_status(std::string_view call_status) { return terminal_status(call_status); }

result<std::vector<std::string>> open_calls_placed_before(pg_connection& conn, std::int64_t before_unix, int limit) {
  auto rows = conn.exec("SELECT call_sid FROM reminder_attempts"
                        " WHERE ended_at IS NULL AND call_sid IS NOT NULL AND placed_at < to_timestamp($1::bigint)"
                        " ORDER BY placed_at LIMIT $2",
                        pg_params{}.add(before_unix).add(limit));
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (int i = 0; i < rows->size(); ++i) out.emplace_back((*rows)[i].text(0));
  return out;
}

status job_outcome(pg_connection& conn, std::string_view call_sid, std::string_view outcome, std::optional<int> rating,
                   std::optional<std::string> feedback, bool callback_wanted) {
  auto a = conn.exec("SELECT job_id, attempt FROM reminder_attempts WHERE call_sid = $1", pg_params{}.add(call_sid));
  if (!a) return a.error();
  if (a->empty()) return make_error(store_errc::not_found, "no outbound attempt has that call SID");
  return job_outcome_for(conn, (*a)[0].int64(0), (*a)[0].int32(1), outcome, rating, std::move(feedback),
                         callback_wanted);
}

status job_outcome_for(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view outcome,
                       std::optional<int> rating, std::optional<std::string> feedback, bool callback_wanted) {
  if (outcome.empty() || outcome.size() > 40) return make_error(store_errc::invalid, "an outcome is 1-40 characters");
  if (rating && (*rating < 1 || *rating > 5)) return make_error(store_errc::invalid, "a rating is 1 to 5");
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b;
  auto a = conn.exec("UPDATE reminder_attempts SET outcome = $3 WHERE job_id = $1 AND attempt = $2",
                     pg_params{}.add(job_id).add(attempt).add(outcome));
  if (!a) return a.error();
  if (a->affected() != 1) return make_error(store_errc::not_found, "no such outbound job attempt");
  auto j = conn.exec("UPDATE reminder_jobs SET state = 'done', outcome = $2, rating = coalesce($3, rating),"
                     " feedback = coalesce($4, feedback), callback_wanted = callback_wanted OR $5, updated_at = now()"
                     " WHERE id = $1 RETURNING kind, appointment_id",
                     pg_params{}.add(job_id).add(outcome).add(rating).add(feedback).add(callback_wanted));
  if (!j) return j.error();
  if (!j->empty() && (*j)[0].text(0) == "reminder") {
    auto st = outcome == "confirmed" ? "confirmed" : "called";
    auto ap = conn.exec("UPDATE appointments SET reminder_state = $2, updated_at = now() WHERE id = $1",
                        pg_params{}.add((*j)[0].int64(1)).add(st));
    if (!ap) return ap.error();
  }
  return tx.commit();
}

status confirm_job_appointment(pg_connection& conn, std::int64_t job_id) {
  auto r = conn.exec("UPDATE appointments a SET status = 'confirmed', updated_at = now()"
                     " FROM reminder_jobs j WHERE j.id = $1 AND j.kind = 'reminder' AND a.id = j.appointment_id"
                     "   AND a.status IN ('booked', 'confirmed')",
                     pg_params{}.add(job_id));
  if (!r) return r.error();
  if (r->affected() != 1) return make_error(store_errc::conflict, "the appointment is no longer booked");
  return done{};
}

status opt_out(pg_connection& conn, std::int64_t customer_id, std::string_view via) {
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b;
  auto c = conn.exec("UPDATE customers SET do_not_call = true, do_not_call_at = coalesce(do_not_call_at, now()),"
                     " do_not_call_via = coalesce(do_not_call_via, $2), consent_calls = false, updated_at = now()"
                     " WHERE id = $1",
                     pg_params{}.add(customer_id).add(via));
  if (!c) return c.error();
  if (c->affected() != 1) return make_error(store_errc::not_found, "no such customer");
  auto j = conn.exec("UPDATE reminder_jobs SET state = 'cancelled', outcome = 'opted_out', updated_at = now()"
                     " WHERE customer_id = $1 AND state = 'pending'",
                     pg_params{}.add(customer_id));
  if (!j) return j.error();
  return tx.commit();
}

result<job_counts> count_jobs(pg_connection& conn) {
  job_counts out;
  auto s = conn.exec("SELECT state, count(*) FROM reminder_jobs GROUP BY state ORDER BY state");
  if (!s) return s.error();
  for (int i = 0; i < s->size(); ++i) out.by_state.emplace_back(std::string{(*s)[i].text(0)}, (*s)[i].int64(1));
  auto o = conn.exec("SELECT outcome, count(*) FROM reminder_jobs WHERE outcome IS NOT NULL GROUP BY outcome ORDER BY outcome");
  if (!o) return o.error();
  for (int i = 0; i < o->size(); ++i) out.by_outcome.emplace_back(std::string{(*o)[i].text(0)}, (*o)[i].int64(1));
  auto l = conn.exec("SELECT count(*) FROM reminder_attempts WHERE ended_at IS NULL");
  if (!l) return l.error();
  out.live_attempts = (*l)[0].int64(0);
  return out;
}

result<bool> try_scheduler_lock(pg_connection& conn) {
  auto r = conn.exec("SELECT pg_try_advisory_lock($1::bigint)", pg_params{}.add(scheduler_lock_key));
  if (!r) return r.error();
  return (*r)[0].boolean(0);
}

result<bool> holds_scheduler_lock(pg_connection& conn) {
  auto r = conn.exec("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                     " AND pid = pg_backend_pid() AND objsubid = 1"
                     " AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid)",
                     pg_params{}.add(scheduler_lock_key));
  if (!r) return r.error();
  return (*r)[0].boolean(0);
}

result<shop_clock> shop_clock_at(pg_connection& conn, std::int64_t now_unix, std::string_view time_zone) {
  auto r = conn.exec("SELECT to_char(t, 'YYYY-MM-DD'), (extract(hour FROM t) * 60 + extract(minute FROM t))::int,"
                     " extract(dow FROM t)::int FROM (SELECT to_timestamp($1::bigint) AT TIME ZONE $2 AS t) x",
                     pg_params{}.add(now_unix).add(time_zone));
  if (!r) return r.error();
  return shop_clock{std::string{(*r)[0].text(0)}, (*r)[0].int32(1), (*r)[0].int32(2)};
}

} // namespace ce::store
