// The wire side of Chat Completions, without networking: the request body (§7.1), the
// handling of streamed chunks (§7.3: text deltas as they come, tool-call fragments joined
// by index and parsed only at the end, usage, an `error` object inside a 200 stream), and
// the error body of a non-2xx answer (§7.4).
#pragma once

#include "providers/http/provider_error.hpp"
#include "providers/openai/chat_types.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ce::openai {

/// The JSON body of `POST /chat/completions` with stream:true.
std::string build_chat_body(const chat_request& request);
/// The request's "tools" array for `defs` (what build_chat_body sends), as JSON text.
std::string tools_array_json(const std::vector<tool_definition>& defs);

/// What one SSE data payload meant.
struct chunk_step {
  std::string text;  ///< content/refusal delta to deliver now (may be empty)
  bool done = false; ///< `[DONE]`
  std::optional<http::provider_error> error;  ///< unparsable chunk or an `error` object
};

class chunk_accumulator {
public:
  chunk_step on_data(std::string_view data);
  /// The completion so far; tool-call arguments are parsed here (call it once, at the end).
  chat_completion finish();
  /// Text or tool-call fragments arrived (something a retry would redo).
  bool any_content() const { return !completion_.text.empty() || !calls_.empty(); }
  const chat_completion& partial() const { return completion_; }

private:
  struct call_parts {
    std::string id;
    std::string name;
    std::string arguments;
  };

  chat_completion completion_;
  std::map<int, call_parts> calls_;
};

/// The provider_error for a non-2xx answer with an OpenAI error body (and retry headers).
http::provider_error chat_http_error(int status, std::string_view body, std::string_view retry_after_ms,
                                     std::string_view retry_after, std::string_view should_retry);

} // namespace ce::openai
