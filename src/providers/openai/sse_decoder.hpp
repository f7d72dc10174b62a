// Server-sent events decoder, by the rules openai-python implements (protocols.md §7.2):
//   - bytes are split into lines on "\n", "\r\n" or "\r" (a "\r\n" cut between two reads
//     is still one line end);
//   - an empty line ends an event;
//   - "data:" lines accumulate, joined with "\n"; one space after the colon is dropped;
//   - lines starting with ':' are comments (keep-alives) and are ignored;
//   - "event:", "id:" and "retry:" are parsed; other fields are ignored;
//   - nothing is assumed about how events fall into reads: partial lines are buffered.
// An event is dispatched when its blank line arrives and it has at least one field. What
// is left without a blank line at the end of the stream is not an event (has_partial()).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::openai {

struct sse_event {
  std::string event;
  std::string data;
  std::string id;
  std::optional<long> retry;
};

class sse_decoder {
public:
  /// `max_line`: longer lines make the decoder fail (overflowed()).
  explicit sse_decoder(std::size_t max_line = 4 * 1024 * 1024) : max_line_(max_line) {}

  /// Decodes `bytes`, appending every completed event to `out`.
  void feed(std::string_view bytes, std::vector<sse_event>& out);
  /// Bytes or fields seen since the last dispatched event (an unfinished event at EOF).
  bool has_partial() const { return !line_.empty() || has_fields_; }
  bool overflowed() const { return overflowed_; }

private:
  void on_line(std::string_view line, std::vector<sse_event>& out);

  std::size_t max_line_;
  std::string line_;
  bool skip_lf_ = false;  ///< the last byte was '\r': a following '\n' belongs to it
  bool overflowed_ = false;
  bool has_fields_ = false;
  bool has_data_ = false;
  sse_event current_;
};

} // namespace ce::openai
