#include "metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

using namespace ce::metrics;

TEST_CASE("counters, gauges and histograms render as Prometheus text with HELP and TYPE", "[metrics]") {
  registry r;
  r.get_counter("calls_total", "Calls", {{"reason", "transfer"}}).inc(3);
  r.get_gauge("active", "Active calls").set(2);
  auto& h = r.get_histogram("latency_seconds", "Latency", {0.1, 0.5, 1.0});
  h.observe(0.05);
  h.observe(0.3);
  h.observe(2.0);
  r.add_callback_gauge("answer", "Computed at scrape", [] { return 42.0; });
  auto text = r.render_prometheus();
  CHECK(text.find("# HELP calls_total Calls\n# TYPE calls_total counter\ncalls_total{reason=\"transfer\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE active gauge\nactive 2\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"0.1\"} 1\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"0.5\"} 2\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"1\"} 2\n") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("latency_seconds_count 3\n") != std::string::npos);
  CHECK(text.find("latency_seconds_sum 2.35\n") != std::string::npos);
  CHECK(text.find("answer 42\n") != std::string::npos);
}

TEST_CASE("label values are escaped and the same labels give the same series", "[metrics]") {
  registry r;
  auto& a = r.get_counter("x_total", "X", {{"who", "a\"b\\c\nd"}});
  auto& b = r.get_counter("x_total", "X", {{"who", "a\"b\\c\nd"}});
  CHECK(&a == &b);
  a.inc();
  CHECK(r.render_prometheus().find(R"(x_total{who="a\"b\\c\nd"} 1)") != std::string::npos);
  CHECK_THROWS(r.get_gauge("x_total", "X"));  // one name, one type
}

TEST_CASE("histogram quantiles interpolate inside the bucket", "[metrics]") {
  histogram h{{0.1, 0.2, 0.4}};
  for (int i = 0; i < 50; ++i) h.observe(0.05);
  for (int i = 0; i < 50; ++i) h.observe(0.15);
  auto s = h.snapshot();
  CHECK(s.count == 100);
  CHECK(s.quantile(0.5) == Approx(0.1));
  CHECK(s.quantile(0.75) == Approx(0.15));
  CHECK(std::isnan(histogram{{1.0}}.snapshot().quantile(0.5)));
}

TEST_CASE("concurrent updates are not lost", "[metrics]") {
  registry r;
  auto& c = r.get_counter("n_total", "N");
  auto& h = r.get_histogram("h", "H", {1.0});
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
        h.observe(0.5);
      }
    });
  for (auto& t : ts) t.join();
  CHECK(c.value() == 40000);
  CHECK(h.snapshot().count == 40000);
  CHECK(h.snapshot().sum == Approx(20000.0));
}
