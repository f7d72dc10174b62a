// The engine's network edge: one Boost.Beast server on one port for Twilio webhooks
// (POST /twilio/voice, /twilio/after-stream), Twilio Media Streams (WS /twilio/media),
// health (/healthz, /readyz), metrics (/metrics, /metrics.json), call views (/calls,
// /calls/{sid}) and operator actions. Connections run on the engine's shards
// (runtime/shards.hpp): the listener hands each accepted socket to the shard with the
// fewest calls, and everything of that connection runs on that shard's thread. Beast stays
// out of this header.
#pragma once

#include "callengine/config.hpp"
#include "callengine/media_port.hpp"

#include <cstdint>
#include <memory>

namespace ce::metrics {
class registry;
}

namespace ce::runtime {
class shard_pool;
}

namespace ce::net {

class server {
public:
  /// `shards` must be started before start() and outlive the server.
  server(const engine_config& cfg, call_gateway& gateway, metrics::registry& metrics, runtime::shard_pool& shards);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting. Returns false (and logs why) when the port cannot be
  /// bound.
  bool start();
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Stop admitting calls: /readyz answers 503, webhooks answer a polite refusal.
  void begin_drain();
  /// Closes the listener (connections end with their shards).
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace ce::net
