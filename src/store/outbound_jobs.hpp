// Outbound call jobs (reminders before an appointment, follow-ups after a service) in
// PostgreSQL: creating a day's jobs, claiming due ones exactly once across engine processes,
// recording every attempt, retrying, opting out.
//
// Time is always an argument (`now_unix`), never the server's clock, so the scheduler and its
// tests decide what "now" is. The shop's day and calling window are in the shop's time zone
// (the connection's, `pg_options::time_zone`, or the zone passed in).
//
// Exactly once: a job is unique per (kind, appointment); claiming takes due rows with
// `FOR UPDATE SKIP LOCKED` and moves them out of `pending` in the same statement, and each
// attempt is its own row keyed by (job, attempt number), so two nodes never place the same
// attempt. Blocking: for a detached actor that owns the connection.
#pragma once

#include "store/pg.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ce::store {

enum class job_kind { reminder, followup };
std::string_view to_string(job_kind k);

struct calling_rules {
  std::string time_zone = "America/Chicago";  ///< the shop's zone (callee's local time, for now)
  int window_start_minute = 8 * 60;           ///< 08:00 local
  int window_end_minute = 20 * 60;            ///< 20:00 local: no call starts at or after it
  std::vector<int> retry_gaps_minutes{30, 60, 120};
  int max_attempts = 3;
  int followup_after_days = 2;
  std::vector<int> closed_weekdays;  ///< 0 = Sunday .. 6 = Saturday: no call on these shop days
  int max_live = 0;                  ///< outbound attempts not yet ended, across nodes; 0 = no cap
  int stale_placing_minutes = 10;    ///< an attempt never heard of again (its node died) fails after this
  /// A placed call with no final status callback this long after it was placed (ring time
  /// plus the longest call, and a margin) ends as `no_final_status`; it is not called again.
  int stale_calling_minutes = 45;
};

struct day_jobs_report {
  int reminders = 0;  ///< jobs created by this call (0 when another node or run did it)
  int followups = 0;
};

/// Creates the jobs of shop day `shop_day` (YYYY-MM-DD): a reminder for every booked or
/// confirmed appointment the next day and a follow-up for every appointment completed
/// `followup_after_days` days before, for customers with a phone who have not opted out.
/// Jobs are due at `now_unix` or the window's start that day, whichever is later; a reminder
/// may be called until its appointment starts, a follow-up until the window's end. Creating
/// the same day twice (or on two nodes) creates nothing more.
result<day_jobs_report> create_day_jobs(pg_connection& conn, std::string_view shop_day, std::int64_t now_unix,
                                        const calling_rules& rules, std::string_view node);

/// True when the jobs of `shop_day` were created already (by any node, or marked so by an
/// operator): the scheduler does not run that day's creation again.
result<bool> day_jobs_created(pg_connection& conn, std::string_view shop_day);

/// A claimed job with what the call needs to know.
struct claimed_job {
  std::int64_t job_id = 0;
  job_kind kind = job_kind::reminder;
  int attempt = 0;  ///< 1 for the first call
  std::int64_t appointment_id = 0;
  std::int64_t customer_id = 0;
  std::string phone;          ///< the customer's number (E.164)
  std::string dial;           ///< the number to call: the test number in test mode
  std::string first_name;
  std::string service_type;
  std::string starts_local;   ///< YYYY-MM-DD HH:MM, shop time
  std::string vehicle;        ///< "2021 Toyota Camry", or ""
};

/// Claims up to `limit` jobs that are due at `now_unix`, inside the calling window and not
/// past their last moment, for `node`. Before claiming, jobs whose appointment was cancelled
/// (or whose customer opted out) are cancelled, and reminders whose appointment moved are
/// re-timed (or cancelled when it moved out of tomorrow). With `test_number` set every claim
/// dials it instead of the customer. Each claim inserts its attempt row (status `placing`).
result<std::vector<claimed_job>> claim_due_jobs(pg_connection& conn, std::string_view node, int limit,
                                                std::int64_t now_unix, const calling_rules& rules,
                                                const std::optional<std::string>& test_number);

/// What an outbound call needs to know about its job (`job_id`, `attempt`): the customer,
/// the appointment, the vehicle. not_found when there is no such attempt.
result<claimed_job> job_context(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view time_zone);

/// A follow-up's suggestion: of the routine services `candidates`, the one the job's
/// vehicle had longest ago (or never), other than the one just done. nullopt: none.
struct next_service {
  std::string service_type;
  std::string last_done;  ///< YYYY-MM-DD, "" when never
};
result<std::optional<next_service>> recommended_service(pg_connection& conn, std::int64_t job_id,
                                                        const std::vector<std::string>& candidates);

/// Twilio refused with 429 (too many requests): the attempt is withdrawn without being
/// counted and the job is pending again, due `retry_after_s` later.
status attempt_withdrawn(pg_connection& conn, std::int64_t job_id, int attempt, std::int64_t now_unix,
                         int retry_after_s);

/// Twilio accepted the call: the attempt gets its call SID and the job is `calling`.
status attempt_placed(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view call_sid);

/// The REST request failed (Twilio said no, or the network): ends the attempt like a failed
/// call, with the error kept on the attempt.
status attempt_not_placed(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view error,
                          std::int64_t now_unix, const calling_rules& rules);

/// A status callback (`ringing`, `in-progress`, `completed`, `busy`, `no-answer`, `failed`,
/// `canceled`) or an AMD result (`answered_by`) for a call SID. Terminal statuses end the
/// attempt; busy, no-answer and failed ones are retried after the next gap while the job is
/// still within its window and attempts remain, otherwise the job fails. Returns false when
/// no attempt has that SID (a callback for another call, or a duplicate of a finished one).
result<bool> attempt_status(pg_connection& conn, std::string_view call_sid, std::string_view call_status,
                            std::optional<std::string> answered_by, std::int64_t now_unix,
                            const calling_rules& rules);

/// Placed calls (with a call SID) still open that were placed before `before_unix`, oldest
/// first: the ones whose final status callback may have been lost.
result<std::vector<std::string>> open_calls_placed_before(pg_connection& conn, std::int64_t before_unix, int limit);
/// True for Twilio's final call statuses (completed, busy, no-answer, failed, canceled).
bool is_final_call_status(std::string_view call_status);

/// The conversation's result (`confirmed`, `rescheduled`, `cancelled`, `voicemail`,
/// `wrong_person`, `opted_out`, `rated`, `no_decision` ...): the job is done with it, and for
/// a follow-up the rating, feedback and call-back flag are kept.
status job_outcome(pg_connection& conn, std::string_view call_sid, std::string_view outcome,
                   std::optional<int> rating = {}, std::optional<std::string> feedback = {},
                   bool callback_wanted = false);

/// job_outcome for the attempt (`job_id`, `attempt`) the call belongs to (its stream token
/// says which), so it does not depend on the REST answer having been recorded first.
status job_outcome_for(pg_connection& conn, std::int64_t job_id, int attempt, std::string_view outcome,
                       std::optional<int> rating = {}, std::optional<std::string> feedback = {},
                       bool callback_wanted = false);

/// The customer confirmed the appointment of reminder `job_id`: it becomes `confirmed`.
status confirm_job_appointment(pg_connection& conn, std::int64_t job_id);

/// The customer asked not to be called: marked do-not-call, and their pending jobs cancelled.
status opt_out(pg_connection& conn, std::int64_t customer_id, std::string_view via);

/// Counts of jobs by state and outcome, for metrics and the demo.
struct job_counts {
  std::vector<std::pair<std::string, std::int64_t>> by_state;
  std::vector<std::pair<std::string, std::int64_t>> by_outcome;
  std::int64_t live_attempts = 0;  ///< attempts placed or placing and not ended (all nodes)
};
result<job_counts> count_jobs(pg_connection& conn);

/// The scheduler's lock (a session-level advisory lock): true when this connection holds it.
/// PostgreSQL releases it when the connection ends, so a node that dies hands it over.
result<bool> try_scheduler_lock(pg_connection& conn);
/// True while this connection's session holds the scheduler lock (false after a silent
/// reconnect: the new session holds nothing).
result<bool> holds_scheduler_lock(pg_connection& conn);

/// The shop's local date ("YYYY-MM-DD"), minute of the day and weekday (0 = Sunday) at
/// `now_unix`, in `time_zone`.
struct shop_clock {
  std::string day;
  int minute = 0;
  int weekday = 0;
};
result<shop_clock> shop_clock_at(pg_connection& conn, std::int64_t now_unix, std::string_view time_zone);

} // namespace ce::store
