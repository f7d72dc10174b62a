// Private to src/net: what every connection of the edge shares.
#pragma once

#include "callengine/config.hpp"
#include "callengine/media_port.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "runtime/shards.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace ce::net {

struct edge_metrics {
  explicit edge_metrics(metrics::registry& r);
  metrics::registry& registry;
  metrics::counter& webhooks_accepted;
  metrics::counter& webhooks_forged;
  metrics::counter& webhooks_bad_request;
  metrics::counter& streams_opened;
  metrics::counter& streams_rejected;
  metrics::counter& frames_in;
  metrics::counter& frames_malformed;
  metrics::counter& frames_out;
  metrics::counter& outbound_dropped;
  metrics::counter& http_requests;
  metrics::gauge& ws_connections;
  metrics::histogram& frame_handling_seconds;
};

struct edge_context {
  edge_context(const engine_config& c, call_gateway& g, metrics::registry& r);
  const engine_config& cfg;
  call_gateway& gateway;
  edge_metrics m;
  std::string token_secret;
  std::atomic<bool> draining{false};
  std::shared_ptr<spdlog::logger> log;
  bool dev_mode() const { return cfg.twilio.auth_token.empty(); }
};

} // namespace ce::net
