// The load generator's callers: N phone lines, each calling the engine again and again, all
// on one io_context per worker thread and driven by a single batched timer per worker (not
// one timer per call), with the caller's audio pre-encoded once and shared by every call.
//
// A `worker` owns one io_context and one thread. Its clock ticks every `slot_ms`; every line
// belongs to one of `20 / slot_ms` phase slots and its call sends its 20 ms media frame on the
// ticks of that slot, so the frames of N calls are spread over the 20 ms period the way real
// Twilio traffic is, instead of arriving at the engine as one burst.
//
// One call: signed-or-not voice webhook -> TwiML -> Media Streams WebSocket (with the
// TwiML's stream token) -> `connected` + `start` -> real-time frames. Agent audio goes into a
// playback FIFO that drains at 8 bytes per ms, marks are echoed when the audio before them
// has played, `clear` empties the FIFO (echoing its marks). The caller waits for the greeting
// to finish playing, then takes `turns` turns: turn k speaks line k of the script (1.2-2.4 s
// of speech) once the agent has been quiet for the pause, or, when the previous reply was
// chosen for a barge-in (a seeded choice per reply, `barge_share` of them), `barge_after_ms`
// into that reply's audio. A barge-in into the last reply is the caller's closing words:
// their `clear` is awaited, then the caller hangs up. Otherwise the caller hangs up (`stop`,
// close) once the last reply has been played, and the line places its next call at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ce::load {

using clock = std::chrono::steady_clock;

/// One caller line, pre-encoded: the base64 payload of each 20 ms frame.
struct encoded_line {
  std::string text;
  std::vector<std::string> frames;  ///< base64 of 160 mu-law bytes each
  std::size_t first_voiced = 0;     ///< index of the first voiced frame (speech onset)
  std::size_t voiced_frames = 0;    ///< frames up to and including the last voiced one
  bool tool_turn = false;           ///< the mock answers it with a tool call: not in the latency figure
  /// Speech length: first voiced frame to the end of the last voiced one.
  double speech_ms() const { return static_cast<double>(voiced_frames - first_voiced) * 20.0; }
};

/// Everything the calls share (read-only once the workers run).
struct shared_script {
  /// Turn k (0-based) of a call speaks lines[k % size]; a barge-in into the last reply (the
  /// closing words) speaks lines[turns % size]. The mock STT's script lists them in the same
  /// order, so the Nth utterance of a call is transcribed as the line that was spoken.
  std::vector<encoded_line> lines;
  std::string silence_frame;        ///< base64 of a silent frame
  int turns = 4;                    ///< caller turns per call
  double barge_share = 0.25;        ///< share of the replies barged into (seeded choice per reply)
  std::uint64_t seed = 1;           ///< of those choices
  int barge_after_ms = 1000;        ///< into the reply's audio (played) when the barge-in starts
  int pause_before_ms = 700;        ///< caller waits this long after the agent went quiet
  int no_reply_ms = 8000;           ///< a turn without agent audio this long is a turn without reply
  int barge_miss_ms = 2000;         ///< a barge-in without `clear` this long is a missed barge-in
};

struct load_options {
  std::string engine_url;          ///< http://host:port
  std::string auth_token;          ///< sign webhooks when set
  int lines = 10;                  ///< concurrent phone lines (each calls again after its call)
  int ramp_ms = 5000;              ///< the lines start evenly over this long
  int answer_timeout_ms = 15000;   ///< no greeting / reply / clear this long: the call fails
  int retry_after_failure_ms = 1000;  ///< a line waits this long after a failed call
  int threads = 1;
  int slot_ms = 5;                 ///< tick period (20 must be a multiple)
};

/// What the workers record (one instance, guarded by its mutex).
struct load_stats {
  std::mutex mutex;
  std::vector<double> turn_ms;        ///< end of caller speech -> first agent audio of the reply
  std::vector<double> tool_turn_ms;   ///< the same for turns answered with a tool call (not in turn_ms)
  std::vector<double> barge_clear_ms; ///< barge-in speech onset -> clear
  std::vector<double> greeting_ms;    ///< stream start -> first agent audio
  std::vector<double> tick_late_us;   ///< how late each tick ran
  std::map<std::string, int> failures;
  std::int64_t marks_echoed = 0;
  std::int64_t clears = 0;
  std::int64_t frames_sent = 0;
  std::int64_t frames_dropped = 0;    ///< not sent: the socket's write queue was full
  std::int64_t agent_audio_ms = 0;
  std::int64_t violations = 0;
  std::int64_t turns = 0;             ///< caller turns answered or past the no-reply limit
  std::int64_t turns_no_reply = 0;    ///< no agent audio within no_reply_ms of the end of the speech
  std::int64_t turns_cut = 0;         ///< still waiting (under the limit) when the level ended
  std::int64_t replies = 0;           ///< replies that started (the barge-in choice is made per reply)
  std::int64_t barge_ins = 0;         ///< barge-in speech onsets sent
  std::int64_t barge_missed = 0;      ///< no clear within barge_miss_ms of the onset
  std::int64_t barge_skipped = 0;     ///< chosen, but the reply ended before barge_after_ms
  std::int64_t calls_completed_turns = 0;  ///< calls that took every turn and hung up

  std::atomic<int> started{0};
  std::atomic<int> streaming{0};      ///< calls with the media stream up right now
  std::atomic<int> ok{0};             ///< calls that ended without failure (including cut ones)
  std::atomic<int> failed{0};
  std::atomic<int> cut{0};            ///< calls hung up because the level ended
  std::atomic<int> live{0};           ///< calls started and not finished
};

class load_call;

class worker {
public:
  worker(const load_options& opt, const shared_script& script, load_stats& stats);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// A phone line whose first call starts at `at` (before run()).
  void add_line(int id, clock::time_point at);
  void run();
  /// The level is over: no new calls, calls in progress hang up (counted as cut, not failed).
  void end_level();
  /// Hangs up what is still running (with `reason` as its failure) and stops the thread.
  void stop(const std::string& reason);
  void join();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

double percentile(std::vector<double> v, double p);

} // namespace ce::load
