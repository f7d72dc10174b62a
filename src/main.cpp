// callengine: wiring only. Parse arguments and configuration, start the actor system and
// the engine's actors, start the network edge, wait for SIGINT/SIGTERM, then shut down in
// order: stop admitting, drain live calls (up to calls.drain_deadline_s), stop the edge,
// stop the actors.
#include "actors/engine.hpp"
#include "common/config_loader.hpp"
#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "net/server.hpp"
#include "runtime/shards.hpp"
#include "store/seed.hpp"

#include <caf/all.hpp>

#include <csignal>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <vector>

extern char** environ;

namespace {

struct options {
  std::string command = "serve";  ///< serve | migrate | seed
  std::vector<std::string> command_args;
  std::string config_path = "config/engine.json";
  std::string work_dir = "var";
  std::string port_file;
  bool check_only = false;
};

void usage() {
  std::cout << "usage: callengine [serve] [--config FILE] [--work-dir DIR] [--port-file FILE] [--check-config]\n"
               "       callengine migrate [--config FILE]       apply the SQL migrations (config/migrations)\n"
               "       callengine seed [--config FILE] [--reset] [--seed N] [--customers N] [--vehicles N]\n"
               "                       [--appointments N]      load deterministic demo data with COPY\n"
               "  --config FILE     engine configuration (default config/engine.json)\n"
               "  --work-dir DIR    where generated files go (default var/)\n"
               "  --port-file FILE  write the bound port here once the engine is ready\n"
               "  --check-config    validate the configuration and exit\n"
               "environment:\n";
  for (const auto& [k, v] : ce::environment_settings()) std::cout << "  " << k << "  " << v << "\n";
}

bool parse_args(int argc, char** argv, options& o) {
  int first = 1;
  if (argc > 1 && argv[1][0] != '-') {
    o.command = argv[1];
    first = 2;
    if (o.command != "serve" && o.command != "migrate" && o.command != "seed") {
      std::cerr << "callengine: unknown command '" << o.command << "' (serve, migrate, seed)\n";
      return false;
    }
  }
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--config" && next(o.config_path)) continue;
    if (a == "--work-dir" && next(o.work_dir)) continue;
    if (a == "--port-file" && next(o.port_file)) continue;
    if (a == "--check-config") {
      o.check_only = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      usage();
      std::exit(0);
    }
    if (o.command == "seed") {  // the seed's own options
      o.command_args.push_back(a);
      continue;
    }
    std::cerr << "callengine: unknown or incomplete argument '" << a << "'\n";
    return false;
  }
  return true;
}

ce::environment process_environment() {
  ce::environment env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env.emplace(std::string(static_cast<const char*>(*e), eq), std::string(eq + 1));
  }
  return env;
}

} // namespace

int main(int argc, char** argv) {
  options opts;
  if (!parse_args(argc, argv, opts)) return 64;
  auto loaded = ce::load_config(opts.config_path, process_environment());
  if (!loaded.config) {
    std::cerr << "callengine: invalid configuration: " << loaded.error << "\n";
    return 78;
  }
  auto cfg = std::make_shared<const ce::engine_config>(std::move(*loaded.config));
  if (opts.check_only) {
    std::cout << "configuration OK\n";
    return 0;
  }
  auto migrations_dir = cfg->config_dir + "/migrations";
  if (opts.command == "migrate") return ce::store::migrate_command(cfg->store, migrations_dir, std::cout);
  if (opts.command == "seed") {
    auto seed_opts = ce::store::parse_seed_args(opts.command_args);
    if (!seed_opts.ok()) {
      std::cerr << "callengine seed: " << seed_opts.error().message << "\n";
      return 64;
    }
    seed_opts->migrations_dir = migrations_dir;
    return ce::store::seed_command(cfg->store, cfg->dealership, *seed_opts, std::cout);
  }
  ce::log::init(cfg->log_level);
  auto log = ce::log::get("engine");

  // CAF installs no signal handlers: block them before any thread starts, sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", cfg->runtime.caf_threads);
  caf_cfg.set("scheduler.max-throughput", cfg->runtime.caf_max_throughput);
  if (cfg->runtime.caf_policy == "sharing") caf_cfg.set("scheduler.policy", caf::atom("sharing"));
  else caf_cfg.set("scheduler.policy", caf::atom("stealing"));
  caf_cfg.set("work-stealing.moderate-poll-attempts", static_cast<std::size_t>(cfg->runtime.caf_moderate_polls));
  caf_cfg.set("logger.console", caf::atom("none"));
  int rc = 0;
  // The I/O shards: every socket of a call, its provider clients included, lives on one.
  ce::runtime::shard_pool shards{cfg->server.io_threads, std::chrono::microseconds(cfg->server.io_tick_us)};
  shards.start();
  {
    caf::actor_system sys{caf_cfg};
    auto& metrics = ce::metrics::default_registry();
    std::string error;
    auto engine = ce::actors::engine::start(sys, cfg, metrics, opts.work_dir, error, &shards.at(0));
    if (!engine) {
      log->critical("{}", error);
      return 70;
    }
    ce::net::server server{*cfg, engine->gateway(), metrics, shards};
    if (!server.start()) {
      engine->stop();
      return 71;
    }
    if (!opts.port_file.empty()) std::ofstream(opts.port_file) << server.port() << "\n";
    log->info("callengine ready: {} (dashboard data at /calls, metrics at /metrics)",
              cfg->server.public_base_url);

    int sig = 0;
    sigwait(&signals, &sig);
    log->info("received {}; draining live calls (deadline {} s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
              cfg->calls.drain_deadline_s);
    server.begin_drain();
    auto drained = std::make_shared<std::promise<void>>();
    auto done = drained->get_future();
    engine->gateway().drain(cfg->calls.drain_deadline_s * 1000LL, [drained] { drained->set_value(); });
    // a second signal, or the deadline plus a grace period, cuts the drain short
    if (done.wait_for(std::chrono::seconds(cfg->calls.drain_deadline_s + 10)) != std::future_status::ready) {
      log->warn("drain did not finish in time; stopping anyway");
      rc = 1;
    }
    server.stop();
    engine->flush_call_logs(sys, std::chrono::seconds(10));
    engine->stop();
    // Every actor is done before the shards go: none posts to a shard any more, and what
    // lived on the shards (connections, clients, the handles they held) is released while
    // the actor system still exists.
    sys.registry().await_running_count_equal(0);
    shards.stop(/*destroy=*/true);
    log->info("stopped");
  }
  return rc;
}
