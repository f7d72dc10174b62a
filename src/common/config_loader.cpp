#include "common/config_loader.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ce {
namespace {

using nlohmann::json;

struct config_error {
  std::string message;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Reads `key` of object `j` into `out` when present; a wrong type is an error naming the key.
template <class T>
void get(const json& j, const char* key, T& out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    throw config_error{where + "." + key + ": expected " + std::string{std::is_same_v<T, std::string> ? "a string"
                                                                       : std::is_same_v<T, bool>      ? "true or false"
                                                                                                      : "a number"}};
  }
}

const json& section(const json& root, const char* name) {
  static const json empty = json::object();
  auto it = root.find(name);
  if (it == root.end()) return empty;
  if (!it->is_object()) throw config_error{std::string{name} + ": expected an object"};
  return *it;
}

void read_server(const json& j, server_config& c) {
  get(j, "bind_address", c.bind_address, "server");
  int port = c.port;
  get(j, "port", port, "server");
  if (port < 0 || port > 65535) throw config_error{"server.port: must be 0..65535"};
  c.port = static_cast<std::uint16_t>(port);
  get(j, "public_base_url", c.public_base_url, "server");
  get(j, "io_threads", c.io_threads, "server");
  get(j, "io_tick_us", c.io_tick_us, "server");
  get(j, "max_request_body_bytes", c.max_request_body_bytes, "server");
  get(j, "max_outbound_queue", c.max_outbound_queue, "server");
}

void read_calls(const json& j, call_config& c) {
  get(j, "max_concurrent_calls", c.max_concurrent_calls, "calls");
  get(j, "admission_reservation_s", c.admission_reservation_s, "calls");
  get(j, "silence_reprompt_ms", c.silence_reprompt_ms, "calls");
  get(j, "max_reprompts", c.max_reprompts, "calls");
  get(j, "max_call_seconds", c.max_call_seconds, "calls");
  get(j, "drain_deadline_s", c.drain_deadline_s, "calls");
  get(j, "max_child_restarts", c.max_child_restarts, "calls");
  get(j, "inbound_queue_frames", c.inbound_queue_frames, "calls");
  get(j, "quiet_batch_ms", c.quiet_batch_ms, "calls");
  get(j, "playback_lead_ms", c.playback_lead_ms, "calls");
  get(j, "recent_calls_kept", c.recent_calls_kept, "calls");
  get(j, "allow_fault_injection", c.allow_fault_injection, "calls");
}

void read_stt(const json& j, stt_config& c) {
  get(j, "provider", c.provider, "stt");
  get(j, "hmm_dir", c.hmm_dir, "stt");
  get(j, "dict_path", c.dict_path, "stt");
  get(j, "decoder_pool", c.decoder_pool, "stt");
  get(j, "max_utterance_ms", c.max_utterance_ms, "stt");
  get(j, "language_weight", c.language_weight, "stt");
  const auto& v = section(j, "vad");
  get(v, "onset_db_above_floor", c.vad.onset_db_above_floor, "stt.vad");
  get(v, "min_speech_dbfs", c.vad.min_speech_dbfs, "stt.vad");
  get(v, "onset_ms", c.vad.onset_ms, "stt.vad");
  get(v, "hangover_ms", c.vad.hangover_ms, "stt.vad");
  get(v, "min_utterance_ms", c.vad.min_utterance_ms, "stt.vad");
}

void read_tts(const json& j, tts_config& c) {
  get(j, "provider", c.provider, "tts");
  get(j, "voice", c.voice, "tts");
  get(j, "words_per_minute", c.words_per_minute, "tts");
  get(j, "pitch", c.pitch, "tts");
  get(j, "cache_entries", c.cache_entries, "tts");
  get(j, "mark_every_ms", c.mark_every_ms, "tts");
}

void read_google(const json& j, google_config& g) {
  get(j, "calendar_id", g.calendar_id, "google");
  get(j, "client_id", g.client_id, "google");
  get(j, "token_url", g.token_url, "google");
  get(j, "api_base_url", g.api_base_url, "google");
  get(j, "freebusy_cache_s", g.freebusy_cache_s, "google");
  get(j, "freebusy_wait_ms", g.freebusy_wait_ms, "google");
  get(j, "mirror_queue", g.mirror_queue, "google");
  get(j, "mirror_max_attempts", g.mirror_max_attempts, "google");
  get(j, "reconcile_interval_s", g.reconcile_interval_s, "google");
  get(j, "mirror_horizon_days", g.mirror_horizon_days, "google");
  for (const char* secret : {"client_secret", "refresh_token"})
    if (j.contains(secret))
      throw config_error{std::string{"google."} + secret +
                         ": secrets do not belong in engine.json; set GOOGLE_CLIENT_SECRET / GOOGLE_REFRESH_TOKEN"};
}

/// "HH:MM" -> minutes after midnight ("24:00" allowed as the end of a day).
int minute_of_day(const std::string& text, const std::string& where) {
  int h = -1, m = -1;
  char colon = 0;
  std::istringstream in(text);
  in >> h >> colon >> m;
  if (!in || colon != ':' || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) || text.size() != 5)
    throw config_error{where + ": expected \"HH:MM\" (got '" + text + "')"};
  return h * 60 + m;
}

void read_reminders(const json& j, reminders_config& r) {
  get(j, "enabled", r.enabled, "reminders");
  get(j, "test_number", r.test_number, "reminders");
  get(j, "live", r.live, "reminders");
  get(j, "run_at", r.run_at, "reminders");
  get(j, "window_start", r.window_start, "reminders");
  get(j, "window_end", r.window_end, "reminders");
  get(j, "calls_per_second", r.calls_per_second, "reminders");
  get(j, "max_concurrent", r.max_concurrent, "reminders");
  get(j, "retry_gaps_minutes", r.retry_gaps_minutes, "reminders");
  get(j, "max_attempts", r.max_attempts, "reminders");
  get(j, "followup_after_days", r.followup_after_days, "reminders");
  get(j, "tick_ms", r.tick_ms, "reminders");
  get(j, "amd_wait_ms", r.amd_wait_ms, "reminders");
  get(j, "status_check_after_s", r.status_check_after_s, "reminders");
  get(j, "call_on_closed_days", r.call_on_closed_days, "reminders");
  std::string key(1, r.opt_out_key);
  get(j, "opt_out_key", key, "reminders");
  if (key.size() != 1 || std::string_view{"0123456789*#"}.find(key[0]) == std::string_view::npos)
    throw config_error{"reminders.opt_out_key: one keypad key (0-9, * or #)"};
  r.opt_out_key = key[0];
}

void validate_reminders(const reminders_config& r, const twilio_config& t) {
  if (minute_of_day(r.window_start, "reminders.window_start") >= minute_of_day(r.window_end, "reminders.window_end"))
    throw config_error{"reminders: window_start must be before window_end"};
  minute_of_day(r.run_at, "reminders.run_at");
  if (!(r.calls_per_second > 0.0 && r.calls_per_second <= 100.0))
    throw config_error{"reminders.calls_per_second: must be in (0, 100]"};
  if (r.max_concurrent <= 0) throw config_error{"reminders.max_concurrent: must be positive"};
  if (r.max_attempts <= 0) throw config_error{"reminders.max_attempts: must be positive"};
  if (r.retry_gaps_minutes.empty()) throw config_error{"reminders.retry_gaps_minutes: needs at least one gap"};
  for (int g : r.retry_gaps_minutes)
    if (g <= 0) throw config_error{"reminders.retry_gaps_minutes: every gap must be positive"};
  if (r.followup_after_days < 0) throw config_error{"reminders.followup_after_days: must be >= 0"};
  if (r.tick_ms < 100 || r.tick_ms > 60000) throw config_error{"reminders.tick_ms: must be 100..60000"};
  if (r.amd_wait_ms < 0 || r.amd_wait_ms > 30000) throw config_error{"reminders.amd_wait_ms: must be 0..30000"};
  if (r.status_check_after_s < 1 || r.status_check_after_s > 3600)
    throw config_error{"reminders.status_check_after_s: must be 1..3600"};
  if (!r.test_number.empty() && (r.test_number[0] != '+' || r.test_number.size() < 8))
    throw config_error{"reminders.test_number: an E.164 number such as +15555550123 (got '" + r.test_number + "')"};
  if (t.api_base.rfind("http://", 0) != 0 && t.api_base.rfind("https://", 0) != 0)
    throw config_error{"twilio.api_base: must start with http:// or https:// (got '" + t.api_base + "')"};
  if (t.ring_timeout_s < 5 || t.ring_timeout_s > 600) throw config_error{"twilio.ring_timeout_s: must be 5..600"};
}

void read_deepgram(const json& j, deepgram_config& d) {
  if (j.contains("api_key"))
    throw config_error{"deepgram.api_key: secrets do not belong in engine.json; set DEEPGRAM_API_KEY"};
  get(j, "base_url", d.base_url, "deepgram");
  get(j, "max_failures_per_call", d.max_failures_per_call, "deepgram");
  const auto& s = section(j, "stt");
  get(s, "model", d.stt_model, "deepgram.stt");
  get(s, "language", d.language, "deepgram.stt");
  get(s, "interim_results", d.interim_results, "deepgram.stt");
  get(s, "endpointing_ms", d.endpointing_ms, "deepgram.stt");
  get(s, "utterance_end_ms", d.utterance_end_ms, "deepgram.stt");
  get(s, "vad_events", d.vad_events, "deepgram.stt");
  get(s, "smart_format", d.smart_format, "deepgram.stt");
  get(s, "keepalive_ms", d.keepalive_ms, "deepgram.stt");
  get(s, "dead_after_ms", d.dead_after_ms, "deepgram.stt");
  get(s, "replay_ms", d.replay_ms, "deepgram.stt");
  get(s, "send_ms", d.send_ms, "deepgram.stt");
  get(s, "silence_send_ms", d.silence_send_ms, "deepgram.stt");
  const auto& t = section(j, "tts");
  get(t, "model", d.tts_model, "deepgram.tts");
  get(t, "websocket", d.tts_websocket, "deepgram.tts");
  get(t, "ms_per_char", d.tts_ms_per_char, "deepgram.tts");
  get(t, "rest_deadline_ms", d.tts_rest_deadline_ms, "deepgram.tts");
}

/// "auto" -> deepgram when a key is set, else local; an explicit "deepgram" needs the key.
void resolve_speech_provider(std::string& provider, const char* setting, const deepgram_config& d) {
  if (provider == "auto") provider = d.api_key.empty() ? "local" : "deepgram";
  if (provider != "local" && provider != "deepgram")
    throw config_error{std::string{setting} + ": '" + provider + "' is not available (auto, local, deepgram)"};
  if (provider == "deepgram" && d.api_key.empty())
    throw config_error{std::string{setting} + ": deepgram needs DEEPGRAM_API_KEY in the environment"};
}

void validate_deepgram(const deepgram_config& d) {
  if (d.base_url.rfind("http://", 0) != 0 && d.base_url.rfind("https://", 0) != 0)
    throw config_error{"deepgram.base_url: must start with http:// or https:// (got '" + d.base_url + "')"};
  if (d.stt_model.empty()) throw config_error{"deepgram.stt.model: must not be empty"};
  if (d.tts_model.empty()) throw config_error{"deepgram.tts.model: must not be empty"};
  if (d.endpointing_ms < 0) throw config_error{"deepgram.stt.endpointing_ms: must be >= 0"};
  if (d.utterance_end_ms < 0) throw config_error{"deepgram.stt.utterance_end_ms: must be >= 0"};
  if (d.utterance_end_ms > 0 && d.utterance_end_ms < 1000)
    throw config_error{"deepgram.stt.utterance_end_ms: Deepgram needs at least 1000 (or 0 = off)"};
  if (d.keepalive_ms < 0 || d.dead_after_ms < 0) throw config_error{"deepgram.stt: keepalive_ms and dead_after_ms must be >= 0"};
  if (d.replay_ms < 0 || d.replay_ms > 5000) throw config_error{"deepgram.stt.replay_ms: must be 0..5000"};
  if (d.send_ms < 20 || d.send_ms > 250) throw config_error{"deepgram.stt.send_ms: must be 20..250"};
  if (d.silence_send_ms < d.send_ms || d.silence_send_ms > 250)
    throw config_error{"deepgram.stt.silence_send_ms: must be send_ms..250"};
  if (d.tts_ms_per_char <= 0) throw config_error{"deepgram.tts.ms_per_char: must be positive"};
  if (d.tts_rest_deadline_ms <= 0) throw config_error{"deepgram.tts.rest_deadline_ms: must be positive"};
  if (d.max_failures_per_call <= 0) throw config_error{"deepgram.max_failures_per_call: must be positive"};
}

void read_llm(const json& j, llm_config& c) {
  if (j.contains("api_key")) throw config_error{"llm.api_key: secrets do not belong in engine.json; set OPENAI_API_KEY"};
  get(j, "provider", c.provider, "llm");
  get(j, "base_url", c.base_url, "llm");
  get(j, "model", c.model, "llm");
  get(j, "temperature", c.temperature, "llm");
  get(j, "max_tokens", c.max_tokens, "llm");
  get(j, "max_tool_depth", c.max_tool_depth, "llm");
  get(j, "turn_budget_ms", c.turn_budget_ms, "llm");
  get(j, "max_failed_turns", c.max_failed_turns, "llm");
  get(j, "max_history_messages", c.max_history_messages, "llm");
}

/// llm.provider "auto" becomes "openai" with a key, else "local"; "openai" needs the key.
void resolve_llm(llm_config& c) {
  if (c.provider == "auto") c.provider = c.api_key.empty() ? "local" : "openai";
  if (c.provider != "local" && c.provider != "openai")
    throw config_error{"llm.provider: '" + c.provider + "' is not one of auto, local, openai"};
  if (c.provider == "openai" && c.api_key.empty())
    throw config_error{"llm.provider: 'openai' needs OPENAI_API_KEY in the environment"};
  if (c.provider == "openai" && c.base_url.rfind("http://", 0) != 0 && c.base_url.rfind("https://", 0) != 0)
    throw config_error{"llm.base_url: must start with http:// or https:// (got '" + c.base_url + "')"};
  if (c.temperature < 0.0 || c.temperature > 2.0) throw config_error{"llm.temperature: must be 0..2"};
  if (c.max_tokens <= 0) throw config_error{"llm.max_tokens: must be positive"};
  if (c.max_tool_depth <= 0) throw config_error{"llm.max_tool_depth: must be positive"};
  if (c.turn_budget_ms <= 0) throw config_error{"llm.turn_budget_ms: must be positive"};
  if (c.max_failed_turns <= 0) throw config_error{"llm.max_failed_turns: must be positive"};
  if (c.max_history_messages < 2) throw config_error{"llm.max_history_messages: must be at least 2"};
}

void read_dealership(const json& j, dealership_facts& d) {
  get(j, "name", d.name, "dealership");
  get(j, "address", d.address, "dealership");
  get(j, "phone", d.phone, "dealership");
  get(j, "timezone", d.timezone, "dealership");
  get(j, "lunch_break", d.lunch_break, "dealership");
  get(j, "service_bays", d.service_bays, "dealership");
  get(j, "slot_minutes", d.slot_minutes, "dealership");
  get(j, "makes_serviced", d.makes_serviced, "dealership");
  if (auto it = j.find("hours"); it != j.end()) {
    if (!it->is_object()) throw config_error{"dealership.hours: expected an object of day -> [open, close]"};
    d.hours.clear();
    for (const auto* day : {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}) {
      business_hours h{day, "", ""};
      auto dj = it->find(day);
      if (dj != it->end() && !dj->is_null()) {
        if (!dj->is_array() || dj->size() != 2 || !(*dj)[0].is_string() || !(*dj)[1].is_string())
          throw config_error{std::string{"dealership.hours."} + day + ": expected [\"HH:MM\", \"HH:MM\"] or null"};
        h.open = (*dj)[0].get<std::string>();
        h.close = (*dj)[1].get<std::string>();
      }
      d.hours.push_back(h);
    }
  }
  if (auto it = j.find("services"); it != j.end()) {
    if (!it->is_array()) throw config_error{"dealership.services: expected an array"};
    d.services.clear();
    for (const auto& sj : *it) {
      service_offer s;
      get(sj, "id", s.id, "dealership.services[]");
      get(sj, "name", s.name, "dealership.services[]");
      get(sj, "keywords", s.keywords, "dealership.services[]");
      get(sj, "duration_min", s.duration_min, "dealership.services[]");
      get(sj, "price", s.price, "dealership.services[]");
      if (s.id.empty() || s.name.empty()) throw config_error{"dealership.services[]: every service needs an id and a name"};
      d.services.push_back(std::move(s));
    }
  }
}

void apply_environment(engine_config& c, const environment& env) {
  auto val = [&](const char* k) -> const std::string* {
    auto it = env.find(k);
    return it == env.end() || it->second.empty() ? nullptr : &it->second;
  };
  if (auto v = val("TWILIO_AUTH_TOKEN")) c.twilio.auth_token = *v;
  if (auto v = val("TWILIO_ACCOUNT_SID")) c.twilio.account_sid = *v;
  if (auto v = val("CE_STREAM_TOKEN_SECRET")) c.twilio.stream_token_secret = *v;
  if (auto v = val("CE_PUBLIC_BASE_URL")) c.server.public_base_url = *v;
  if (auto v = val("CE_BIND_ADDRESS")) c.server.bind_address = *v;
  if (auto v = val("CE_PORT")) {
    try {
      auto p = std::stoi(*v);
      if (p < 0 || p > 65535) throw std::out_of_range("port");
      c.server.port = static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
      throw config_error{"CE_PORT: expected a port number, got '" + *v + "'"};
    }
  }
  if (auto v = val("CE_LOG_LEVEL")) c.log_level = *v;
  if (auto v = val("CE_TRANSFER_NUMBER")) c.twilio.transfer_number = *v;
  if (auto v = val("TWILIO_FROM_NUMBER")) c.twilio.from_number = *v;
  if (auto v = val("TWILIO_API_BASE")) c.twilio.api_base = *v;
  if (auto v = val("CE_REMINDER_TEST_NUMBER")) c.reminders.test_number = *v;
  if (auto v = val("CE_REMINDER_ANY_DAY")) c.reminders.call_on_closed_days = *v == "1" || *v == "true";
  if (auto v = val("CE_REMINDER_WINDOW")) {
    auto dash = v->find('-');
    if (dash == std::string::npos) throw config_error{"CE_REMINDER_WINDOW: expected HH:MM-HH:MM (got '" + *v + "')"};
    c.reminders.window_start = v->substr(0, dash);
    c.reminders.window_end = v->substr(dash + 1);
  }
  if (auto v = val("DATABASE_URL")) c.store.database_url = *v;
  if (auto v = val("REDIS_URL")) c.store.redis_url = *v;
  if (auto v = val("OPENAI_API_KEY")) c.llm.api_key = *v;
  if (auto v = val("OPENAI_BASE_URL")) c.llm.base_url = *v;
  resolve_llm(c.llm);
  if (auto v = val("DEEPGRAM_API_KEY")) c.deepgram.api_key = *v;
  if (auto v = val("DEEPGRAM_BASE_URL")) c.deepgram.base_url = *v;
  resolve_speech_provider(c.stt.provider, "stt.provider", c.deepgram);
  resolve_speech_provider(c.tts.provider, "tts.provider", c.deepgram);
  if (auto v = val("GOOGLE_CLIENT_ID")) c.google.client_id = *v;
  if (auto v = val("GOOGLE_CLIENT_SECRET")) c.google.client_secret = *v;
  if (auto v = val("GOOGLE_REFRESH_TOKEN")) c.google.refresh_token = *v;
  if (auto v = val("GOOGLE_CALENDAR_ID")) c.google.calendar_id = *v;
  if (auto v = val("GOOGLE_TOKEN_URL")) c.google.token_url = *v;
  if (auto v = val("GOOGLE_API_BASE_URL")) c.google.api_base_url = *v;
}

void validate(const engine_config& c) {
  auto positive = [](long v, const char* name) {
    if (v <= 0) throw config_error{std::string{name} + ": must be positive"};
  };
  positive(c.calls.max_concurrent_calls, "calls.max_concurrent_calls");
  positive(c.calls.silence_reprompt_ms, "calls.silence_reprompt_ms");
  positive(c.calls.max_call_seconds, "calls.max_call_seconds");
  positive(static_cast<long>(c.calls.inbound_queue_frames), "calls.inbound_queue_frames");
  if (c.calls.quiet_batch_ms < 20 || c.calls.quiet_batch_ms > 1000)
    throw config_error{"calls.quiet_batch_ms: must be between 20 and 1000"};
  positive(c.calls.playback_lead_ms, "calls.playback_lead_ms");
  positive(c.stt.decoder_pool, "stt.decoder_pool");
  const auto& vad = c.stt.vad;  // the same ranges audio::energy_vad insists on, said at start
  if (vad.onset_ms < 0 || vad.hangover_ms < 0 || vad.min_utterance_ms < 0)
    throw config_error{"stt.vad: onset_ms, hangover_ms and min_utterance_ms must be >= 0"};
  if (vad.onset_db_above_floor < 0.0) throw config_error{"stt.vad.onset_db_above_floor: must be >= 0"};
  if (!(vad.min_speech_dbfs > -100.0 && vad.min_speech_dbfs <= 0.0))
    throw config_error{"stt.vad.min_speech_dbfs: must be in (-100, 0]"};
  positive(c.runtime.caf_threads, "runtime.caf_threads");
  positive(c.google.freebusy_cache_s, "google.freebusy_cache_s");
  positive(c.google.freebusy_wait_ms, "google.freebusy_wait_ms");
  positive(static_cast<long>(c.google.mirror_queue), "google.mirror_queue");
  positive(c.google.mirror_max_attempts, "google.mirror_max_attempts");
  positive(c.google.reconcile_interval_s, "google.reconcile_interval_s");
  positive(c.google.mirror_horizon_days, "google.mirror_horizon_days");
  for (const auto* u : {&c.google.token_url, &c.google.api_base_url})
    if (u->rfind("http://", 0) != 0 && u->rfind("https://", 0) != 0)
      throw config_error{"google: token_url and api_base_url must start with http:// or https:// (got '" + *u + "')"};
  positive(c.runtime.caf_max_throughput, "runtime.caf_max_throughput");
  if (c.server.io_threads < 0) throw config_error{"server.io_threads: must be >= 0 (0 = one per core)"};
  if (c.server.io_tick_us < 0 || c.server.io_tick_us > 20000)
    throw config_error{"server.io_tick_us: must be 0..20000 (0 = a shard sleeps in epoll until an event)"};
  if (c.runtime.caf_policy != "stealing" && c.runtime.caf_policy != "sharing")
    throw config_error{"runtime.caf_policy: must be \"stealing\" or \"sharing\" (got '" + c.runtime.caf_policy + "')"};
  if (c.runtime.caf_moderate_polls < 0) throw config_error{"runtime.caf_moderate_polls: must be >= 0"};
  if (c.calls.max_reprompts < 0) throw config_error{"calls.max_reprompts: must be >= 0"};
  if (c.calls.max_child_restarts < 0) throw config_error{"calls.max_child_restarts: must be >= 0"};
  auto url = c.server.public_base_url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    throw config_error{"server.public_base_url: must start with http:// or https:// (got '" + url + "')"};
  validate_deepgram(c.deepgram);
  validate_reminders(c.reminders, c.twilio);
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "warning", "error", "critical", "off"};
  if (!levels.count(c.log_level)) throw config_error{"log_level: unknown level '" + c.log_level + "'"};
}

} // namespace

config_result parse_config(const std::string& json_text, const std::string& base_dir, const environment& env) {
  auto root = json::parse(json_text, nullptr, false);
  if (root.is_discarded()) return {std::nullopt, "engine.json is not valid JSON"};
  if (!root.is_object()) return {std::nullopt, "engine.json must hold a JSON object"};
  try {
    engine_config c;
    c.config_dir = base_dir;
    read_server(section(root, "server"), c.server);
    const auto& tw = section(root, "twilio");
    get(tw, "account_sid", c.twilio.account_sid, "twilio");
    get(tw, "stream_token_ttl_s", c.twilio.stream_token_ttl_s, "twilio");
    get(tw, "transfer_number", c.twilio.transfer_number, "twilio");
    get(tw, "from_number", c.twilio.from_number, "twilio");
    get(tw, "api_base", c.twilio.api_base, "twilio");
    get(tw, "ring_timeout_s", c.twilio.ring_timeout_s, "twilio");
    if (tw.contains("auth_token"))
      throw config_error{"twilio.auth_token: secrets do not belong in engine.json; set TWILIO_AUTH_TOKEN"};
    read_calls(section(root, "calls"), c.calls);
    read_stt(section(root, "stt"), c.stt);
    read_tts(section(root, "tts"), c.tts);
    read_deepgram(section(root, "deepgram"), c.deepgram);
    read_llm(section(root, "llm"), c.llm);
    const auto& rt = section(root, "runtime");
    get(rt, "caf_threads", c.runtime.caf_threads, "runtime");
    get(rt, "caf_max_throughput", c.runtime.caf_max_throughput, "runtime");
    if (rt.contains("provider_threads"))
      throw config_error{"runtime.provider_threads: no longer a setting: a call's provider connections run on its "
                         "I/O shard (server.io_threads)"};
    get(rt, "caf_policy", c.runtime.caf_policy, "runtime");
    get(rt, "caf_moderate_polls", c.runtime.caf_moderate_polls, "runtime");
    const auto& st = section(root, "store");
    get(st, "database_url", c.store.database_url, "store");
    get(st, "redis_url", c.store.redis_url, "store");
    get(st, "customer_cache_ttl_s", c.store.customer_cache_ttl_s, "store");
    get(st, "session_ttl_s", c.store.session_ttl_s, "store");
    get(st, "pool_size", c.store.pool_size, "store");
    read_google(section(root, "google"), c.google);
    read_reminders(section(root, "reminders"), c.reminders);
    get(root, "log_level", c.log_level, "");
    std::string facts_file = "dealership.json";
    get(root, "dealership_file", facts_file, "");
    auto facts_path = std::filesystem::path(base_dir) / facts_file;
    auto facts_text = read_file(facts_path.string());
    if (!facts_text) return {std::nullopt, "cannot read dealership facts " + facts_path.string()};
    auto facts = json::parse(*facts_text, nullptr, false);
    if (facts.is_discarded() || !facts.is_object())
      return {std::nullopt, facts_path.string() + ": not a JSON object"};
    read_dealership(facts, c.dealership);
    apply_environment(c, env);
    validate(c);
    return {std::move(c), {}};
  } catch (const config_error& e) {
    return {std::nullopt, e.message};
  }
}

config_result load_config(const std::string& path, const environment& env) {
  auto text = read_file(path);
  if (!text) return {std::nullopt, "cannot read configuration file " + path};
  auto dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  auto r = parse_config(*text, dir, env);
  if (!r.config) r.error = path + ": " + r.error;
  return r;
}

const std::map<std::string, std::string>& environment_settings() {
  static const std::map<std::string, std::string> settings{
    {"TWILIO_AUTH_TOKEN", "Twilio auth token: webhook signatures are enforced (unset = development mode)"},
    {"TWILIO_ACCOUNT_SID", "Twilio account SID"},
    {"CE_STREAM_TOKEN_SECRET", "secret for stream tokens (random per process when unset)"},
    {"CE_PUBLIC_BASE_URL", "server.public_base_url"},
    {"CE_BIND_ADDRESS", "server.bind_address"},
    {"CE_PORT", "server.port"},
    {"CE_LOG_LEVEL", "log_level"},
    {"CE_TRANSFER_NUMBER", "twilio.transfer_number"},
    {"TWILIO_FROM_NUMBER", "twilio.from_number: the shop's Twilio number outbound calls come from"},
    {"TWILIO_API_BASE", "twilio.api_base (Twilio REST; e.g. the mock's http://127.0.0.1:PORT)"},
    {"CE_REMINDER_TEST_NUMBER", "reminders.test_number: every outbound call goes to this number and no other"},
    {"CE_REMINDER_ANY_DAY", "reminders.call_on_closed_days: 1 = also call on days the shop is closed"},
    {"CE_REMINDER_WINDOW", "reminders.window_start-window_end, e.g. 08:00-20:00 (a demo at night: 00:00-24:00)"},
    {"DATABASE_URL", "store.database_url (use an existing PostgreSQL)"},
    {"REDIS_URL", "store.redis_url (use an existing Redis)"},
    {"DEEPGRAM_API_KEY", "Deepgram key: stt/tts provider \"auto\" uses Deepgram when it is set"},
    {"DEEPGRAM_BASE_URL", "deepgram.base_url (e.g. a local mock: http://127.0.0.1:PORT)"},
    {"OPENAI_API_KEY", "OpenAI key: llm.provider \"auto\" uses OpenAI Chat Completions when it is set"},
    {"OPENAI_BASE_URL", "llm.base_url (e.g. https://api.openai.com/v1, or a local mock's http://127.0.0.1:PORT/v1)"},
    {"GOOGLE_CLIENT_ID", "google.client_id (OAuth2 client of the shop calendar)"},
    {"GOOGLE_CLIENT_SECRET", "Google OAuth2 client secret"},
    {"GOOGLE_REFRESH_TOKEN", "Google OAuth2 refresh token (calendar scope)"},
    {"GOOGLE_CALENDAR_ID", "google.calendar_id: mirroring and busy blocks need all four GOOGLE_* secrets/ids"},
    {"GOOGLE_TOKEN_URL", "google.token_url (e.g. the mock's)"},
    {"GOOGLE_API_BASE_URL", "google.api_base_url (Calendar v3 base, e.g. the mock's)"},
  };
  return settings;
}

} // namespace ce
