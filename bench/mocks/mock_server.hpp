// In-process mock providers: Deepgram (live STT and TTS), OpenAI Chat Completions, Google
// OAuth + Calendar and Twilio REST, each on its own loopback port, speaking the real wire
// protocols (see each service's header), served by `threads` Asio threads. Tests and
// benchmarks start one, point the engine at the URLs below, script it through the config
// (mock_config.hpp documents the JSON) and assert on what it recorded.
//
//   ce::mocks::mock_server mocks({.threads = 1, .config = scenario});
//   if (auto err = mocks.start()) FAIL(*err);
//   engine_cfg.deepgram_base = mocks.deepgram_base_url();
//   mocks.patch_config({{"openai", {{"faults", {{{"kind", "status"}, {"status", 429}, {"times", 1}}}}}}});
//   auto reqs = mocks.wait_for_log("openai", "openai.request", 2, 3s);
//
// Every port also serves the control API under `/__mock/` (see control.hpp), so a test in
// another process can do the same over HTTP. No Asio or Beast in this header.
#pragma once

#include "mocks/twilio_call_event.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::mocks {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t deepgram_port = 0;  ///< 0 = any free port
  std::uint16_t openai_port = 0;
  std::uint16_t google_port = 0;
  std::uint16_t twilio_port = 0;
  int threads = 1;
  nlohmann::json config = nlohmann::json::object();  ///< initial scenario (mock_config.hpp)
};

class mock_server {
public:
  explicit mock_server(server_options options = {});
  ~mock_server();
  mock_server(const mock_server&) = delete;
  mock_server& operator=(const mock_server&) = delete;

  /// Applies the initial config, binds every port and starts the threads. An error message
  /// (bad config, port in use) when it could not.
  std::optional<std::string> start();
  /// Stops accepting, drops every connection and joins the threads. Idempotent.
  void stop();

  std::uint16_t deepgram_port() const;
  std::uint16_t openai_port() const;
  std::uint16_t google_port() const;
  std::uint16_t twilio_port() const;

  std::string deepgram_base_url() const;  ///< http://127.0.0.1:P (WebSockets: ws://)
  std::string deepgram_ws_base() const;   ///< ws://127.0.0.1:P
  std::string openai_base_url() const;    ///< http://127.0.0.1:P/v1
  std::string google_token_url() const;   ///< http://127.0.0.1:P/token
  std::string gcal_base() const;          ///< http://127.0.0.1:P/calendar/v3
  std::string twilio_api_base() const;    ///< http://127.0.0.1:P
  std::string control_url() const;        ///< http://127.0.0.1:P/__mock (on the Deepgram port)
  /// `NAME=value` lines for every URL above (what mock_providers prints).
  std::string env_lines() const;

  /// The config document in force (what was set; unset keys take their defaults).
  nlohmann::json config() const;
  /// RFC 7386 merge patch (arrays replace). Nothing changes on error.
  std::optional<std::string> patch_config(const nlohmann::json& patch);
  std::optional<std::string> set_config(const nlohmann::json& config);

  /// Recorded entries with seq > `since`, of one service ("stt", "tts", "openai",
  /// "google", "twilio"; empty = all) and event (exact name, e.g. "stt.utterance", or a
  /// prefix ending in '.' or '*', e.g. "stt.").
  std::vector<nlohmann::json> log(std::string_view service = {}, std::uint64_t since = 0,
                                  std::string_view event_prefix = {}) const;
  std::uint64_t log_seq() const;
  void clear_log();
  /// Polls the log until `count` entries of `service` matching `event` (as in `log`)
  /// exist (after `since`), or `timeout`. Returns what it found.
  std::vector<nlohmann::json> wait_for_log(std::string_view service, std::string_view event, std::size_t count,
                                           std::chrono::milliseconds timeout, std::uint64_t since = 0) const;
  /// Counters per service (open connections, messages, bytes, faults fired).
  nlohmann::json stats() const;
  /// CPU time used so far by the server's I/O threads (seconds), to check that the mocks
  /// are not the bottleneck of a benchmark.
  double cpu_seconds() const;

  /// Forgets calls, tokens, script cursors and fault counters; re-seeds the calendars.
  std::optional<std::string> reset_state();
  /// Drops every live connection of a service ("stt", "tts", "openai", "all"); returns
  /// how many.
  std::size_t disconnect(std::string_view service);
  void expire_google_tokens();
  std::vector<nlohmann::json> calendar_events(const std::string& calendar_id) const;
  void on_twilio_call(twilio_hook hook);
  bool twilio_hang_up(const std::string& call_sid);
  nlohmann::json twilio_calls() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace ce::mocks
