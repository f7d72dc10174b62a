// Deepgram live STT turn assembly (protocols.md §5.5), without any networking:
//   - interim results (is_final:false) restate the not-yet-final span; every non-empty one
//     is reported (barge-in signal) with the utterance text so far;
//   - final results (is_final:true) are settled segments, joined in order;
//   - the utterance ends at a final with speech_final:true, at UtteranceEnd, at a final
//     answering our Finalize (from_finalize:true), or when the stream closes; empty
//     finals add no text but still end the utterance.
//
// Times: Deepgram counts seconds of audio per connection. The assembler works in *stream*
// time (seconds since the client's first byte): `set_time_base` gives the stream time of
// the current connection's first byte. After a reconnect that replays the last second of
// audio, `rebase(replay_start)` drops what the replay will bring again from the pending
// segments, and words already emitted in an utterance are filtered out when heard again.
#pragma once

#include <chrono>

#include "providers/deepgram/stt_messages.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ce::deepgram {

enum class utterance_end_reason { speech_final, utterance_end, finalize, closed };

std::string_view to_string(utterance_end_reason r);

/// A non-empty interim (or an intermediate final): the caller is talking.
struct stt_interim {
  std::string text;            ///< this result's text
  std::string utterance_text;  ///< finals so far + this text
  bool is_final = false;
  double start = 0;  ///< stream time
  double end = 0;
};

/// One complete caller utterance.
struct stt_utterance {
  std::string text;
  double start = 0;  ///< stream time of the first segment
  double end = 0;    ///< stream time of the last word's end (the last segment's end without words)
  double confidence = 0;
  std::vector<stt_word> words;  ///< with stream times
  utterance_end_reason reason = utterance_end_reason::speech_final;
  /// `end` on the steady clock (when the caller's audio of that moment arrived), set by the
  /// live client; the epoch when unknown.
  std::chrono::steady_clock::time_point end_at{};
};

struct assembly_step {
  std::optional<stt_interim> interim;
  std::optional<stt_utterance> utterance;
};

class utterance_assembler {
public:
  void set_time_base(double stream_time_of_connection_start) { base_ = stream_time_of_connection_start; }
  /// A new connection replays audio from `replay_start` (stream time).
  void rebase(double replay_start);

  assembly_step on_result(const stt_result& r);
  /// UtteranceEnd: ends the pending utterance, if any.
  std::optional<stt_utterance> on_utterance_end();
  /// The stream is over: whatever is pending becomes an utterance.
  std::optional<stt_utterance> on_closed();

  bool pending() const { return !segments_.empty(); }
  double emitted_until() const { return emitted_until_; }

private:
  struct segment {
    std::string text;
    double start = 0;
    double end = 0;
    double confidence = 0;
    std::vector<stt_word> words;
  };

  /// The result in stream time, with already-emitted words removed; nullopt when nothing is left.
  std::optional<segment> to_segment(const stt_result& r) const;
  std::string joined(const std::string& extra = {}) const;
  std::optional<stt_utterance> emit(utterance_end_reason why);

  double base_ = 0;
  double emitted_until_ = 0;
  bool filter_emitted_ = false;  ///< true on a connection that replays emitted audio
  std::vector<segment> segments_;
};

} // namespace ce::deepgram
