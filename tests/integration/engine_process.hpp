// Runs the real engine binary for a test: a private copy of config/ with overrides, a free
// port, a work dir, and SIGTERM + wait on destruction.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <sys/types.h>

namespace ce::test {

class engine_process {
public:
  /// `overrides` is merged into config/engine.json (e.g. {"calls": {"max_concurrent_calls": 2}}).
  explicit engine_process(const nlohmann::json& overrides = nlohmann::json::object(),
                          std::map<std::string, std::string> env = {});
  ~engine_process();
  engine_process(const engine_process&) = delete;
  engine_process& operator=(const engine_process&) = delete;

  const std::string& url() const { return url_; }
  /// The engine's process id (for /proc readings), -1 once it ended.
  pid_t pid() const { return pid_; }
  /// SIGTERM; returns the exit status once the process ended (or -1 after timeout_ms).
  int terminate(int timeout_ms = 60000);
  bool running() const;
  std::string log() const;
  /// Value of a Prometheus sample (exact series text, e.g. `ce_calls_ended_total{reason="transfer"}`), or -1.
  double metric(const std::string& series) const;
  std::string metrics_text() const;
  /// The engine's own database.
  const std::string& database_url() const { return database_url_; }

private:
  pid_t pid_ = -1;
  std::string dir_;
  std::string url_;
  int port_ = 0;
  std::string database_url_;
};

int free_port();

} // namespace ce::test
