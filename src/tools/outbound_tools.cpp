// The tools of an outbound call (docs/tools.md, "Outbound calls"): what the call is about,
// the person who answered confirming they are the customer, the reminder's confirmation,
// the call's outcome, and opting out of calls. Each answers only for the job the call was
// placed for (the stream token's), never for a job or customer named in the arguments.
#include "tools/tool_impl.hpp"

#include "store/outbound_jobs.hpp"

#include <algorithm>
#include <array>

namespace ce::tools {

namespace {

constexpr std::array<std::string_view, 9> outcomes = {"confirmed", "rescheduled", "cancelled",   "no_decision",
                                                      "voicemail", "wrong_person", "rated",      "callback_requested",
                                                      "opted_out"};

std::optional<tool_error> require_job(const caller_context& ctx) {
  if (!ctx.job_id) return fail(tool_errc::forbidden, "This tool is only for calls the shop placed");
  return std::nullopt;
}

checked<store::claimed_job> load_job(tool_call& c) {
  if (auto e = require_job(c.ctx)) return *e;
  auto job = store::job_context(c.env.store.connection(), *c.ctx.job_id, c.ctx.job_attempt, c.env.facts.timezone);
  if (!job) return from_store(job.error());
  return *job;
}

} // namespace

tool_result get_call_purpose(tool_call& c) {
  auto job = load_job(c);
  if (!job) return job.error();
  // only what the agent may say before the customer confirmed who they are
  return json{{"ok", true}, {"kind", std::string{store::to_string(job->kind)}}, {"first_name", job->first_name},
              {"identity_confirmed", c.ctx.identity_confirmed}};
}

tool_result confirm_identity(tool_call& c) {
  auto job = load_job(c);
  if (!job) return job.error();
  auto it = c.args.find("is_customer");
  if (it == c.args.end() || !it->is_boolean())
    return fail(tool_errc::invalid_argument, "is_customer must be true or false");
  if (!it->get<bool>()) {
    auto st = store::job_outcome_for(c.env.store.connection(), job->job_id, job->attempt, "wrong_person");
    if (!st) return from_store(st.error());
    return json{{"ok", true}, {"is_customer", false}};
  }
  c.ctx.identity_confirmed = true;
  c.ctx.customer_id = job->customer_id;
  c.ctx.first_name = job->first_name;
  c.ctx.customer_phone = job->phone;
  c.ctx.verified = true;  // the shop called the customer's number and they said it is them
  c.ctx.appointment_ids.insert(job->appointment_id);
  json appt{{"appointment_id", job->appointment_id},
            {"service_type", job->service_type},
            {"service_name", service_name(c.env.facts, job->service_type)},
            {"starts_at", job->starts_local},
            {"vehicle", job->vehicle}};
  json out{{"ok", true}, {"is_customer", true}, {"kind", std::string{store::to_string(job->kind)}},
           {"first_name", job->first_name}, {"appointment", appt}};
  if (job->kind == store::job_kind::followup) {
    // what to offer next: the routine service this vehicle had longest ago
    std::vector<std::string> routine;
    for (const auto& s : c.env.facts.services)
      if (s.id == "oil_change" || s.id == "tire_rotation" || s.id == "brake_inspection") routine.push_back(s.id);
    auto next = store::recommended_service(c.env.store.connection(), job->job_id, routine);
    if (next && *next)
      out["next_service"] = {{"service_type", (*next)->service_type},
                             {"service_name", service_name(c.env.facts, (*next)->service_type)},
                             {"last_done", (*next)->last_done.empty() ? json(nullptr) : json((*next)->last_done)}};
  }
  return out;
}

tool_result confirm_appointment(tool_call& c) {
  auto job = load_job(c);
  if (!job) return job.error();
  if (!c.ctx.identity_confirmed)
    return fail(tool_errc::forbidden, "Confirm who you are speaking with first (confirm_identity)");
  if (job->kind != store::job_kind::reminder)
    return fail(tool_errc::invalid_argument, "Only a reminder call confirms an appointment");
  auto& conn = c.env.store.connection();
  if (auto st = store::confirm_job_appointment(conn, job->job_id); !st) return from_store(st.error());
  if (auto st = store::job_outcome_for(conn, job->job_id, job->attempt, "confirmed"); !st)
    return from_store(st.error());
  c.outcome.changed_appointments.push_back(job->appointment_id);
  return json{{"ok", true}, {"appointment_id", job->appointment_id}, {"starts_at", job->starts_local},
              {"status", "confirmed"}};
}

tool_result record_call_outcome(tool_call& c) {
  if (auto e = require_job(c.ctx)) return *e;
  auto outcome = need_string(c.args, "outcome");
  if (!outcome) return outcome.error();
  if (std::find(outcomes.begin(), outcomes.end(), *outcome) == outcomes.end())
    return fail(tool_errc::invalid_argument,
                "outcome must be one of confirmed, rescheduled, cancelled, no_decision, voicemail, wrong_person, "
                "rated, callback_requested, opted_out");
  auto rating = opt_int(c.args, "rating");
  if (!rating) return rating.error();
  if (*rating) {
    if (auto e = check_range("rating", **rating, 1, 5)) return *e;
  }
  auto feedback = opt_string(c.args, "feedback");
  if (!feedback) return feedback.error();
  if (*feedback && (*feedback)->size() > 1000) (*feedback)->resize(1000);
  bool callback = false;
  if (auto it = c.args.find("callback_wanted"); it != c.args.end()) {
    if (!it->is_boolean()) return fail(tool_errc::invalid_argument, "callback_wanted must be true or false");
    callback = it->get<bool>();
  }
  std::optional<int> r;
  if (*rating) r = static_cast<int>(**rating);
  auto st = store::job_outcome_for(c.env.store.connection(), *c.ctx.job_id, c.ctx.job_attempt, *outcome, r, *feedback,
                                   callback);
  if (!st) return from_store(st.error());
  return json{{"ok", true}, {"outcome", *outcome}};
}

tool_result opt_out_of_calls(tool_call& c) {
  auto job = load_job(c);
  if (!job) return job.error();
  auto& conn = c.env.store.connection();
  if (auto st = store::opt_out(conn, job->customer_id, "call:" + c.ctx.call_sid); !st) return from_store(st.error());
  if (auto st = store::job_outcome_for(conn, job->job_id, job->attempt, "opted_out"); !st)
    return from_store(st.error());
  return json{{"ok", true}, {"opted_out", true}};
}

} // namespace ce::tools
