// What the stt and tts actors share when their provider is Deepgram: the client options
// built from the configuration (deepgram_config), the provider metrics (errors by kind,
// failovers to the embedded default), and a close that lets a client finish its goodbye
// (CloseStream / Close) after its actor is gone.
//
// Private to actors/ (included by stt.cpp and tts.cpp only); no CAF or Beast here.
#pragma once

#include "callengine/config.hpp"
#include "providers/deepgram/live_stt_client.hpp"
#include "providers/deepgram/tts_rest_client.hpp"
#include "providers/deepgram/tts_stream_client.hpp"
#include "providers/http/provider_error.hpp"

#include <memory>
#include <string>

namespace ce::metrics {
class registry;
}

namespace ce::actors {

deepgram::live_stt_options deepgram_stt_options(const engine_config& cfg, const std::string& call_sid);
deepgram::tts_stream_options deepgram_tts_stream_options(const engine_config& cfg, const std::string& call_sid);
deepgram::tts_rest_options deepgram_tts_rest_options(const engine_config& cfg, const std::string& call_sid);

/// Counters of one role's cloud provider: `ce_provider_errors_total{role,provider,kind}`
/// and `ce_provider_failovers_total{role,provider}` (registered at zero on creation).
class provider_counters {
public:
  provider_counters(ce::metrics::registry& r, std::string role, std::string provider);
  void error(const http::provider_error& e);
  void failover();

private:
  ce::metrics::registry* registry_;
  std::string role_;
  std::string provider_;
};

/// Whether a role gives up on its provider for the rest of the call: a permanent error,
/// or the `max_failures`-th failure.
inline bool should_fail_over(const http::provider_error& e, int failures, int max_failures) {
  return e.is_permanent() || failures >= max_failures;
}

/// A client that may outlive its actor: the actor's state holds `client`; at the call's end
/// the state moves it into `*lingering` and calls close(), and the client's on_closed
/// callback (which captured `lingering`) resets it (allowed inside its own callback).
template <class Client>
struct lingering_client {
  std::unique_ptr<Client> client;
  std::shared_ptr<std::shared_ptr<Client>> lingering = std::make_shared<std::shared_ptr<Client>>();

  /// Graceful end: close() and keep the client until on_closed.
  void close_and_linger() {
    if (!client) return;
    auto* raw = client.get();
    *lingering = std::shared_ptr<Client>(std::move(client));
    raw->close();
  }
};

} // namespace ce::actors
