// The simulated caller: plays Twilio against the engine over real sockets. It posts the
// signed voice webhook, opens the Media Stream named in the TwiML, sends `connected`,
// `start` and a 20 ms `media` frame every 20 ms of wall-clock time, speaks scripted lines
// (espeak-ng -> mu-law), plays the agent's audio out in real time, echoes marks as Twilio
// does, honours `clear`, can barge in, records both sides and measures latencies from
// the caller's side. After an engine-initiated close it requests the <Connect action>
// URL like Twilio would.
//
// The same object also plays the callee of an outbound call (the Twilio mock starts one
// when a REST-created call runs <Connect><Stream>): `given_twiml` replaces the webhook,
// `speak_first` makes a person say hello as they pick up, and `answering_machine` plays a
// voicemail greeting and a beep, then listens in silence until the engine hangs up.
//
// One `call` is an asynchronous object on an io_context (the load generator runs many
// on one context); `run_call` runs a single call to completion.
#pragma once

#include "callengine/audio.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ce::sim {

struct script_line {
  /// What the caller says; "dtmf:5" presses a key instead, "dtmf:62704" several in a row.
  std::string text;
  /// Normal line: silence after the agent finished speaking, before saying it.
  int pause_before_ms = 700;
  /// Barge-in: start speaking this long after the agent's audio of the next turn
  /// starts playing, while the agent is still talking.
  bool barge_in = false;
  int barge_after_ms = 1500;
};

/// Deliberate protocol abuse, sent once the stream is up (tests of the engine's edge).
struct fault_plan {
  int malformed_frames = 0;   ///< garbage, bad JSON, bad base64, wrong types, binary
  bool skip_token = false;    ///< omit the stream token parameter
  bool forge_token = false;   ///< send a token for another call
};

struct caller_options {
  std::string engine_url = "http://127.0.0.1:8080";  ///< webhook and stream host (overrides TwiML host)
  std::string public_base_url;  ///< the URL the engine signs against (default: engine_url)
  std::string auth_token;       ///< sign the webhook when set
  std::string call_sid;         ///< generated when empty
  std::string from = "+15550001111";
  std::string to = "+15555550123";
  std::vector<script_line> script;
  /// After the last line and the agent's answer: hang up after this much silence
  /// (-1 = stay on the line until the engine ends the call or max_call_ms).
  int hangup_after_ms = 1200;
  int max_call_ms = 120000;
  /// A turn counts as answered when agent audio arrives within this time.
  int answer_timeout_ms = 15000;
  std::string wav_path;         ///< stereo recording: left caller, right what the caller heard
  fault_plan faults;
  /// espeak-ng voice settings of the caller.
  std::string voice = "en-us";
  int words_per_minute = 165;

  // ---- outbound calls: the sim is the callee -----------------------------------------
  /// The TwiML the call runs, given instead of posting the voice webhook (the Twilio mock
  /// fetched it from the call's Url). The stream and action requests still go to
  /// `engine_url` (host and port), with the paths of the TwiML's URLs.
  std::string given_twiml;
  /// AccountSid in `start`, `stop` and the <Connect action> request (empty: AC000…0).
  std::string account_sid;
  /// `Direction` of the <Connect action> request ("outbound-api" for a REST-created call).
  std::string direction = "inbound";
  /// The first script line is said its `pause_before_ms` after the stream starts, without
  /// waiting for the agent (a person picking up says "hello?"). Later lines wait for the
  /// agent's turn as usual.
  bool speak_first = false;
  /// An answering machine: `script` is not used. Right after the stream starts it plays
  /// `machine_greeting`, then a beep of `beep_ms` at `beep_hz`, then stays silent (and
  /// records) until the engine ends the stream, the call is hung up or `max_call_ms`.
  bool answering_machine = false;
  std::string machine_greeting = "Hi, you have reached Maria. Please leave a message after the tone.";
  int beep_ms = 500;
  int beep_hz = 1000;
  /// Progress, called on the call's io_context with the call time in ms:
  /// "stream_started" (after `start` went out), "greeting_done" (machine: the beep ended).
  std::function<void(const std::string& event, std::int64_t at_ms)> on_event;
};

struct caller_turn {
  std::string said;
  bool barge_in = false;
  std::int64_t spoke_at_ms = -1;           ///< call time when the line started
  std::int64_t speech_ms = 0;              ///< length of the line's audio
  std::int64_t answer_latency_ms = -1;     ///< end of the line -> first agent audio received
  std::int64_t clear_after_onset_ms = -1;  ///< barge-in: first speech frame sent -> clear received
};

struct call_result {
  bool ok = false;
  std::string error;
  std::string call_sid;
  std::string twiml;                  ///< answer to the voice webhook
  int webhook_status = 0;
  std::int64_t greeting_latency_ms = -1;  ///< stream start -> first agent audio
  std::vector<caller_turn> turns;
  int clears = 0;
  int marks_echoed = 0;
  int marks_cancelled = 0;            ///< echoed because of a clear
  int agent_audio_ms = 0;             ///< agent audio actually played
  int dropped_after_clear_bytes = 0;
  bool engine_closed = false;         ///< the engine ended the stream
  int close_code = 0;
  std::string after_stream_twiml;     ///< answer to the <Connect action> request
  std::vector<std::string> protocol_violations;  ///< what the engine sent wrong
  std::int64_t duration_ms = 0;
  std::string stream_sid;
  std::string stream_url;             ///< the <Stream url> of the TwiML
  std::vector<std::pair<std::string, std::string>> custom_parameters;  ///< what `start` carried
  std::int64_t stream_started_ms = -1;       ///< call time when `start` went out
  // answering machine
  std::int64_t beep_end_ms = -1;             ///< call time when the beep's last frame went out
  int agent_audio_before_beep_ms = 0;        ///< agent audio played over the greeting
  int agent_audio_after_beep_ms = 0;
  std::int64_t first_agent_audio_after_beep_ms = -1;  ///< beep end -> first agent audio played
};

class call {
public:
  using done_fn = std::function<void(const call_result&)>;
  call(boost::asio::io_context& ioc, caller_options options, done_fn done);
  ~call();
  void start();
  /// Asks a running call to hang up now (sends `stop` and closes).
  void hang_up();

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// Runs one call to completion on its own io_context.
call_result run_call(const caller_options& options);

/// Synthesises caller speech (cached per text; espeak-ng is used from one thread).
mulaw_buffer caller_speech(const std::string& text, const std::string& voice, int words_per_minute);

/// GET `url` (http://host:port/path); returns status and body. Blocking; for tools/tests.
struct http_reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string error;
};
http_reply http_get(const std::string& url, int timeout_ms = 5000);
http_reply http_post_form(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                          const std::string& signature = {}, int timeout_ms = 5000);

} // namespace ce::sim
