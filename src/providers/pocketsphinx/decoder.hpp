// One pocketsphinx decoder turning a caller's telephone audio into text, an utterance at
// a time, while the audio streams in.
//
// Expectations: a decoder created from a domain_model holds, besides the open domain
// language model, one grammar search per expectation (ZIP code, date, yes/no, ...). All are
// searches of one pocketsphinx decoder sharing its acoustic model, so switching costs
// nothing. Told what the caller is expected to say, the decoder decodes the utterance with
// that grammar while the audio streams in and keeps the audio; at the end it decodes the
// kept audio again with the open model when the grammar's answer cannot be trusted on its
// own, and returns whichever fits (see end_utterance).
//
// Threading: a decoder is used by one thread at a time; separate decoders may decode in
// parallel threads. Each loads its own copy of the acoustic model: pocketsphinx 5prealpha
// has no public way to share one between decoders (only the mixture weights are
// memory-mapped and so shared by the page cache). Creation is serialised internally
// because pocketsphinx's logging set-up is process-wide.
#pragma once

#include "callengine/config.hpp"
#include "providers/pocketsphinx/domain_lm.hpp"
#include "providers/pocketsphinx/expectation.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ce::stt {

/// Search and front-end parameters. The defaults were tuned on espeak-ng caller speech
/// sent as 8 kHz mu-law (tests/providers/pocketsphinx_accuracy_test.cpp).
struct decoder_options {
  double beam = 1e-80;
  double wbeam = 1e-60;
  double pbeam = 1e-80;
  bool fwdflat = true;
  bool bestpath = true;
  int maxhmmpf = 30000;
  int topn = 8;  // Gaussians scored per codebook: 4 is faster, 8 measured ~1 point better
  double word_insertion_penalty = 0.65;
  /// Silence appended by end_utterance so that the last word can finish.
  int trailing_silence_ms = 300;
  /// White noise added to the upsampled audio (see phone_audio_converter), in 16-bit
  /// sample units.
  double noise_floor = 150.0;
  /// Initial cepstral mean (13 comma-separated values) for the first utterance, before
  /// live normalisation has adapted; empty = the acoustic model's own value.
  std::string cmn_init;
  /// MLLR transform adapting the acoustic model to one voice (see voice_adapter); empty =
  /// the speaker-independent model.
  std::string mllr_path;
  /// Further "-flag value" pairs passed to pocketsphinx, replacing those above.
  std::vector<std::pair<std::string, std::string>> extra_args;
};

/// How the last utterance was decoded (for logs and tests).
struct decode_report {
  expectation expected = expectation::open;  ///< in force for the utterance
  /// The grammar's reject branch won (or no path fit the grammar): the caller said
  /// something outside the expectation.
  bool rejected = false;
  bool open_pass = false;    ///< the kept audio was decoded again with the open model
  std::string grammar_text;  ///< the grammar's answer; empty when rejected
  std::string open_text;     ///< the open model's text, when it ran
  double open_pass_ms = 0;   ///< thread CPU time of the second pass
};

class decoder {
public:
  /// Loads the acoustic model `cfg.hmm_dir`, the ARPA (or binary) language model at
  /// `lm_path` and the pronunciation dictionary `dict_path` (`cfg.dict_path` when empty).
  /// `cfg.language_weight` sets the language weight. Returns nullptr and sets `*error`
  /// when a file is missing or pocketsphinx refuses the models. Such a decoder has no
  /// grammar: every expectation decodes as open.
  static std::unique_ptr<decoder> create(const stt_config& cfg, const std::string& lm_path,
                                         const std::string& dict_path, std::string* error,
                                         const decoder_options& options = {});
  static std::unique_ptr<decoder> create(const stt_config& cfg, const std::string& lm_path,
                                         std::string* error);
  /// As above with `model`'s language model and dictionary, plus one grammar search per
  /// entry of `model.grammar_paths`. `cfg.max_utterance_ms` bounds the audio kept per
  /// utterance for a second pass.
  static std::unique_ptr<decoder> create(const stt_config& cfg, const domain_model& model,
                                         std::string* error, const decoder_options& options = {});

  ~decoder();
  decoder(const decoder&) = delete;
  decoder& operator=(const decoder&) = delete;

  /// What the caller is expected to say next. Takes effect at the next begin_utterance()
  /// and stays in force until changed; an utterance already open is not affected.
  /// Without a grammar for `e` (decoder created without one) the decoder decodes as open.
  void set_expectation(expectation e) { next_expectation_ = e; }
  expectation next_expectation() const { return next_expectation_; }
  bool has_grammar(expectation e) const;

  /// Starts an utterance; an utterance still open is aborted first.
  void begin_utterance();
  /// Decodes 8 kHz mu-law audio of the current utterance (any length; a call sends 20 ms
  /// frames). Ignored outside an utterance.
  void feed_mulaw(std::span<const std::uint8_t> audio);
  /// Ends the utterance and returns what was said, lowercase words separated by spaces;
  /// empty when nothing was recognised or no utterance was open.
  /// Under an expectation, the grammar's answer is returned when the open model, run on
  /// the kept audio, does not explain the audio clearly better (an answer outside the
  /// expectation, "can i talk to a person", is not forced into the grammar); the open
  /// model's text otherwise, or when no grammar path fits.
  std::string end_utterance();
  /// Best guess so far within the open utterance (empty outside one); under an
  /// expectation, the grammar's.
  std::string partial_hypothesis();
  /// Ends the utterance, discarding it (barge-in, hang-up).
  void abort_utterance();

  bool in_utterance() const { return in_utterance_; }
  /// Milliseconds of caller audio fed to the open (or last) utterance.
  std::int64_t utterance_audio_ms() const { return static_cast<std::int64_t>(fed_bytes_ / 8); }
  /// How the last utterance ended by end_utterance was decoded.
  const decode_report& last_decode() const { return report_; }

private:
  struct impl;
  explicit decoder(std::unique_ptr<impl> state);

  void decode_pending();

  std::unique_ptr<impl> impl_;
  bool in_utterance_ = false;
  std::size_t fed_bytes_ = 0;
  expectation next_expectation_ = expectation::open;
  decode_report report_;
};

} // namespace ce::stt
