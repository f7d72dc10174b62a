// Versioned SQL migrations: config/migrations/NNNN_name.sql, applied in order, each once,
// each in its own transaction, recorded in `schema_migrations` with a checksum. A
// session-level advisory lock serialises engines that start at the same time: the second
// waits (bounded by the connection's lock_timeout/statement_timeout), then finds nothing
// left to do.
#pragma once

#include "store/pg.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace ce::store {

struct migration_file {
  std::string version;  ///< "0001"
  std::string name;     ///< "0001_customers_vehicles.sql"
  std::string sql;
  std::string checksum; ///< FNV-1a 64 of the text, hex
};

struct migration_report {
  std::vector<std::string> applied;         ///< file names applied by this run
  std::vector<std::string> already_applied; ///< file names found in schema_migrations
};

/// Reads `dir/NNNN_*.sql`, sorted by version. Invalid: missing folder, no files, a name
/// without a numeric prefix, two files with the same version.
result<std::vector<migration_file>> read_migrations(const std::filesystem::path& dir);

/// Applies what is missing. A file whose checksum differs from the one recorded when it was
/// applied is an `invalid` error (migrations are immutable once applied: add a new one).
result<migration_report> migrate(pg_connection& conn, const std::vector<migration_file>& files);
result<migration_report> migrate(pg_connection& conn, const std::filesystem::path& dir);

} // namespace ce::store
