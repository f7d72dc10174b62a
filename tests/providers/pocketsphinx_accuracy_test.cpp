// Recognition accuracy on the simulated caller: espeak-ng speaking caller sentences as a
// phone call delivers them (8 kHz mu-law, 20 ms frames), decoded with the domain model.
// Prints per-sentence results, word error rate, CPU time per audio second and memory.
#include "pocketsphinx_test_support.hpp"

#include "callengine/audio.hpp"
#include "providers/pocketsphinx/decoder.hpp"
#include "providers/pocketsphinx/domain_corpus.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"
#include "providers/pocketsphinx/voice_adaptation.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

namespace {

using namespace ce;
using namespace ce::stt;
using test::decode_call_audio;
using test::heap_kb;
using test::resident_kb;
using test::speak_all;
using test::word_errors;

/// What callers say, with the words that carry the intent (must be recognised).
struct caller_line {
  const char* text;
  std::vector<const char*> key_words;
};

const std::vector<caller_line>& caller_lines() {
  static const std::vector<caller_line> lines = {
    {"what are your hours on saturday", {"hours", "saturday"}},
    {"are you open on saturday", {"open", "saturday"}},
    {"what time do you close today", {"close"}},
    {"where are you located", {"located"}},
    {"what is your address", {"address"}},
    {"how much is an oil change", {"oil", "change"}},
    {"how much does a tire rotation cost", {"tire", "rotation"}},
    {"how much is a state inspection", {"inspection"}},
    {"i'd like to book an oil change for next tuesday", {"book", "oil", "change", "tuesday"}},
    {"can i make an appointment for next tuesday at ten a.m.", {"appointment", "tuesday"}},
    {"can i reschedule my appointment", {"reschedule"}},
    {"i need to cancel my appointment", {"cancel"}},
    {"can i talk to a person", {"person"}},
    {"i want to speak to a service advisor", {"service", "advisor"}},
    {"yes", {"yes"}},
    {"no", {"no"}},
    {"that's right", {"right"}},
    {"okay sure", {}},
    {"no thank you", {"no"}},
    {"my name is john smith", {"name"}},
    {"my phone number is five five five one two three four", {"number"}},
    {"it's a twenty nineteen toyota camry", {"toyota", "camry"}},
    {"i have a two thousand eighteen ford f one fifty", {"ford"}},
    {"my check engine light is on", {"check", "engine", "light"}},
    {"it has about sixty thousand miles", {"thousand", "miles"}},
    {"tomorrow at two thirty", {"tomorrow"}},
    {"do you work on subaru", {"subaru"}},
    {"hi i'm calling about my car", {"car"}},
    {"my brakes are squeaking and i need a brake inspection", {"brake", "inspection"}},
    {"thank you goodbye", {"goodbye"}},
  };
  return lines;
}

std::vector<std::string> line_texts() {
  std::vector<std::string> out;
  for (const auto& line : caller_lines()) out.emplace_back(line.text);
  return out;
}

/// caller_lines(), spoken, in order.
const std::vector<mulaw_buffer>& caller_audio() {
  static const auto audio = speak_all(line_texts());
  return audio;
}

std::unique_ptr<decoder> domain_decoder(const decoder_options& options = {}) {
  return test::bart_decoder(options);
}

/// The espeak voice's MLLR transform, estimated once from 80 corpus sentences (none of
/// the caller lines).
std::string espeak_transform() {
  static const std::string path = [] {
    auto sentences =
      adaptation_sentences(build_domain_corpus(test::bart_facts()), 80, line_texts());
    auto spoken = speak_all(sentences);
    std::map<std::string, mulaw_buffer> audio;
    for (std::size_t i = 0; i < sentences.size(); ++i) audio[sentences[i]] = spoken[i];
    auto speak = [&](const std::string& text) { return audio.at(text); };
    std::string error;
    auto start = std::chrono::steady_clock::now();
    const auto& model = test::bart_model();
    auto out = prepare_voice_adaptation(stt_config{}, model.lm_path, model.dict_path, sentences,
                                        speak, test::bart_work_dir() + "/espeak-en-us.mllr",
                                        &error);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("voice adaptation from %zu sentences took %.1f s\n", sentences.size(),
                took.count());
    INFO(error);
    REQUIRE(out);
    return *out;
  }();
  return path;
}

/// The words the dialog needs to tell the intents apart.
const std::vector<std::string> intent_words = {"hours", "oil", "change", "reschedule", "cancel",
                                               "person", "saturday", "yes", "no"};

struct accuracy {
  double wer = 0;
  std::vector<std::string> missed_keys;         ///< every key word not recognised
  std::vector<std::string> missed_intent_words; ///< those of intent_words
  double cpu_per_audio_s = 0;
};

accuracy measure(decoder& d, const char* label) {
  const auto& audio = caller_audio();
  std::size_t errors = 0, words = 0, keys = 0;
  double cpu_s = 0, audio_s = 0, speech_s = 0;
  accuracy out;
  std::printf("\n[%s]\n%-58s | %s\n", label, "caller said", "recognised");
  for (std::size_t i = 0; i < caller_lines().size(); ++i) {
    const auto& line = caller_lines()[i];
    REQUIRE(audio[i].size() > 2000);
    auto result = decode_call_audio(d, audio[i]);
    auto ref = split_words(normalize_spoken(line.text));
    auto hyp = split_words(result.text);
    auto e = word_errors(ref, hyp);
    errors += e;
    words += ref.size();
    cpu_s += result.cpu_s;
    audio_s += result.audio_s;
    speech_s += static_cast<double>(audio[i].size()) / telephony_rate_hz;
    std::printf("%s %-56s | %s\n", e ? "x" : " ", line.text, result.text.c_str());
    for (const char* key : line.key_words) {
      ++keys;
      if (std::find(hyp.begin(), hyp.end(), key) != hyp.end()) continue;
      out.missed_keys.push_back(std::string(key) + " (in: " + line.text + ")");
      if (std::find(intent_words.begin(), intent_words.end(), key) != intent_words.end())
        out.missed_intent_words.push_back(out.missed_keys.back());
    }
  }
  out.wer = 100.0 * static_cast<double>(errors) / static_cast<double>(words);
  out.cpu_per_audio_s = cpu_s / audio_s;
  std::printf("[%s] WER %.1f%% (%zu errors / %zu words), key words missed %zu / %zu\n", label,
              out.wer, errors, words, out.missed_keys.size(), keys);
  std::printf("[%s] decode CPU %.3f s per audio second (%.3f per speech second), %.1f s audio\n",
              label, out.cpu_per_audio_s, cpu_s / speech_s, audio_s);
  return out;
}

} // namespace

TEST_CASE("stt recognises espeak caller speech over mu-law with the speaker-independent model") {
  caller_audio();
  auto rss_before = resident_kb();
  auto d = domain_decoder();
  auto rss_created = resident_kb();
  auto result = measure(*d, "speaker-independent");
  std::printf("decoder memory: +%ld KB resident after create, +%ld KB after decoding\n",
              rss_created - rss_before, resident_kb() - rss_before);
  INFO("missed intent words: " << Catch::Detail::stringify(result.missed_intent_words));
  CHECK(result.missed_intent_words.empty());
  CHECK(result.wer < 15.0);  // measured 9.4%
  CHECK(result.cpu_per_audio_s < 0.5);
}

TEST_CASE("stt recognises espeak caller speech far better adapted to the espeak voice") {
  decoder_options options;
  options.mllr_path = espeak_transform();
  auto d = domain_decoder(options);
  auto result = measure(*d, "adapted to espeak en-us");
  INFO("missed key words: " << Catch::Detail::stringify(result.missed_keys));
  CHECK(result.missed_keys.empty());
  CHECK(result.wer < 7.0);  // measured ~3%
  CHECK(result.cpu_per_audio_s < 0.5);
}

TEST_CASE("stt decoders in parallel threads give the same transcripts as one alone") {
  const auto& audio = caller_audio();
  std::vector<std::unique_ptr<decoder>> decoders;
  for (int i = 0; i < 2; ++i) {
    auto heap_before = heap_kb();
    auto rss_before = resident_kb();
    decoders.push_back(domain_decoder());
    decode_call_audio(*decoders.back(), audio.front());  // touch the search structures
    std::printf("decoder %d: heap +%ld KB, resident +%ld KB\n", i + 1, heap_kb() - heap_before,
                resident_kb() - rss_before);
  }

  auto run = [&](decoder& d, std::vector<std::string>& out) {
    for (const auto& speech : audio) out.push_back(decode_call_audio(d, speech).text);
  };
  std::vector<std::string> a, b;
  std::thread ta([&] { run(*decoders[0], a); });
  std::thread tb([&] { run(*decoders[1], b); });
  ta.join();
  tb.join();
  // Live cepstral normalisation carries over between utterances: warm up the same way.
  auto fresh = domain_decoder();
  decode_call_audio(*fresh, audio.front());
  std::vector<std::string> alone;
  run(*fresh, alone);
  CHECK(a == alone);
  CHECK(b == alone);
}
