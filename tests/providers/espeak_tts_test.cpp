#include "audio/levels.hpp"
#include "audio/mulaw.hpp"
#include "audio/vad.hpp"
#include "providers/espeak/espeak_tts.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace ce;
using clock_type = std::chrono::steady_clock;

namespace {

struct synthesis {
  bool completed = false;
  std::vector<tts::synth_chunk> chunks;
  double first_chunk_ms = -1;
  double total_ms = 0;

  mulaw_buffer audio() const {
    mulaw_buffer all;
    for (const auto& c : chunks) all.insert(all.end(), c.audio.begin(), c.audio.end());
    return all;
  }
  std::vector<tts::word_boundary> words() const {
    std::vector<tts::word_boundary> all;
    for (const auto& c : chunks) all.insert(all.end(), c.words.begin(), c.words.end());
    return all;
  }
  double audio_ms() const { return static_cast<double>(audio().size()) / 8.0; }
};

/// Synthesises `text`, accepting at most `accept` chunks.
synthesis speak(tts::espeak_tts& tts, std::string_view text, std::size_t accept = SIZE_MAX) {
  synthesis s;
  const auto start = clock_type::now();
  auto ms_since_start = [&] {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
  };
  s.completed = tts.synthesize(text, [&](tts::synth_chunk&& c) {
    if (s.first_chunk_ms < 0) s.first_chunk_ms = ms_since_start();
    s.chunks.push_back(std::move(c));
    return s.chunks.size() < accept;
  });
  s.total_ms = ms_since_start();
  return s;
}

const std::string greeting = "Thanks for calling Bart's Automotive.";

} // namespace

// Speed is measured by bench (not asserted here); the line below only reports it.
TEST_CASE("espeak speaks a greeting as audible 8 kHz mu-law of plausible length") {
  tts::espeak_tts tts{tts_config{}};
  speak(tts, "Warm up.");
  const auto s = speak(tts, greeting);
  REQUIRE(s.completed);
  CHECK(s.audio_ms() > 1000);
  CHECK(s.audio_ms() < 4000);
  const auto pcm = audio::decode_mulaw(s.audio());
  CHECK(audio::rms_dbfs(pcm) > -30.0);
  const double rtf = s.total_ms / s.audio_ms();
  WARN("espeak: time to first chunk " << s.first_chunk_ms << " ms, total " << s.total_ms
       << " ms for " << s.audio_ms() << " ms of audio, real-time factor " << rtf);
}

TEST_CASE("espeak chunks are 20 to 100 ms and the speech starts within 30 ms") {
  tts::espeak_tts tts{tts_config{}};
  const auto s = speak(tts, greeting);
  REQUIRE(s.chunks.size() > 5);
  for (std::size_t i = 0; i + 1 < s.chunks.size(); ++i) {
    CHECK(s.chunks[i].audio.size() >= 160);
    CHECK(s.chunks[i].audio.size() <= 800);
  }
  const auto pcm = audio::decode_mulaw(s.audio());
  std::size_t first_sound = 0;
  while (first_sound < pcm.size() && std::abs(pcm[first_sound]) <= 256) ++first_sound;
  CHECK(first_sound <= 240 + 8);
}

TEST_CASE("espeak word boundaries increase and each names a word of the input") {
  tts::espeak_tts tts{tts_config{}};
  for (const std::string& text : {greeting, std::string("Caf\xC3\xA9 au lait, se\xC3\xB1or?"),
                                 std::string("It costs $49 (today) only.")}) {
    const auto s = speak(tts, text);
    REQUIRE(s.completed);
    const auto words = s.words();
    REQUIRE(words.size() >= 3);
    std::set<std::string> input_words;
    for (std::size_t b = 0, e; b < text.size(); b = e + 1) {
      e = std::min(text.find(' ', b), text.size());
      std::string w = text.substr(b, e - b);
      while (!w.empty() && std::string_view(".,?!)").find(w.back()) != std::string_view::npos)
        w.pop_back();
      if (!w.empty() && w.front() == '(') w.erase(0, 1);
      input_words.insert(w);
    }
    for (std::size_t i = 0; i < words.size(); ++i) {
      INFO(text << " word " << i);
      CHECK(input_words.count(text.substr(words[i].text_offset, words[i].text_length)) == 1);
      CHECK(words[i].audio_offset < s.audio().size());
      if (i == 0) continue;
      CHECK(words[i].audio_offset > words[i - 1].audio_offset);
      CHECK(words[i].text_offset >= words[i - 1].text_offset);
    }
  }
  const auto s = speak(tts, greeting);
  std::vector<std::string> spoken;
  for (const auto& w : s.words()) spoken.push_back(greeting.substr(w.text_offset, w.text_length));
  CHECK(spoken == std::vector<std::string>{"Thanks", "for", "calling", "Bart's", "Automotive"});
}

TEST_CASE("espeak stops after a refused chunk and the next synthesis is complete") {
  tts::espeak_tts tts{tts_config{}};
  std::string long_text;
  for (int i = 0; i < 20; ++i) long_text += greeting + " How can I help you today? ";
  const auto full = speak(tts, long_text);
  REQUIRE(full.completed);
  const auto reference = speak(tts, greeting);
  const auto aborted = speak(tts, long_text, 1);
  CHECK_FALSE(aborted.completed);
  CHECK(aborted.chunks.size() == 1);
  // Synthesis stops at the refusal instead of running to the end of the text unheard.
  CHECK(aborted.total_ms < full.total_ms / 4);
  const auto again = speak(tts, greeting);
  REQUIRE(again.completed);
  CHECK(again.audio_ms() == Approx(reference.audio_ms()).margin(20));
  CHECK(again.words().size() == reference.words().size());
}

TEST_CASE("An exception from the chunk callback reaches the caller and espeak stays usable") {
  tts::espeak_tts tts{tts_config{}};
  CHECK_THROWS_WITH(tts.synthesize(greeting, [](tts::synth_chunk&&) -> bool {
    throw std::runtime_error("sink closed");
  }), "sink closed");
  CHECK(speak(tts, greeting).completed);
}

TEST_CASE("espeak refuses an unknown voice, a second instance and out-of-range settings") {
  tts_config bad;
  bad.voice = "xx-no-such-voice";
  CHECK_THROWS_WITH(tts::espeak_tts{bad}, Catch::Contains("unknown voice 'xx-no-such-voice'"));
  tts_config fast;
  fast.words_per_minute = 2000;
  CHECK_THROWS_WITH(tts::espeak_tts{fast}, Catch::Contains("words_per_minute"));
  tts::espeak_tts first{tts_config{}};
  CHECK_THROWS_WITH(tts::espeak_tts{tts_config{}}, Catch::Contains("only one instance"));
  CHECK(speak(first, "Still here.").completed);
}

TEST_CASE("espeak synthesises empty text to nothing and succeeds") {
  tts::espeak_tts tts{tts_config{}};
  const auto s = speak(tts, "");
  CHECK(s.completed);
  CHECK(s.audio().empty());
}

TEST_CASE("The VAD hears espeak's speech start near the first word and stop after the last") {
  tts::espeak_tts tts{tts_config{}};
  const auto s = speak(tts, greeting);
  REQUIRE(s.completed);
  const auto words = s.words();
  REQUIRE_FALSE(words.empty());
  constexpr std::int64_t lead_ms = 600;
  mulaw_buffer stream(lead_ms * 8, mulaw_silence);
  const auto speech = s.audio();
  stream.insert(stream.end(), speech.begin(), speech.end());
  stream.insert(stream.end(), 8 * 1500, mulaw_silence);

  audio::energy_vad vad{vad_config{}};
  std::vector<audio::vad_result> events;
  for (std::size_t pos = 0; pos < stream.size(); pos += frame_bytes_20ms) {
    const auto n = std::min(frame_bytes_20ms, stream.size() - pos);
    auto r = vad.push(std::span(stream).subspan(pos, n));
    if (r.event != audio::vad_result::kind::none) events.push_back(r);
  }
  REQUIRE(events.size() == 2);
  CHECK(events[0].event == audio::vad_result::kind::speech_started);
  const auto first_word_ms = lead_ms + static_cast<std::int64_t>(words[0].audio_offset / 8);
  CHECK(std::abs(events[0].start_ms - first_word_ms) <= 60);
  CHECK(events[1].event == audio::vad_result::kind::speech_stopped);
  CHECK(events[1].is_utterance);
  CHECK(events[1].end_ms <= lead_ms + static_cast<std::int64_t>(speech.size() / 8) + 20);
  CHECK(events[1].end_ms > lead_ms + static_cast<std::int64_t>(speech.size() / 8) - 300);
}
