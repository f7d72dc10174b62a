// store_bench: seed time and customer lookup latency, uncached (PostgreSQL) and cached
// (Redis `customer:{phone}`), against running servers.
//
//   DATABASE_URL=... REDIS_URL=... store_bench [--lookups N] [--seed N] [--config DIR] [--in-place]
//
// Without --in-place it works in a database `callengine_bench` next to the one DATABASE_URL
// names (created when missing), so the dev data is left alone. Redis keys it writes are
// deleted at the end. Defaults: the project's own servers (scripts/services.sh).
#include "common/config_loader.hpp"
#include "store/cache.hpp"
#include "store/dealership_store.hpp"
#include "store/migrations.hpp"
#include "store/seed.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <sys/utsname.h>
#include <vector>

using namespace ce::store;
using clock_type = std::chrono::steady_clock;

namespace {

struct bench_args {
  int lookups = 5000;
  std::uint64_t seed = seed_options{}.seed;
  std::string config_dir = CE_SOURCE_DIR "/config";
  bool in_place = false;
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string with_database(const std::string& url, const std::string& db) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  auto query = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  return base + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

std::string first_line_of(const char* cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd, "r")) {
    char buf[256];
    if (std::fgets(buf, sizeof buf, p)) out = buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown cpu";
}

void print_machine() {
  utsname u{};
  ::uname(&u);
  auto now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
  auto commit = first_line_of("git -C " CE_SOURCE_DIR " rev-parse --short HEAD 2>/dev/null");
  std::printf("machine: %s %s, %s, %ld cores\n", u.sysname, u.release, cpu_model().c_str(), ::sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream loadavg("/proc/loadavg");
  std::string load;
  std::getline(loadavg, load);
  std::printf("date:    %s\ncommit:  %s\nload:    %s (other work on this machine skews the tail)\n", date,
              commit.empty() ? "unknown" : commit.c_str(), load.c_str());
}

struct stats {
  double p50, p95, p99, mean, max;
};

stats summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  double sum = 0;
  for (double v : us) sum += v;
  return {at(0.50), at(0.95), at(0.99), sum / static_cast<double>(us.size()), us.back()};
}

void print_stats(const char* what, std::size_t n, const stats& s) {
  std::printf("%-34s n=%zu  p50 %7.3f ms  p95 %7.3f ms  p99 %7.3f ms  mean %7.3f ms  max %7.3f ms\n", what, n,
              s.p50 / 1000, s.p95 / 1000, s.p99 / 1000, s.mean / 1000, s.max / 1000);
}

double micros_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

int fail(const std::string& what, const store_error& e) {
  std::fprintf(stderr, "store_bench: %s: %s (%s)\n", what.c_str(), e.message.c_str(), std::string{to_string(e.code)}.c_str());
  return 1;
}

bool parse_args(int argc, char** argv, bench_args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--lookups") a.lookups = std::atoi(value().c_str());
    else if (arg == "--seed") a.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--config") a.config_dir = value();
    else if (arg == "--in-place") a.in_place = true;
    else return false;
  }
  return a.lookups > 0;
}

} // namespace

int main(int argc, char** argv) {
  bench_args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr, "usage: store_bench [--lookups N] [--seed N] [--config DIR] [--in-place]\n");
    return 2;
  }
  auto loaded = ce::load_config(args.config_dir + "/engine.json", {});
  if (!loaded.config) {
    std::fprintf(stderr, "store_bench: config: %s\n", loaded.error.c_str());
    return 78;
  }
  auto cfg = *loaded.config;
  cfg.store.database_url = env("DATABASE_URL");
  cfg.store.redis_url = env("REDIS_URL");
  std::string db_url = effective_database_url(cfg.store);
  print_machine();

  if (!args.in_place) {
    pg_options admin_opts;
    admin_opts.url = db_url;
    pg_connection admin{admin_opts};
    auto exists = admin.exec("SELECT 1 FROM pg_database WHERE datname = 'callengine_bench'");
    if (!exists) return fail("connecting to " + db_url, exists.error());
    if (exists->empty())
      if (auto c = admin.exec("CREATE DATABASE callengine_bench"); !c)
        return fail("creating database callengine_bench (or use --in-place)", c.error());
    db_url = with_database(db_url, "callengine_bench");
  }
  std::printf("database: %s\nredis:    %s\n\n", db_url.c_str(), effective_redis_url(cfg.store).c_str());

  pg_options po;
  po.url = db_url;
  po.statement_timeout_ms = 120000;
  pg_connection setup{po};
  if (auto m = migrate(setup, std::filesystem::path{args.config_dir} / "migrations"); !m) return fail("migrate", m.error());
  seed_options so;
  so.seed = args.seed;
  so.reset = true;
  std::printf("seed:\n");
  auto seeded = seed_database(setup, cfg.dealership, so, std::cout);
  if (!seeded) return fail("seed", seeded.error());
  std::printf("seed time: %.2f s for %d customers, %d vehicles, %d appointments, %d service records (goal < 10 s)\n\n",
              seeded->seconds, seeded->customers, seeded->vehicles, seeded->appointments, seeded->service_history);

  auto phones_rows = setup.exec("SELECT phone FROM customers ORDER BY id");
  if (!phones_rows) return fail("phones", phones_rows.error());
  std::vector<std::string> phones;
  for (int i = 0; i < phones_rows->size(); ++i) phones.emplace_back((*phones_rows)[i].text(0));
  std::mt19937_64 rng{args.seed};
  std::vector<std::string> sample;
  for (int i = 0; i < args.lookups; ++i) sample.push_back(phones[rng() % phones.size()]);

  po.statement_timeout_ms = 5000;
  auto store = dealership_store::create(po, cfg.dealership);
  if (!store) return fail("store", store.error());
  redis_options ro;
  ro.url = effective_redis_url(cfg.store);
  redis_connection redis{ro};
  customer_cache cache{redis, cfg.store.customer_cache_ttl_s};
  for (const auto& p : sample) (void) cache.invalidate(p);
  // Warm-up: connections, plans, the server's buffers.
  for (int i = 0; i < 200; ++i) {
    if (auto c = store->find_customer_by_phone(sample[static_cast<std::size_t>(i) % sample.size()]); !c)
      return fail("lookup", c.error());
    if (auto r = redis.ping(); !r) return fail("redis", r.error());
  }

  std::vector<double> uncached, cached, cache_aside;
  uncached.reserve(sample.size());
  for (const auto& p : sample) {
    auto t0 = clock_type::now();
    auto c = store->find_customer_by_phone(p);
    uncached.push_back(micros_since(t0));
    if (!c) return fail("uncached lookup", c.error());
  }
  // Cache-aside as the tools will do it: GET, on a miss read PostgreSQL and SETEX.
  for (const auto& p : sample) {
    auto t0 = clock_type::now();
    auto hit = cache.get(p);
    if (!hit) return fail("cache get", hit.error());
    if (!*hit) {
      auto c = store->find_customer_by_phone(p);
      if (!c) return fail("lookup", c.error());
      if (auto put = cache.put(*c); !put) return fail("cache put", put.error());
    }
    cache_aside.push_back(micros_since(t0));
  }
  auto misses_before = cache.misses();
  for (const auto& p : sample) {
    auto t0 = clock_type::now();
    auto hit = cache.get(p);
    cached.push_back(micros_since(t0));
    if (!hit || !*hit) return fail("cached lookup", hit ? make_error(store_errc::not_found, "miss") : hit.error());
  }
  std::printf("customer lookup by phone (%d random seeded phones, one connection each, same host):\n", args.lookups);
  auto u = summarize(uncached);
  auto c = summarize(cached);
  print_stats("uncached (PostgreSQL)", uncached.size(), u);
  print_stats("cached (Redis customer:{phone})", cached.size(), c);
  print_stats("cache-aside first pass (mixed)", cache_aside.size(), summarize(cache_aside));
  std::printf("cache: %lld hits, %lld misses (%lld misses in the cached pass)\n",
              static_cast<long long>(cache.hits()), static_cast<long long>(cache.misses()),
              static_cast<long long>(cache.misses() - misses_before));
  std::printf("goals: seed < 10 s: %s; cached p99 < 1 ms: %s; uncached p99 < 5 ms: %s\n",
              seeded->seconds < 10 ? "met" : "MISSED", c.p99 < 1000 ? "met" : "MISSED",
              u.p99 < 5000 ? "met" : "MISSED");
  for (const auto& p : sample) (void) cache.invalidate(p);
  return 0;
}
