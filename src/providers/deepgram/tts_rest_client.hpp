// Deepgram Aura text-to-speech over REST (`POST /v1/speak?...&container=none`,
// protocols.md §6.1): the fallback when the WebSocket is down. Raw μ-law 8 kHz (never a
// WAV container: its header would click on the phone), streamed as the body arrives.
//
// Segments are spoken one after another, in the order synthesize() was called (audio
// order matters more than overlap). A segment longer than `max_chars` is cut at sentence /
// word boundaries into several requests. Before a request has delivered any audio,
// non-permanent failures (429, 5xx, connection errors, timeouts) are retried with jittered
// backoff while the segment's `deadline` allows; 413/422 (text too long) and the other
// permanent errors are reported at once. Audio already delivered is never repeated.
//
// Threading and lifetime as in live_stt_client.hpp.
#pragma once

#include "providers/deepgram/tts_stream_client.hpp"
#include "providers/http/backoff.hpp"
#include "providers/http/provider_error.hpp"
#include "providers/http/tls.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace ce::deepgram {

struct tts_rest_options {
  std::string api_key;
  std::string base_url = "https://api.deepgram.com";
  std::string model = "aura-2-thalia-en";
  std::string encoding = "mulaw";
  int sample_rate = 8000;
  std::vector<std::pair<std::string, std::string>> extra_query;
  /// Characters per request (Aura-2: 1000; the docs also mention 2000/2400).
  std::size_t max_chars = 1000;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds first_byte_timeout{3000};
  std::chrono::milliseconds idle_timeout{3000};
  /// Per segment: no retry is started once this much time has passed since it started.
  std::chrono::milliseconds deadline{4000};
  http::retry_policy retry{};
  /// Segments waiting at most (beyond: on_done with an error at once).
  std::size_t max_queued_segments = 64;
  http::tls_options tls;
  std::string log_context;
};

struct tts_rest_callbacks {
  std::function<void(tts_audio)> on_audio;
  /// The segment is finished: all its audio was delivered (nullopt) or it failed.
  std::function<void(std::uint64_t segment, std::optional<http::provider_error>)> on_done;
};

class tts_rest_client {
public:
  tts_rest_client(boost::asio::io_context& io, tts_rest_options options, tts_rest_callbacks callbacks);
  ~tts_rest_client();
  tts_rest_client(const tts_rest_client&) = delete;
  tts_rest_client& operator=(const tts_rest_client&) = delete;

  void synthesize(std::uint64_t segment, std::string text);
  /// Drops one segment (queued or playing); no callback for it afterwards.
  void cancel(std::uint64_t segment);
  /// Barge-in: drops every segment; no callback for them afterwards.
  void cancel_all();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// The query of `POST /v1/speak` (container=none always).
std::string rest_speak_query(const tts_rest_options& options);

} // namespace ce::deepgram
