// amd_relay: Twilio's answering-machine verdicts reach the node that holds the call.
//
// With several engine nodes behind a load balancer, the AsyncAmdStatusCallback for a call
// may land on another node than the one whose WebSocket carries its stream. Each node
// publishes the verdicts it receives on a Redis channel and subscribes to it; a verdict
// from another node goes to this node's call_registry, which hands it to the call's
// session (or keeps it for a stream that has not started yet). The receiving node also
// delivers locally at once, so one node needs no Redis round trip and loses nothing when
// Redis is down.
//
// Not an actor: one thread of its own (blocking hiredis on two connections, poll() with a
// wake-up eventfd), off the schedulers and I/O threads. publish() may be called from any
// thread and never blocks: the queue is bounded (overflow is counted and dropped, the
// local delivery still happened).
#pragma once

#include <caf/actor.hpp>

#include <memory>
#include <string>

namespace ce::metrics {
class registry;
}

namespace ce::actors {

struct amd_relay_options {
  std::string redis_url;
  std::string channel = "ce:amd";
  std::string node;  ///< this process (host:pid); its own messages are not delivered twice
  std::size_t queue_limit = 1024;
};

class amd_relay {
public:
  amd_relay(amd_relay_options options, caf::actor registry, ce::metrics::registry& metrics);
  ~amd_relay();  ///< stops and joins the thread
  amd_relay(const amd_relay&) = delete;
  amd_relay& operator=(const amd_relay&) = delete;

  /// Tells the other nodes (never blocks).
  void publish(const std::string& call_sid, const std::string& answered_by);
  /// True while the subscription is up (for tests and readiness).
  bool subscribed() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

/// The message on the channel: "node\ncall_sid\nanswered_by". Parsing rejects anything
/// else (false).
std::string format_amd_message(const std::string& node, const std::string& call_sid, const std::string& answered_by);
bool parse_amd_message(const std::string& text, std::string& node, std::string& call_sid, std::string& answered_by);

} // namespace ce::actors
