#include "engine_process.hpp"

#include "sim/caller.hpp"
#include "store/pg.hpp"

#include <atomic>

#include <chrono>
#include <csignal>
#include <sys/prctl.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ce::test {

namespace fs = std::filesystem;

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

/// `url` with its database name replaced.
std::string with_database(const std::string& url, const std::string& db) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme + 3);
  return (slash == std::string::npos ? url : url.substr(0, slash)) + "/" + db;
}

/// A fresh, empty database for one engine (the engine migrates it at start).
std::string fresh_database() {
  static std::atomic<int> n{0};
  auto server = env_or("CE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/callengine");
  auto name = "t_engine_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  store::pg_options o;
  o.url = server;
  store::pg_connection admin{o};
  if (!admin.connect().ok()) throw std::runtime_error("no PostgreSQL at " + server + " (scripts/services.sh start)");
  admin.exec("DROP DATABASE IF EXISTS " + name);
  auto created = admin.exec("CREATE DATABASE " + name);
  if (!created) throw std::runtime_error("cannot create " + name + ": " + created.error().message);
  return with_database(server, name);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

engine_process::engine_process(const nlohmann::json& overrides, std::map<std::string, std::string> env) {
  char tmpl[] = "/tmp/ce-engine-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  fs::copy(fs::path(CE_SOURCE_DIR) / "config", fs::path(dir_) / "config", fs::copy_options::recursive);
  auto cfg = nlohmann::json::parse(read_all(dir_ + "/config/engine.json"));
  port_ = free_port();
  url_ = "http://127.0.0.1:" + std::to_string(port_);
  cfg["server"]["port"] = port_;
  cfg["server"]["public_base_url"] = url_;
  cfg.merge_patch(overrides);
  std::ofstream(dir_ + "/config/engine.json") << cfg.dump(2);
  auto work = fs::path(dir_) / "var";
  fs::create_directories(work);
  auto port_file = dir_ + "/port";
  if (!env.count("DATABASE_URL")) env["DATABASE_URL"] = fresh_database();
  if (!env.count("REDIS_URL")) env["REDIS_URL"] = env_or("CE_TEST_REDIS_URL", "redis://127.0.0.1:56379/0");
  database_url_ = env["DATABASE_URL"];
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a test that dies takes its server with it
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    auto log = dir_ + "/engine.log";
    std::freopen(log.c_str(), "w", stderr);
    std::freopen(log.c_str(), "a", stdout);
    auto bin = std::string(CE_BINARY_DIR) + "/callengine";
    auto config = dir_ + "/config/engine.json";
    auto work_s = work.string();
    ::execl(bin.c_str(), bin.c_str(), "--config", config.c_str(), "--work-dir", work_s.c_str(), "--port-file",
            port_file.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) throw std::runtime_error("engine exited during start:\n" + log());
    if (fs::exists(port_file) && sim::http_get(url_ + "/readyz", 1000).status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("engine did not become ready:\n" + log());
}

engine_process::~engine_process() {
  if (pid_ > 0 && running()) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool engine_process::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return ::waitpid(pid_, &status, WNOHANG) == 0;
}

int engine_process::terminate(int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    auto r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string engine_process::log() const { return read_all(dir_ + "/engine.log"); }

std::string engine_process::metrics_text() const { return sim::http_get(url_ + "/metrics").body; }

double engine_process::metric(const std::string& series) const {
  std::istringstream in(metrics_text());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

} // namespace ce::test
