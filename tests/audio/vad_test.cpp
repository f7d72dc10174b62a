#include "audio/signals.hpp"
#include "audio/vad.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

using namespace ce;
using audio::vad_result;
using kind = vad_result::kind;

namespace {

struct seen_event {
  vad_result result;
  std::int64_t at_ms;  ///< stream time when the event was reported
};

/// Pushes `audio` in frames of `frame_bytes` and collects every event.
std::vector<seen_event> run(audio::energy_vad& vad, const mulaw_buffer& audio,
                            std::size_t frame_bytes = frame_bytes_20ms) {
  std::vector<seen_event> events;
  for (std::size_t pos = 0; pos < audio.size(); pos += frame_bytes) {
    const auto n = std::min(frame_bytes, audio.size() - pos);
    auto r = vad.push(std::span(audio).subspan(pos, n));
    if (r.event != kind::none) events.push_back({r, vad.stream_ms()});
  }
  return events;
}

/// `lead_ms` of `bed`, then `burst_ms` of a -20 dBFS 440 Hz tone on top of it, then
/// `tail_ms` of bed.
mulaw_buffer burst_on(const pcm16_buffer& bed, int lead_ms, int burst_ms) {
  pcm16_buffer pcm = bed;
  test::mix_into(pcm, test::tone(440, burst_ms, -20.0), static_cast<std::size_t>(lead_ms) * 8);
  return test::to_mulaw(pcm);
}

} // namespace

TEST_CASE("A one-second tone is detected with its onset at the tone's start") {
  audio::energy_vad vad{vad_config{}};
  // Starts 510 ms in: not aligned to the 20 ms frames.
  const auto events = run(vad, burst_on(test::silence(3000), 510, 1000));
  REQUIRE(events.size() == 2);
  const auto& started = events[0];
  CHECK(started.result.event == kind::speech_started);
  CHECK(std::abs(started.result.start_ms - 510) <= 40);
  CHECK(started.at_ms - 510 <= vad_config{}.onset_ms + 20);
  const auto& stopped = events[1];
  CHECK(stopped.result.event == kind::speech_stopped);
  CHECK(stopped.result.start_ms == started.result.start_ms);
  CHECK(std::abs(stopped.result.end_ms - 1510) <= 20);
  CHECK(stopped.result.is_utterance);
  CHECK(stopped.result.duration_ms() == Approx(1000).margin(40));
}

TEST_CASE("Speech stops being reported hangover_ms after the last voiced frame") {
  vad_config cfg;
  cfg.hangover_ms = 300;
  audio::energy_vad vad{cfg};
  const auto events = run(vad, burst_on(test::silence(2000), 200, 600));
  REQUIRE(events.size() == 2);
  REQUIRE(events[1].result.event == kind::speech_stopped);
  const auto delay = events[1].at_ms - events[1].result.end_ms;
  CHECK(delay >= 300);
  CHECK(delay < 300 + 20);
  CHECK_FALSE(vad.in_speech());
}

TEST_CASE("A click shorter than onset_ms never triggers") {
  audio::energy_vad vad{vad_config{}};
  auto audio = burst_on(test::silence(2000), 500, 60);
  CHECK(run(vad, audio).empty());
  CHECK_FALSE(vad.in_speech());
}

TEST_CASE("A burst longer than onset_ms but shorter than min_utterance_ms is not an utterance") {
  audio::energy_vad vad{vad_config{}};
  const auto events = run(vad, burst_on(test::silence(2000), 500, 120));
  REQUIRE(events.size() == 2);
  CHECK(events[0].result.event == kind::speech_started);
  CHECK(events[1].result.event == kind::speech_stopped);
  CHECK_FALSE(events[1].result.is_utterance);
  CHECK(events[1].result.duration_ms() < vad_config{}.min_utterance_ms);
}

TEST_CASE("Speech over a -50 dBFS noise floor is detected and the noise alone is not") {
  audio::energy_vad vad{vad_config{}};
  const auto bed = test::noise(12000, -50.0);
  const auto events = run(vad, burst_on(bed, 8000, 1000));
  REQUIRE(events.size() == 2);
  CHECK(std::abs(events[0].result.start_ms - 8000) <= 40);
  CHECK(std::abs(events[1].result.end_ms - 9000) <= 40);
  CHECK(events[1].result.is_utterance);
  // The floor has settled on the noise (minimum statistics sit slightly below its mean).
  CHECK(vad.noise_floor_dbfs() == Approx(-50.0).margin(2.0));
  CHECK(vad.threshold_dbfs() > -40.0);
}

TEST_CASE("The noise floor does not climb into speech during a long utterance") {
  audio::energy_vad vad{vad_config{}};
  run(vad, test::to_mulaw(test::noise(6000, -60.0)));
  const double before = vad.noise_floor_dbfs();
  pcm16_buffer talk = test::noise(3000, -60.0, 11);
  test::mix_into(talk, test::tone(300, 3000, -20.0));
  run(vad, test::to_mulaw(talk));
  CHECK(vad.in_speech());
  CHECK(vad.noise_floor_dbfs() < before + 3.0);
}

TEST_CASE("A step up in line noise holds speech only until the floor adapts") {
  audio::energy_vad vad{vad_config{}};
  pcm16_buffer pcm = test::noise(3000, -70.0);
  test::append(pcm, test::noise(15000, -35.0, 3));
  const auto events = run(vad, test::to_mulaw(pcm));
  REQUIRE(events.size() == 2);
  CHECK(events[0].result.event == kind::speech_started);
  CHECK(events[1].result.event == kind::speech_stopped);
  CHECK(events[1].at_ms < 3000 + 9000);
  CHECK_FALSE(vad.in_speech());
}

TEST_CASE("Mu-law silence never triggers") {
  audio::energy_vad vad{vad_config{}};
  CHECK(run(vad, mulaw_buffer(8 * 10000, mulaw_silence)).empty());
  CHECK(run(vad, mulaw_buffer(8 * 1000, 0x7F)).empty());  // negative zero
  CHECK_FALSE(vad.in_speech());
  CHECK(vad.noise_floor_dbfs() == -100.0);
  CHECK(vad.stream_ms() == 11000);
}

TEST_CASE("Frames of any length give the same onset and stream time") {
  const auto audio = burst_on(test::silence(3000), 1000, 1000);
  for (std::size_t frame : {56U, 264U, 400U}) {
    audio::energy_vad vad{vad_config{}};
    const auto events = run(vad, audio, frame);
    REQUIRE(events.size() == 2);
    CHECK(std::abs(events[0].result.start_ms - 1000) <= 40);
    CHECK(std::abs(events[1].result.end_ms - 2000) <= 50);
    CHECK(vad.stream_ms() == 3000);
  }
  audio::energy_vad vad{vad_config{}};
  CHECK(vad.push({}).event == kind::none);
  CHECK(vad.stream_ms() == 0);
}

TEST_CASE("Reset restarts stream time and leaves speech") {
  audio::energy_vad vad{vad_config{}};
  const auto events = run(vad, burst_on(test::silence(600), 100, 500));
  REQUIRE(events.size() == 1);
  CHECK(vad.in_speech());
  vad.reset();
  CHECK_FALSE(vad.in_speech());
  CHECK(vad.stream_ms() == 0);
  const auto again = run(vad, burst_on(test::silence(1500), 200, 500));
  REQUIRE(again.size() == 2);
  CHECK(std::abs(again[0].result.start_ms - 200) <= 40);
}

TEST_CASE("A configuration with negative durations is refused with the field's name") {
  vad_config cfg;
  cfg.hangover_ms = -1;
  CHECK_THROWS_WITH(audio::energy_vad{cfg}, Catch::Contains("hangover_ms"));
  cfg = {};
  cfg.onset_ms = -20;
  CHECK_THROWS_AS(audio::energy_vad{cfg}, std::invalid_argument);
  cfg = {};
  cfg.min_speech_dbfs = 3.0;
  CHECK_THROWS_WITH(audio::energy_vad{cfg}, Catch::Contains("min_speech_dbfs"));
}
