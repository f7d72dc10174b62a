// Outbound call jobs against a real PostgreSQL, with the clock as an argument: the day's jobs,
// the calling window, claiming exactly once across connections, retries, cancelled and moved
// appointments, opt-out, test-number mode, the scheduler lock.
#include "store_env.hpp"

#include "store/outbound_jobs.hpp"

#include <atomic>
#include <set>
#include <thread>

using namespace ce::store;
using namespace ce::store::test;

namespace {

const char* zone = "America/Chicago";

/// Unix time of `local` ("YYYY-MM-DD HH:MM") in the shop's zone, from the server.
std::int64_t at(pg_connection& conn, const std::string& local) {
  auto r = conn.exec("SELECT extract(epoch FROM ($1::timestamp AT TIME ZONE $2))::bigint",
                     pg_params{}.add(local).add(zone));
  REQUIRE(r.ok());
  return (*r)[0].int64(0);
}

std::int64_t scalar(pg_connection& conn, const std::string& sql, const pg_params& p = {}) {
  auto r = conn.exec(sql, p);
  INFO((r ? "" : r.error().message));
  REQUIRE(r.ok());
  return (*r)[0].int64(0);
}

std::string text(pg_connection& conn, const std::string& sql, const pg_params& p = {}) {
  auto r = conn.exec(sql, p);
  INFO((r ? "" : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  return std::string{(*r)[0].text(0)};
}

/// An appointment at `local` (shop time) for the customer, straight into the table.
std::int64_t appointment_at(pg_connection& conn, const test_customer& c, const std::string& local,
                            const std::string& status = "booked", int bay = 1) {
  static int serial = 0;
  auto code = "T" + std::to_string(10000 + ++serial);
  return scalar(conn,
                "INSERT INTO appointments (customer_id, vehicle_id, service_type, starts_at, ends_at, bay, status,"
                " confirmation_code) VALUES ($1, $2, 'oil_change', $3::timestamp AT TIME ZONE $4,"
                " ($3::timestamp + interval '30 minutes') AT TIME ZONE $4, $5, $6, $7) RETURNING id",
                pg_params{}.add(c.person.id).add(c.car.id).add(local).add(zone).add(bay).add(status).add(code));
}

calling_rules rules() {
  calling_rules r;
  r.time_zone = zone;
  return r;
}

const std::optional<std::string> no_test_number;

} // namespace

TEST_CASE("the day's jobs: a reminder per appointment tomorrow, a follow-up per service two days ago, once") {
  auto url = fresh_database("t_jobs_day");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550101", 1);
  auto omar = add_customer(store, "+12175550102", 2);
  auto quiet = add_customer(store, "+12175550103", 3);
  REQUIRE(scalar(conn, "UPDATE customers SET do_not_call = true WHERE id = $1 RETURNING 1",
                 pg_params{}.add(quiet.person.id)) == 1);

  const std::string today = "2031-03-11";  // a Tuesday
  appointment_at(conn, maria, "2031-03-12 09:00");
  appointment_at(conn, omar, "2031-03-12 14:30", "confirmed", 2);
  appointment_at(conn, omar, "2031-03-12 10:00", "cancelled", 3);   // not reminded
  appointment_at(conn, quiet, "2031-03-12 11:00", "booked", 4);     // opted out
  appointment_at(conn, maria, "2031-03-13 09:00", "booked", 5);     // the day after tomorrow
  appointment_at(conn, maria, "2031-03-09 09:00", "completed", 1);  // two days ago: follow-up
  appointment_at(conn, omar, "2031-03-10 09:00", "completed", 1);   // yesterday: not yet

  auto now = at(conn, today + " 09:00");
  auto first = create_day_jobs(conn, today, now, rules(), "node-a");
  INFO((first ? "" : first.error().message));
  REQUIRE(first.ok());
  CHECK(first->reminders == 2);
  CHECK(first->followups == 1);
  auto again = create_day_jobs(conn, today, now + 60, rules(), "node-b");
  REQUIRE(again.ok());
  CHECK(again->reminders == 0);
  CHECK(again->followups == 0);
  CHECK(scalar(conn, "SELECT count(*) FROM reminder_jobs") == 3);
  // jobs made before the window opens are due when it opens
  auto early = at(conn, "2031-03-12 06:30");
  REQUIRE(create_day_jobs(conn, "2031-03-12", early, rules(), "node-a").ok());
  CHECK(scalar(conn, "SELECT extract(epoch FROM due_at)::bigint FROM reminder_jobs j JOIN appointments a"
                     " ON a.id = j.appointment_id WHERE a.starts_at = '2031-03-13 09:00'::timestamp AT TIME ZONE $1",
               pg_params{}.add(zone)) == at(conn, "2031-03-12 08:00"));
}

TEST_CASE("claiming: only inside the calling window, once, and the test number is all that is dialled") {
  auto url = fresh_database("t_jobs_claim");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550111", 1);
  appointment_at(conn, maria, "2031-03-12 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", at(conn, "2031-03-11 07:00"), rules(), "a").ok());

  // 07:30: the window (08:00-20:00) is not open
  CHECK(claim_due_jobs(conn, "a", 10, at(conn, "2031-03-11 07:30"), rules(), no_test_number)->empty());
  const std::optional<std::string> test_number{"+15005550006"};
  auto claimed = claim_due_jobs(conn, "a", 10, at(conn, "2031-03-11 08:00"), rules(), test_number);
  INFO((claimed ? "" : claimed.error().message));
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  const auto& job = claimed->front();
  CHECK(job.kind == job_kind::reminder);
  CHECK(job.attempt == 1);
  CHECK(job.phone == "+12175550111");
  CHECK(job.dial == "+15005550006");
  CHECK(job.first_name == "Test");
  CHECK(job.starts_local == "2031-03-12 09:00");
  CHECK(job.vehicle == "2019 Honda Accord");
  CHECK(text(conn, "SELECT dialled FROM reminder_attempts") == "+15005550006");
  // claimed: nobody else gets it
  CHECK(claim_due_jobs(conn, "b", 10, at(conn, "2031-03-11 08:01"), rules(), no_test_number)->empty());
  // 20:00 is outside the window too
  REQUIRE(scalar(conn, "UPDATE reminder_jobs SET state = 'pending' RETURNING 1") == 1);
  CHECK(claim_due_jobs(conn, "b", 10, at(conn, "2031-03-11 20:00"), rules(), no_test_number)->empty());
}

TEST_CASE("four nodes claiming 60 due jobs at once: every job is claimed exactly once") {
  auto url = fresh_database("t_jobs_race");
  auto store = make_store(url);
  auto& conn = store.connection();
  for (int i = 0; i < 60; ++i) {
    auto c = add_customer(store, "+1217556" + std::to_string(1000 + i), i);
    appointment_at(conn, c, "2031-03-12 " + std::to_string(8 + i % 9) + ":00", "booked", 1 + i / 9);
  }
  auto now = at(conn, "2031-03-11 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", now, rules(), "seed")->reminders == 60);

  std::vector<std::vector<std::int64_t>> got(4);
  std::vector<std::string> errors(4);
  std::atomic<int> ready{0};
  std::vector<std::thread> nodes;
  for (int n = 0; n < 4; ++n)
    nodes.emplace_back([&, n] {  // no Catch2 assertions off the main thread
      pg_connection mine{options_for(url)};
      ++ready;
      while (ready.load() < 4) std::this_thread::yield();
      for (int round = 0; round < 40; ++round) {
        auto c = claim_due_jobs(mine, "node-" + std::to_string(n), 3, now, rules(), std::nullopt);
        if (!c) {
          errors[static_cast<std::size_t>(n)] = c.error().message;
          return;
        }
        for (const auto& j : *c) got[static_cast<std::size_t>(n)].push_back(j.job_id);
      }
    });
  for (auto& t : nodes) t.join();
  std::multiset<std::int64_t> all;
  for (int n = 0; n < 4; ++n) {
    INFO("node " << n << ": " << errors[static_cast<std::size_t>(n)]);
    CHECK(errors[static_cast<std::size_t>(n)].empty());
    all.insert(got[static_cast<std::size_t>(n)].begin(), got[static_cast<std::size_t>(n)].end());
  }
  CHECK(all.size() == 60);
  CHECK(std::set<std::int64_t>(all.begin(), all.end()).size() == 60);
  CHECK(scalar(conn, "SELECT count(*) FROM reminder_attempts") == 60);
  CHECK(scalar(conn, "SELECT count(DISTINCT job_id) FROM reminder_attempts") == 60);
}

TEST_CASE("busy and no-answer are retried after 30 then 60 minutes, and a third failure fails the job") {
  auto url = fresh_database("t_jobs_retry");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550121", 1);
  appointment_at(conn, maria, "2031-03-12 09:00");
  auto t0 = at(conn, "2031-03-11 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", t0, rules(), "a").ok());

  auto first = claim_due_jobs(conn, "a", 5, t0, rules(), no_test_number);
  REQUIRE(first->size() == 1);
  auto job = first->front().job_id;
  REQUIRE(attempt_placed(conn, job, 1, "CA0001").ok());
  CHECK(text(conn, "SELECT state FROM reminder_jobs") == "calling");
  CHECK(*attempt_status(conn, "CA0001", "ringing", std::nullopt, t0 + 5, rules()));
  CHECK(*attempt_status(conn, "CA0001", "busy", std::nullopt, t0 + 20, rules()));
  CHECK_FALSE(*attempt_status(conn, "CA0001", "busy", std::nullopt, t0 + 21, rules()));  // Twilio's retry
  CHECK(text(conn, "SELECT state FROM reminder_jobs") == "pending");

  CHECK(claim_due_jobs(conn, "a", 5, t0 + 20 + 29 * 60, rules(), no_test_number)->empty());
  auto second = claim_due_jobs(conn, "b", 5, t0 + 20 + 30 * 60, rules(), no_test_number);
  REQUIRE(second->size() == 1);
  CHECK(second->front().attempt == 2);
  REQUIRE(attempt_placed(conn, job, 2, "CA0002").ok());
  auto t2 = t0 + 20 + 30 * 60 + 40;
  CHECK(*attempt_status(conn, "CA0002", "no-answer", std::nullopt, t2, rules()));
  CHECK(claim_due_jobs(conn, "a", 5, t2 + 59 * 60, rules(), no_test_number)->empty());
  auto third = claim_due_jobs(conn, "a", 5, t2 + 60 * 60, rules(), no_test_number);
  REQUIRE(third->size() == 1);
  CHECK(third->front().attempt == 3);
  REQUIRE(attempt_placed(conn, job, 3, "CA0003").ok());
  CHECK(*attempt_status(conn, "CA0003", "failed", std::nullopt, t2 + 60 * 60 + 10, rules()));
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs") == "failed/failed");
  CHECK(scalar(conn, "SELECT count(*) FROM reminder_attempts WHERE ended_at IS NOT NULL") == 3);
}

TEST_CASE("a retry that would fall after the appointment's start is not made") {
  auto url = fresh_database("t_jobs_late");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550131", 1);
  appointment_at(conn, maria, "2031-03-12 08:15");
  auto evening = at(conn, "2031-03-12 07:50");  // the reminder job was created the day before
  REQUIRE(scalar(conn, "INSERT INTO reminder_jobs (kind, appointment_id, customer_id, due_at, not_after)"
                       " SELECT 'reminder', id, customer_id, to_timestamp($1::bigint), starts_at FROM appointments"
                       " RETURNING 1",
                       pg_params{}.add(evening)) == 1);
  auto c = claim_due_jobs(conn, "a", 5, at(conn, "2031-03-12 08:00"), rules(), no_test_number);
  REQUIRE(c->size() == 1);
  REQUIRE(attempt_placed(conn, c->front().job_id, 1, "CA0100").ok());
  CHECK(*attempt_status(conn, "CA0100", "no-answer", std::nullopt, at(conn, "2031-03-12 08:01"), rules()));
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs") == "failed/no_answer");
}

TEST_CASE("cancelled appointments are not called, moved ones are re-timed, opted-out customers never called again") {
  auto url = fresh_database("t_jobs_changes");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550141", 1);
  auto omar = add_customer(store, "+12175550142", 2);
  auto lena = add_customer(store, "+12175550143", 3);
  auto cancelled = appointment_at(conn, maria, "2031-03-12 09:00");
  auto moved = appointment_at(conn, omar, "2031-03-12 10:00", "booked", 2);
  appointment_at(conn, lena, "2031-03-12 11:00", "booked", 3);
  auto t0 = at(conn, "2031-03-11 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", t0, rules(), "a")->reminders == 3);

  REQUIRE(scalar(conn, "UPDATE appointments SET status = 'cancelled' WHERE id = $1 RETURNING 1",
                 pg_params{}.add(cancelled)) == 1);
  REQUIRE(scalar(conn,
                 "UPDATE appointments SET starts_at = '2031-03-17 10:00'::timestamp AT TIME ZONE $2,"
                 " ends_at = '2031-03-17 10:30'::timestamp AT TIME ZONE $2 WHERE id = $1 RETURNING 1",
                 pg_params{}.add(moved).add(zone)) == 1);
  REQUIRE(opt_out(conn, lena.person.id, "CA-optout").ok());

  CHECK(claim_due_jobs(conn, "a", 10, t0 + 60, rules(), no_test_number)->empty());
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs WHERE appointment_id = $1",
             pg_params{}.add(cancelled)) == "cancelled/appointment_cancelled");
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs WHERE customer_id = $1",
             pg_params{}.add(lena.person.id)) == "cancelled/opted_out");
  CHECK(scalar(conn, "SELECT count(*) FROM customers WHERE do_not_call AND id = $1", pg_params{}.add(lena.person.id)) == 1);
  // the moved one is due the day before its new date, at the window's start
  CHECK(scalar(conn, "SELECT extract(epoch FROM due_at)::bigint FROM reminder_jobs WHERE appointment_id = $1",
               pg_params{}.add(moved)) == at(conn, "2031-03-16 08:00"));
  auto later = claim_due_jobs(conn, "a", 10, at(conn, "2031-03-16 08:00"), rules(), no_test_number);
  REQUIRE(later->size() == 1);
  CHECK(later->front().appointment_id == moved);
  CHECK(later->front().starts_local == "2031-03-17 10:00");

  // an opted-out customer gets no new job either
  appointment_at(conn, lena, "2031-03-20 09:00", "booked", 4);
  CHECK(create_day_jobs(conn, "2031-03-19", at(conn, "2031-03-19 09:00"), rules(), "a")->reminders == 0);
}

TEST_CASE("the conversation's outcome: a confirmed reminder and a rated follow-up") {
  auto url = fresh_database("t_jobs_outcome");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550151", 1);
  auto appt = appointment_at(conn, maria, "2031-03-12 09:00");
  appointment_at(conn, maria, "2031-03-09 09:00", "completed", 2);
  auto t0 = at(conn, "2031-03-11 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", t0, rules(), "a").ok());
  auto c = claim_due_jobs(conn, "a", 10, t0, rules(), no_test_number);
  REQUIRE(c->size() == 2);
  for (const auto& j : *c) REQUIRE(attempt_placed(conn, j.job_id, 1, "CA" + std::to_string(j.job_id)).ok());
  const auto& reminder = c->at(0).kind == job_kind::reminder ? c->at(0) : c->at(1);
  const auto& followup = c->at(0).kind == job_kind::reminder ? c->at(1) : c->at(0);

  REQUIRE(job_outcome(conn, "CA" + std::to_string(reminder.job_id), "confirmed").ok());
  CHECK(*attempt_status(conn, "CA" + std::to_string(reminder.job_id), "completed", std::nullopt, t0 + 90, rules()));
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs WHERE id = $1",
             pg_params{}.add(reminder.job_id)) == "done/confirmed");
  CHECK(text(conn, "SELECT reminder_state FROM appointments WHERE id = $1", pg_params{}.add(appt)) == "confirmed");

  REQUIRE(job_outcome(conn, "CA" + std::to_string(followup.job_id), "rated", 2, std::string{"the car still pulls left"},
                      true)
            .ok());
  CHECK(text(conn, "SELECT rating || '/' || feedback || '/' || callback_wanted FROM reminder_jobs WHERE id = $1",
             pg_params{}.add(followup.job_id)) == "2/the car still pulls left/true");
  CHECK(job_outcome(conn, "CA-unknown", "confirmed").code() == store_errc::not_found);
  CHECK(job_outcome(conn, "CA" + std::to_string(followup.job_id), "rated", 9).code() == store_errc::invalid);

  auto counts = count_jobs(conn);
  REQUIRE(counts.ok());
  CHECK((counts->by_state == std::vector<std::pair<std::string, std::int64_t>>{{"done", 2}}));
  CHECK((counts->by_outcome == std::vector<std::pair<std::string, std::int64_t>>{{"confirmed", 1}, {"rated", 1}}));
}

TEST_CASE("one scheduler: the advisory lock is held by one connection and passes on when it ends") {
  auto url = fresh_database("t_jobs_lock");
  pg_connection a{options_for(url)};
  pg_connection b{options_for(url)};
  REQUIRE(*try_scheduler_lock(a));
  CHECK(*try_scheduler_lock(a));  // re-entrant for its holder
  CHECK_FALSE(*try_scheduler_lock(b));
  a.disconnect();  // the holder dies
  bool taken = false;
  for (int i = 0; i < 50 && !taken; ++i) {
    taken = *try_scheduler_lock(b);
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(taken);
}

TEST_CASE("no call on a day the shop is closed, and no more live attempts than the cap") {
  auto url = fresh_database("t_jobs_closed");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550161", 1);
  auto omar = add_customer(store, "+12175550162", 2);
  appointment_at(conn, maria, "2031-03-17 09:00");            // a Monday: reminded on Sunday
  appointment_at(conn, omar, "2031-03-17 10:00", "booked", 2);
  REQUIRE(create_day_jobs(conn, "2031-03-16", at(conn, "2031-03-16 07:00"), rules(), "a").ok());
  auto r = rules();
  r.closed_weekdays = {0};  // closed on Sundays
  CHECK(claim_due_jobs(conn, "a", 10, at(conn, "2031-03-16 10:00"), r, no_test_number)->empty());
  r.closed_weekdays = {};
  r.max_live = 1;
  auto first = claim_due_jobs(conn, "a", 10, at(conn, "2031-03-16 10:00"), r, no_test_number);
  REQUIRE(first.ok());
  CHECK(first->size() == 1);  // one line for outbound calls: the second waits
  CHECK(claim_due_jobs(conn, "a", 10, at(conn, "2031-03-16 10:01"), r, no_test_number)->empty());
  REQUIRE(attempt_placed(conn, first->front().job_id, 1, "CAcap1").ok());
  REQUIRE(attempt_status(conn, "CAcap1", "completed", std::nullopt, at(conn, "2031-03-16 10:03"), r).ok());
  CHECK(claim_due_jobs(conn, "a", 10, at(conn, "2031-03-16 10:04"), r, no_test_number)->size() == 1);
}

TEST_CASE("a call's context, its outcome by job and attempt, and a confirmed appointment") {
  auto url = fresh_database("t_jobs_context");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550171", 1);
  auto appt = appointment_at(conn, maria, "2031-03-12 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", at(conn, "2031-03-11 09:00"), rules(), "a").ok());
  auto claimed = claim_due_jobs(conn, "a", 1, at(conn, "2031-03-11 09:00"), rules(), no_test_number);
  REQUIRE(claimed->size() == 1);
  auto job = claimed->front();
  auto ctx = job_context(conn, job.job_id, 1, zone);
  REQUIRE(ctx.ok());
  CHECK(ctx->appointment_id == appt);
  CHECK(ctx->customer_id == maria.person.id);
  CHECK(ctx->starts_local == "2031-03-12 09:00");
  CHECK(ctx->service_type == "oil_change");
  CHECK_FALSE(ctx->first_name.empty());
  CHECK(job_context(conn, job.job_id, 2, zone).error().code == store_errc::not_found);
  // the outcome is recorded before the REST answer gave the attempt its call SID
  REQUIRE(confirm_job_appointment(conn, job.job_id).ok());
  REQUIRE(job_outcome_for(conn, job.job_id, 1, "confirmed").ok());
  CHECK(text(conn, "SELECT status || '/' || reminder_state FROM appointments WHERE id = $1", pg_params{}.add(appt)) ==
        "confirmed/confirmed");
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs WHERE id = $1", pg_params{}.add(job.job_id)) ==
        "done/confirmed");
  CHECK(job_outcome_for(conn, job.job_id, 1, "rated", 9).error().code == store_errc::invalid);
}

TEST_CASE("a 429 withdraws the attempt without spending it, and an attempt whose node died fails later") {
  auto url = fresh_database("t_jobs_withdrawn");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550181", 1);
  appointment_at(conn, maria, "2031-03-12 09:00");
  REQUIRE(create_day_jobs(conn, "2031-03-11", at(conn, "2031-03-11 09:00"), rules(), "a").ok());
  auto t0 = at(conn, "2031-03-11 09:00");
  auto first = claim_due_jobs(conn, "a", 1, t0, rules(), no_test_number);
  REQUIRE(first->size() == 1);
  auto id = first->front().job_id;
  REQUIRE(attempt_withdrawn(conn, id, 1, t0, 30).ok());
  CHECK(scalar(conn, "SELECT attempts FROM reminder_jobs WHERE id = $1", pg_params{}.add(id)) == 0);
  CHECK(claim_due_jobs(conn, "a", 1, t0 + 10, rules(), no_test_number)->empty());  // not before 30 s
  auto again = claim_due_jobs(conn, "a", 1, t0 + 31, rules(), no_test_number);
  REQUIRE(again->size() == 1);
  CHECK(again->front().attempt == 1);
  // the node that claimed it stops before placing: after stale_placing_minutes it failed,
  // and the job is retried after the first gap
  auto later = t0 + 31 + 11 * 60;
  CHECK(claim_due_jobs(conn, "b", 1, later, rules(), no_test_number)->empty());
  CHECK(text(conn, "SELECT status FROM reminder_attempts WHERE job_id = $1 AND attempt = 1", pg_params{}.add(id)) ==
        "failed");
  CHECK(text(conn, "SELECT state FROM reminder_jobs WHERE id = $1", pg_params{}.add(id)) == "pending");
  auto retried = claim_due_jobs(conn, "b", 1, later + 31 * 60, rules(), no_test_number);
  REQUIRE(retried->size() == 1);
  CHECK(retried->front().attempt == 2);
}

TEST_CASE("the scheduler lock is known to be held, and lost with its session") {
  auto url = fresh_database("t_jobs_lock_held");
  auto a = make_store(url);
  auto b = make_store(url);
  REQUIRE(try_scheduler_lock(a.connection()).value());
  CHECK(holds_scheduler_lock(a.connection()).value());
  CHECK_FALSE(holds_scheduler_lock(b.connection()).value());
  CHECK_FALSE(try_scheduler_lock(b.connection()).value());
  a.connection().disconnect();
  CHECK_FALSE(holds_scheduler_lock(a.connection()).value());  // a new session holds nothing
  CHECK(try_scheduler_lock(b.connection()).value());
  auto clock = shop_clock_at(b.connection(), at(b.connection(), "2031-03-16 10:04"), zone);
  REQUIRE(clock.ok());
  CHECK(clock->day == "2031-03-16");
  CHECK(clock->minute == 10 * 60 + 4);
  CHECK(clock->weekday == 0);
}

TEST_CASE("a day whose jobs were created is known as created") {
  auto url = fresh_database("t_jobs_day_created");
  auto store = make_store(url);
  auto& conn = store.connection();
  CHECK_FALSE(day_jobs_created(conn, "2031-03-11").value());
  REQUIRE(create_day_jobs(conn, "2031-03-11", at(conn, "2031-03-11 09:00"), rules(), "a").ok());
  CHECK(day_jobs_created(conn, "2031-03-11").value());
  CHECK_FALSE(day_jobs_created(conn, "2031-03-12").value());
}

TEST_CASE("a placed call whose final status never comes ends without another call, keeping its outcome") {
  auto url = fresh_database("t_jobs_lost_status");
  auto store = make_store(url);
  auto& conn = store.connection();
  auto maria = add_customer(store, "+12175550191", 1);
  auto omar = add_customer(store, "+12175550192", 2);
  appointment_at(conn, maria, "2031-03-12 09:00");
  appointment_at(conn, omar, "2031-03-12 10:00", "booked", 2);
  REQUIRE(create_day_jobs(conn, "2031-03-11", at(conn, "2031-03-11 09:00"), rules(), "a").ok());
  auto t0 = at(conn, "2031-03-11 09:00");
  auto claimed = claim_due_jobs(conn, "a", 2, t0, rules(), no_test_number);
  REQUIRE(claimed->size() == 2);
  REQUIRE(attempt_placed(conn, claimed->at(0).job_id, 1, "CAlost1").ok());
  REQUIRE(attempt_placed(conn, claimed->at(1).job_id, 1, "CAlost2").ok());
  REQUIRE(job_outcome(conn, "CAlost2", "confirmed").ok());  // the conversation ended; `completed` got lost
  CHECK(claim_due_jobs(conn, "a", 2, t0 + 30 * 60, rules(), no_test_number)->empty());
  CHECK(text(conn, "SELECT status FROM reminder_attempts WHERE call_sid = 'CAlost1'") == "queued");  // not yet
  CHECK(claim_due_jobs(conn, "a", 2, t0 + 46 * 60, rules(), no_test_number)->empty());  // nobody called again
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs WHERE id = $1",
             pg_params{}.add(claimed->at(0).job_id)) == "failed/no_final_status");
  CHECK(text(conn, "SELECT state || '/' || outcome FROM reminder_jobs WHERE id = $1",
             pg_params{}.add(claimed->at(1).job_id)) == "done/confirmed");
  CHECK(scalar(conn, "SELECT count(*) FROM reminder_attempts WHERE ended_at IS NULL") == 0);
}
