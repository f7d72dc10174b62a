// Assembles the process-wide actors (call_registry, the embedded providers' shared
// workers) and the gateway the network edge talks to; shuts them down in order.
#pragma once

#include "actors/services.hpp"
#include "callengine/media_port.hpp"

#include <caf/all.hpp>

#include <memory>
#include <string>

namespace ce::metrics {
class registry;
}
namespace ce::runtime {
class shard;
}

namespace ce::actors {

class amd_relay;

class engine {
public:
  /// Starts the shared actors. Returns nullptr and sets `error` when a provider cannot
  /// start (e.g. pocketsphinx models missing). `rest_shard`: where the reminder
  /// scheduler's Twilio REST client lives (null: no outbound calls are placed).
  static std::unique_ptr<engine> start(caf::actor_system& sys, std::shared_ptr<const engine_config> cfg,
                                       ce::metrics::registry& metrics, const std::string& work_dir, std::string& error,
                                       runtime::shard* rest_shard = nullptr);
  ~engine();

  call_gateway& gateway() { return *gateway_; }
  const engine_services& services() const { return services_; }
  /// Waits up to `deadline` for queued call logs to reach PostgreSQL; false when some
  /// are still waiting (they are logged as lost).
  bool flush_call_logs(caf::actor_system& sys, std::chrono::milliseconds deadline);
  /// Ends the process-wide actors (after the calls have drained).
  void stop();

private:
  engine() = default;
  engine_services services_;
  std::shared_ptr<amd_relay> amd_relay_;  ///< AMD verdicts between nodes (null when reminders are off)
  std::unique_ptr<call_gateway> gateway_;
};

} // namespace ce::actors
