// The `callengine seed` and `callengine migrate` entry points: arguments, connection, exit
// status and the lines an operator reads.
#include "store/migrations.hpp"
#include "store/seed.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>

namespace ce::store {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

result<seed_options> parse_seed_args(const std::vector<std::string>& args) {
  seed_options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--reset") {
      o.reset = true;
      continue;
    }
    if (i + 1 >= args.size()) return make_error(store_errc::invalid, "seed: " + a + " needs a value (or is unknown)");
    const auto& v = args[++i];
    if (a == "--migrations") {
      o.migrations_dir = v;
      continue;
    }
    long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || p != v.data() + v.size() || n < 0 || n > 10'000'000)
      return make_error(store_errc::invalid, "seed: " + a + " expects a number, got '" + v + "'");
    if (a == "--seed") o.seed = static_cast<std::uint64_t>(n);
    else if (a == "--customers") o.customers = static_cast<int>(n);
    else if (a == "--vehicles") o.vehicles = static_cast<int>(n);
    else if (a == "--appointments") o.appointments = static_cast<int>(n);
    else return make_error(store_errc::invalid, "seed: unknown argument " + a);
  }
  return o;
}

std::string effective_database_url(const store_config& config) {
  return config.database_url.empty() ? "postgresql://postgres@127.0.0.1:55432/callengine" : config.database_url;
}

std::string effective_redis_url(const store_config& config) {
  return config.redis_url.empty() ? "redis://127.0.0.1:56379/0" : config.redis_url;
}

int seed_command(const store_config& config, const dealership_facts& facts, const seed_options& options,
                 std::ostream& progress) {
  pg_options po;
  po.url = effective_database_url(config);
  po.statement_timeout_ms = 120000;
  po.application_name = "callengine-seed";
  pg_connection conn{po};
  auto t0 = std::chrono::steady_clock::now();
  auto m = migrate(conn, std::filesystem::path{options.migrations_dir});
  if (!m) {
    progress << "seed: migrations failed: " << m.error().message << "\n";
    return 1;
  }
  progress << "seed: seeding (seed " << options.seed << (options.reset ? ", reset" : "") << ")\n";
  auto r = seed_database(conn, facts, options, progress);
  if (!r) {
    progress << "seed: failed (" << to_string(r.error().code) << "): " << r.error().message << "\n";
    return 1;
  }
  if (!r->skipped) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "seed: %d customers, %d vehicles, %d appointments, %d service records in %.2f s (%.2f s with migrations)\n",
                  r->customers, r->vehicles, r->appointments, r->service_history, r->seconds, seconds_since(t0));
    progress << line;
  }
  return 0;
}

int migrate_command(const store_config& config, const std::string& migrations_dir, std::ostream& out) {
  pg_options po;
  po.url = effective_database_url(config);
  po.statement_timeout_ms = 60000;
  po.application_name = "callengine-migrate";
  pg_connection conn{po};
  auto m = migrate(conn, std::filesystem::path{migrations_dir});
  if (!m) {
    out << "migrate: failed (" << to_string(m.error().code) << "): " << m.error().message << "\n";
    return 1;
  }
  for (const auto& f : m->applied) out << "migrate: applied " << f << "\n";
  out << "migrate: " << m->applied.size() << " applied, " << m->already_applied.size() << " already applied\n";
  return 0;
}

} // namespace ce::store
