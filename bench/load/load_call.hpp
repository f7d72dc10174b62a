// The load generator's callers: many simulated Twilio calls on one io_context, driven by
// a single batched timer per worker thread (not one timer per call), with the caller's
// audio pre-encoded once and shared by every call.
//
// A `worker` owns one io_context and one thread. Its clock ticks every `slot_ms`; every call
// belongs to one of `20 / slot_ms` phase slots and sends its 20 ms media frame on the ticks
// of its slot, so the frames of N calls are spread over the 20 ms period the way real
// Twilio traffic is, instead of arriving at the engine as one burst.
//
// Per call: signed-or-not voice webhook -> TwiML -> Media Streams WebSocket -> `connected`
// + `start` -> real-time frames; agent audio goes into a playback FIFO that drains at
// 8 bytes per ms, marks are echoed when the audio before them has played, `clear` empties
// the FIFO (echoing its marks); the script of caller lines cycles until the call's length
// is reached, then the caller hangs up between turns (`stop` + close).
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
};

/// Everything the calls share (read-only once the workers run).
struct shared_script {
  std::vector<encoded_line> lines;  ///< the cycle of caller lines
  std::string silence_frame;        ///< base64 of a silent frame
  /// Which line of the cycle a barging call speaks as a barge-in (-1: none).
  int barge_line = 1;
  int barge_after_ms = 1500;        ///< into the agent's reply to the previous line
  int pause_before_ms = 700;        ///< caller waits this long after the agent went quiet
};

struct load_options {
  std::string engine_url;          ///< http://host:port
  std::string auth_token;          ///< sign webhooks when set
  int calls = 10;
  int ramp_ms = 5000;
  int call_ms = 60000;             ///< each call hangs up (between turns) after this long
  double barge_share = 0.25;       ///< share of calls that barge in
  int answer_timeout_ms = 15000;
  int threads = 1;
  int slot_ms = 5;                 ///< tick period (20 must be a multiple)
};

/// What the workers record (one instance, guarded by its mutex).
struct load_stats {
  std::mutex mutex;
  std::vector<double> turn_ms;        ///< end of caller speech -> first agent audio
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

  std::atomic<int> started{0};
  std::atomic<int> streaming{0};      ///< calls with the media stream up right now
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::atomic<int> turns{0};
};

class load_call;

class worker {
public:
  worker(const load_options& opt, const shared_script& script, load_stats& stats);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  /// Schedules a call to start at `at` (thread-safe before run()).
  void add_call(int id, clock::time_point at, bool barger);
  void run();
  /// Hangs up what is still running (with `reason` as its failure) and stops the thread.
  void stop(const std::string& reason);
  void join();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

double percentile(std::vector<double> v, double p);

} // namespace ce::load
