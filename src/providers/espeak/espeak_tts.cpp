#include "providers/espeak/espeak_tts.hpp"

#include "audio/resampler.hpp"
#include "common/log.hpp"
#include "providers/espeak/speech_assembler.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <cstring>
#include <string>
#include <utility>

namespace ce::tts {
namespace {

/// How much audio espeak-ng synthesises between callbacks.
constexpr int espeak_buffer_ms = 40;

std::string status_message(espeak_ng_STATUS status) {
  std::array<char, 512> text{};
  espeak_ng_GetStatusCodeMessage(status, text.data(), text.size());
  std::array<char, 32> code{};
  std::snprintf(code.data(), code.size(), " (status 0x%x)", static_cast<unsigned>(status));
  return std::string(text.data()) + code.data();
}

/// espeak-ng is initialised once per process and never terminated: version 1.51 hangs
/// when initialised again after espeak_Terminate. Holds the failure message, if any.
struct espeak_runtime {
  std::string error;
  int sample_rate = 0;
};

espeak_runtime start_espeak() {
  espeak_ng_InitializePath(nullptr);
  espeak_ng_ERROR_CONTEXT context = nullptr;
  espeak_ng_STATUS status = espeak_ng_Initialize(&context);
  if (status != ENS_OK) {
    espeak_ng_ClearErrorContext(&context);
    return {"espeak-ng: cannot initialise (is espeak-ng-data installed?): " +
              status_message(status),
            0};
  }
  status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, espeak_buffer_ms, nullptr);
  if (status != ENS_OK)
    return {"espeak-ng: cannot set up synchronous output: " + status_message(status), 0};
  return {{}, espeak_ng_GetSampleRate()};
}

const espeak_runtime& runtime() {
  static const espeak_runtime instance = start_espeak();
  return instance;
}

std::atomic<bool> instance_alive{false};

/// Claims the process's one espeak_tts slot for its lifetime.
struct instance_claim {
  instance_claim() {
    if (instance_alive.exchange(true))
      throw std::runtime_error(
        "espeak_tts: only one instance per process (espeak-ng keeps global state)");
  }
  ~instance_claim() { instance_alive = false; }
  instance_claim(const instance_claim&) = delete;
  instance_claim& operator=(const instance_claim&) = delete;
};

void require_range(int value, int lo, int hi, const char* field) {
  if (value < lo || value > hi)
    throw std::invalid_argument(std::string("tts_config.") + field + " must be in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                std::to_string(value));
}

void select_voice(const tts_config& cfg) {
  require_range(cfg.words_per_minute, espeakRATE_MINIMUM, espeakRATE_MAXIMUM, "words_per_minute");
  require_range(cfg.pitch, 0, 100, "pitch");
  if (cfg.voice.empty()) throw std::runtime_error("espeak-ng: tts_config.voice is empty");
  espeak_ERROR err = espeak_SetVoiceByName(cfg.voice.c_str());
  if (err == EE_NOT_FOUND && cfg.voice.find('+') == std::string::npos) {
    // a language code the command line accepts ("en-gb") that is not a voice file's name
    espeak_VOICE wanted{};
    wanted.languages = cfg.voice.c_str();
    // only a voice that really lists that language (espeak would otherwise pick any)
    const espeak_VOICE** found = espeak_ListVoices(&wanted);
    auto lists_exactly = [&](const espeak_VOICE* v) {
      // languages: (priority byte, name, NUL)..., then a zero byte
      for (const char* l = v->languages; l != nullptr && *l != 0; l += std::strlen(l + 1) + 2)
        if (cfg.voice == l + 1) return true;
      return false;
    };
    if (found != nullptr && found[0] != nullptr && found[0]->name != nullptr && lists_exactly(found[0]))
      err = espeak_SetVoiceByName(found[0]->name);
  }
  if (err == EE_NOT_FOUND)
    throw std::runtime_error("espeak-ng: unknown voice '" + cfg.voice +
                             "' (list them with `espeak-ng --voices`)");
  if (err != EE_OK)
    throw std::runtime_error("espeak-ng: cannot select voice '" + cfg.voice + "' (error " +
                             std::to_string(err) + ")");
  espeak_SetParameter(espeakRATE, cfg.words_per_minute, 0);
  espeak_SetParameter(espeakPITCH, cfg.pitch, 0);
}

} // namespace

struct espeak_tts::impl {
  instance_claim claim;
  int in_rate;
  audio::resampler resampler;
  pcm16_buffer scratch;
  speech_assembler* assembler = nullptr;  // set only while synthesize runs
  std::exception_ptr failure;              // thrown by on_chunk, rethrown after espeak

  explicit impl(const tts_config& cfg)
    : in_rate(checked_rate()), resampler(in_rate, telephony_rate_hz) {
    select_voice(cfg);
    espeak_SetSynthCallback(&impl::on_synth);
  }

  static int checked_rate() {
    const auto& rt = runtime();
    if (!rt.error.empty()) throw std::runtime_error(rt.error);
    if (rt.sample_rate <= 0)
      throw std::runtime_error("espeak-ng: reports sample rate " + std::to_string(rt.sample_rate));
    return rt.sample_rate;
  }

  /// espeak-ng's synth callback: 0 continues, 1 aborts. `events` always ends with a
  /// LIST_TERMINATED entry carrying our user_data; `wav` may be null with 0 samples.
  static int on_synth(short* wav, int samples, espeak_EVENT* events) {
    auto* self = events ? static_cast<impl*>(events->user_data) : nullptr;
    if (self == nullptr || self->assembler == nullptr) return 1;  // not a call of ours
    try {
      return self->take(wav, samples, events) ? 0 : 1;
    } catch (...) {
      self->failure = std::current_exception();  // rethrown once espeak has returned
      return 1;
    }
  }

  bool take(const short* wav, int samples, const espeak_EVENT* events) {
    if (assembler->aborted()) return false;
    for (const espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e)
      if (e->type == espeakEVENT_WORD) assembler->add_word(e->text_position, audio_byte(*e));
    if (wav == nullptr || samples <= 0) return true;
    scratch.clear();
    resampler.process({wav, static_cast<std::size_t>(samples)}, scratch);
    return assembler->add_audio(scratch);
  }

  /// Where an event's audio starts in the 8 kHz output, from its sample index (exact)
  /// or, when espeak gives none, its millisecond position.
  std::size_t audio_byte(const espeak_EVENT& e) const {
    if (e.sample > 0)
      return static_cast<std::size_t>(static_cast<std::int64_t>(e.sample) * telephony_rate_hz /
                                      in_rate);
    return static_cast<std::size_t>(std::max(e.audio_position, 0)) * 8;
  }

  /// Ends the utterance: the tail of the resampler is delivered or, after an abort,
  /// dropped; either way the resampler is clean for the next call.
  bool finish(bool synth_ok) {
    scratch.clear();
    resampler.flush(scratch);
    if (!synth_ok || assembler->aborted()) return false;
    assembler->add_audio(scratch);
    return assembler->finish();
  }
};

espeak_tts::espeak_tts(const tts_config& cfg) : impl_(std::make_unique<impl>(cfg)) {
  log::get("tts")->info("espeak-ng ready voice={} rate_hz={} wpm={}", cfg.voice, impl_->in_rate,
                        cfg.words_per_minute);
}

espeak_tts::~espeak_tts() = default;

bool espeak_tts::synthesize(std::string_view text,
                            const std::function<bool(synth_chunk&&)>& on_chunk) {
  const auto started = std::chrono::steady_clock::now();
  const std::string owned(text);  // espeak wants a NUL-terminated string
  speech_assembler assembler(owned, on_chunk);
  impl_->assembler = &assembler;
  impl_->failure = nullptr;
  struct detach {
    impl* self;
    ~detach() { self->assembler = nullptr; }  // also when on_chunk throws from finish()
  } detach_on_exit{impl_.get()};
  const espeak_ERROR err = espeak_Synth(owned.c_str(), owned.size() + 1, 0, POS_CHARACTER, 0,
                                        espeakCHARS_UTF8, nullptr, impl_.get());
  const bool ok = impl_->finish(err == EE_OK && !impl_->failure);
  if (impl_->failure) std::rethrow_exception(std::exchange(impl_->failure, nullptr));
  if (err != EE_OK)
    log::get("tts")->warn("espeak_Synth failed error={} chars={}", err, owned.size());
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  log::get("tts")->debug("synthesized bytes={} audio_ms={} trimmed_ms={} took_ms={:.1f} ok={}",
                         owned.size(), mulaw_ms(assembler.delivered_bytes()),
                         mulaw_ms(assembler.trimmed_bytes()), took.count(), ok);
  return ok;
}

} // namespace ce::tts
