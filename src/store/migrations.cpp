#include "store/migrations.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace ce::store {

namespace {

// An arbitrary constant of ours: the advisory lock taken while migrating.
constexpr std::int64_t migration_lock_key = 0x63656d6967726174;  // "cemigrat"

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string version_of(const std::string& file_name) {
  std::size_t n = 0;
  while (n < file_name.size() && std::isdigit(static_cast<unsigned char>(file_name[n]))) ++n;
  if (n == 0 || n >= file_name.size() || file_name[n] != '_') return {};
  return file_name.substr(0, n);
}

// Session-level advisory lock, released on every path (and by the server if we vanish).
class migration_lock {
public:
  explicit migration_lock(pg_connection& conn) : conn_(conn) {}
  ~migration_lock() {
    if (held_)
      (void) conn_.exec("SELECT pg_advisory_unlock($1)", pg_params{}.add(migration_lock_key));
  }
  status acquire() {
    auto r = conn_.exec("SELECT pg_advisory_lock($1)", pg_params{}.add(migration_lock_key));
    if (!r) return r.error();
    held_ = true;
    return done{};
  }

private:
  pg_connection& conn_;
  bool held_ = false;
};

status apply_one(pg_connection& conn, const migration_file& f) {
  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b;
  if (auto s = conn.exec_script(f.sql); !s) {
    auto e = s.error();
    e.message = f.name + ": " + e.message;
    return e;
  }
  auto rec = conn.exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                       pg_params{}.add(f.version).add(f.name).add(f.checksum));
  if (!rec) return rec.error();
  return tx.commit();
}

} // namespace

result<std::vector<migration_file>> read_migrations(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return make_error(store_errc::invalid, "migrations folder not found: " + dir.string());
  std::vector<migration_file> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    migration_file f;
    f.name = entry.path().filename().string();
    f.version = version_of(f.name);
    if (f.version.empty())
      return make_error(store_errc::invalid, "migration file without a NNNN_ prefix: " + f.name);
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return make_error(store_errc::invalid, "cannot read " + f.name);
    f.sql = text.str();
    f.checksum = fnv1a_hex(f.sql);
    files.push_back(std::move(f));
  }
  if (ec) return make_error(store_errc::invalid, "cannot list " + dir.string() + ": " + ec.message());
  if (files.empty()) return make_error(store_errc::invalid, "no migrations in " + dir.string());
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return std::stoll(a.version) < std::stoll(b.version); });
  for (std::size_t i = 1; i < files.size(); ++i)
    if (std::stoll(files[i].version) == std::stoll(files[i - 1].version))
      return make_error(store_errc::invalid,
                        "two migrations with version " + files[i].version + ": " + files[i - 1].name +
                          ", " + files[i].name);
  return files;
}

result<migration_report> migrate(pg_connection& conn, const std::vector<migration_file>& files) {
  migration_lock lock{conn};
  if (auto l = lock.acquire(); !l) return l.error();
  auto created = conn.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())");
  if (!created) return created.error();
  auto rows = conn.exec("SELECT version, name, checksum FROM schema_migrations");
  if (!rows) return rows.error();
  std::map<long long, std::pair<std::string, std::string>> recorded;  // version -> name, checksum
  for (int i = 0; i < rows->size(); ++i) {
    auto row = (*rows)[i];
    recorded[std::stoll(std::string{row.text(0)})] = {std::string{row.text(1)}, std::string{row.text(2)}};
  }
  migration_report report;
  for (const auto& f : files) {
    auto it = recorded.find(std::stoll(f.version));
    if (it != recorded.end()) {
      if (it->second.second != f.checksum)
        return make_error(store_errc::invalid, "migration " + f.name +
                                                 " changed after it was applied (add a new migration instead)");
      report.already_applied.push_back(f.name);
      continue;
    }
    if (auto a = apply_one(conn, f); !a) return a.error();
    report.applied.push_back(f.name);
  }
  return report;
}

result<migration_report> migrate(pg_connection& conn, const std::filesystem::path& dir) {
  auto files = read_migrations(dir);
  if (!files) return files.error();
  return migrate(conn, *files);
}

} // namespace ce::store
