#include "pocketsphinx_test_support.hpp"

#include "providers/espeak/espeak_tts.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <malloc.h>
#include <unistd.h>

namespace ce::stt::test {

std::vector<mulaw_buffer> speak_all(const std::vector<std::string>& texts) {
  tts::espeak_tts tts{tts_config{}};
  std::vector<mulaw_buffer> out;
  for (const auto& text : texts) {
    mulaw_buffer speech;
    tts.synthesize(text, [&](tts::synth_chunk&& chunk) {
      speech.insert(speech.end(), chunk.audio.begin(), chunk.audio.end());
      return true;
    });
    out.push_back(std::move(speech));
  }
  return out;
}

std::string bart_work_dir() {
  static const auto dir = std::filesystem::temp_directory_path() /
                          ("ce_stt_model_" + std::to_string(::getpid()));
  return dir.string();
}

const domain_model& bart_model() {
  static const domain_model model = [] {
    std::string error;
    auto prepared = prepare_domain_model(bart_facts(), stt_config{}, bart_work_dir(), &error);
    INFO(error);
    REQUIRE(prepared);
    std::atexit([] { std::filesystem::remove_all(bart_work_dir()); });
    return *prepared;
  }();
  return model;
}

std::unique_ptr<decoder> bart_decoder(const decoder_options& options) {
  std::string error;
  auto d = decoder::create(stt_config{}, bart_model(), &error, options);
  INFO(error);
  REQUIRE(d);
  return d;
}

decoded decode_call_audio(decoder& d, const mulaw_buffer& speech) {
  constexpr std::size_t lead_bytes = 240 * 8;
  constexpr std::size_t tail_bytes = 500 * 8;
  mulaw_buffer call;
  call.reserve(lead_bytes + speech.size() + tail_bytes);
  call.resize(lead_bytes, mulaw_silence);
  call.insert(call.end(), speech.begin(), speech.end());
  call.resize(call.size() + tail_bytes, mulaw_silence);
  decoded out;
  out.audio_s = static_cast<double>(call.size()) / telephony_rate_hz;
  auto start = thread_cpu_seconds();
  d.begin_utterance();
  for (std::size_t at = 0; at < call.size(); at += frame_bytes_20ms)
    d.feed_mulaw(std::span(call).subspan(at, std::min(frame_bytes_20ms, call.size() - at)));
  out.text = d.end_utterance();
  out.cpu_s = thread_cpu_seconds() - start;
  return out;
}

std::size_t word_errors(const std::vector<std::string>& ref, const std::vector<std::string>& hyp) {
  std::vector<std::size_t> prev(hyp.size() + 1), cur(hyp.size() + 1);
  for (std::size_t j = 0; j <= hyp.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= ref.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= hyp.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                         prev[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[hyp.size()];
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

long heap_kb() {
  auto info = ::mallinfo2();
  return static_cast<long>((info.uordblks + info.hblkhd) / 1024);
}

long resident_kb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

} // namespace ce::stt::test
