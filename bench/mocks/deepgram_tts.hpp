// Deepgram TTS mock (protocols.md §6, §9.4): REST `POST /v1/speak` and WebSocket
// `/v1/speak`. The audio is `speech_renderer`'s deterministic speech-like mu-law at
// `ms_per_char` per character, sent `ttfb_ms` after the request (or Flush) in frames of
// `frame_ms`, paced at `speed` x real time.
//
// REST: auth, `Content-Type: application/json`, a JSON {"text"}; query encoding=mulaw
// (the only encoding the mock renders), sample_rate=8000, container=none (`wav` or no
// container prepends a 44-byte RIFF header, as Deepgram's default does); more than
// `rest_max_chars` characters is 422. The body is chunked and paced. Faults "tts.rest".
//
// WebSocket: Metadata on connect; Speak appends (more than `ws_max_chars` closes 1009
// BIG-0001; over `chars_per_minute` when set closes 1008 DATA-0001); Flush renders the
// buffer as binary frames then `Flushed{sequence_id}` (0, 1, 2, ...); beyond
// `max_flushes` in `flush_window_ms` a Warning, and the flush is ignored; Clear stops the
// audio, drops the buffer and answers `Cleared{sequence_id}` (the last flush's id); Close
// closes 1000. Unknown messages close 1008 DATA-0000; binary frames 1003 MESSAGE-0000.
// Faults "tts.ws.connect" (status, delay; drop/stall "at":"connect") and "tts.ws.flush"
// (delay before the first byte; drop/stall `after` ms of that flush's audio).
#pragma once

#include "mocks/http_core.hpp"

namespace ce::mocks {

class tts_service {
public:
  explicit tts_service(mock_context& ctx);

  /// WebSocket upgrade to `/v1/speak`.
  void accept(http_request&& req, const connection_ptr& conn);
  /// REST `POST /v1/speak`.
  void speak_rest(http_request&& req, const connection_ptr& conn);

  std::size_t disconnect_all() { return sessions_.kill_all(); }
  std::size_t open_sessions() const { return sessions_.size(); }
  mock_context& ctx() { return ctx_; }
  session_registry& sessions() { return sessions_; }

private:
  mock_context& ctx_;
  session_registry sessions_;
};

/// Characters as Deepgram counts them (UTF-8 code points).
std::size_t count_chars(std::string_view text);

} // namespace ce::mocks
