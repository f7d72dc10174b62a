// The mocks' runtime configuration: latencies, scripts and faults of every vendor.
//
// It is kept in two forms: the JSON document (what `GET /__mock/config` shows and what a
// patch is merged into) and the typed `mock_config` parsed from it (what sessions read).
// Parsing is strict: an unknown key or a value of the wrong type is an error naming the
// key's path, so a typo in a scenario fails loudly instead of silently doing nothing.
//
// JSON schema (every key optional; the defaults are those of the structs below):
//
// {
//   "seed": 1,                  // deterministic randomness (fault probabilities, ids)
//   "log_limit": 20000,         // entries kept by the recorder (oldest dropped first)
//   "record_bodies": true,      // keep full request bodies in the log
//   "faults": [ <fault>... ],   // global: considered for every vendor's operations
//   "timeline": [ {"at_ms": 5000, "patch": {...}, "disconnect": "stt",
//                  "expire_google_tokens": true}... ],   // run once, after start
//   "deepgram": {
//     "api_key": "",            // empty: any non-empty key is accepted
//     "stt": { "speech_threshold_dbfs": -40, "min_speech_ms": 60, "min_silence_ms": 100,
//              "default_endpointing_ms": 10, "interim_interval_ms": 500,
//              "words_per_second": 2.5, "final_delay_ms": 0, "split_every": 0,
//              "script": ["first caller line", {"text": "second", "split": true}],
//              "fallback_text": "okay", "script_key": "", "idle_timeout_ms": 10000,
//              "finalize_reply_when_idle": true, "faults": [ <fault>... ] },
//     "tts": { "ms_per_char": 65, "frame_ms": 40, "speed": 3.0, "ttfb_ms": 100,
//              "max_flushes": 20, "flush_window_ms": 60000, "ws_max_chars": 2000,
//              "rest_max_chars": 1000, "chars_per_minute": 0, "level": 0.35,
//              "faults": [ <fault>... ] } },
//   "openai": { "api_key": "", "ttft_ms": 200, "tokens_per_second": 60,
//               "keepalive_ms": 1000, "keepalive_every": 5, "coalesce_every": 4,
//               "split_every": 7, "default_text": "...", "check_strict_schemas": true,
//               "rules": [ <rule>... ], "faults": [ <fault>... ] },
//   "google": { "client_id": "mock-client-id", "client_secret": "mock-client-secret",
//               "refresh_token": "mock-refresh-token", "expires_in": 3599,
//               "expires_in_as_string": false, "token_ttl_ms": 0, "clock_speed": 1.0,
//               "require_token": true, "time_zone": "UTC",
//               "calendars": {"primary": [ <seed event>... ]}, "faults": [ <fault>... ] },
//   "twilio": { "account_sid": "AC...", "auth_token": "mock_auth_token",
//               "api_keys": {"SK...": "secret"}, "step_ms": 100, "outcome": "answered",
//               "auto_complete_ms": 0, "twiml_exec_ms": 500, "fetch_twiml": true,
//               "amd_answered_by": "human", "amd_delay_ms": -1,
//               "lost_callbacks": [], "callee": <callee>, "faults": [ <fault>... ] }
// }
//
// twilio.amd_answered_by: who picks up, and what answering-machine detection reports:
// "human", "machine" (machine_end_beep under DetectMessageEnd, machine_start under Enable),
// or a Twilio value: machine_start, machine_end_beep, machine_end_silence,
// machine_end_other, fax, unknown. twilio.amd_delay_ms: answer -> AMD result; -1 = human
// 1800, machine_start 2500, fax 3000, unknown 5000, machine_end_* 4500 or, when a simulated
// callee plays the greeting, 400 ms after its beep ends. twilio.lost_callbacks: status
// callback events ("initiated", "ringing", "answered", "completed") that are never sent, as
// when a callback is lost on the way; the call's state still changes (GET shows it).
//
// <callee> (the simulated callee of outbound calls whose TwiML runs <Connect><Stream>) =
//   { "enabled": false,        // mock_providers turns it on by default
//     "engine_url": "",        // host of the stream and action requests ("": scheme, host
//                              // and port of the call's Url, else of the stream URL)
//     "greeting": "hello?",    // a person says it as the stream starts ("": wait)
//     "greeting_pause_ms": 300,
//     "say": ["yes this is maria", {"text": "dtmf:1", "pause_before_ms": 500,
//             "barge_in": false, "barge_after_ms": 1500}],   // after the agent's turns
//     "pause_before_ms": 700,  // default pause of a line
//     "hangup_after_ms": 1200, "answer_timeout_ms": 15000, "max_call_ms": 120000,
//     "voicemail_greeting": "Hi, you have reached Maria. Please leave a message after the tone.",
//     "beep_ms": 500, "beep_hz": 1000, "voice": "en-us", "words_per_minute": 165,
//     "wav_dir": "" }          // record each callee to DIR/<CallSid>.wav
//
// <fault> = { "kind": "status|drop|stall|delay|stream_error|no_done",
//             "match": "",          // substring of the operation name ("" = all), e.g.
//                                   // stt.connect, tts.ws, tts.rest, chat, token, freeBusy,
//                                   // events.insert, calls.create, calls.update
//             "probability": 1.0, "every_nth": 0, "times": -1,
//             "at": "",             // stt drop/stall: "speech" (default) or "connect"
//             "after": 0,           // audio ms (deepgram) or stream events (openai)
//             "status": 500, "delay_ms": 0, "stall_ms": 0,
//             "retry_after_ms": 200, "retry_after": "1", "should_retry": true,
//             "error_type": "", "error_code": "", "message": "", "graceful": true }
//
// <rule> (openai) = { "when": { "last_role": "user|tool|assistant|system",
//                               "contains": "text" | ["any", "of"], "tool_result_for": "name",
//                               "has_tool": "name", "min_messages": 0 },
//                     "say": "text", "tool_calls": [{"name": "...", "arguments": {...} | "..."}],
//                     (either or both: with both, the text streams first, then the calls)
//                     "finish_reason": "", "times": -1 }
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ce::mocks {

enum class fault_kind { status, drop, stall, delay, stream_error, no_done };

std::string_view to_string(fault_kind k);

/// Shared counters of one rule: how often it was eligible and how often it fired.
struct fault_counters {
  std::atomic<std::uint64_t> eligible{0};
  std::atomic<std::int64_t> fired{0};
};

struct fault_rule {
  fault_kind kind = fault_kind::status;
  std::string match;
  double probability = 1.0;
  std::uint64_t every_nth = 0;
  std::int64_t times = -1;
  std::string at;
  std::int64_t after = 0;
  int status = 500;
  int delay_ms = 0;
  int stall_ms = 0;
  std::optional<int> retry_after_ms;
  std::optional<std::string> retry_after;
  std::optional<bool> should_retry;
  std::string error_type;
  std::string error_code;
  std::string message;
  bool graceful = true;
  std::shared_ptr<fault_counters> counters = std::make_shared<fault_counters>();
};

struct script_line {
  std::string text;
  std::optional<bool> split;  ///< overrides split_every for this line
};

struct stt_config {
  double speech_threshold_dbfs = -40.0;
  int min_speech_ms = 60;
  int min_silence_ms = 100;
  int default_endpointing_ms = 10;
  int interim_interval_ms = 500;
  double words_per_second = 2.5;
  int final_delay_ms = 0;
  int split_every = 0;
  std::vector<script_line> script;
  std::string fallback_text = "okay";
  std::string script_key;
  int idle_timeout_ms = 10000;
  bool finalize_reply_when_idle = true;
  std::vector<fault_rule> faults;
};

struct tts_config {
  int ms_per_char = 65;
  int frame_ms = 40;
  double speed = 3.0;
  int ttfb_ms = 100;
  int max_flushes = 20;
  int flush_window_ms = 60000;
  int ws_max_chars = 2000;
  int rest_max_chars = 1000;
  int chars_per_minute = 0;
  double level = 0.35;
  std::vector<fault_rule> faults;
};

struct deepgram_config {
  std::string api_key;
  stt_config stt;
  tts_config tts;
};

struct tool_call_spec {
  std::string name;
  std::string arguments;  ///< JSON text
};

struct llm_rule {
  std::string last_role;
  std::vector<std::string> contains;
  std::string tool_result_for;
  std::string has_tool;
  std::size_t min_messages = 0;
  std::optional<std::string> say;
  std::vector<tool_call_spec> tool_calls;
  std::string finish_reason;
  std::int64_t times = -1;
  std::shared_ptr<std::atomic<std::int64_t>> used = std::make_shared<std::atomic<std::int64_t>>(0);
};

struct openai_config {
  std::string api_key;
  int ttft_ms = 200;
  double tokens_per_second = 60.0;
  int keepalive_ms = 1000;
  int keepalive_every = 5;
  int coalesce_every = 4;
  int split_every = 7;
  std::string default_text = "Sure, I can help with that. What day works best for you?";
  bool check_strict_schemas = true;
  std::vector<llm_rule> rules;
  std::vector<fault_rule> faults;
};

struct google_config {
  std::string client_id = "mock-client-id";
  std::string client_secret = "mock-client-secret";
  std::string refresh_token = "mock-refresh-token";
  int expires_in = 3599;
  bool expires_in_as_string = false;
  std::int64_t token_ttl_ms = 0;
  double clock_speed = 1.0;
  bool require_token = true;
  std::string time_zone = "UTC";
  nlohmann::json calendars = nlohmann::json{{"primary", nlohmann::json::array()}};
  std::vector<fault_rule> faults;
};

struct twilio_callee_line {
  std::string text;                  ///< what the callee says; "dtmf:5" presses keys
  std::optional<int> pause_before_ms;  ///< unset: twilio_callee_config::pause_before_ms
  bool barge_in = false;
  int barge_after_ms = 1500;
};

/// The simulated callee of an outbound call (a ce::sim::call run by the Twilio mock).
struct twilio_callee_config {
  bool enabled = false;
  std::string engine_url;
  std::string greeting = "hello?";
  int greeting_pause_ms = 300;
  std::vector<twilio_callee_line> say;
  int pause_before_ms = 700;
  int hangup_after_ms = 1200;
  int answer_timeout_ms = 15000;
  int max_call_ms = 120000;
  std::string voicemail_greeting = "Hi, you have reached Maria. Please leave a message after the tone.";
  int beep_ms = 500;
  int beep_hz = 1000;
  std::string voice = "en-us";
  int words_per_minute = 165;
  std::string wav_dir;
};

struct twilio_config {
  std::string account_sid = "AC00000000000000000000000000000001";
  std::string auth_token = "mock_auth_token";
  std::map<std::string, std::string> api_keys;
  int step_ms = 100;
  std::string outcome = "answered";
  int auto_complete_ms = 0;
  int twiml_exec_ms = 500;
  bool fetch_twiml = true;
  std::string amd_answered_by = "human";
  int amd_delay_ms = -1;  ///< -1: by answer kind (see the schema above)
  std::set<std::string> lost_callbacks;  ///< status callback events never sent
  twilio_callee_config callee;
  std::vector<fault_rule> faults;
};

/// A scheduled change, run once, `at_ms` after the server started.
struct timeline_step {
  std::int64_t at_ms = 0;
  nlohmann::json patch;    ///< a config merge patch (null: none)
  std::string disconnect;  ///< "stt", "tts", "openai" or "all" (empty: none)
  bool expire_google_tokens = false;
};

struct mock_config {
  std::uint64_t seed = 1;
  std::size_t log_limit = 20000;
  bool record_bodies = true;
  std::vector<fault_rule> faults;  ///< apply to every vendor's operations
  std::vector<timeline_step> timeline;
  deepgram_config deepgram;
  openai_config openai;
  google_config google;
  twilio_config twilio;
};

/// A configuration error: the offending key's path and what is wrong with it.
struct config_error {
  std::string message;
};

/// Parses a whole document (missing keys take defaults). On error, `err` is set.
std::optional<mock_config> parse_config(const nlohmann::json& doc, config_error& err);
/// Parses one fault rule (also used for the per-request `X-Mock-Fault` header).
std::optional<fault_rule> parse_fault(const nlohmann::json& j, const std::string& path,
                                      config_error& err);

/// The current configuration, shared by every session. Readers take a snapshot (a
/// shared_ptr to an immutable config); writers swap a new one in and bump the generation,
/// so long-lived sessions can notice a change with one atomic load.
class config_store {
public:
  config_store();

  std::shared_ptr<const mock_config> snapshot() const;
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  nlohmann::json document() const;

  /// RFC 7386 merge patch onto the current document; nothing changes on error.
  std::optional<config_error> patch(const nlohmann::json& merge_patch);
  /// Replaces the whole document (missing keys take defaults).
  std::optional<config_error> replace(const nlohmann::json& doc);

private:
  std::optional<config_error> install(nlohmann::json doc);

  mutable std::mutex mutex_;
  nlohmann::json document_;
  std::shared_ptr<const mock_config> current_;
  std::atomic<std::uint64_t> generation_{1};
};

} // namespace ce::mocks
