// Deepgram Aura text-to-speech over one WebSocket per call (`/v1/speak`, protocols.md
// §6.2): text goes up as Speak messages, raw μ-law 8 kHz audio comes back in binary frames.
//
// Segments: speak(segment, text) is one segment (e.g. one sentence of a reply). Its text
// is sent at once (cut into Speak messages of at most `max_chars_per_speak` characters at
// sentence/word boundaries) followed by a Flush, and its audio is delivered chunk by chunk
// as it arrives, tagged with the segment; on_segment_done(segment) follows the last chunk
// (the server's Flushed). Deepgram allows `max_flushes` Flushes per `flush_window`: while
// fewer than `flush_reserve` are left in the window and a segment is still playing out, new
// segments are coalesced and flushed together when it is done; their audio then arrives
// as one stream tagged with the first of them, and on_segment_done fires for each, in
// order. With none left, the flush waits for the window to free one.
//
// Barge-in: clear() sends Clear and forgets every pending segment (no on_segment_done for
// them); audio frames that still arrive before the server's Cleared are dropped, then
// on_cleared fires. Segments spoken after clear() are delivered normally.
//
// Threading and lifetime as in live_stt_client.hpp: members may be called from any thread
// (they post to the strand), callbacks run on the strand, destruction is safe; after
// on_failed the client is idle and reconnect() opens a fresh connection (nothing pending
// survives: the owner re-speaks or falls back to the REST client).
#pragma once

#include "providers/http/provider_error.hpp"
#include "providers/http/tls.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ce::deepgram {

struct tts_stream_options {
  std::string api_key;
  std::string base_url = "https://api.deepgram.com";  ///< WebSocket URL derived (https -> wss)
  std::string model = "aura-2-thalia-en";
  std::string encoding = "mulaw";
  int sample_rate = 8000;
  std::vector<std::pair<std::string, std::string>> extra_query;  ///< speed, mip_opt_out, ...
  std::chrono::milliseconds connect_timeout{3000};
  /// No frame at all (including pongs to our keep-alive pings) for this long = dead; 0 = off.
  std::chrono::milliseconds dead_after{3000};
  /// A flush waiting with no audio and no Flushed for this long = a stalled server; 0 = off.
  std::chrono::milliseconds stall_after{3000};
  std::chrono::milliseconds close_timeout{2000};
  std::size_t max_chars_per_speak = 2000;
  int max_flushes = 20;
  std::chrono::milliseconds flush_window{60000};
  int flush_reserve = 5;
  /// Segments waiting for their audio, at most (speak beyond it fails the segment at once).
  std::size_t max_pending_segments = 64;
  /// Audio hand-over: while the audio handed over so far would still play for at least
  /// `coalesce_when_ahead` in real time (the server sends faster than real time), binary
  /// messages are joined into on_audio calls of up to `coalesce_bytes`; otherwise each goes
  /// at once. A segment's end, a new segment or a failure hands over what is held; Clear
  /// drops it. 0 = every message at once.
  std::size_t coalesce_bytes = 1600;
  std::chrono::milliseconds coalesce_when_ahead{400};
  http::tls_options tls;
  std::string log_context;
};

struct tts_audio {
  std::uint64_t segment = 0;
  std::vector<std::uint8_t> mulaw;
};

struct tts_stream_callbacks {
  std::function<void(const std::string& request_id)> on_opened;
  std::function<void(tts_audio)> on_audio;
  std::function<void(std::uint64_t segment)> on_segment_done;
  std::function<void()> on_cleared;
  /// A segment refused before it reached the server (queue full, empty text, not open).
  std::function<void(std::uint64_t segment, const http::provider_error&)> on_segment_failed;
  /// The server's Warning (code, description); the client already handles the flush limit.
  std::function<void(const std::string& code, const std::string& description)> on_warning;
  std::function<void(const http::provider_error&)> on_failed;
  std::function<void()> on_closed;
};

struct tts_stream_stats {
  std::uint64_t speak_messages = 0;
  std::uint64_t flushes = 0;
  std::uint64_t coalesced_segments = 0;  ///< segments that shared a flush with another
  std::uint64_t audio_bytes = 0;
  std::uint64_t audio_messages = 0;      ///< binary messages received
  std::uint64_t audio_deliveries = 0;    ///< on_audio calls (fewer when coalesced)
  std::uint64_t dropped_after_clear = 0; ///< bytes dropped between Clear and Cleared
  std::uint64_t flush_warnings = 0;
};

class tts_stream_client {
public:
  tts_stream_client(boost::asio::io_context& io, tts_stream_options options, tts_stream_callbacks callbacks);
  ~tts_stream_client();
  tts_stream_client(const tts_stream_client&) = delete;
  tts_stream_client& operator=(const tts_stream_client&) = delete;

  void connect();
  /// Speaks one segment (queued until the connection is open).
  void speak(std::uint64_t segment, std::string text);
  /// Barge-in: drop everything not yet heard.
  void clear();
  /// A fresh connection after on_failed (or to renew one near Deepgram's 60-minute limit).
  void reconnect();
  /// Sends Close; on_closed once the server closed (or close_timeout passed).
  void close();

  tts_stream_stats stats() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

std::string speak_query(const tts_stream_options& options);

} // namespace ce::deepgram
