#include "audio/levels.hpp"
#include "audio/mulaw.hpp"
#include "audio/signals.hpp"

#include <catch2/catch.hpp>

using namespace ce;

TEST_CASE("A full-scale square wave measures 0 dBFS and a half-scale sine 9 dB less") {
  pcm16_buffer square(800);
  for (std::size_t i = 0; i < square.size(); ++i) square[i] = (i / 4) % 2 ? -32768 : 32767;
  CHECK(audio::rms_dbfs(square) == Approx(0.0).margin(0.01));
  pcm16_buffer sine(800);
  for (std::size_t i = 0; i < sine.size(); ++i)
    sine[i] = static_cast<std::int16_t>(std::lround(16384.0 * std::sin(2.0 * M_PI * i / 16.0)));
  CHECK(audio::rms_dbfs(sine) == Approx(-6.02 - 3.01).margin(0.02));
}

TEST_CASE("Tones and noise measure the RMS level they were generated at") {
  CHECK(audio::rms_dbfs(test::tone(440, 200, -20.0)) == Approx(-20.0).margin(0.05));
  CHECK(audio::rms_dbfs(test::noise(500, -50.0)) == Approx(-50.0).margin(0.3));
}

TEST_CASE("Silence and empty input report the silence floor of -100 dBFS") {
  CHECK(audio::rms_dbfs(test::silence(20)) == audio::silence_dbfs);
  CHECK(audio::rms_dbfs({}) == audio::silence_dbfs);
  CHECK(audio::silence_dbfs == -100.0);
  const mulaw_buffer quiet(160, mulaw_silence);
  CHECK(audio::mulaw_frame_dbfs(quiet) == audio::silence_dbfs);
  CHECK(audio::mulaw_frame_dbfs({}) == audio::silence_dbfs);
  const pcm16_buffer one_lsb(160, 1);
  CHECK(audio::rms_dbfs(one_lsb) == Approx(-90.31).margin(0.01));
}

TEST_CASE("The mu-law frame level equals the level of the decoded samples") {
  for (double db : {-60.0, -40.0, -20.0, -6.0}) {
    const auto codes = test::to_mulaw(test::tone(300, 20, db));
    const auto decoded = audio::decode_mulaw(codes);
    CHECK(audio::mulaw_frame_dbfs(codes) == Approx(audio::rms_dbfs(decoded)).margin(1e-9));
    CHECK(audio::mulaw_frame_dbfs(codes) == Approx(db).margin(0.3));
  }
  mulaw_buffer all_codes(256);
  for (std::size_t c = 0; c < 256; ++c) all_codes[c] = static_cast<std::uint8_t>(c);
  CHECK(audio::mulaw_frame_dbfs(all_codes) ==
        Approx(audio::rms_dbfs(audio::decode_mulaw(all_codes))).margin(1e-9));
}
