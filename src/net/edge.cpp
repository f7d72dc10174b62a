#include "net/edge.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>

namespace ce::net {

edge_metrics::edge_metrics(metrics::registry& r)
  : registry(r),
    webhooks_accepted(r.get_counter("ce_webhooks_total", "Twilio webhooks by outcome",
                                    {{"outcome", "accepted"}})),
    webhooks_forged(r.get_counter("ce_webhooks_total", "Twilio webhooks by outcome",
                                  {{"outcome", "forged"}})),
    webhooks_bad_request(r.get_counter("ce_webhooks_total", "Twilio webhooks by outcome",
                                       {{"outcome", "bad_request"}})),
    streams_opened(r.get_counter("ce_media_streams_total", "Media Streams by outcome",
                                 {{"outcome", "opened"}})),
    streams_rejected(r.get_counter("ce_media_streams_total", "Media Streams by outcome",
                                   {{"outcome", "rejected"}})),
    frames_in(r.get_counter("ce_media_frames_in_total", "Media Streams messages received")),
    frames_malformed(r.get_counter("ce_media_frames_malformed_total",
                                   "Malformed or out-of-order Media Streams messages")),
    frames_out(r.get_counter("ce_media_frames_out_total", "Media Streams messages sent")),
    outbound_dropped(r.get_counter("ce_media_outbound_dropped_total",
                                   "Outbound audio chunks dropped because the per-call queue was full")),
    http_requests(r.get_counter("ce_http_requests_total", "HTTP requests served")),
    ws_connections(r.get_gauge("ce_ws_connections", "Open Media Streams WebSockets")),
    frame_handling_seconds(r.get_histogram("ce_media_frame_handling_seconds",
                                           "Edge time to parse and hand over one inbound message (one message in 16 is timed)",
                                           metrics::exponential_buckets(1e-6, 2, 16))) {}

namespace {

std::string random_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("cannot draw random bytes for the stream token secret");
  std::string hex;
  char buf[3];
  for (auto b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

} // namespace

edge_context::edge_context(const engine_config& c, call_gateway& g, metrics::registry& r)
  : cfg(c), gateway(g), m(r),
    token_secret(c.twilio.stream_token_secret.empty() ? random_secret() : c.twilio.stream_token_secret),
    log(log::get("net")) {}

} // namespace ce::net
