#include "providers/pocketsphinx/decoder.hpp"

#include "audio/mulaw.hpp"
#include "audio/resampler.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>

namespace ce::stt {
namespace {

constexpr double model_rate_hz = 16000.0;

std::mutex& init_mutex() {
  static std::mutex m;
  return m;
}

/// pocketsphinx logs through one process-wide FILE*. Switching it off once, instead of
/// passing -logfn to every decoder (which reopens and closes that FILE* each time, racing
/// with decoders logging on other threads), keeps creation safe to run next to decoding.
void silence_pocketsphinx_logging() {
  static std::once_flag once;
  std::call_once(once, [] { err_set_logfp(nullptr); });
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool check_file(const std::string& path, const std::string& what, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return true;
  if (error) *error = what + " not found: " + path;
  return false;
}

bool check_models(const stt_config& cfg, const std::string& lm_path,
                  const std::string& dict_path, std::string* error) {
  std::error_code ec;
  if (!std::filesystem::is_directory(cfg.hmm_dir, ec)) {
    if (error) *error = "acoustic model directory not found: " + cfg.hmm_dir;
    return false;
  }
  for (const char* part : {"mdef", "means", "variances", "transition_matrices"})
    if (!check_file(cfg.hmm_dir + "/" + part, "acoustic model file", error)) return false;
  return check_file(dict_path, "pronunciation dictionary", error) &&
         check_file(lm_path, "language model", error);
}

std::vector<std::string> decoder_arguments(const stt_config& cfg, const std::string& lm_path,
                                           const std::string& dict_path,
                                           const decoder_options& o) {
  auto lw = format_double(cfg.language_weight);
  std::vector<std::string> args = {
    "-hmm", cfg.hmm_dir,     "-lm", lm_path,
    "-dict", dict_path,      "-samprate", "16000",
    "-lw", lw,               "-fwdflatlw", lw,
    "-bestpathlw", lw,       "-beam", format_double(o.beam),
    "-wbeam", format_double(o.wbeam), "-pbeam", format_double(o.pbeam),
    "-fwdflat", o.fwdflat ? "yes" : "no", "-bestpath", o.bestpath ? "yes" : "no",
    "-maxhmmpf", std::to_string(o.maxhmmpf), "-wip", format_double(o.word_insertion_penalty)};
  if (!o.cmn_init.empty()) {
    args.push_back("-cmninit");
    args.push_back(o.cmn_init);
  }
  for (const auto& [flag, value] : o.extra_args) {
    args.push_back(flag);
    args.push_back(value);
  }
  return args;
}

std::string lowercase(const char* text) {
  std::string out = text ? text : "";
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Deterministic white noise: xorshift64 driving an Irwin-Hall approximation of a
/// Gaussian (sum of four uniforms).
class noise_source {
public:
  explicit noise_source(double sigma) : sigma_(sigma) {}

  void add_to(pcm16_buffer& pcm) {
    if (sigma_ <= 0) return;
    for (auto& sample : pcm) {
      double sum = 0;
      for (int k = 0; k < 4; ++k) sum += uniform() - 0.5;
      // Variance of the sum of four U(-0.5, 0.5) is 1/3.
      double v = sample + sum * sigma_ * 1.7320508;
      sample = static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
    }
  }

private:
  double uniform() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<double>(state_ >> 11) * (1.0 / 9007199254740992.0);
  }

  double sigma_;
  std::uint64_t state_ = 0x9E3779B97F4A7C15ULL;
};

} // namespace

struct decoder::impl {
  ps_decoder_t* ps = nullptr;
  audio::resampler upsampler{telephony_rate_hz, model_rate_hz, audio::resampler::quality::medium};
  pcm16_buffer pcm8k;   // scratch: decoded mu-law
  pcm16_buffer pcm16k;  // scratch: upsampled audio
  int trailing_silence_ms = 300;
  noise_source noise{0.0};

  ~impl() {
    if (ps) ps_free(ps);
  }
};

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const std::string& lm_path,
                                         std::string* error) {
  return create(cfg, lm_path, cfg.dict_path, error);
}

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const std::string& lm_path,
                                         const std::string& dict_path, std::string* error,
                                         const decoder_options& options) {
  const std::string& dict = dict_path.empty() ? cfg.dict_path : dict_path;
  if (!check_models(cfg, lm_path, dict, error)) return nullptr;
  if (cfg.language_weight <= 0) {
    if (error) *error = "stt language_weight must be positive";
    return nullptr;
  }
  auto args = decoder_arguments(cfg, lm_path, dict, options);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());

  auto state = std::make_unique<impl>();
  state->trailing_silence_ms = options.trailing_silence_ms;
  state->noise = noise_source(options.noise_floor);
  {
    std::lock_guard lock(init_mutex());
    silence_pocketsphinx_logging();
    cmd_ln_t* config = cmd_ln_parse_r(nullptr, ps_args(), static_cast<int>(argv.size()),
                                      argv.data(), TRUE);
    if (config == nullptr) {
      if (error) *error = "pocketsphinx rejected the decoder arguments";
      return nullptr;
    }
    state->ps = ps_init(config);
    cmd_ln_free_r(config);
  }
  if (state->ps == nullptr) {
    if (error) *error = "pocketsphinx could not load the models (hmm " + cfg.hmm_dir +
                        ", lm " + lm_path + ", dict " + dict + ")";
    return nullptr;
  }
  return std::unique_ptr<decoder>(new decoder(std::move(state)));
}

decoder::decoder(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

decoder::~decoder() {
  if (in_utterance_) abort_utterance();
}

void decoder::begin_utterance() {
  if (in_utterance_) abort_utterance();
  impl_->pcm16k.clear();
  impl_->upsampler.flush(impl_->pcm16k);  // drop whatever the last utterance left behind
  impl_->pcm16k.clear();
  fed_bytes_ = 0;
  in_utterance_ = ps_start_utt(impl_->ps) == 0;
}

void decoder::process_pcm8k(std::span<const std::int16_t> pcm) {
  impl_->pcm16k.clear();
  impl_->upsampler.process(pcm, impl_->pcm16k);
  decode_pcm16k();
}

void decoder::decode_pcm16k() {
  if (impl_->pcm16k.empty()) return;
  impl_->noise.add_to(impl_->pcm16k);
  ps_process_raw(impl_->ps, impl_->pcm16k.data(), impl_->pcm16k.size(), FALSE, FALSE);
}

void decoder::feed_mulaw(std::span<const std::uint8_t> audio) {
  if (!in_utterance_ || audio.empty()) return;
  fed_bytes_ += audio.size();
  impl_->pcm8k.clear();
  audio::decode_mulaw(audio, impl_->pcm8k);
  process_pcm8k(impl_->pcm8k);
}

std::string decoder::end_utterance() {
  if (!in_utterance_) return {};
  // Trailing silence lets the search finish the last word; then drain the resampler.
  pcm16_buffer silence(static_cast<std::size_t>(impl_->trailing_silence_ms) * 8, 0);
  process_pcm8k(silence);
  impl_->pcm16k.clear();
  impl_->upsampler.flush(impl_->pcm16k);
  decode_pcm16k();
  ps_end_utt(impl_->ps);
  in_utterance_ = false;
  std::int32_t score = 0;
  return normalize_spoken(lowercase(ps_get_hyp(impl_->ps, &score)));
}

std::string decoder::partial_hypothesis() {
  if (!in_utterance_) return {};
  std::int32_t score = 0;
  return normalize_spoken(lowercase(ps_get_hyp(impl_->ps, &score)));
}

void decoder::abort_utterance() {
  if (!in_utterance_) return;
  ps_end_utt(impl_->ps);
  in_utterance_ = false;
  impl_->pcm16k.clear();
  impl_->upsampler.flush(impl_->pcm16k);
  impl_->pcm16k.clear();
}

} // namespace ce::stt
