// Process-wide metrics: counters, gauges and histograms with labels, updated lock-free
// from any thread and rendered as Prometheus text (version 0.0.4) or JSON.
//
// Registration (`counter(...)`, `gauge(...)`, `histogram(...)`) takes a mutex and returns
// a reference that stays valid for the registry's lifetime; hot paths keep the reference.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ce::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v);
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0};
};

struct histogram_snapshot {
  std::vector<double> bounds;           ///< upper bounds, ascending (+Inf implied)
  std::vector<std::uint64_t> counts;    ///< per bucket (not cumulative), size bounds+1
  std::uint64_t count = 0;
  double sum = 0;
  /// Quantile estimate by linear interpolation inside the bucket; NaN when empty.
  double quantile(double q) const;
};

class histogram {
public:
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  histogram_snapshot snapshot() const;

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

/// Bucket bounds in seconds suited to voice latencies (1 ms .. 10 s).
std::vector<double> latency_buckets();
/// Exponential bounds: start, start*factor, ... (n bounds).
std::vector<double> exponential_buckets(double start, double factor, int n);

class registry {
public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  counter& get_counter(const std::string& name, const std::string& help, const labels& l = {});
  gauge& get_gauge(const std::string& name, const std::string& help, const labels& l = {});
  histogram& get_histogram(const std::string& name, const std::string& help,
                           const std::vector<double>& bounds, const labels& l = {});
  /// A gauge computed at scrape time.
  void add_callback_gauge(const std::string& name, const std::string& help,
                          std::function<double()> fn, const labels& l = {});

  std::string render_prometheus() const;
  /// {"name{labels}": value, ...} plus histogram count/sum/p50/p95/p99, for the dashboard.
  std::string render_json() const;

private:
  enum class kind { counter, gauge, histogram };
  struct family;
  family& family_for(const std::string& name, const std::string& help, kind k);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<family>> families_;
};

/// The engine's registry. Components take a `registry&`; this is what main passes.
registry& default_registry();

/// Escapes a label value for the Prometheus text format.
std::string escape_label_value(const std::string& v);

} // namespace ce::metrics
