#include "audio/mulaw.hpp"
#include "audio/signals.hpp"
#include "audio/wav.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace ce;
namespace fs = std::filesystem;

namespace {

/// A path in the temp directory, unique per process and name, removed on destruction.
struct temp_path {
  fs::path path;
  explicit temp_path(const std::string& name)
    : path(fs::temp_directory_path() / ("ce_wav_" + std::to_string(::getpid()) + "_" + name)) {}
  ~temp_path() { std::error_code ec; fs::remove(path, ec); }
  std::string str() const { return path.string(); }
};

bool have_soxi() { return std::system("command -v soxi >/dev/null") == 0; }

/// Output of `soxi <flag> <file>` without the trailing newline.
std::string soxi(const std::string& flag, const std::string& file) {
  std::string cmd = "soxi " + flag + " '" + file + "' 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void put_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::string parse_error(std::vector<std::uint8_t> bytes) {
  std::string error;
  CHECK_FALSE(audio::parse_wav(bytes, &error).has_value());
  return error;
}

} // namespace

TEST_CASE("A mono 16-bit WAV file round-trips and sox agrees on its format") {
  temp_path file("mono.wav");
  audio::wav_data in{16000, 1, test::tone(440, 250, -12.0, 16000)};
  in.samples.push_back(-32768);
  in.samples.push_back(32767);
  REQUIRE(audio::write_wav_pcm16(file.str(), in));
  std::string error;
  auto out = audio::read_wav(file.str(), &error);
  REQUIRE(out.has_value());
  CHECK(error.empty());
  CHECK(out->sample_rate == 16000);
  CHECK(out->channels == 1);
  CHECK(out->samples == in.samples);
  CHECK(fs::file_size(file.path) == 44 + 2 * in.samples.size());
  if (!have_soxi()) return;
  CHECK(soxi("-r", file.str()) == "16000");
  CHECK(soxi("-c", file.str()) == "1");
  CHECK(soxi("-s", file.str()) == std::to_string(in.samples.size()));
  CHECK(soxi("-e", file.str()) == "Signed Integer PCM");
}

TEST_CASE("A stereo 16-bit WAV file keeps its interleaved samples") {
  temp_path file("stereo.wav");
  audio::wav_data in{44100, 2, {}};
  for (std::int16_t i = 0; i < 1000; ++i) {
    in.samples.push_back(i);
    in.samples.push_back(static_cast<std::int16_t>(-3 * i));
  }
  REQUIRE(audio::write_wav_pcm16(file.str(), in));
  auto out = audio::read_wav(file.str());
  REQUIRE(out.has_value());
  CHECK(out->sample_rate == 44100);
  CHECK(out->channels == 2);
  CHECK(out->samples == in.samples);
  if (have_soxi()) CHECK(soxi("-c", file.str()) == "2");
}

TEST_CASE("A mu-law WAV file is tagged G.711 and reads back as decoded PCM") {
  temp_path file("ulaw.wav");
  const auto codes = test::to_mulaw(test::tone(1000, 125, -10.0));
  mulaw_buffer odd = codes;
  odd.push_back(0x12);  // odd length: the data chunk needs a pad byte
  REQUIRE(audio::write_wav_mulaw(file.str(), odd));
  auto out = audio::read_wav(file.str());
  REQUIRE(out.has_value());
  CHECK(out->sample_rate == 8000);
  CHECK(out->channels == 1);
  CHECK(out->samples == audio::decode_mulaw(odd));
  CHECK(fs::file_size(file.path) == 58 + odd.size() + 1);
  if (!have_soxi()) return;
  CHECK(soxi("-e", file.str()) == "u-law");
  CHECK(soxi("-r", file.str()) == "8000");
  CHECK(soxi("-s", file.str()) == std::to_string(odd.size()));
}

TEST_CASE("Files written by sox are read, including their extra chunks") {
  if (std::system("command -v sox >/dev/null") != 0) {
    WARN("sox not installed; skipped");
    return;
  }
  temp_path ulaw("sox_ulaw.wav");
  temp_path pcm("sox_pcm.wav");
  const auto sox = [](const std::string& args) { return std::system(("sox " + args).c_str()); };
  REQUIRE(sox("-n -r 8000 -c 1 -e u-law '" + ulaw.str() + "' synth 0.5 sine 440") == 0);
  REQUIRE(sox("-n -r 22050 -c 2 -b 16 '" + pcm.str() + "' synth 0.2 sine 440 gain -6") == 0);
  std::string error;
  auto a = audio::read_wav(ulaw.str(), &error);
  REQUIRE(a.has_value());
  CHECK(a->sample_rate == 8000);
  CHECK(a->samples.size() == 4000);
  auto b = audio::read_wav(pcm.str(), &error);
  REQUIRE(b.has_value());
  CHECK(b->sample_rate == 22050);
  CHECK(b->channels == 2);
  CHECK(b->samples.size() == 2 * 4410);
}

TEST_CASE("Unknown chunks before the data are skipped, padding included") {
  audio::wav_data in{8000, 1, test::tone(200, 10, -6.0)};
  auto bytes = audio::encode_wav_pcm16(in);
  const std::vector<std::uint8_t> list = {'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0};
  bytes.insert(bytes.begin() + 36, list.begin(), list.end());  // after fmt, before data
  put_u32(bytes, 4, static_cast<std::uint32_t>(bytes.size() - 8));
  std::string error;
  auto out = audio::parse_wav(bytes, &error);
  REQUIRE(out.has_value());
  CHECK(out->samples == in.samples);
}

TEST_CASE("Garbage and unsupported formats are rejected with a reason") {
  CHECK(parse_error({1, 2, 3}) == "not a RIFF/WAVE file");
  std::vector<std::uint8_t> junk(100, 0x41);
  CHECK(parse_error(junk) == "not a RIFF/WAVE file");

  const auto good = audio::encode_wav_pcm16({8000, 1, test::silence(10)});
  auto truncated = good;
  truncated.resize(good.size() - 10);
  CHECK_THAT(parse_error(truncated), Catch::Contains("claims 160 bytes"));

  auto deep = good;
  deep[34] = 24;  // bits per sample
  CHECK_THAT(parse_error(deep), Catch::Contains("bit depth 24"));

  auto alaw = audio::encode_wav_mulaw(mulaw_buffer(80, mulaw_silence));
  alaw[20] = 6;  // format tag: A-law
  CHECK_THAT(parse_error(alaw), Catch::Contains("format tag 6"));

  auto no_fmt = good;
  no_fmt[12] = 'x';  // "fmt " -> "xmt "
  CHECK(parse_error(no_fmt) == "no fmt chunk");

  std::string error;
  CHECK_FALSE(audio::read_wav("/nonexistent/dir/x.wav", &error).has_value());
  CHECK_THAT(error, Catch::Contains("cannot open /nonexistent/dir/x.wav"));
}

TEST_CASE("A streamed data chunk of unknown size is read up to the end of the file") {
  const auto codes = test::to_mulaw(test::tone(500, 50, -10.0));
  auto bytes = audio::encode_wav_mulaw(codes);
  put_u32(bytes, bytes.size() - codes.size() - 4, 0xFFFFFFFF);
  auto out = audio::parse_wav(bytes, nullptr);
  REQUIRE(out.has_value());
  CHECK(out->samples.size() == codes.size());
}

TEST_CASE("Writing inconsistent data or to an unwritable path fails") {
  CHECK_FALSE(audio::write_wav_pcm16("/nonexistent/dir/x.wav", {8000, 1, test::silence(10)}));
  CHECK_FALSE(audio::write_wav_mulaw("/nonexistent/dir/x.wav", mulaw_buffer(8, 0xFF)));
  temp_path file("bad.wav");
  CHECK_FALSE(audio::write_wav_pcm16(file.str(), {8000, 2, pcm16_buffer(3, 0)}));
  CHECK_FALSE(audio::write_wav_pcm16(file.str(), {8000, 3, pcm16_buffer(6, 0)}));
  CHECK_FALSE(audio::write_wav_pcm16(file.str(), {0, 1, pcm16_buffer(6, 0)}));
  CHECK_FALSE(fs::exists(file.path));
}
