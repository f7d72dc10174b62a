// Shared setup of the mock tests: an in-process mock_server per test and audio helpers.
#pragma once

#include "mock_clients.hpp"
#include "mocks/mock_server.hpp"
#include "mocks/speech_audio.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace ce::mocks::test {

using json = nlohmann::json;

/// A started mock server. MOCK_TEST_THREADS (default 1) sets its I/O threads, so the
/// whole suite can also run with several threads on one server.
inline std::unique_ptr<mock_server> start_mocks(const json& config = json::object()) {
  server_options o;
  o.config = config.is_null() ? json::object() : config;
  if (const char* t = std::getenv("MOCK_TEST_THREADS")) o.threads = std::max(1, std::atoi(t));
  auto m = std::make_unique<mock_server>(o);
  auto err = m->start();
  INFO((err ? *err : std::string()));
  REQUIRE_FALSE(err.has_value());
  return m;
}

inline std::vector<std::uint8_t> silence_ms(int ms_) {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(ms_) * 8, 0xFF);
}

inline std::vector<std::uint8_t> speech(const std::string& text) { return synthesize_speech(text); }

inline std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

/// Sends `audio` as binary frames of `frame` bytes (as fast as the socket takes them).
inline void stream_audio(ws_client& ws, const std::vector<std::uint8_t>& audio, std::size_t frame = 160) {
  for (std::size_t i = 0; i < audio.size(); i += frame) {
    const std::size_t n = std::min(frame, audio.size() - i);
    REQUIRE(ws.send_binary(std::span<const std::uint8_t>(audio.data() + i, n)));
  }
}

inline const std::string listen_query =
  "/v1/listen?model=nova-2-phonecall&encoding=mulaw&sample_rate=8000&channels=1";

/// Every text message until `stop_type` (included) or the timeout.
inline std::vector<json> read_json_until(ws_client& ws, const std::string& stop_type, ms timeout = 3000ms) {
  std::vector<json> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<ms>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    auto m = ws.read(left);
    if (!m.ok) return out;
    if (m.binary) continue;
    out.push_back(json::parse(m.data));
    if (out.back().value("type", "") == stop_type) return out;
  }
}

inline std::vector<json> of_type(const std::vector<json>& msgs, const std::string& type) {
  std::vector<json> out;
  for (const auto& m : msgs)
    if (m.value("type", "") == type) out.push_back(m);
  return out;
}

} // namespace ce::mocks::test
