// The engine's network edge: one Boost.Beast server on one port for Twilio webhooks
// (POST /twilio/voice, /twilio/after-stream), Twilio Media Streams (WS /twilio/media),
// health (/healthz, /readyz), metrics (/metrics, /metrics.json), call views (/calls,
// /calls/{sid}) and operator actions. Runs its own io_context threads; every connection
// lives on its own strand. Beast stays out of this header.
#pragma once

#include "callengine/config.hpp"
#include "callengine/media_port.hpp"

#include <cstdint>
#include <memory>

namespace ce::metrics {
class registry;
}

namespace boost::asio {
class io_context;
}

namespace ce::net {

class server {
public:
  /// `shared_io`: an io_context owned elsewhere (the provider clients') that the server's
  /// threads run instead of their own, so one pool of threads serves every socket; it
  /// must outlive the server. nullptr: the server has its own.
  server(const engine_config& cfg, call_gateway& gateway, metrics::registry& metrics,
         boost::asio::io_context* shared_io = nullptr);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts the io threads. Returns false (and logs why) when the port cannot
  /// be bound.
  bool start();
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Stop admitting calls: /readyz answers 503, webhooks answer a polite refusal.
  void begin_drain();
  /// Close the listener and every connection, join the io threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace ce::net
