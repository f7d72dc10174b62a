// The Deepgram live-STT mock's brain, without any networking: it hears mu-law audio,
// finds the caller's utterances by frame energy and answers with the messages Deepgram
// would send (protocols.md §5.4, §9.3). Everything is keyed to audio time (8000 bytes =
// 1 s at 8 kHz), so a test that feeds the same audio gets the same messages.
//
// Per 20 ms frame: a frame louder than the threshold is speech. `min_speech_ms` of
// consecutive speech starts an utterance (SpeechStarted at its first frame, when
// vad_events). While it lasts, an interim Results every `interim_interval_ms` restates a
// growing prefix of the scripted line. After max(endpointing, min_silence_ms) of silence
// the remaining words go out as final Results (speech_final on the last; optionally split
// into two finals), and `utterance_end_ms` after the last loud frame an UtteranceEnd.
// The text of the Nth utterance is the Nth scripted line (from the line source).
#pragma once

#include "mocks/mock_config.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ce::mocks {

/// Options from the `/v1/listen` query.
struct stt_params {
  bool interim_results = false;
  bool vad_events = false;
  int endpointing_ms = 10;   ///< -1 when `endpointing=false`
  int utterance_end_ms = 0;  ///< 0 = off
  bool punctuate = false;    ///< punctuate or smart_format
  int sample_rate = 8000;
  int channels = 1;
  std::string model = "nova-3";
  std::string request_id;
};

enum class stt_message { interim, final, speech_started, utterance_end, metadata };

class stt_transcriber {
public:
  /// Where messages go (JSON text), plus the utterance onsets (for faults keyed to speech).
  class output {
  public:
    virtual ~output() = default;
    virtual void emit(stt_message kind, std::string json) = 0;
    virtual void utterance_started(std::size_t index, const std::string& text) = 0;
  };
  using line_source = std::function<script_line(std::size_t index)>;

  stt_transcriber(stt_params params, const stt_config& tuning, line_source lines, output& out);

  /// New thresholds and timings (a config change); the current utterance keeps its line.
  void retune(const stt_config& tuning);
  void feed(std::span<const std::uint8_t> bytes);
  /// `Finalize`: the words heard so far as a final with from_finalize (or an empty one).
  void finalize();
  /// `CloseStream`: the pending utterance as a speech_final, then Metadata.
  void close_stream();

  std::uint64_t bytes() const { return bytes_; }
  double audio_seconds() const;
  std::int64_t audio_ms() const;
  bool in_utterance() const { return active_.has_value(); }
  /// Audio ms since the current utterance's first loud frame (0 when none).
  std::int64_t utterance_ms() const;
  std::size_t utterances() const { return next_index_; }
  const stt_params& params() const { return params_; }

private:
  struct utterance {
    std::size_t index = 0;
    std::vector<std::string> tokens;  ///< as scripted (punctuated)
    std::vector<std::string> words;   ///< lowercase, no punctuation
    bool split = false;
    std::int64_t onset = 0;           ///< samples
    std::int64_t last_voice_end = 0;  ///< samples
    std::int64_t segment_start = 0;   ///< samples: start of the not yet final part
    std::int64_t last_interim = 0;    ///< samples
    std::size_t finalized = 0;        ///< words already sent in finals
  };

  void process_frame(std::span<const std::uint8_t> frame);
  void begin_utterance(std::int64_t onset, std::int64_t now);
  void end_utterance(std::int64_t now);
  void send_interim(std::int64_t now);
  void send_final(std::size_t from, std::size_t to, std::int64_t seg_start, std::int64_t seg_end,
                  bool speech_final, bool from_finalize);
  std::int64_t endpoint_samples() const;
  double seconds(std::int64_t samples) const;

  stt_params params_;
  double threshold_dbfs_ = -40;
  std::int64_t min_speech_ = 0;
  std::int64_t min_silence_ = 0;
  std::int64_t interim_interval_ = 0;
  double words_per_second_ = 2.5;
  int split_every_ = 0;
  bool finalize_reply_when_idle_ = true;

  line_source lines_;
  output& out_;

  std::size_t frame_samples_;
  std::vector<std::uint8_t> partial_;  ///< bytes of an incomplete analysis frame
  std::uint64_t bytes_ = 0;
  std::int64_t samples_ = 0;           ///< analysed so far (whole frames)
  std::optional<std::int64_t> run_start_;
  std::optional<utterance> active_;
  std::optional<std::int64_t> utterance_end_due_;
  std::int64_t last_word_end_ = 0;
  std::int64_t cursor_ = 0;            ///< end of the last final
  std::size_t next_index_ = 0;
};

} // namespace ce::mocks
