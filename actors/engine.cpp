#include "actors/engine.hpp"

#include "actors/amd_relay.hpp"
#include "actors/asr_pool.hpp"
#include "actors/calendar_mirror.hpp"
#include "actors/common.hpp"
#include "actors/call_log_writer.hpp"
#include "actors/call_registry.hpp"
#include "actors/gateway.hpp"
#include "actors/metered.hpp"
#include "actors/reminder_scheduler.hpp"
#include "actors/store_pool.hpp"
#include "actors/tts_engine.hpp"
#include "calendar/google_calendar.hpp"
#include "common/log.hpp"
#include "dialog/intents.hpp"
#include "metrics/metrics.hpp"
#include "providers/openai/chat_protocol.hpp"
#include "providers/openai/conversation.hpp"
#include "store/migrations.hpp"
#include "store/shop_calendar.hpp"
#include "store/seed.hpp"
#include "tools/tool_schemas.hpp"

#include <filesystem>

namespace ce::actors {

namespace {

/// Brings the schema up to date. PostgreSQL being down is not fatal: calls go on, tools
/// answer "unavailable" and call logs wait until it is back.
void apply_migrations(const engine_config& cfg) {
  auto log = log::get("store");
  store::pg_options o;
  o.url = store::effective_database_url(cfg.store);
  o.connect_timeout_ms = 2000;
  store::pg_connection conn{o};
  auto connected = conn.connect();
  if (!connected.ok()) {
    log->warn("PostgreSQL unreachable at start ({}); booking tools answer 'unavailable' until it is back",
              connected.error().message);
    return;
  }
  auto report = store::migrate(conn, std::filesystem::path(cfg.config_dir) / "migrations");
  if (!report.ok()) {
    log->error("migrations failed: {}", report.error().message);
    return;
  }
  log->info("schema up to date ({} migrations applied now, {} before)", report->applied.size(),
            report->already_applied.size());
}

} // namespace

std::unique_ptr<engine> engine::start(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                      ce::metrics::registry& metrics, const std::string& work_dir,
                                      std::string& error, runtime::shard* rest_shard) {
  auto log = log::get("engine");
  bind_actor_metrics(metrics);
  std::unique_ptr<engine> e{new engine};
  e->services_.cfg = cfg;
  e->services_.metrics = std::make_shared<call_metrics>(metrics);
  auto tts = spawn_tts_engine(sys, *cfg, &error);
  if (!tts) {
    error = "embedded TTS (espeak-ng) cannot start: " + error;
    return nullptr;
  }
  e->services_.tts_engine = *tts;
  std::error_code ec;
  auto stt_dir = (std::filesystem::path(work_dir) / "stt").string();
  std::filesystem::create_directories(stt_dir, ec);
  auto t0 = std::chrono::steady_clock::now();
  auto pool = spawn_asr_pool(sys, *cfg, stt_dir, &error);
  if (!pool) {
    caf::anon_send_exit(e->services_.tts_engine, caf::exit_reason::user_shutdown);
    error = "embedded STT (pocketsphinx) cannot start: " + error;
    return nullptr;
  }
  e->services_.asr_pool = *pool;
  log->info("embedded STT ready: {} decoders, domain language model in {} ({} ms)", cfg->stt.decoder_pool, stt_dir,
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  if (auto calendar = store::make_shop_calendar(cfg->dealership); !calendar.ok()) {
    error = "config/dealership.json: the opening hours are unusable: " + calendar.error().message;
    return nullptr;
  }
  apply_migrations(*cfg);
  e->services_.call_logs = spawn_call_log_writer(sys, cfg, metrics);
  calendar_link calendar;
  if (cfg->google.enabled()) {
    calendar.google = std::make_shared<calendar::google_calendar>(cfg->google, cfg->dealership.timezone);
    calendar.mirror = spawn_calendar_mirror(sys, cfg, calendar.google, metrics);
    e->services_.calendar_mirror = calendar.mirror;
    log->info("google calendar {}: bookings mirrored, busy blocks remove slots", cfg->google.calendar_id);
  } else {
    log->info("google calendar not configured (GOOGLE_CALENDAR_ID, GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, "
              "GOOGLE_REFRESH_TOKEN): availability from PostgreSQL alone, no mirroring");
  }
  e->services_.store_pool = spawn_store_pool(sys, cfg, metrics, calendar);
  e->services_.registry = spawn_call_registry(sys, cfg, e->services_.metrics);
  e->services_.today = std::make_shared<shop_date>();
  if (cfg->reminders.enabled)
    e->services_.reminders = spawn_reminder_scheduler(sys, cfg, metrics, rest_shard, e->services_.today);
  else log->info("reminders: mode off: reminders.enabled is false (no outbound calls, callbacks not recorded)");
  e->services_.intents = std::make_shared<const dialog::intent_matcher>(cfg->dealership);
  if (cfg->llm.provider == "openai") {
    try {
      e->services_.tool_definitions = std::make_shared<const std::vector<openai::tool_definition>>(
        openai::parse_tool_definitions(tools::tool_definitions_json(cfg->dealership)));
      e->services_.tool_definitions_json =
        std::make_shared<const std::string>(openai::tools_array_json(*e->services_.tool_definitions));
      e->services_.outbound_tool_definitions = std::make_shared<const std::vector<openai::tool_definition>>(
        openai::parse_tool_definitions(tools::outbound_tool_definitions_json(cfg->dealership)));
      e->services_.outbound_tool_definitions_json =
        std::make_shared<const std::string>(openai::tools_array_json(*e->services_.outbound_tool_definitions));
    } catch (const std::exception& ex) {
      log->error("OpenAI tool schemas unusable ({}); calls use the embedded dialog", ex.what());
    }
  }
  metrics.add_callback_gauge("ce_caf_running_actors", "Actors alive in the CAF system",
                             [&sys] { return static_cast<double>(sys.registry().running()); });
  metrics.add_callback_gauge("ce_caf_detached_actors", "Detached actors (own threads)",
                             [&sys] { return static_cast<double>(sys.detached_actors()); });
  if (cfg->reminders.enabled) {
    amd_relay_options ro;
    ro.redis_url = store::effective_redis_url(cfg->store);
    ro.node = node_name();
    e->amd_relay_ = std::make_shared<amd_relay>(std::move(ro), e->services_.registry, metrics);
  }
  e->gateway_ = make_gateway(sys, e->services_, e->amd_relay_);
  return e;
}

engine::~engine() { stop(); }

bool engine::flush_call_logs(caf::actor_system& sys, std::chrono::milliseconds deadline) {
  if (!services_.call_logs) return true;
  bool done = false;
  caf::scoped_actor self{sys};
  self->request(services_.call_logs, caf::duration{deadline}, flush_atom::value)
    .receive([&](bool ok) { done = ok; },
             [&](caf::error&) { done = false; });
  if (!done) log::get("engine")->error("call logs still waiting for PostgreSQL at shutdown are lost (see ce_call_logs_pending)");
  return done;
}

void engine::stop() {
  amd_relay_.reset();  // the gateway's copy goes with it; the thread ends when both are gone
  for (auto* a : {&services_.reminders, &services_.registry, &services_.asr_pool, &services_.tts_engine, &services_.call_logs,
                  &services_.store_pool, &services_.calendar_mirror}) {
    if (*a) caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    *a = caf::actor{};
  }
}

} // namespace ce::actors
