// RIFF/WAVE files: 16-bit linear PCM (any rate, mono or stereo) and G.711 mu-law
// (format tag 7). Used for recordings, test fixtures and debugging dumps; never on the
// per-frame path. Errors are values: writers return false, readers return nullopt and a
// message.
#pragma once

#include "callengine/audio.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ce::audio {

struct wav_data {
  int sample_rate = telephony_rate_hz;
  int channels = 1;
  pcm16_buffer samples;  ///< interleaved when channels > 1
};

/// The bytes of a 16-bit PCM WAV file. `data.channels` must be 1 or 2 and the sample
/// count a multiple of it; returns an empty vector otherwise.
std::vector<std::uint8_t> encode_wav_pcm16(const wav_data& data);
/// The bytes of an 8 kHz mono mu-law WAV file (fmt with tag 7, a fact chunk, data).
std::vector<std::uint8_t> encode_wav_mulaw(std::span<const std::uint8_t> audio);

/// Parses a whole WAV file held in memory. PCM 16-bit and mu-law (decoded to PCM) are
/// accepted, also in WAVE_FORMAT_EXTENSIBLE form; unknown chunks (LIST, fact, ...) are
/// skipped. On failure returns nullopt and, when `error` is set, says why.
std::optional<wav_data> parse_wav(std::span<const std::uint8_t> bytes, std::string* error);

/// Writes `data` as a 16-bit PCM WAV file. False when the data is inconsistent or the file
/// cannot be written.
bool write_wav_pcm16(const std::string& path, const wav_data& data);
/// Writes raw 8 kHz mu-law as a mu-law WAV file.
bool write_wav_mulaw(const std::string& path, const mulaw_buffer& audio);
/// Reads a WAV file (see parse_wav). `error` may be null.
std::optional<wav_data> read_wav(const std::string& path, std::string* error = nullptr);

} // namespace ce::audio
