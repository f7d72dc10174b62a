#include "providers/pocketsphinx/decoder.hpp"

#include "providers/pocketsphinx/expectation_grammar.hpp"
#include "providers/pocketsphinx/phone_audio.hpp"
#include "providers/pocketsphinx/ps_setup.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>

#include <array>
#include <cctype>
#include <ctime>
#include <cstdio>
#include <cstdlib>

namespace ce::stt {
namespace {

/// The search pocketsphinx creates for the -lm model.
constexpr const char* open_search = "_default";

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

/// The best path so far (or of the finished utterance) as text; `*rejected` tells whether
/// it went through a grammar's reject branch (its phone loop), whose words are left out.
std::string hypothesis(ps_decoder_t* ps, bool* rejected = nullptr, bool* found = nullptr) {
  std::int32_t score = 0;
  const char* raw = ps_get_hyp(ps, &score);
  if (std::getenv("RAWDEBUG") && rejected) std::fprintf(stderr, "RAW[%s] %s\n", ps_get_search(ps), raw ? raw : "(null)");
  if (found) *found = raw != nullptr;
  if (rejected) *rejected = false;
  std::string kept;
  for (auto& word : split_words(raw ? raw : "")) {
    for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (is_reject_word(word)) {
      if (rejected) *rejected = true;
      continue;
    }
    kept += (kept.empty() ? "" : " ") + word;
  }
  return normalize_spoken(kept);
}

/// The live cepstral mean, carried from utterance to utterance: saved when an utterance
/// starts so that a second pass over the same audio sees the same features.
struct cmn_state {
  std::vector<mfcc_t> mean, sum;
  std::int32_t nframe = 0;

  void save(ps_decoder_t* ps) {
    cmn_t* c = ps_get_feat(ps)->cmn_struct;
    if (c == nullptr) return;
    auto n = static_cast<std::size_t>(c->veclen);
    mean.assign(c->cmn_mean, c->cmn_mean + n);
    sum.assign(c->sum, c->sum + n);
    nframe = c->nframe;
  }
  void restore(ps_decoder_t* ps) const {
    cmn_t* c = ps_get_feat(ps)->cmn_struct;
    if (c == nullptr || mean.size() != static_cast<std::size_t>(c->veclen)) return;
    std::copy(mean.begin(), mean.end(), c->cmn_mean);
    std::copy(sum.begin(), sum.end(), c->sum);
    c->nframe = nframe;
  }
};

} // namespace

struct decoder::impl {
  ps_handle ps;
  phone_audio_converter converter;
  pcm16_buffer pcm16k;  // converted audio not yet decoded
  int trailing_silence_ms;
  std::array<bool, grammar_expectations.size() + 1> grammars{};  // by expectation value
  expectation active = expectation::open;
  // The utterance's 16 kHz audio while a grammar is active, for the second pass.
  pcm16_buffer kept;
  std::size_t max_kept_samples;
  bool kept_whole = true;
  cmn_state cmn_at_start;

  impl(ps_handle handle, const decoder_options& o, int max_utterance_ms)
    : ps(std::move(handle)), converter(o.noise_floor), trailing_silence_ms(o.trailing_silence_ms),
      max_kept_samples(static_cast<std::size_t>(std::max(0, max_utterance_ms) +
                                                o.trailing_silence_ms + 100) * 16) {}

  bool grammar_active() const { return active != expectation::open; }
  void keep(const pcm16_buffer& pcm);
  std::string second_pass(double* cpu_ms);
};

void decoder::impl::keep(const pcm16_buffer& pcm) {
  if (!grammar_active() || !kept_whole) return;
  if (kept.size() + pcm.size() > max_kept_samples) {
    kept_whole = false;  // too long to decode twice: the grammar's answer stands alone
    kept.clear();
    return;
  }
  kept.insert(kept.end(), pcm.begin(), pcm.end());
}

std::string decoder::impl::second_pass(double* cpu_ms) {
  auto start = thread_cpu_ms();
  cmn_at_start.restore(ps.get());
  ps_set_search(ps.get(), open_search);
  std::string text;
  if (ps_start_utt(ps.get()) == 0) {
    ps_process_raw(ps.get(), kept.data(), kept.size(), FALSE, FALSE);
    ps_end_utt(ps.get());
    text = hypothesis(ps.get());
  }
  kept.clear();
  *cpu_ms = thread_cpu_ms() - start;
  return text;
}

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const std::string& lm_path,
                                         std::string* error) {
  return create(cfg, lm_path, cfg.dict_path, error);
}

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const std::string& lm_path,
                                         const std::string& dict_path, std::string* error,
                                         const decoder_options& options) {
  return create(cfg, domain_model{lm_path, dict_path, {}}, error, options);
}

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const domain_model& model,
                                         std::string* error, const decoder_options& options) {
  const std::string& dict = model.dict_path.empty() ? cfg.dict_path : model.dict_path;
  auto ps = open_pocketsphinx(cfg, model.lm_path, dict, options, {}, error);
  if (!ps) return nullptr;
  auto state = std::make_unique<impl>(std::move(ps), options, cfg.max_utterance_ms);
  for (const auto& [e, path] : model.grammar_paths) {
    if (e == expectation::open) continue;
    if (!add_grammar_search(state->ps.get(), std::string(to_string(e)), path, error))
      return nullptr;
    state->grammars[static_cast<std::size_t>(e)] = true;
  }
  ps_set_search(state->ps.get(), open_search);
  return std::unique_ptr<decoder>(new decoder(std::move(state)));
}

decoder::decoder(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

decoder::~decoder() {
  if (in_utterance_) abort_utterance();
}

bool decoder::has_grammar(expectation e) const {
  return e != expectation::open && impl_->grammars[static_cast<std::size_t>(e)];
}

void decoder::begin_utterance() {
  if (in_utterance_) abort_utterance();
  auto& s = *impl_;
  s.converter.reset();
  s.pcm16k.clear();
  s.kept.clear();
  s.kept_whole = true;
  fed_bytes_ = 0;
  s.active = has_grammar(next_expectation_) ? next_expectation_ : expectation::open;
  ps_set_search(s.ps.get(), s.grammar_active() ? std::string(to_string(s.active)).c_str()
                                               : open_search);
  if (s.grammar_active()) s.cmn_at_start.save(s.ps.get());
  in_utterance_ = ps_start_utt(s.ps.get()) == 0;
}

void decoder::decode_pending() {
  if (impl_->pcm16k.empty()) return;
  impl_->keep(impl_->pcm16k);
  ps_process_raw(impl_->ps.get(), impl_->pcm16k.data(), impl_->pcm16k.size(), FALSE, FALSE);
  impl_->pcm16k.clear();
}

void decoder::feed_mulaw(std::span<const std::uint8_t> audio) {
  if (!in_utterance_ || audio.empty()) return;
  fed_bytes_ += audio.size();
  impl_->converter.convert(audio, impl_->pcm16k);
  decode_pending();
}

std::string decoder::end_utterance() {
  if (!in_utterance_) return {};
  auto& s = *impl_;
  // Trailing silence lets the search finish the last word; then drain the resampler.
  s.converter.pad_silence(s.trailing_silence_ms, s.pcm16k);
  s.converter.flush(s.pcm16k);
  decode_pending();
  ps_end_utt(s.ps.get());
  in_utterance_ = false;
  report_ = decode_report{};
  report_.expected = s.active;
  bool rejected = false, found = false;
  auto text = hypothesis(s.ps.get(), &rejected, &found);
  if (!s.grammar_active()) {
    report_.open_text = text;
    return text;
  }
  report_.grammar_text = rejected ? std::string{} : text;
  report_.rejected = rejected || !found;
  // The answer fits the grammar better than free phones: take it. Otherwise the caller
  // said something else (or nothing): decode the kept audio with the open model. Audio
  // too long to keep is rare (max_utterance_ms) and gets the grammar's verdict alone.
  if (!report_.rejected || !s.kept_whole) return report_.grammar_text;
  report_.open_text = s.second_pass(&report_.open_pass_ms);
  report_.open_pass = true;
  return report_.open_text;
}

std::string decoder::partial_hypothesis() {
  return in_utterance_ ? hypothesis(impl_->ps.get()) : std::string{};
}

void decoder::abort_utterance() {
  if (!in_utterance_) return;
  ps_end_utt(impl_->ps.get());
  in_utterance_ = false;
  impl_->converter.reset();
  impl_->pcm16k.clear();
  impl_->kept.clear();
}

} // namespace ce::stt
