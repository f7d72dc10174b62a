// Shared by the pocketsphinx tests: the simulated caller (espeak-ng speaking as a phone
// call delivers it: 8 kHz mu-law, 20 ms frames), the domain model of Bart's Automotive
// prepared once per test process, and measurement helpers.
#pragma once

#include "callengine/audio.hpp"
#include "callengine/config.hpp"
#include "providers/pocketsphinx/decoder.hpp"
#include "providers/pocketsphinx/domain_lm.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ce::stt::test {

dealership_facts bart_facts();

/// Speaks each text with a temporary espeak_tts (one instance may exist at a time), en-us
/// at 165 words per minute.
std::vector<mulaw_buffer> speak_all(const std::vector<std::string>& texts);

/// The domain model (language model, grammars, dictionary) of bart_facts(), prepared once
/// per process in a temporary directory removed at exit.
const domain_model& bart_model();
std::string bart_work_dir();

/// A decoder of bart_model() with its grammars; REQUIREs that it loads.
std::unique_ptr<decoder> bart_decoder(const decoder_options& options = {});

struct decoded {
  std::string text;
  double cpu_s = 0;    ///< thread CPU time from begin_utterance to end_utterance
  double audio_s = 0;  ///< audio fed, with the lead-in and tail
};

/// Feeds `speech` to `d` as the engine does: ~240 ms of lead-in (the stt actor's
/// pre-roll) and ~500 ms of tail (speech_stopped comes after ~550 ms of quiet), in 20 ms
/// frames, then ends the utterance.
decoded decode_call_audio(decoder& d, const mulaw_buffer& speech);

/// Levenshtein distance between word sequences.
std::size_t word_errors(const std::vector<std::string>& ref, const std::vector<std::string>& hyp);

double thread_cpu_seconds();
/// Bytes malloc has handed out (heap and large mmapped blocks), in KB.
long heap_kb();
long resident_kb();

} // namespace ce::stt::test
