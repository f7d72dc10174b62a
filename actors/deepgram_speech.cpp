#include "actors/deepgram_speech.hpp"

#include "metrics/metrics.hpp"

#include <chrono>

namespace ce::actors {

using std::chrono::milliseconds;

namespace {

std::string context(const std::string& sid, const char* role) { return "call_sid=" + sid + " role=" + role; }

} // namespace

deepgram::live_stt_options deepgram_stt_options(const engine_config& cfg, const std::string& call_sid) {
  const auto& d = cfg.deepgram;
  deepgram::live_stt_options o;
  o.api_key = d.api_key;
  o.base_url = d.base_url;
  o.model = d.stt_model;
  o.language = d.language;
  o.interim_results = d.interim_results;
  o.endpointing_ms = d.endpointing_ms > 0 ? std::optional<int>(d.endpointing_ms) : std::nullopt;
  o.utterance_end_ms = d.utterance_end_ms > 0 ? std::optional<int>(d.utterance_end_ms) : std::nullopt;
  o.vad_events = d.vad_events;
  o.smart_format = d.smart_format;
  o.keepalive_interval = milliseconds(d.keepalive_ms);
  o.dead_after = milliseconds(d.dead_after_ms);
  o.replay = milliseconds(d.replay_ms);
  o.send_talking = milliseconds(d.send_ms);
  o.send_quiet = milliseconds(d.silence_send_ms);
  if (!d.interim_results) o.stall_after = milliseconds(0);  // a quiet server is legitimate then
  o.log_context = context(call_sid, "stt");
  return o;
}

deepgram::tts_stream_options deepgram_tts_stream_options(const engine_config& cfg, const std::string& call_sid) {
  const auto& d = cfg.deepgram;
  deepgram::tts_stream_options o;
  o.api_key = d.api_key;
  o.base_url = d.base_url;
  o.model = d.tts_model;
  o.encoding = "mulaw";
  o.sample_rate = 8000;
  o.log_context = context(call_sid, "tts");
  return o;
}

deepgram::tts_rest_options deepgram_tts_rest_options(const engine_config& cfg, const std::string& call_sid) {
  const auto& d = cfg.deepgram;
  deepgram::tts_rest_options o;
  o.api_key = d.api_key;
  o.base_url = d.base_url;
  o.model = d.tts_model;
  o.encoding = "mulaw";
  o.sample_rate = 8000;
  o.deadline = milliseconds(d.tts_rest_deadline_ms);
  o.log_context = context(call_sid, "tts");
  return o;
}

provider_counters::provider_counters(ce::metrics::registry& r, std::string role, std::string provider)
  : registry_(&r), role_(std::move(role)), provider_(std::move(provider)) {
  registry_->get_counter("ce_provider_failovers_total",
                         "Calls whose role fell back to the embedded default after its cloud provider failed",
                         {{"role", role_}, {"provider", provider_}});
}

void provider_counters::error(const http::provider_error& e) {
  registry_
    ->get_counter("ce_provider_errors_total", "Cloud provider failures seen by calls, by kind",
                  {{"role", role_}, {"provider", provider_}, {"kind", std::string{http::to_string(e.code)}}})
    .inc();
}

void provider_counters::failover() {
  registry_
    ->get_counter("ce_provider_failovers_total",
                  "Calls whose role fell back to the embedded default after its cloud provider failed",
                  {{"role", role_}, {"provider", provider_}})
    .inc();
}

} // namespace ce::actors
