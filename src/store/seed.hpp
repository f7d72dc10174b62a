// Deterministic, realistic seed data for the dealership database, loaded with COPY in one
// transaction: customers (E.164 numbers in the fictional 555-01XX range), vehicles with
// valid VINs, past and future appointments that never overlap on a bay and stay inside
// business hours and clear of lunch, and the service history of completed ones. The same
// seed gives the same rows (dates relative to the day it runs).
//
// Entry points for `callengine seed` and `callengine migrate`: seed_command and
// migrate_command (exit status + progress lines).
#pragma once

#include "callengine/config.hpp"
#include "store/pg.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace ce::store {

struct seed_options {
  std::uint64_t seed = 20240611;
  int customers = 10000;
  int vehicles = 16000;      ///< at least `customers` (every customer has a vehicle)
  int appointments = 8000;
  int past_days = 365;       ///< appointments from this many days ago ...
  int future_days = 45;      ///< ... to this many days ahead
  int future_per_day = 10;   ///< appointments per open future day (leaves room to book)
  bool reset = false;        ///< truncate every dealership table first
  std::string migrations_dir = "config/migrations";  ///< applied before seeding
};

struct seed_report {
  int customers = 0;
  int vehicles = 0;
  int appointments = 0;
  int service_history = 0;
  double seconds = 0;
  bool skipped = false;  ///< the database already had data and reset was false
};

/// Parses `--reset`, `--seed N`, `--customers N`, `--vehicles N`, `--appointments N`,
/// `--migrations DIR`. `invalid` naming the bad argument.
result<seed_options> parse_seed_args(const std::vector<std::string>& args);

/// Seeds the connected database (schema must exist). Prints one progress line per table.
result<seed_report> seed_database(pg_connection& conn, const dealership_facts& facts, const seed_options& options,
                                  std::ostream& progress);

/// URL of the project's own server (scripts/services.sh) when the config names none.
std::string effective_database_url(const store_config& config);
std::string effective_redis_url(const store_config& config);

/// Connects, migrates, seeds, prints the time. 0 on success, 1 on failure (message printed).
int seed_command(const store_config& config, const dealership_facts& facts, const seed_options& options,
                 std::ostream& progress);
/// Connects and applies the migrations in `migrations_dir`. 0 on success, 1 on failure.
int migrate_command(const store_config& config, const std::string& migrations_dir, std::ostream& out);

} // namespace ce::store
