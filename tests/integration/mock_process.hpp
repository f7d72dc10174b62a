// Runs the mock cloud providers (build/bench/mock_providers) as a separate process for an
// integration test: free ports, a scenario file, the base URLs it prints, its control API
// (/__mock/...), and SIGTERM + wait on destruction. `kill()` ends it abruptly (a provider
// that goes away mid-call).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>
#include <sys/types.h>

namespace ce::test {

struct mock_reply {
  int status = 0;      ///< 0 when no HTTP answer came (see error)
  std::string body;
  std::string error;
  /// The body as JSON (discarded value when it is not JSON).
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

/// One blocking HTTP/1.1 request to `url` (http://host:port/path, loopback tests only).
mock_reply mock_http(const std::string& method, const std::string& url, const std::string& body = {},
                     int timeout_ms = 5000);

class mock_process {
public:
  /// `config` is the scenario (schema in bench/mocks/mock_config.hpp); `extra_args` are
  /// passed through (e.g. {"--threads", "2"}).
  explicit mock_process(const nlohmann::json& config = nlohmann::json::object(),
                        std::vector<std::string> extra_args = {});
  ~mock_process();
  mock_process(const mock_process&) = delete;
  mock_process& operator=(const mock_process&) = delete;

  /// A line it printed, e.g. value("DEEPGRAM_BASE_URL"); empty when absent.
  std::string value(const std::string& name) const;
  const std::map<std::string, std::string>& values() const { return values_; }
  std::string deepgram_base_url() const { return value("DEEPGRAM_BASE_URL"); }
  std::string openai_base_url() const { return value("OPENAI_BASE_URL"); }
  std::string control_url() const { return value("MOCK_CONTROL_URL"); }

  /// Control API, `path` below /__mock (e.g. "/stats").
  mock_reply control_get(const std::string& path) const;
  mock_reply control_post(const std::string& path, const nlohmann::json& body = nlohmann::json::object()) const;
  /// Merge patch of the running configuration; throws on a 4xx/5xx answer.
  void patch_config(const nlohmann::json& patch) const;
  /// Drops the live connections of "stt", "tts", "openai" or "all"; returns how many.
  int disconnect(const std::string& service) const;
  /// Log entries of a service, optionally of one event (exact, or a prefix ending in '.').
  std::vector<nlohmann::json> log(const std::string& service, const std::string& event = {}) const;
  /// Waits until at least `count` entries match; returns them (fewer after the timeout).
  std::vector<nlohmann::json> wait_for_log(const std::string& service, const std::string& event,
                                           std::size_t count, int timeout_ms) const;

  bool running() const;
  /// SIGKILL now and reap (the provider vanishes: connections reset, port closed).
  void kill();
  /// SIGTERM, wait; returns the exit status (or -1 after timeout_ms).
  int terminate(int timeout_ms = 10000);
  /// What it wrote on stderr and stdout.
  std::string output() const;

private:
  pid_t pid_ = -1;
  std::string dir_;
  std::map<std::string, std::string> values_;
};

} // namespace ce::test
