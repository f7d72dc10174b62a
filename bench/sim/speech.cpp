#include "sim/caller.hpp"

#include "providers/espeak/espeak_tts.hpp"

#include <map>
#include <mutex>

namespace ce::sim {

mulaw_buffer caller_speech(const std::string& text, const std::string& voice, int words_per_minute) {
  static std::mutex mutex;
  static std::unique_ptr<tts::espeak_tts> synth;
  static std::string synth_key;
  static std::map<std::string, mulaw_buffer> cache;
  std::lock_guard<std::mutex> guard{mutex};
  auto key = voice + "|" + std::to_string(words_per_minute) + "|" + text;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto synth_settings = voice + "|" + std::to_string(words_per_minute);
  if (!synth || synth_key != synth_settings) {
    synth.reset();
    tts_config cfg;
    cfg.voice = voice;
    cfg.words_per_minute = words_per_minute;
    synth = std::make_unique<tts::espeak_tts>(cfg);
    synth_key = synth_settings;
  }
  mulaw_buffer out;
  synth->synthesize(text, [&](tts::synth_chunk&& c) {
    out.insert(out.end(), c.audio.begin(), c.audio.end());
    return true;
  });
  cache[key] = out;
  return out;
}

} // namespace ce::sim
