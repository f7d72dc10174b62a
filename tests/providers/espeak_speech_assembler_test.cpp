#include "audio/mulaw.hpp"
#include "providers/espeak/speech_assembler.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace ce;
using tts::speech_assembler;

namespace {

pcm16_buffer flat(std::size_t samples, std::int16_t value) { return pcm16_buffer(samples, value); }

pcm16_buffer square(std::size_t samples) {
  pcm16_buffer out(samples);
  for (std::size_t i = 0; i < samples; ++i) out[i] = (i / 10) % 2 ? -8000 : 8000;
  return out;
}

struct collector {
  std::vector<tts::synth_chunk> chunks;
  std::size_t accept = static_cast<std::size_t>(-1);  // chunks accepted before refusing
  speech_assembler::sink sink = [this](tts::synth_chunk&& c) {
    chunks.push_back(std::move(c));
    return chunks.size() < accept;
  };
  mulaw_buffer audio() const {
    mulaw_buffer all;
    for (const auto& c : chunks) all.insert(all.end(), c.audio.begin(), c.audio.end());
    return all;
  }
};

std::string word(std::string_view text, tts::text_span s) {
  return std::string(text.substr(s.offset, s.length));
}

} // namespace

TEST_CASE("An espeak text position resolves to the whole input word without its punctuation") {
  const std::string_view text = "Hello, (Bart's) world!  ok";
  CHECK(word(text, tts::word_span_at(text, 0)) == "Hello");
  CHECK(word(text, tts::word_span_at(text, 3)) == "Hello");
  CHECK(word(text, tts::word_span_at(text, 5)) == "Hello");
  CHECK(word(text, tts::word_span_at(text, 6)) == "Bart's");  // on a space: the next word
  CHECK(word(text, tts::word_span_at(text, 9)) == "Bart's");
  CHECK(word(text, tts::word_span_at(text, 16)) == "world");
  CHECK(word(text, tts::word_span_at(text, 23)) == "ok");
  const auto past = tts::word_span_at(text, 999);
  CHECK(past.offset == text.size());
  CHECK(past.length == 0);
}

TEST_CASE("espeak character positions count UTF-8 code points, not bytes") {
  const std::string_view text = "caf\xC3\xA9 ok";  // "café ok"
  CHECK(tts::utf8_byte_offset(text, 1) == 0);
  CHECK(tts::utf8_byte_offset(text, 4) == 3);
  CHECK(tts::utf8_byte_offset(text, 6) == 6);
  CHECK(tts::utf8_byte_offset(text, 99) == text.size());
}

TEST_CASE("Leading silence of espeak output is trimmed to 30 ms and word offsets move with it") {
  collector out;
  const std::string text = "Hello there";
  speech_assembler a(text, out.sink);
  a.add_word(1, 4000);  // the first word starts with the sound, 500 ms in
  a.add_word(7, 4800);
  CHECK(a.add_audio(flat(2000, 0)));
  CHECK(a.add_audio(flat(2000, 40)));  // below the sound threshold: still silence
  CHECK(out.chunks.empty());
  CHECK(a.add_audio(square(1600)));
  CHECK(a.finish());
  CHECK(a.trimmed_bytes() == 4000 - speech_assembler::lead_keep_samples);
  CHECK(out.audio().size() == speech_assembler::lead_keep_samples + 1600);
  std::vector<tts::word_boundary> words;
  for (const auto& c : out.chunks) words.insert(words.end(), c.words.begin(), c.words.end());
  REQUIRE(words.size() == 2);
  CHECK(words[0].audio_offset == speech_assembler::lead_keep_samples);
  CHECK(words[1].audio_offset == speech_assembler::lead_keep_samples + 800);
  CHECK(word(text, {words[1].text_offset, words[1].text_length}) == "there");
}

TEST_CASE("Silence inside an espeak utterance is kept and chunks stay between 20 and 100 ms") {
  collector out;
  speech_assembler a("a b", out.sink);
  for (int i = 0; i < 7; ++i) a.add_audio(square(1000));  // arbitrary block sizes
  a.add_audio(flat(3200, 0));
  a.add_audio(square(333));
  CHECK(a.finish());
  CHECK(a.trimmed_bytes() == 0);
  CHECK(out.audio().size() == 7000 + 3200 + 333);
  for (std::size_t i = 0; i + 1 < out.chunks.size(); ++i) {
    CHECK(out.chunks[i].audio.size() >= speech_assembler::min_chunk_bytes);
    CHECK(out.chunks[i].audio.size() <= speech_assembler::max_chunk_bytes);
  }
  const auto all = out.audio();
  CHECK(all[7000 + 1600] == audio::linear_to_mulaw(0));
}

TEST_CASE("Each espeak word boundary is delivered with the chunk containing its audio") {
  collector out;
  speech_assembler a("one two three", out.sink);
  a.add_word(1, 0);
  a.add_word(5, 900);
  a.add_word(9, 1700);
  a.add_audio(square(2400));
  a.finish();
  REQUIRE(out.chunks.size() == 3);  // 800 + 800 + 800
  CHECK(out.chunks[0].words.size() == 1);
  REQUIRE(out.chunks[1].words.size() == 1);
  CHECK(out.chunks[1].words[0].audio_offset == 900);
  CHECK(out.chunks[1].words[0].text_offset == 4);
  REQUIRE(out.chunks[2].words.size() == 1);
  CHECK(out.chunks[2].words[0].text_length == 5);
}

TEST_CASE("A refused chunk stops delivery of espeak audio") {
  collector out;
  out.accept = 1;
  speech_assembler a("x", out.sink);
  CHECK_FALSE(a.add_audio(square(4000)));
  CHECK(out.chunks.size() == 1);
  CHECK(a.aborted());
  CHECK_FALSE(a.add_audio(square(4000)));
  CHECK_FALSE(a.finish());
  CHECK(out.chunks.size() == 1);
}

TEST_CASE("An espeak utterance that is all silence delivers nothing") {
  collector out;
  speech_assembler a("...", out.sink);
  a.add_word(1, 0);
  a.add_audio(flat(5000, 0));
  CHECK(a.finish());
  CHECK(out.chunks.empty());
}
