// Deepgram live speech-to-text client: one WebSocket to `/v1/listen` per call
// (protocols.md §5), with the caller's μ-law audio streamed up and typed transcript events
// coming back, already assembled into utterances (utterance_assembler.hpp).
//
// Threading: the io_context given must be run by one thread (a shard). Every member
// function may be called from any thread; it posts to that thread and returns at once
// (never blocks). Every callback runs on that thread, one at a time, in order; keep them
// short (turn them into actor messages). Destroying the client is safe at any time, also
// from inside one of its own callbacks: the destructor waits for a callback running on the
// io thread to return, and no callback runs after it (http/callback_gate.hpp), so what the
// callbacks capture may be destroyed right after the client.
//
// Audio: the hot path is audio_port(), the caller_audio_port through which the edge on the
// same thread writes each caller frame straight into the client (no post per frame), with
// its voice detector's verdict. Fewer, larger messages where it costs no latency: an onset
// goes at once, then voiced audio in messages of `send_talking`, the voiced audio before a
// pause at once; in a pause, frames are held until `endpoint_margin` before Deepgram's
// endpointing would end the utterance, then sent one by one until the utterance comes (so
// the endpoint is not delayed); while the line is quiet, messages of `send_quiet`.
// send_audio() (any thread) is the convenient way for everything else.
//
// Lifecycle: connect() -> on_opened -> events ... -> close() -> on_closed. When the
// connection fails (handshake refused, socket dropped, no frame or pong for `dead_after`,
// a silent server while the caller talks, a close frame with an error) on_failed reports a
// classified provider_error and the client waits; audio keeps being buffered (bounded).
// The owner decides: reconnect() opens a new connection and first replays the last
// `replay` of audio sent (so the sentence in flight is heard again), then the buffered
// audio; or it gives up and destroys the client. Words already delivered in an utterance
// are not delivered twice after a replay.
#pragma once

#include "callengine/media_port.hpp"
#include "providers/deepgram/utterance_assembler.hpp"
#include "providers/http/provider_error.hpp"
#include "providers/http/tls.hpp"

#include <atomic>
#include <chrono>
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

namespace ce::deepgram {

/// What send_audio does when the send queue is full (a slow or dead connection).
enum class audio_overflow {
  drop_oldest,  ///< keep the newest audio (default: a live call values the present)
  drop_newest,  ///< refuse new audio until the queue drains
};

struct live_stt_options {
  std::string api_key;                                 ///< sent as `Authorization: Token <key>`
  std::string base_url = "https://api.deepgram.com";   ///< http(s); the WebSocket URL is derived (wss/ws)
  // ---- /v1/listen query ------------------------------------------------------------------
  std::string model = "nova-2-phonecall";
  std::string encoding = "mulaw";
  int sample_rate = 8000;
  int channels = 1;
  bool interim_results = true;
  std::optional<int> endpointing_ms = 300;   ///< nullopt: endpointing=false
  std::optional<int> utterance_end_ms = 1000;  ///< nullopt: not requested
  bool vad_events = true;
  bool smart_format = true;
  bool punctuate = true;
  std::string language = "en-US";  ///< empty: not sent
  std::vector<std::pair<std::string, std::string>> extra_query;  ///< keyterm, tag, ...
  // ---- timing ------------------------------------------------------------------------------
  std::chrono::milliseconds connect_timeout{3000};  ///< DNS + TCP + TLS + upgrade
  /// No frame at all (message, ping or pong) for this long = a dead connection (Beast sends
  /// a ping after half of it). 0 = off.
  std::chrono::milliseconds dead_after{2500};
  /// The caller has been audibly talking (`stall_min_voiced` of voiced audio sent) for this
  /// long and the server has sent nothing since = a stalled server. Needs interim_results
  /// (otherwise Deepgram is legitimately quiet during long utterances); 0 = off.
  std::chrono::milliseconds stall_after{2500};
  std::chrono::milliseconds stall_min_voiced{600};
  double voiced_dbfs = -35.0;
  /// A KeepAlive is sent when no audio went out for this long (Deepgram closes after ~10 s
  /// of nothing). 0 = off.
  std::chrono::milliseconds keepalive_interval{4000};
  /// close(): how long to wait for the final results, Metadata and the server's close.
  std::chrono::milliseconds close_timeout{3000};
  // ---- audio -------------------------------------------------------------------------------
  /// Audio kept for replay after a reconnect (the last this-much sent).
  std::chrono::milliseconds replay{1000};
  /// Bound of the send queue (audio not yet written), and what happens beyond it.
  std::chrono::milliseconds max_queued_audio{3000};
  audio_overflow on_overflow = audio_overflow::drop_oldest;
  /// Queued audio is merged into frames of at most this many bytes (800 = 100 ms).
  std::size_t max_frame_bytes = 800;
  /// audio_port(): message length while the caller talks, and while the line is quiet.
  std::chrono::milliseconds send_talking{100};
  std::chrono::milliseconds send_quiet{250};
  /// audio_port(): in a pause, frames go one by one from this long before the endpoint.
  std::chrono::milliseconds endpoint_margin{100};
  // ---- misc --------------------------------------------------------------------------------
  http::tls_options tls;
  /// Prefix of every log line, e.g. "call_sid=CA123 role=stt".
  std::string log_context;
};

struct stt_opened {
  std::string request_id;      ///< dg-request-id
  bool reconnected = false;
  std::size_t replayed_bytes = 0;
};

struct stt_speech_started {
  double timestamp = 0;  ///< stream time (seconds since the client's first audio byte)
  std::chrono::steady_clock::time_point at{};  ///< the same on the steady clock
};

struct live_stt_callbacks {
  std::function<void(const stt_opened&)> on_opened;
  std::function<void(const stt_speech_started&)> on_speech_started;
  /// Non-empty interims and intermediate finals (barge-in, live captions).
  std::function<void(const stt_interim&)> on_interim;
  /// A complete utterance (speech_final, UtteranceEnd, Finalize or close).
  std::function<void(stt_utterance)> on_utterance;
  std::function<void(const stt_metadata&)> on_metadata;
  /// The connection is down (see the header comment); reconnect() or give up.
  std::function<void(const http::provider_error&)> on_failed;
  /// close() finished (the server closed after its Metadata, or close_timeout passed).
  std::function<void()> on_closed;
};

/// Counters, readable from any thread.
struct live_stt_stats {
  std::uint64_t audio_bytes_sent = 0;    ///< including replays
  std::uint64_t audio_frames_sent = 0;
  std::uint64_t audio_bytes_dropped = 0; ///< queue overflow
  std::uint64_t replayed_bytes = 0;
  std::uint64_t keepalives_sent = 0;
  std::uint64_t connections = 0;         ///< successful handshakes
  std::uint64_t failures = 0;
};

class live_stt_client {
public:
  live_stt_client(boost::asio::io_context& io, live_stt_options options, live_stt_callbacks callbacks);
  ~live_stt_client();
  live_stt_client(const live_stt_client&) = delete;
  live_stt_client& operator=(const live_stt_client&) = delete;

  /// Opens the connection (once; later use reconnect()).
  void connect();
  /// Queues μ-law audio (any size; empty input is ignored: never an empty frame).
  void send_audio(std::vector<std::uint8_t> mulaw);
  /// The data plane's way in: use it on the io thread only (the edge of the call's shard).
  /// It keeps the client's state alive while held; writes after close() are ignored.
  std::shared_ptr<caller_audio_port> audio_port();
  /// Asks the server to finalise what it has heard now (`Finalize`); the answer ends the
  /// pending utterance with reason `finalize`.
  void finalize();
  /// Replaces the connection: a new handshake, then the last `replay` of audio, then
  /// whatever was queued meanwhile. Works after on_failed or on a live connection.
  void reconnect();
  /// CloseStream: the server sends its last results and Metadata and closes; then
  /// on_closed. Pending finals become a last utterance.
  void close();

  live_stt_stats stats() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// The query string for `/v1/listen` from the options (exposed for tests and logs).
std::string listen_query(const live_stt_options& options);

} // namespace ce::deepgram
