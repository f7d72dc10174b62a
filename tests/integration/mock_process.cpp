#include "mock_process.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <sys/prctl.h>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ce::test {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

using clock_type = std::chrono::steady_clock;

int remaining_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

/// Decodes a chunked body; false when it is incomplete or malformed.
bool dechunk(const std::string& in, std::string& out) {
  std::size_t pos = 0;
  out.clear();
  for (;;) {
    auto eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    std::size_t size = 0;
    try {
      size = std::stoul(in.substr(pos, eol - pos), nullptr, 16);
    } catch (...) {
      return false;
    }
    pos = eol + 2;
    if (size == 0) return true;
    if (pos + size > in.size()) return false;
    out.append(in, pos, size);
    pos += size + 2;
  }
}

} // namespace

mock_reply mock_http(const std::string& method, const std::string& url, const std::string& body, int timeout_ms) {
  mock_reply out;
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) {
    out.error = "only http:// URLs: " + url;
    return out;
  }
  auto rest = url.substr(prefix.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  auto target = slash == std::string::npos ? std::string("/") : rest.substr(slash);
  auto colon = authority.rfind(':');
  auto host = colon == std::string::npos ? authority : authority.substr(0, colon);
  auto port = colon == std::string::npos ? std::string("80") : authority.substr(colon + 1);

  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) {
    out.error = "cannot resolve " + host;
    return out;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  auto wait_for = [&](short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, remaining_ms(deadline)) > 0;
  };
  if (rc != 0 && errno != EINPROGRESS) {
    out.error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return out;
  }
  if (rc != 0) {
    int err = 0;
    socklen_t len = sizeof err;
    if (!wait_for(POLLOUT) || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      out.error = std::string("connect: ") + (err ? std::strerror(err) : "timeout");
      ::close(fd);
      return out;
    }
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + authority +
                    "\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < req.size()) {
    auto n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(POLLOUT)) break;
    } else {
      break;
    }
  }
  if (sent < req.size()) {
    out.error = "send failed";
    ::close(fd);
    return out;
  }
  // Read until the peer closes (Connection: close) or the body is complete.
  std::string data;
  char buf[8192];
  std::size_t header_end = std::string::npos;
  long content_length = -1;
  bool chunked = false;
  for (;;) {
    if (header_end != std::string::npos) {
      if (content_length >= 0 && data.size() - header_end >= static_cast<std::size_t>(content_length)) break;
      std::string decoded;
      if (chunked && dechunk(data.substr(header_end), decoded)) break;
    }
    if (!wait_for(POLLIN)) {
      out.error = "timeout";
      break;
    }
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      auto he = data.find("\r\n\r\n");
      if (he != std::string::npos) {
        header_end = he + 4;
        std::istringstream hs(data.substr(0, he));
        std::string line;
        std::getline(hs, line);
        if (line.size() > 12) out.status = std::atoi(line.c_str() + 9);
        while (std::getline(hs, line)) {
          auto c = line.find(':');
          if (c == std::string::npos) continue;
          auto name = lower(line.substr(0, c));
          auto value = line.substr(c + 1);
          value.erase(0, value.find_first_not_of(' '));
          if (!value.empty() && value.back() == '\r') value.pop_back();
          if (name == "content-length") content_length = std::atol(value.c_str());
          if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) chunked = true;
        }
      }
    }
  }
  ::close(fd);
  if (header_end == std::string::npos) {
    if (out.error.empty()) out.error = "no HTTP answer";
    out.status = 0;
    return out;
  }
  auto raw = data.substr(header_end);
  if (chunked) {
    std::string decoded;
    dechunk(raw, decoded);
    out.body = decoded;
  } else {
    out.body = content_length >= 0 ? raw.substr(0, static_cast<std::size_t>(content_length)) : raw;
  }
  if (out.status > 0) out.error.clear();
  return out;
}

mock_process::mock_process(const nlohmann::json& config, std::vector<std::string> extra_args) {
  char tmpl[] = "/tmp/ce-mocks-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  const auto config_path = dir_ + "/scenario.json";
  std::ofstream(config_path) << config.dump(2);
  const auto port_file = dir_ + "/ports.env";
  const auto bin = std::string(CE_BINARY_DIR) + "/bench/mock_providers";
  if (!fs::exists(bin)) throw std::runtime_error("mock_providers is not built: " + bin);
  std::vector<std::string> args{bin, "--config", config_path, "--port-file", port_file};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a test that dies takes its server with it
    auto log = dir_ + "/mocks.log";
    std::freopen(log.c_str(), "w", stderr);
    std::freopen(log.c_str(), "a", stdout);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    std::_Exit(127);
  }
  const auto deadline = clock_type::now() + std::chrono::seconds(20);
  while (clock_type::now() < deadline) {
    if (!running()) throw std::runtime_error("mock_providers exited during start:\n" + output());
    if (fs::exists(port_file)) {
      std::istringstream in(read_file(port_file));
      std::string line;
      while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) values_[line.substr(0, eq)] = line.substr(eq + 1);
      }
      if (!control_url().empty() && control_get("/health").status == 200) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("mock_providers did not become ready:\n" + output());
}

mock_process::~mock_process() {
  if (running()) {
    if (terminate(5000) < 0) kill();
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string mock_process::value(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string{} : it->second;
}

mock_reply mock_process::control_get(const std::string& path) const { return mock_http("GET", control_url() + path); }

mock_reply mock_process::control_post(const std::string& path, const nlohmann::json& body) const {
  return mock_http("POST", control_url() + path, body.dump());
}

void mock_process::patch_config(const nlohmann::json& patch) const {
  auto r = control_post("/config", patch);
  if (r.status != 200) throw std::runtime_error("mock config patch failed: " + std::to_string(r.status) + " " + r.body + r.error);
}

int mock_process::disconnect(const std::string& service) const {
  auto r = control_post("/disconnect", {{"service", service}});
  auto j = r.json();
  if (r.status != 200 || !j.is_object()) return -1;
  return j.value("dropped", 0);
}

std::vector<nlohmann::json> mock_process::log(const std::string& service, const std::string& event) const {
  std::string path = "/log?service=" + service;
  if (!event.empty()) path += "&event=" + event;
  auto j = control_get(path).json();
  std::vector<nlohmann::json> out;
  if (j.is_object() && j.contains("entries") && j["entries"].is_array())
    for (auto& e : j["entries"]) out.push_back(e);
  return out;
}

std::vector<nlohmann::json> mock_process::wait_for_log(const std::string& service, const std::string& event,
                                                       std::size_t count, int timeout_ms) const {
  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto entries = log(service, event);
    if (entries.size() >= count || clock_type::now() >= deadline) return entries;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool mock_process::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return ::waitpid(pid_, &status, WNOHANG) == 0;
}

void mock_process::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int mock_process::terminate(int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
  while (clock_type::now() < deadline) {
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

std::string mock_process::output() const { return read_file(dir_ + "/mocks.log"); }

} // namespace ce::test
