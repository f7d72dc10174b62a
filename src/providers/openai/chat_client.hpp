// OpenAI Chat Completions streaming client (protocols.md §7): `POST {base}/chat/completions`
// with stream:true, the SSE body decoded as it arrives (sse_decoder.hpp), text deltas
// handed over at once (and, optionally, as complete sentences for TTS), tool calls joined
// by index and parsed at the end, usage recorded.
//
// Errors and retries (§7.4): 429 rate_limit_exceeded / slow_down, 5xx, 408, 409 and
// connection errors / timeouts are retried with jittered backoff, honouring
// retry-after-ms / retry-after / x-should-retry, but only while the request's `deadline`
// leaves room and only before any text was delivered (after that, a retry would repeat
// what the caller already heard: the failure is reported and the owner decides).
// insufficient_quota and 400/401/403/404 are permanent: reported at once. An `error`
// object inside a 200 stream and a stream that ends without `[DONE]` are failures too.
//
// Threading: start/cancel may be called from any thread (they post to the client's
// strand). Callbacks run on that strand, in order: on_text / on_sentence any number of
// times, then on_done exactly once — unless the stream is cancelled first: cancel() closes
// the socket and no callback of that stream runs afterwards (barge-in); cancel_all() stops
// deliveries at once, even before its posted cancellation reaches the strand. Destroying
// the client cancels everything; it waits for a callback running on the io thread, and no
// callback runs after it (also safe from inside a callback).
#pragma once

#include "providers/http/backoff.hpp"
#include "providers/http/provider_error.hpp"
#include "providers/http/tls.hpp"
#include "providers/openai/chat_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace ce::openai {

struct chat_client_options {
  std::string api_key;                                ///< `Authorization: Bearer <key>`
  std::string base_url = "https://api.openai.com/v1";
  std::string organization;                           ///< OpenAI-Organization, when set
  std::string project;                                ///< OpenAI-Project, when set
  std::chrono::milliseconds connect_timeout{2000};
  /// From the request written to the response header (bounded by the request's deadline).
  std::chrono::milliseconds first_byte_timeout{2500};
  /// The longest silence inside a stream (keep-alive comments count as traffic).
  std::chrono::milliseconds idle_timeout{4000};
  http::retry_policy retry{};
  http::tls_options tls;
  std::string log_context;  ///< prefix of the client's lines (a request adds its own)
};

/// The end of one stream.
struct chat_outcome {
  /// nullopt: the stream completed with [DONE].
  std::optional<http::provider_error> error;
  /// The completion, or what had arrived before the failure (tool calls then unparsed).
  chat_completion completion;
  /// on_text was called (so a failure cannot have been retried).
  bool content_delivered = false;
};

struct chat_callbacks {
  /// Every text delta, as it arrives.
  std::function<void(std::string_view delta)> on_text;
  /// Complete sentences (sentence_splitter), the first as soon as it is complete; the
  /// rest of the text at a successful end.
  std::function<void(std::string sentence)> on_sentence;
  std::function<void(chat_outcome)> on_done;
};

class chat_client {
public:
  chat_client(boost::asio::io_context& io, chat_client_options options);
  ~chat_client();
  chat_client(const chat_client&) = delete;
  chat_client& operator=(const chat_client&) = delete;

  /// Starts a streamed completion; returns its id (for cancel).
  std::uint64_t start(chat_request request, chat_callbacks callbacks);
  /// Aborts a stream now (closes its socket); none of its callbacks runs afterwards.
  void cancel(std::uint64_t stream_id);
  void cancel_all();

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace ce::openai
