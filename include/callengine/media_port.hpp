// The contract between the two worlds: the network edge (src/net, asio threads) and the
// call actors (actors/, CAF threads). Neither side sees the other's types: the edge calls
// a `call_gateway`/`call_inbox` implemented by the actor side, and actors talk back through
// a `media_sink` implemented by the edge. Every method may be called from any thread and
// returns at once (it posts or sends a message); none blocks.
#pragma once

#include "callengine/audio.hpp"
#include "callengine/call.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ce {

/// Outbound side of one Twilio Media Stream. Implemented by the edge: audio is queued on
/// the connection's strand and paced to Twilio a bounded lead ahead of real-time playback.
class media_sink {
public:
  virtual ~media_sink() = default;
  /// Queue agent audio of `generation`. Audio of a generation older than the last `clear`
  /// is dropped.
  virtual void play(std::uint64_t generation, mulaw_buffer audio) = 0;
  /// Queue a Twilio mark after the audio queued so far.
  virtual void mark(std::uint64_t generation, std::string name) = 0;
  /// Barge-in: drop queued audio and marks below `new_generation`, send Twilio `clear`.
  virtual void clear(std::uint64_t new_generation) = 0;
  /// End the stream: flush nothing more, close the WebSocket (Twilio then runs the
  /// <Connect action> URL, which asks the gateway how the call ended).
  virtual void close(end_reason why) = 0;
};

/// Inbound side of one call: the edge pushes parsed Twilio events here, in wire order.
class call_inbox {
public:
  virtual ~call_inbox() = default;
  virtual void media(mulaw_buffer payload, std::uint64_t timestamp_ms) = 0;
  virtual void mark(std::string name) = 0;
  virtual void dtmf(char digit) = 0;
  /// Twilio sent `stop`.
  virtual void stopped() = 0;
  /// The socket closed (after `stop`, on error, or after `media_sink::close`).
  virtual void closed() = 0;
  /// The first audio frame of `generation` left for Twilio at `at`.
  virtual void playback_started(std::uint64_t generation, time_point at) = 0;
  /// Inbound frames dropped because the call could not keep up (bounded queue).
  virtual std::uint64_t dropped_frames() const = 0;
};

/// Process-wide entry points of the actor side, used by the edge.
class call_gateway {
public:
  virtual ~call_gateway() = default;
  /// Webhook admission (reserves a slot until the stream starts). `reply` runs once,
  /// on some CAF thread.
  virtual void admit(admission_request req, std::function<void(admission_decision)> reply) = 0;
  /// A stream with a valid token started. Returns the call's inbox, or nullptr when
  /// the engine cannot take it (the edge then closes the socket).
  virtual std::shared_ptr<call_inbox> open(stream_start start, std::shared_ptr<media_sink> sink) = 0;
  /// Twilio asks, after the stream closed, what to do next (<Connect action>).
  virtual void after_stream(std::string call_sid,
                            std::function<void(std::optional<end_reason>)> reply) = 0;
  /// Live calls first, then recently ended ones (bounded history).
  virtual void list_calls(std::function<void(std::vector<call_record>)> reply) = 0;
  virtual void find_call(std::string call_sid,
                         std::function<void(std::optional<call_record>)> reply) = 0;
  /// Operator fault injection: kill the child `role` of a live call. Replies false
  /// when the call or role is unknown.
  virtual void kill_child(std::string call_sid, std::string role,
                          std::function<void(bool)> reply) = 0;
  /// Stop admitting, let live calls finish until `deadline_ms`, then end the rest.
  /// `done` runs once no call is live.
  virtual void drain(std::int64_t deadline_ms, std::function<void()> done) = 0;
};

} // namespace ce
