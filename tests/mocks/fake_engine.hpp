// A stand-in for the engine in the Twilio mock's callee tests: one loopback port that
// serves the TwiML of an outbound call (`/twilio/voice...`), the <Connect action>
// (`/twilio/connect-action`), accepts status and AMD callbacks (any other path, answered
// with `<Response/>`) and takes the Media Stream WebSocket (`/twilio/media`). It records
// every request and every stream message; the test sends media and closes the stream.
// One I/O thread; the test thread talks to it through posts and a mutex.
#pragma once

#include "mock_clients.hpp"

#include <memory>

namespace ce::mocks::test {

class fake_engine {
public:
  struct hit {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< lowercase names
    std::string body;
  };
  struct stream_message {
    nlohmann::json msg;
    std::chrono::steady_clock::time_point at;
  };

  fake_engine();
  ~fake_engine();
  fake_engine(const fake_engine&) = delete;
  fake_engine& operator=(const fake_engine&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;

  /// TwiML answered on `/twilio/voice...` and on `/twilio/connect-action`.
  void set_voice_twiml(std::string twiml);
  void set_action_twiml(std::string twiml);

  std::vector<hit> requests() const;
  /// Requests whose target starts with `prefix`, once `n` arrived (or the timeout).
  std::vector<hit> wait_for(const std::string& prefix, std::size_t n, ms timeout) const;

  /// Stream messages received so far (parsed JSON text frames), in order.
  std::vector<stream_message> messages() const;
  /// Waits until `n` messages with this `event` arrived.
  std::vector<stream_message> wait_for_event(const std::string& event, std::size_t n, ms timeout) const;
  std::size_t streams_accepted() const;
  /// Streams the peer closed (close frame or EOF).
  std::size_t streams_ended() const;
  /// Sends a text frame on the latest stream.
  void send(std::string text);
  /// Ends the latest stream from the engine's side (close frame, normal).
  void close_stream();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::uint16_t port_ = 0;
};

/// The stream's inbound audio (the callee's side), one mu-law buffer per `media` message.
std::vector<std::vector<std::uint8_t>> media_frames(const std::vector<fake_engine::stream_message>& msgs);

} // namespace ce::mocks::test
