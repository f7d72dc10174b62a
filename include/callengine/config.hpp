// The engine's configuration tree. Loaded from config/engine.json (+ environment for
// secrets) by src/common/config_loader and validated once at start.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ce {

struct server_config {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 8080;
  /// Base URL Twilio uses to reach us (https://... behind a TLS proxy). Webhook signatures
  /// are computed over it and the stream URL is derived from it (https -> wss, http -> ws).
  std::string public_base_url = "http://127.0.0.1:8080";
  int io_threads = 1;
  std::size_t max_request_body_bytes = 64 * 1024;
  /// Bound on outbound WebSocket messages queued per connection (drop policy: refuse
  /// new audio, count it).
  std::size_t max_outbound_queue = 512;
};

struct twilio_config {
  /// Account auth token. Empty = development mode: signatures are not checked (logged).
  std::string auth_token;
  std::string account_sid;
  /// Secret for the short-lived stream tokens; random per process when empty.
  std::string stream_token_secret;
  int stream_token_ttl_s = 120;
  /// Where "talk to a person" goes (<Dial>), E.164.
  std::string transfer_number = "+15555550100";
};

struct call_config {
  int max_concurrent_calls = 200;
  int admission_reservation_s = 30;   ///< webhook reservation waiting for its stream
  int silence_reprompt_ms = 7000;     ///< caller silent this long after the agent -> reprompt
  int max_reprompts = 2;              ///< then a polite goodbye
  int max_call_seconds = 900;
  int drain_deadline_s = 30;
  int max_child_restarts = 1;         ///< per role; one more failure ends the call
  std::size_t inbound_queue_frames = 250;  ///< 5 s of 20 ms frames in flight to the call
  int playback_lead_ms = 600;         ///< audio sent ahead of real-time playback
  std::size_t recent_calls_kept = 200;
  bool allow_fault_injection = false; ///< POST /admin/calls/{sid}/kill/{role}
};

struct vad_config {
  double onset_db_above_floor = 12.0;
  double min_speech_dbfs = -45.0;
  int onset_ms = 80;        ///< voiced this long -> speech started
  int hangover_ms = 550;    ///< unvoiced this long -> speech stopped
  int min_utterance_ms = 200;
};

struct stt_config {
  std::string provider = "local";
  std::string hmm_dir = "/usr/share/pocketsphinx/model/en-us/en-us";
  std::string dict_path = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
  int decoder_pool = 2;           ///< pocketsphinx decoders shared by all calls (threads)
  int max_utterance_ms = 15000;
  double language_weight = 10.0;
  vad_config vad;
};

struct tts_config {
  std::string provider = "local";
  std::string voice = "en-us";
  int words_per_minute = 165;
  int pitch = 50;
  std::size_t cache_entries = 512;  ///< synthesised sentences kept (LRU)
  int mark_every_ms = 400;          ///< playback marks at word boundaries, this often
};

struct llm_config {
  std::string provider = "local";
};

struct runtime_config {
  int caf_threads = 2;
  int caf_max_throughput = 20;
};

struct service_offer {
  std::string id;                    ///< e.g. "oil_change"
  std::string name;                  ///< spoken: "an oil change"
  std::vector<std::string> keywords; ///< phrases a caller may use
  int duration_min = 30;
  std::string price;                 ///< spoken: "from forty nine dollars"
};

struct business_hours {
  std::string day;     ///< "monday" .. "sunday"
  std::string open;    ///< "08:00", empty when closed
  std::string close;   ///< "17:00"
};

/// Facts the agent may state (config/dealership.json).
struct dealership_facts {
  std::string name = "Bart's Automotive";
  std::string address;
  std::string phone;
  std::string timezone = "America/Chicago";
  std::vector<business_hours> hours;
  std::string lunch_break;  ///< e.g. "12:00-13:00"
  int service_bays = 4;      ///< appointments that can run at the same time
  int slot_minutes = 30;     ///< granularity of offered start times
  std::vector<service_offer> services;
  std::vector<std::string> makes_serviced;
};

struct store_config {
  /// PostgreSQL connection string; empty = the project's own server (scripts/services.sh).
  std::string database_url;
  /// Redis URL (redis://host:port/db); empty = the project's own server.
  std::string redis_url;
  int customer_cache_ttl_s = 300;
  int pool_size = 4;  ///< detached workers (one PostgreSQL + one Redis connection each)
  int session_ttl_s = 3600;
};

struct engine_config {
  server_config server;
  twilio_config twilio;
  call_config calls;
  stt_config stt;
  tts_config tts;
  llm_config llm;
  runtime_config runtime;
  dealership_facts dealership;
  store_config store;
  std::string log_level = "info";
  std::string config_dir = "config";
};

} // namespace ce
