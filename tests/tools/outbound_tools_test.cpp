// The tools of a call the shop placed (get_call_purpose, confirm_identity,
// confirm_appointment, record_call_outcome, opt_out_of_calls) against a real PostgreSQL:
// nothing before the customer said it is them, only the call's own job, outcomes stored.
#include "tools_env.hpp"

#include "store/outbound_jobs.hpp"

using namespace ce::tools;
using namespace ce::tools::test;

namespace {

struct placed_call {
  std::int64_t job = 0;
  std::int64_t appointment = 0;
};

/// A booked appointment tomorrow for `c` and its reminder job, claimed (attempt 1).
placed_call reminder_for(tool_rig& rig, const test_customer& c, const std::string& kind = "reminder") {
  auto& conn = rig.shop.connection();
  auto status = kind == "reminder" ? "booked" : "completed";
  auto appt = conn.exec(
    "INSERT INTO appointments (customer_id, vehicle_id, service_type, starts_at, ends_at, bay, status,"
    " confirmation_code) VALUES ($1::bigint, $2, 'oil_change', now() + interval '1 day', now() + interval '1 day 30 minutes',"
    " 1, $3, 'OT' || $1::bigint::text) RETURNING id",
    ce::store::pg_params{}.add(c.person.id).add(c.car.id).add(status));
  INFO((appt ? "" : appt.error().message));
  REQUIRE(appt.ok());
  placed_call p;
  p.appointment = (*appt)[0].int64(0);
  auto job = conn.exec("INSERT INTO reminder_jobs (kind, appointment_id, customer_id, due_at, state, attempts)"
                       " VALUES ($1, $2, $3, now(), 'claimed', 1) RETURNING id",
                       ce::store::pg_params{}.add(kind).add(p.appointment).add(c.person.id));
  REQUIRE(job.ok());
  p.job = (*job)[0].int64(0);
  REQUIRE(conn.exec("INSERT INTO reminder_attempts (job_id, attempt, node, dialled) VALUES ($1, 1, 'test', $2)",
                    ce::store::pg_params{}.add(p.job).add(c.person.phone))
            .ok());
  rig.ctx.job_id = p.job;
  rig.ctx.job_attempt = 1;
  return p;
}

std::string one(tool_rig& rig, const std::string& sql, std::int64_t id) {
  auto r = rig.shop.connection().exec(sql, ce::store::pg_params{}.add(id));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  return std::string{(*r)[0].text(0)};
}

} // namespace

TEST_CASE("an outbound call learns only the first name until the customer says it is them") {
  tool_rig rig{"t_tools_out_identity", ""};
  auto maria = rig.customer("+12175550701", 1);
  auto call = reminder_for(rig, maria);
  auto purpose = rig.call("get_call_purpose");
  CHECK(purpose["kind"] == "reminder");
  CHECK(purpose["first_name"] == maria.person.first_name);
  CHECK_FALSE(purpose.contains("appointment"));
  // nothing personal before confirm_identity
  CHECK(rig.call("get_appointments")["ok"] == false);
  CHECK(rig.call("confirm_appointment")["error"] == "forbidden");
  auto yes = rig.call("confirm_identity", {{"is_customer", true}});
  CHECK(yes["appointment"]["appointment_id"] == call.appointment);
  CHECK(yes["appointment"]["service_type"] == "oil_change");
  CHECK(rig.ctx.verified);
  CHECK(rig.call("get_appointments")["ok"] == true);
  CHECK(rig.call("confirm_appointment")["status"] == "confirmed");
  CHECK(one(rig, "SELECT status FROM appointments WHERE id = $1", call.appointment) == "confirmed");
  CHECK(one(rig, "SELECT outcome FROM reminder_jobs WHERE id = $1", call.job) == "confirmed");
}

TEST_CASE("someone else answering is recorded, and verifies nobody") {
  tool_rig rig{"t_tools_out_wrong", ""};
  auto maria = rig.customer("+12175550702", 1);
  auto call = reminder_for(rig, maria);
  auto no = rig.call("confirm_identity", {{"is_customer", false}});
  CHECK(no["is_customer"] == false);
  CHECK_FALSE(rig.ctx.verified);
  CHECK(one(rig, "SELECT outcome FROM reminder_jobs WHERE id = $1", call.job) == "wrong_person");
  CHECK(rig.call("confirm_identity", json::object())["error"] == "invalid_argument");
}

TEST_CASE("outcomes and ratings are checked and stored, opt-out marks the customer") {
  tool_rig rig{"t_tools_out_outcome", ""};
  auto maria = rig.customer("+12175550703", 1);
  auto call = reminder_for(rig, maria, "followup");
  // a follow-up offers the routine service the vehicle had longest ago (never, here), not the one just done
  auto yes = rig.call("confirm_identity", {{"is_customer", true}});
  CHECK(yes["next_service"]["service_type"] == "brake_inspection");
  CHECK(yes["next_service"]["last_done"].is_null());
  REQUIRE(rig.shop.connection()
            .exec("INSERT INTO service_history (vehicle_id, service_type, performed_on) VALUES ($1, 'brake_inspection',"
                  " current_date - 30)",
                  ce::store::pg_params{}.add(maria.car.id))
            .ok());
  CHECK(rig.call("confirm_identity", {{"is_customer", true}})["next_service"]["service_type"] == "tire_rotation");
  CHECK(rig.call("record_call_outcome", {{"outcome", "delighted"}})["error"] == "invalid_argument");
  CHECK(rig.call("record_call_outcome", {{"outcome", "rated"}, {"rating", 9}})["error"] == "invalid_argument");
  auto rated = rig.call("record_call_outcome",
                        {{"outcome", "rated"}, {"rating", 2}, {"feedback", "a rattle"}, {"callback_wanted", true}});
  CHECK(rated["ok"] == true);
  CHECK(one(rig, "SELECT rating || '/' || feedback || '/' || callback_wanted FROM reminder_jobs WHERE id = $1",
            call.job) == "2/a rattle/true");
  CHECK(rig.call("opt_out_of_calls")["opted_out"] == true);
  CHECK(one(rig, "SELECT do_not_call::text FROM customers WHERE id = $1", maria.person.id) == "true");
}

TEST_CASE("the outbound tools refuse an inbound call") {
  tool_rig rig{"t_tools_out_inbound", "+12175550704"};
  rig.customer("+12175550704", 1);
  for (const char* name : {"get_call_purpose", "confirm_appointment", "opt_out_of_calls"})
    CHECK(rig.call(name)["error"] == "forbidden");
  CHECK(rig.call("record_call_outcome", {{"outcome", "rated"}})["error"] == "forbidden");
}
