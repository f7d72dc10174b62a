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
  /// I/O shards: threads that each run their own io_context and own every socket of the
  /// calls placed on them (Twilio's and the call's provider connections); 0 = one per core
  int io_threads = 0;
  /// A busy shard looks for ready sockets this often instead of sleeping in epoll until the
  /// next event (which wakes it once per event: a context switch per Twilio frame at high
  /// load); after 50 ms with nothing to do it sleeps in epoll again. 0 = always sleep in
  /// epoll.
  int io_tick_us = 0;
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
  /// The shop's Twilio number outbound calls come from (`From`), E.164; env TWILIO_FROM_NUMBER.
  std::string from_number;
  /// Twilio's REST API (env TWILIO_API_BASE, e.g. the mock's http://127.0.0.1:PORT).
  std::string api_base = "https://api.twilio.com";
  int ring_timeout_s = 25;  ///< an outbound call rings this long before `no-answer`
};

/// Outbound calls: reminders before appointments, follow-ups after services
/// (actors/reminder_scheduler, docs/outbound.md).
struct reminders_config {
  bool enabled = true;          ///< the scheduler actor runs (it places calls only in a mode below)
  /// Every outbound call goes to this number and nothing else is ever dialled (env
  /// CE_REMINDER_TEST_NUMBER). Wins over `live`.
  std::string test_number;
  bool live = false;            ///< call the customers' own numbers (needs no test_number)
  std::string run_at = "09:00"; ///< shop-local time the day's jobs are created
  std::string window_start = "08:00";  ///< calling window, callee's (for now the shop's) local time
  std::string window_end = "20:00";
  double calls_per_second = 1.0;  ///< new calls placed per second (Twilio's default account limit)
  int max_concurrent = 10;      ///< outbound calls at once (the rest of calls.max_concurrent_calls stays inbound)
  std::vector<int> retry_gaps_minutes{30, 60, 120};
  int max_attempts = 3;
  int followup_after_days = 2;
  int tick_ms = 1000;           ///< how often the scheduler looks for due jobs
  /// An answered outbound call waits this long for answering-machine detection before the
  /// agent speaks (a machine must not hear half a conversation).
  int amd_wait_ms = 6000;
  /// A placed call still without a final status callback this long after it was placed is
  /// looked up on Twilio (GET Calls/{sid}), and again every as long while it lasts.
  int status_check_after_s = 300;
  char opt_out_key = '9';       ///< pressed in a reminder call: do not call me again
  bool call_on_closed_days = false;  ///< env CE_REMINDER_ANY_DAY=1 (a demo on a Sunday)
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
  /// While the caller is quiet (the edge's copy of the VAD hears nothing), caller frames go
  /// to the call's actors in batches of this much audio instead of one message per 20 ms
  /// frame; a voiced frame, speech and its hangover go at once. 20 = no batching.
  int quiet_batch_ms = 100;
  /// Agent audio sent to Twilio ahead of real-time playback (Twilio buffers it; `clear`
  /// drops it there). Enough for a whole sentence, so the engine does not hold reply audio
  /// itself (~20 KB per speaking call at 600 ms); bounded so Twilio's buffer is too.
  int playback_lead_ms = 6000;
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
  /// "auto" (deepgram when DEEPGRAM_API_KEY is set, else local), "local" or "deepgram";
  /// the loader resolves "auto", so a loaded config holds "local" or "deepgram".
  std::string provider = "auto";
  std::string hmm_dir = "/usr/share/pocketsphinx/model/en-us/en-us";
  std::string dict_path = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
  int decoder_pool = 2;           ///< pocketsphinx decoders shared by all calls (threads)
  int max_utterance_ms = 15000;
  double language_weight = 10.0;
  vad_config vad;
};

struct tts_config {
  /// "auto" (deepgram when DEEPGRAM_API_KEY is set, else local), "local" or "deepgram";
  /// the loader resolves "auto", so a loaded config holds "local" or "deepgram".
  std::string provider = "auto";
  std::string voice = "en-us";
  int words_per_minute = 165;
  int pitch = 50;
  std::size_t cache_entries = 512;  ///< synthesised sentences kept (LRU)
  int mark_every_ms = 400;          ///< playback marks at word boundaries, this often
};

struct llm_config {
  /// "auto" (openai when OPENAI_API_KEY is set, else local), "local" (the embedded dialog
  /// policy) or "openai". After loading: "local" or "openai".
  std::string provider = "auto";
  std::string api_key;  ///< OPENAI_API_KEY only (never in engine.json)
  std::string base_url = "https://api.openai.com/v1";  ///< or OPENAI_BASE_URL
  std::string model = "gpt-4o-mini";
  double temperature = 0.3;
  int max_tokens = 300;          ///< max_completion_tokens per request
  int max_tool_depth = 4;        ///< model requests with tool results per agent turn
  /// Latency budget of one request of a turn: 429/5xx/timeouts are retried (jittered
  /// backoff) only while it lasts.
  int turn_budget_ms = 4000;
  int max_failed_turns = 2;      ///< failed turns before the call falls back to local
  std::size_t max_history_messages = 60;  ///< kept besides the system prompt
};

struct runtime_config {
  int caf_threads = 2;
  int caf_max_throughput = 20;
  /// "stealing" (CAF's default: a queue per worker) or "sharing" (one queue, idle workers
  /// sleep on a condition variable).
  std::string caf_policy = "sharing";
  /// stealing only: polls with a 50 us sleep between them before an idle worker sleeps on
  /// its condition variable (CAF's default 500 keeps idle workers waking 20,000 times/s).
  int caf_moderate_polls = 500;
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

/// The shop's Google Calendar (protocols.md §8): bookings are mirrored there and its busy
/// blocks remove offered slots. Enabled only when calendar_id, client_id, client_secret and
/// refresh_token are all set (env GOOGLE_CALENDAR_ID, GOOGLE_CLIENT_ID,
/// GOOGLE_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN); otherwise nothing of it runs.
struct google_config {
  std::string calendar_id;
  std::string client_id;
  std::string client_secret;
  std::string refresh_token;
  std::string token_url = "https://oauth2.googleapis.com/token";      ///< env GOOGLE_TOKEN_URL
  std::string api_base_url = "https://www.googleapis.com/calendar/v3";  ///< env GOOGLE_API_BASE_URL
  int freebusy_cache_s = 60;        ///< busy intervals reused this long
  int freebusy_wait_ms = 1500;      ///< a slot question waits at most this long for Google
  std::size_t mirror_queue = 1000;  ///< appointments waiting to be mirrored (more: next reconcile)
  int mirror_max_attempts = 8;      ///< per appointment, then left to the periodic reconcile
  int reconcile_interval_s = 300;   ///< re-scan of appointments not yet mirrored
  int mirror_horizon_days = 60;     ///< only appointments starting before now + this are mirrored
  bool enabled() const {
    return !calendar_id.empty() && !client_id.empty() && !client_secret.empty() && !refresh_token.empty();
  }
};

/// Deepgram speech (protocols.md §5-6): live STT and Aura TTS. Used by `stt.provider` /
/// `tts.provider` "deepgram", or "auto" when DEEPGRAM_API_KEY is set.
struct deepgram_config {
  std::string api_key;                               ///< env DEEPGRAM_API_KEY only
  std::string base_url = "https://api.deepgram.com"; ///< env DEEPGRAM_BASE_URL; ws(s) URLs derived
  // live STT (/v1/listen)
  std::string stt_model = "nova-2-phonecall";
  std::string language = "en-US";
  bool interim_results = true;
  int endpointing_ms = 300;      ///< 0 = endpointing=false
  int utterance_end_ms = 1000;   ///< 0 = not requested
  bool vad_events = true;
  bool smart_format = true;
  int keepalive_ms = 4000;       ///< KeepAlive when no audio went out this long
  int dead_after_ms = 2500;      ///< no frame this long = a dead connection
  int replay_ms = 1000;          ///< audio replayed after a reconnect
  /// Voiced caller audio goes to Deepgram in messages of this much (an onset and the end of
  /// a voiced stretch go at once, and the frames around the endpoint one by one, so finals
  /// are not delayed; 20 = every Twilio frame).
  int send_ms = 100;
  /// While the local voice detector hears no speech, audio is sent in messages of up to
  /// this much instead (the first frames of speech flush it).
  int silence_send_ms = 250;
  // TTS (/v1/speak)
  std::string tts_model = "aura-asteria-en";
  bool tts_websocket = true;     ///< false: REST only
  int tts_ms_per_char = 65;      ///< speaking-rate estimate used to place marks in Deepgram audio
  int tts_rest_deadline_ms = 2500;  ///< REST retries of one segment stop after this
  // failover: a role falls back to the embedded default for the rest of the call after a
  // permanent error or this many failures
  int max_failures_per_call = 3;
};

struct engine_config {
  server_config server;
  twilio_config twilio;
  call_config calls;
  stt_config stt;
  tts_config tts;
  deepgram_config deepgram;
  llm_config llm;
  runtime_config runtime;
  dealership_facts dealership;
  store_config store;
  google_config google;
  reminders_config reminders;
  std::string log_level = "info";
  std::string config_dir = "config";
};

} // namespace ce
