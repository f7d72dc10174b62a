// OpenAI Chat Completions mock: `POST /v1/chat/completions` (protocols.md §7, §9.5).
//
// Checks `Authorization: Bearer` (401 with the §7.4 body), parses and validates the body
// (400 invalid_request_error, including an assistant tool_calls id without its tool
// message), records messages and tools, and answers with the scripted reply
// (openai_script.hpp): with "stream": true as SSE exactly as §7.2/7.3 (role chunk, content
// pieces or tool-call fragments, finish chunk, usage chunk when include_usage,
// `data: [DONE]`), otherwise as one chat.completion object.
//
// Timing: the role chunk and the first token `ttft_ms` after the request, then
// `tokens_per_second`. Wire shaping to exercise parsers: a `: keep-alive` comment every
// `keepalive_ms` while waiting and after every `keepalive_every`th event, two events in one
// write every `coalesce_every`th write, one event cut across two writes every
// `split_every`th write (0 turns each off).
//
// Faults matching "chat": status (429 adds retry-after-ms / retry-after / x-should-retry:
// the rule's values, or 200 / 1 / true when it sets none; error_type/error_code override
// the body, e.g. insufficient_quota), delay (before the first byte), drop / stall (after
// `after` events; 0 = before any response), stream_error (a `data: {"error":...}` event
// after `after` events, then the stream ends), no_done (the stream ends without [DONE];
// graceful = terminating chunk then close, otherwise the socket just closes).
#pragma once

#include "mocks/http_core.hpp"

#include <atomic>

namespace ce::mocks {

class openai_service : public request_handler {
public:
  explicit openai_service(mock_context& ctx);

  void handle(http_request&& req, const connection_ptr& conn) override;
  std::size_t disconnect_all() { return streams_.kill_all(); }
  std::size_t open_streams() const { return streams_.size(); }
  mock_context& ctx() { return ctx_; }
  session_registry& streams() { return streams_; }

private:
  void chat(http_request&& req, const connection_ptr& conn);

  mock_context& ctx_;
  session_registry streams_;
  std::atomic<std::uint64_t> serial_{0};
};

} // namespace ce::mocks
