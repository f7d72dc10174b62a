#include "providers/pocketsphinx/decoder.hpp"

#include "providers/pocketsphinx/phone_audio.hpp"
#include "providers/pocketsphinx/ps_setup.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <cctype>

namespace ce::stt {
namespace {

std::string hypothesis(ps_decoder_t* ps) {
  std::int32_t score = 0;
  const char* text = ps_get_hyp(ps, &score);
  std::string out = text ? text : "";
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return normalize_spoken(out);
}

} // namespace

struct decoder::impl {
  ps_handle ps;
  phone_audio_converter converter;
  pcm16_buffer pcm16k;  // converted audio not yet decoded
  int trailing_silence_ms;

  impl(ps_handle handle, const decoder_options& o)
    : ps(std::move(handle)), converter(o.noise_floor), trailing_silence_ms(o.trailing_silence_ms) {}
};

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const std::string& lm_path,
                                         std::string* error) {
  return create(cfg, lm_path, cfg.dict_path, error);
}

std::unique_ptr<decoder> decoder::create(const stt_config& cfg, const std::string& lm_path,
                                         const std::string& dict_path, std::string* error,
                                         const decoder_options& options) {
  const std::string& dict = dict_path.empty() ? cfg.dict_path : dict_path;
  auto ps = open_pocketsphinx(cfg, lm_path, dict, options, {}, error);
  if (!ps) return nullptr;
  return std::unique_ptr<decoder>(new decoder(std::make_unique<impl>(std::move(ps), options)));
}

decoder::decoder(std::unique_ptr<impl> state) : impl_(std::move(state)) {}

decoder::~decoder() {
  if (in_utterance_) abort_utterance();
}

void decoder::begin_utterance() {
  if (in_utterance_) abort_utterance();
  impl_->converter.reset();
  impl_->pcm16k.clear();
  fed_bytes_ = 0;
  in_utterance_ = ps_start_utt(impl_->ps.get()) == 0;
}

void decoder::decode_pending() {
  if (impl_->pcm16k.empty()) return;
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
  // Trailing silence lets the search finish the last word; then drain the resampler.
  impl_->converter.pad_silence(impl_->trailing_silence_ms, impl_->pcm16k);
  impl_->converter.flush(impl_->pcm16k);
  decode_pending();
  ps_end_utt(impl_->ps.get());
  in_utterance_ = false;
  return hypothesis(impl_->ps.get());
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
}

} // namespace ce::stt
