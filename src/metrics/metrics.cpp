#include "metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace ce::metrics {

void gauge::add(double v) {
  auto cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {}
}

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void histogram::observe(double v) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  auto idx = static_cast<std::size_t>(it - bounds_.begin());
  buckets_[idx].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  auto cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {}
}

histogram_snapshot histogram::snapshot() const {
  histogram_snapshot s;
  s.bounds = bounds_;
  s.counts.resize(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    s.counts[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count += s.counts[i];
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

double histogram_snapshot::quantile(double q) const {
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  auto rank = q * static_cast<double>(count);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    if (static_cast<double>(seen + counts[i]) >= rank) {
      double lo = i == 0 ? 0.0 : bounds[i - 1];
      if (i == bounds.size()) return lo;  // +Inf bucket: report its lower edge
      double hi = bounds[i];
      double frac = (rank - static_cast<double>(seen)) / static_cast<double>(counts[i]);
      return lo + (hi - lo) * std::clamp(frac, 0.0, 1.0);
    }
    seen += counts[i];
  }
  return bounds.empty() ? 0.0 : bounds.back();
}

std::vector<double> exponential_buckets(double start, double factor, int n) {
  std::vector<double> b;
  double v = start;
  for (int i = 0; i < n; ++i, v *= factor) b.push_back(v);
  return b;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
          0.6, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0};
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

std::string label_key(const labels& l) {
  std::string s;
  for (const auto& [k, v] : l) {
    if (!s.empty()) s += ',';
    s += k + "=\"" + escape_label_value(v) + "\"";
  }
  return s;
}

std::string with_extra(const std::string& key, const std::string& extra) {
  if (key.empty()) return "{" + extra + "}";
  return "{" + key + "," + extra + "}";
}

std::string braces(const std::string& key) { return key.empty() ? std::string{} : "{" + key + "}"; }

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream o;
  o.precision(12);
  o << v;
  return o.str();
}

} // namespace

struct registry::family {
  std::string name;
  std::string help;
  kind k;
  // keyed by rendered label set; std::map keeps the output stable
  std::map<std::string, std::unique_ptr<counter>> counters;
  std::map<std::string, std::unique_ptr<gauge>> gauges;
  std::map<std::string, std::unique_ptr<histogram>> histograms;
  std::map<std::string, std::function<double()>> callbacks;
};

registry::registry() = default;
registry::~registry() = default;

registry::family& registry::family_for(const std::string& name, const std::string& help, kind k) {
  auto& f = families_[name];
  if (!f) {
    f = std::make_unique<family>();
    f->name = name;
    f->help = help;
    f->k = k;
  } else if (f->k != k) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return *f;
}

counter& registry::get_counter(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = family_for(name, help, kind::counter).counters[label_key(l)];
  if (!slot) slot = std::make_unique<counter>();
  return *slot;
}

gauge& registry::get_gauge(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = family_for(name, help, kind::gauge).gauges[label_key(l)];
  if (!slot) slot = std::make_unique<gauge>();
  return *slot;
}

histogram& registry::get_histogram(const std::string& name, const std::string& help,
                                   const std::vector<double>& bounds, const labels& l) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = family_for(name, help, kind::histogram).histograms[label_key(l)];
  if (!slot) slot = std::make_unique<histogram>(bounds);
  return *slot;
}

void registry::add_callback_gauge(const std::string& name, const std::string& help,
                                  std::function<double()> fn, const labels& l) {
  std::lock_guard<std::mutex> guard{mutex_};
  family_for(name, help, kind::gauge).callbacks[label_key(l)] = std::move(fn);
}

std::string registry::render_prometheus() const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::ostringstream o;
  for (const auto& [name, f] : families_) {
    static constexpr const char* type_names[] = {"counter", "gauge", "histogram"};
    o << "# HELP " << name << ' ' << f->help << '\n';
    o << "# TYPE " << name << ' ' << type_names[static_cast<int>(f->k)] << '\n';
    for (const auto& [key, c] : f->counters) o << name << braces(key) << ' ' << c->value() << '\n';
    for (const auto& [key, g] : f->gauges)
      o << name << braces(key) << ' ' << format_number(g->value()) << '\n';
    for (const auto& [key, fn] : f->callbacks)
      o << name << braces(key) << ' ' << format_number(fn()) << '\n';
    for (const auto& [key, h] : f->histograms) {
      auto s = h->snapshot();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < s.bounds.size(); ++i) {
        cumulative += s.counts[i];
        o << name << "_bucket" << with_extra(key, "le=\"" + format_number(s.bounds[i]) + "\"") << ' '
          << cumulative << '\n';
      }
      o << name << "_bucket" << with_extra(key, "le=\"+Inf\"") << ' ' << s.count << '\n';
      o << name << "_sum" << braces(key) << ' ' << format_number(s.sum) << '\n';
      o << name << "_count" << braces(key) << ' ' << s.count << '\n';
    }
  }
  return o.str();
}

std::string registry::render_json() const {
  std::lock_guard<std::mutex> guard{mutex_};
  nlohmann::json out = nlohmann::json::object();
  auto finite = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  for (const auto& [name, f] : families_) {
    for (const auto& [key, c] : f->counters) out[name + braces(key)] = c->value();
    for (const auto& [key, g] : f->gauges) out[name + braces(key)] = finite(g->value());
    for (const auto& [key, fn] : f->callbacks) out[name + braces(key)] = finite(fn());
    for (const auto& [key, h] : f->histograms) {
      auto s = h->snapshot();
      out[name + braces(key)] = {{"count", s.count}, {"sum", s.sum}, {"p50", finite(s.quantile(0.5))},
                                 {"p95", finite(s.quantile(0.95))}, {"p99", finite(s.quantile(0.99))}};
    }
  }
  return out.dump();
}

registry& default_registry() {
  static registry r;
  return r;
}

} // namespace ce::metrics
