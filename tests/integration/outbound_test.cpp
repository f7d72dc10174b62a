// Outbound calls through the real engine binary and the Twilio mock (bench/mocks, a separate
// process): the reminder scheduler claims a job that is due, places the call through Twilio
// REST to the test number, the mock runs the call's TwiML and plays the customer (or their
// answering machine) over the Media Stream, sends the AMD verdict and the status callbacks,
// and the job, its attempt and the appointment end up in PostgreSQL. Two engine processes
// on one database call each customer once, also when the one that schedules is killed.
#include "helpers.hpp"
#include "mock_process.hpp"
#include "openai_rules.hpp"

#include "pg_helpers.hpp"
#include "twilio/signature.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <set>

using namespace ce;
using namespace ce::test;
using nlohmann::json;

namespace {

const std::string test_number = "+15005550006";
const std::string shop_number = "+12175550100";
const char* zone = "America/Chicago";

store::pg_connection connect(const std::string& url) { return pg_connect(url); }

std::string one(store::pg_connection& c, const std::string& sql, const store::pg_params& p = {}) {
  return query_one(c, sql, p);
}

/// The mock Twilio account the engine places calls with, and a callee playing `say`.
json twilio_scenario(json say, const std::string& answered_by = "human") {
  return json{{"twilio",
               {{"step_ms", 150},
                {"amd_answered_by", answered_by},
                {"callee", {{"enabled", true}, {"greeting", "hello"}, {"say", std::move(say)}, {"hangup_after_ms", 1500}}}}}};
}

std::map<std::string, std::string> outbound_env(const mock_process& mocks, std::string database_url = {}) {
  std::map<std::string, std::string> env{{"TWILIO_API_BASE", mocks.value("TWILIO_API_BASE")},
                                         {"TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000001"},
                                         {"TWILIO_AUTH_TOKEN", "mock_auth_token"},
                                         {"TWILIO_FROM_NUMBER", shop_number},
                                         {"CE_REMINDER_TEST_NUMBER", test_number},
                                         {"CE_REMINDER_WINDOW", "00:00-24:00"}};
  if (!database_url.empty()) env["DATABASE_URL"] = database_url;
  return env;
}

json fast_reminders() { return json{{"reminders", {{"tick_ms", 200}, {"calls_per_second", 5.0}}}}; }

struct customer_ids {
  std::int64_t customer = 0;
  std::int64_t appointment = 0;
  std::int64_t job = 0;
};

/// A customer with a car and an appointment `days` from today (shop time; negative and
/// `completed` for a follow-up), and its job due now: what the scheduler's 09:00 run would
/// have made.
customer_ids due_job(store::pg_connection& c, const std::string& phone, const std::string& first_name, int days,
                     const std::string& kind = "reminder", int bay = 1) {
  customer_ids ids;
  ids.customer = std::stoll(one(c, "INSERT INTO customers (first_name, last_name, phone, zip) VALUES ($1, 'Lopez', $2,"
                                   " '62704') RETURNING id",
                                store::pg_params{}.add(first_name).add(phone)));
  auto vehicle = one(c, "INSERT INTO vehicles (customer_id, vin, make, model, year)"
                        " VALUES ($1::bigint, '4T1B11HK5KU' || lpad($1::bigint::text, 6, '0'), 'Toyota', 'Camry', 2021) RETURNING id",
                     store::pg_params{}.add(ids.customer));
  const std::string status = days < 0 ? "completed" : "booked";
  ids.appointment = std::stoll(one(
    c,
    "INSERT INTO appointments (customer_id, vehicle_id, service_type, starts_at, ends_at, bay, status, confirmation_code)"
    " SELECT $1::bigint, $2::bigint, 'oil_change', t AT TIME ZONE $3, (t + interval '30 minutes') AT TIME ZONE $3,"
    "   $5::int, $4, 'OB' || $1::bigint::text || $5::int::text"
    " FROM (SELECT ((now() AT TIME ZONE $3)::date + $6::int) + time '10:00' AS t) x RETURNING id",
    store::pg_params{}.add(ids.customer).add(vehicle).add(zone).add(status).add(bay).add(days)));
  ids.job = std::stoll(one(c,
                           "INSERT INTO reminder_jobs (kind, appointment_id, customer_id, due_at, not_after)"
                           " SELECT $1::text, a.id, a.customer_id, now(), CASE WHEN $1 = 'reminder' THEN a.starts_at"
                           "   ELSE now() + interval '12 hours' END FROM appointments a WHERE a.id = $2::bigint RETURNING id",
                           store::pg_params{}.add(kind).add(ids.appointment)));
  return ids;
}

/// Waits until the job is no longer pending, claimed or calling; returns "state/outcome".
std::string wait_for_job(store::pg_connection& c, std::int64_t job, int timeout_s = 90) {
  std::string last;
  for (int i = 0; i < timeout_s * 10; ++i) {
    last = one(c, "SELECT state || '/' || coalesce(outcome, '') FROM reminder_jobs WHERE id = $1",
               store::pg_params{}.add(job));
    // the outcome is set by the conversation; the attempt ends with Twilio's `completed`
    auto ended = one(c, "SELECT count(*) FROM reminder_attempts WHERE job_id = $1 AND ended_at IS NOT NULL",
                     store::pg_params{}.add(job));
    if (last.rfind("done/", 0) == 0 && ended != "0") return last;
    if (last.rfind("failed/", 0) == 0 || last.rfind("cancelled/", 0) == 0) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

std::string agent_text(const json& record) {
  std::string all;
  for (const auto& t : turns_of(record, "agent")) all += t.value("text", "") + " ";
  return all;
}

} // namespace

TEST_CASE("a reminder is placed to the test number, waits for the person, and the customer confirms") {
  mock_process mocks(twilio_scenario(json::array({"yes this is maria", "yes i will be there", "no thank you goodbye"})));
  engine_process engine(fast_reminders(), outbound_env(mocks));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550190", "Maria", 1);

  auto outcome = wait_for_job(db, ids.job);
  INFO(engine.log());
  INFO(mocks.output());
  CHECK(outcome == "done/confirmed");
  CHECK(one(db, "SELECT status || '/' || reminder_state FROM appointments WHERE id = $1",
            store::pg_params{}.add(ids.appointment)) == "confirmed/confirmed");
  // the attempt: the test number dialled, Twilio's SID, the AMD verdict, completed
  CHECK(one(db, "SELECT dialled || '/' || status || '/' || coalesce(answered_by, '') FROM reminder_attempts"
                " WHERE job_id = $1",
            store::pg_params{}.add(ids.job)) == test_number + "/completed/human");
  auto sid = one(db, "SELECT call_sid FROM reminder_attempts WHERE job_id = $1", store::pg_params{}.add(ids.job));
  REQUIRE(sid.rfind("CA", 0) == 0);
  // Twilio was asked to call the test number only, from the shop's number
  auto calls = mocks.control_get("/twilio/calls").json()["calls"];
  INFO(calls.dump());
  REQUIRE(calls.is_array());
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].value("to", "") == test_number);
  CHECK(calls[0].value("from", "") == shop_number);
  // the conversation: the name asked before any detail, then the appointment
  auto record = call_record(engine, sid);
  auto agent = turns_of(record, "agent");
  REQUIRE(agent.size() >= 2);
  CHECK(contains(agent[0].value("text", ""), "Am I speaking with Maria?"));
  CHECK_FALSE(contains(agent[0].value("text", ""), "oil"));
  CHECK(contains(agent[1].value("text", ""), "oil change"));
  CHECK(contains(agent[1].value("text", ""), "tomorrow"));
  CHECK(engine.metric("ce_reminder_calls_placed_total{kind=\"reminder\"}") == 1);
  CHECK(engine.metric("ce_reminder_amd_total{answered_by=\"human\"}") == 1);
}

TEST_CASE("an answering machine gets a short voicemail without personal details") {
  mock_process mocks(twilio_scenario(json::array(), "machine"));
  engine_process engine(fast_reminders(), outbound_env(mocks));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550191", "Maria", 1);
  auto outcome = wait_for_job(db, ids.job);
  INFO(engine.log());
  INFO(mocks.output());
  CHECK(outcome == "done/voicemail");
  auto sid = one(db, "SELECT call_sid FROM reminder_attempts WHERE job_id = $1", store::pg_params{}.add(ids.job));
  auto text = agent_text(call_record(engine, sid));
  CHECK(contains(text, "appointment tomorrow"));
  CHECK(contains(text, "please call us at"));
  CHECK_FALSE(contains(text, "Maria"));
  CHECK_FALSE(contains(text, "oil"));
  CHECK(one(db, "SELECT answered_by FROM reminder_attempts WHERE job_id = $1", store::pg_params{}.add(ids.job)) ==
        "machine_end_beep");
}

TEST_CASE("stop calling me marks the customer do-not-call and no new job is made for them") {
  mock_process mocks(twilio_scenario(json::array({"yes", "please stop calling me"})));
  engine_process engine(fast_reminders(), outbound_env(mocks));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550192", "Maria", 1);
  auto outcome = wait_for_job(db, ids.job);
  INFO(engine.log());
  CHECK(outcome == "done/opted_out");
  CHECK(one(db, "SELECT do_not_call FROM customers WHERE id = $1", store::pg_params{}.add(ids.customer)) == "t");
  // the next day's run creates nothing for them
  CHECK(one(db,
            "SELECT count(*) FROM reminder_jobs j JOIN appointments a ON a.id = j.appointment_id"
            " WHERE a.customer_id = $1 AND j.id <> $2",
            store::pg_params{}.add(ids.customer).add(ids.job)) == "0");
}

TEST_CASE("a follow-up stores the customer's rating and words") {
  // "yes speaking" twice: if the recogniser misses the first, the question is asked again;
  // if it does not, the second gets the rating question again (issue 13: recognition)
  mock_process mocks(twilio_scenario(
    json::array({"yes speaking", "yes speaking", "five", "the service was quick and friendly", "no thank you"})));
  engine_process engine(fast_reminders(), outbound_env(mocks));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550193", "Maria", -2, "followup");
  auto outcome = wait_for_job(db, ids.job);
  INFO(engine.log());
  CHECK(outcome == "done/rated");
  CHECK(one(db, "SELECT rating::text || '/' || callback_wanted::text FROM reminder_jobs WHERE id = $1",
            store::pg_params{}.add(ids.job)) == "5/false");
  CHECK_FALSE(one(db, "SELECT coalesce(feedback, '') FROM reminder_jobs WHERE id = $1",
                  store::pg_params{}.add(ids.job)).empty());
}

TEST_CASE("two engines on one database call each customer once, and finish the batch when the scheduler dies") {
  // this test is about exactly-once calling, not recognition: a line the recogniser gets wrong
  // is asked again, so the customer says yes once more than a perfect conversation needs
  mock_process mocks(twilio_scenario(
    json::array({"yes this is maria", "yes i will be there", "yes i will be there", "no thank you goodbye"})));
  json slow{{"reminders", {{"tick_ms", 200}, {"calls_per_second", 0.25}}}};
  engine_process first(slow, outbound_env(mocks));
  auto db = connect(first.database_url());
  // the first engine holds the lock before the second starts
  for (int i = 0; i < 50 && first.metric("ce_reminder_scheduler_leader") != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(first.metric("ce_reminder_scheduler_leader") == 1);
  auto env2 = outbound_env(mocks, first.database_url());  // debug: what the recogniser heard, in a failure
  env2["CE_LOG_LEVEL"] = "debug";
  engine_process second(slow, env2);
  std::vector<customer_ids> jobs;
  for (int i = 0; i < 3; ++i)
    jobs.push_back(due_job(db, "+1217555020" + std::to_string(i), "Maria", 1, "reminder", i + 1));
  // one call is placed every 4 s: kill the scheduling engine after the first
  for (int i = 0; i < 100 && one(db, "SELECT count(*) FROM reminder_attempts") == "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(one(db, "SELECT count(*) FROM reminder_attempts") == "1");
  CHECK(second.metric("ce_reminder_scheduler_leader") == 0);
  ::kill(first.pid(), SIGKILL);
  // the second engine takes the lock over and places the other two
  for (int i = 0; i < 300 && one(db, "SELECT count(*) FROM reminder_attempts") != "3"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  INFO(second.log());
  CHECK(one(db, "SELECT count(*) FROM reminder_attempts") == "3");
  CHECK(second.metric("ce_reminder_scheduler_leader") == 1);
  for (std::size_t i = 1; i < jobs.size(); ++i) {
    auto outcome = wait_for_job(db, jobs[i].job);
    INFO(second.log());
    CHECK(outcome == "done/confirmed");
  }
  // exactly one attempt per job, and Twilio asked for exactly three calls
  CHECK(one(db, "SELECT count(DISTINCT job_id) FROM reminder_attempts") == "3");
  CHECK(one(db, "SELECT max(attempt) FROM reminder_attempts") == "1");
  auto calls = mocks.control_get("/twilio/calls").json()["calls"];
  CHECK(calls.size() == 3);
}

TEST_CASE("an answering-machine verdict that reaches another node is relayed to the node that holds the call") {
  // Two nodes behind one public address (a load balancer): the call's stream is on the
  // first, Twilio's AMD callback lands on the second. The mock sends no verdict of its own
  // in time, so only the relayed one can turn the waiting call into a voicemail.
  auto scenario = twilio_scenario(json::array(), "machine");
  scenario["twilio"]["amd_delay_ms"] = 600000;
  mock_process mocks(scenario);
  json cfg = fast_reminders();
  cfg["reminders"]["amd_wait_ms"] = 30000;
  engine_process first(cfg, outbound_env(mocks));
  auto env2 = outbound_env(mocks, first.database_url());
  env2["CE_PUBLIC_BASE_URL"] = first.url();
  engine_process second(cfg, env2);
  for (int i = 0; i < 100 && second.metric("ce_amd_relay_subscribed") != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(second.metric("ce_amd_relay_subscribed") == 1);
  REQUIRE(first.metric("ce_amd_relay_subscribed") == 1);
  auto db = connect(first.database_url());
  auto ids = due_job(db, "+12175550194", "Maria", 1);
  // the call is placed (by either node) and its stream reaches the first node, which waits
  // for the verdict
  std::string sid;
  for (int i = 0; i < 300 && sid.empty(); ++i) {
    sid = one(db, "SELECT coalesce(call_sid, '') FROM reminder_attempts WHERE job_id = $1", store::pg_params{}.add(ids.job));
    if (sid.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_FALSE(sid.empty());
  for (int i = 0; i < 300 && live_call_record(first, sid).value("state", "") != "live"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(live_call_record(first, sid).value("state", "") == "live");
  CHECK(live_call_record(second, sid).empty());
  // Twilio's callback, signed for the public address, delivered to the second node
  const std::string path = "/twilio/amd-status?job=" + std::to_string(ids.job) + "/1/reminder";
  twilio::form_params form{{"AccountSid", "AC00000000000000000000000000000001"},
                           {"CallSid", sid},
                           {"AnsweredBy", "machine_end_beep"},
                           {"MachineDetectionDuration", "4200"}};
  auto reply = sim::http_post_form(second.url() + path, form,
                                   twilio::compute_signature("mock_auth_token", first.url() + path, form));
  CHECK(reply.status / 100 == 2);
  auto outcome = wait_for_job(db, ids.job, 40);
  INFO(first.log());
  INFO(second.log());
  CHECK(outcome == "done/voicemail");
  auto record = call_record(first, sid);
  auto agent = turns_of(record, "agent");
  REQUIRE_FALSE(agent.empty());
  CHECK(contains(agent[0].value("text", ""), "please call us at"));
  CHECK_FALSE(contains(agent_text(record), "Am I speaking with"));
  CHECK(second.metric("ce_amd_relay_published_total") == 1);
  CHECK(first.metric("ce_amd_relay_received_total") >= 1);
}

TEST_CASE("a busy call whose final status callback is lost is looked up on Twilio and retried later") {
  auto scenario = twilio_scenario(json::array());
  scenario["twilio"]["outcome"] = "busy";
  scenario["twilio"]["lost_callbacks"] = json::array({"completed"});
  mock_process mocks(scenario);
  json cfg = fast_reminders();
  cfg["reminders"]["status_check_after_s"] = 2;
  engine_process engine(cfg, outbound_env(mocks));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550195", "Maria", 1);
  std::string attempt;
  for (int i = 0; i < 300; ++i) {
    attempt = one(db, "SELECT status || '/' || (ended_at IS NOT NULL)::text FROM reminder_attempts WHERE job_id = $1",
                  store::pg_params{}.add(ids.job));
    if (attempt == "busy/true") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(engine.log());
  INFO(mocks.output());
  CHECK(attempt == "busy/true");
  // retried after the first gap (30 minutes), not called again now
  CHECK(one(db, "SELECT state || '/' || (due_at > now() + interval '29 minutes')::text FROM reminder_jobs WHERE id = $1",
            store::pg_params{}.add(ids.job)) == "pending/true");
  CHECK(engine.metric("ce_reminder_status_fetched_total{status=\"busy\"}") == 1);
  CHECK(mocks.control_get("/twilio/calls").json()["calls"].size() == 1);
}

namespace {

/// The Twilio callee saying `say`, and an OpenAI model following `rules` (no inbound greeting).
json openai_outbound_scenario(json say, json rules) {
  auto s = twilio_scenario(std::move(say));
  s.merge_patch(openai_scenario(std::move(rules), json{{"ttft_ms", 60}, {"tokens_per_second", 200}}, false));
  return s;
}

} // namespace

TEST_CASE("on the OpenAI path a reminder asks for the customer, confirms through the tools, and the job is done",
          "[integration][openai]") {
  json rules = json::array({
    rule_say({{"last_role", "system"}}, "Hi, this is the virtual assistant at Bart's Automotive. Am I speaking with Maria?"),
    rule_call({{"contains", json::array({"yes"})}, {"times", 1}}, "confirm_identity", {{"is_customer", true}}),
    rule_say({{"tool_result_for", "confirm_identity"}},
             "Thanks, Maria. Your oil change is tomorrow at ten in the morning. Will you be able to make it?"),
    rule_call({{"contains", json::array({"yes", "there"})}, {"times", 1}}, "confirm_appointment", json::object()),
    rule_say({{"tool_result_for", "confirm_appointment"}}, "Great, you're all set. Is there anything else?"),
    rule_call({{"contains", json::array({"no", "goodbye", "thank"})}}, "end_call", {{"reason", "done"}},
              "Thanks, see you tomorrow. Goodbye."),
  });
  mock_process mocks(openai_outbound_scenario(json::array({"yes this is maria", "yes i will be there", "no thank you goodbye"}),
                                              rules));
  engine_process engine(fast_reminders(), openai_env(mocks, outbound_env(mocks)));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550194", "Maria", 1);
  auto outcome = wait_for_job(db, ids.job);
  INFO(engine.log());
  INFO(mocks.output());
  CHECK(outcome == "done/confirmed");
  CHECK(one(db, "SELECT status FROM appointments WHERE id = $1", store::pg_params{}.add(ids.appointment)) ==
        "confirmed");
  // the model was given the outbound tools and a prompt for this job, with the name only
  auto requests = mocks.log("openai", "openai.request");
  REQUIRE_FALSE(requests.empty());
  const auto& first = requests.front();
  std::string system;
  for (const auto& m : first.value("messages", json::array()))
    if (m.value("role", "") == "system") system = m.value("content", "");
  CHECK(contains(system, "Am I speaking with Maria?"));
  CHECK_FALSE(contains(system, "Camry"));
  bool offered = false;
  for (const auto& t : first.value("tools", json::array())) offered = offered || t == "confirm_identity";
  CHECK(offered);
}

TEST_CASE("on the OpenAI path a follow-up stores the rating the model recorded", "[integration][openai]") {
  json rules = json::array({
    rule_say({{"last_role", "system"}}, "Hi, this is Bart's Automotive. Am I speaking with Maria?"),
    rule_call({{"contains", json::array({"yes"})}, {"times", 1}}, "confirm_identity", {{"is_customer", true}}),
    rule_say({{"tool_result_for", "confirm_identity"}}, "Thanks. How would you rate your visit from one to five?"),
    rule_say({{"contains", json::array({"four", "4"})}, {"times", 1}}, "Thank you. Anything we should know?"),
    rule_call({{"contains", json::array({"noise", "brakes"})}}, "record_call_outcome",
              {{"outcome", "rated"}, {"rating", 4}, {"feedback", "a noise from the brakes"}, {"callback_wanted", true}}),
    rule_say({{"tool_result_for", "record_call_outcome"}}, "I'm sorry. A service advisor will call you back. Goodbye."),
  });
  mock_process mocks(openai_outbound_scenario(
    json::array({"yes", "four", "there is a noise from the brakes", "thank you goodbye"}), rules));
  engine_process engine(fast_reminders(), openai_env(mocks, outbound_env(mocks)));
  auto db = connect(engine.database_url());
  auto ids = due_job(db, "+12175550195", "Maria", -2, "followup");
  auto outcome = wait_for_job(db, ids.job);
  INFO(engine.log());
  INFO(mocks.output());
  CHECK(outcome == "done/rated");
  CHECK(one(db, "SELECT rating::text || '/' || callback_wanted::text FROM reminder_jobs WHERE id = $1",
            store::pg_params{}.add(ids.job)) == "4/true");
}

TEST_CASE("at its run time the scheduler makes the day's jobs and calls them, once, to the test number") {
  // about the scheduler, not recognition: one more yes than a perfect conversation needs
  mock_process mocks(twilio_scenario(
    json::array({"yes this is maria", "yes i will be there", "yes i will be there", "no thank you goodbye"})));
  // a first engine only migrates the database (no reminders), then the data goes in
  engine_process setup(json{{"reminders", {{"enabled", false}}}}, {});
  auto db = connect(setup.database_url());
  auto ids = due_job(db, "+12175550210", "Maria", 1);
  REQUIRE(db.exec("DELETE FROM reminder_jobs").ok());  // only the scheduler makes jobs here
  setup.terminate();
  json at_midnight{{"reminders", {{"tick_ms", 200}, {"calls_per_second", 5.0}, {"run_at", "00:00"}}}};
  engine_process engine(at_midnight, outbound_env(mocks, setup.database_url()));
  std::string job;
  for (int i = 0; i < 100 && job.empty(); ++i) {
    job = one(db, "SELECT id FROM reminder_jobs WHERE appointment_id = $1", store::pg_params{}.add(ids.appointment));
    if (job.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(engine.log());
  REQUIRE_FALSE(job.empty());
  CHECK(wait_for_job(db, std::stoll(job)) == "done/confirmed");
  CHECK(one(db, "SELECT count(*) FROM scheduler_runs WHERE shop_day = (now() AT TIME ZONE $1)::date",
            store::pg_params{}.add(zone)) == "2");
  CHECK(one(db, "SELECT count(*) FROM reminder_attempts") == "1");
  CHECK(engine.metric("ce_reminder_jobs{state=\"done\"}") >= 0);
  CHECK(engine.metric("ce_reminder_next_run_unix") > 0);
}

TEST_CASE("while reminders are placed, inbound calls cannot take the outbound lines") {
  mock_process mocks(twilio_scenario(json::array()));
  json lines{{"calls", {{"max_concurrent_calls", 2}}}, {"reminders", {{"max_concurrent", 1}}}};
  engine_process engine(lines, outbound_env(mocks));
  // one inbound caller stays on the line; a second inbound call finds the inbound line taken
  auto opt = caller_for(engine, {});
  opt.auth_token = "mock_auth_token";
  opt.hangup_after_ms = -1;
  opt.max_call_ms = 8000;
  std::thread first([&] { sim::run_call(opt); });
  for (int i = 0; i < 100 && engine.metric("ce_calls_active") < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto second_opt = caller_for(engine, {{"hello"}});
  second_opt.auth_token = "mock_auth_token";
  second_opt.from = "+15550002222";
  auto second = sim::run_call(second_opt);
  first.join();
  INFO(engine.log());
  CHECK(contains(second.twiml, "All of our lines are busy"));
  CHECK(engine.metric("ce_calls_refused_total{reason=\"refused_capacity\"}") == 1);
}
