#include "mocks/http_core.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace ce::mocks {

// ---- session_registry --------------------------------------------------------------------

std::uint64_t session_registry::add(std::weak_ptr<session_base> s) {
  std::lock_guard lock(mutex_);
  const auto id = ++next_;
  sessions_.emplace(id, std::move(s));
  return id;
}

void session_registry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

std::size_t session_registry::kill_all() {
  std::vector<std::shared_ptr<session_base>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, w] : sessions_)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->kill();
  return live.size();
}

std::size_t session_registry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void session_registry::for_each(const std::function<void(session_base&)>& f) {
  // Visit outside the lock: dropping the last reference runs a session's destructor,
  // which removes it from this registry.
  std::vector<std::shared_ptr<session_base>> live;
  {
    std::lock_guard lock(mutex_);
    live.reserve(sessions_.size());
    for (auto& [id, w] : sessions_)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) f(*s);
}

// ---- http_connection ---------------------------------------------------------------------

namespace {
constexpr std::size_t max_body_bytes = 8 * 1024 * 1024;
constexpr auto read_timeout = std::chrono::seconds(120);
} // namespace

http_connection::http_connection(beast::tcp_stream&& stream, beast::flat_buffer&& buffer,
                                 route_table routes)
  : stream_(std::move(stream)), buffer_(std::move(buffer)), routes_(routes),
    timer_(stream_.get_executor()) {}

void http_connection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void http_connection::do_read() {
  parser_.emplace();
  parser_->body_limit(max_body_bytes);
  stream_.expires_after(read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void http_connection::on_read(beast::error_code ec) {
  if (ec) {
    if (ec == http::error::end_of_stream) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    return;
  }
  stream_.expires_never();
  http_request req = parser_->release();
  const bool control = req.target().starts_with("/__mock/") || req.target() == "/__mock";
  request_handler* h = control ? routes_.control : routes_.vendor;
  if (!h) {
    return reply(make_response(req, http::status::not_found, "text/plain", "no such endpoint\n"));
  }
  h->handle(std::move(req), shared_from_this());
}

void http_connection::reply(http_response res) {
  res.prepare_payload();
  const bool keep_alive = res.keep_alive();
  response_ = std::make_shared<http_response>(std::move(res));
  stream_.expires_after(read_timeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->on_write(ec, keep_alive);
                    });
}

void http_connection::reply_after(std::chrono::milliseconds delay, http_response res) {
  if (delay.count() <= 0) return reply(std::move(res));
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this(), res = std::move(res)](beast::error_code ec) mutable {
    if (ec) return;
    self->reply(std::move(res));
  });
}

void http_connection::on_write(beast::error_code ec, bool keep_alive) {
  response_.reset();
  if (ec) return;
  if (!keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  do_read();
}

void http_connection::drop() { drop_socket(stream_.socket()); }

void http_connection::stall(std::chrono::milliseconds max) {
  hold_open(std::move(stream_), max);
}

void resume_http(beast::tcp_stream&& stream, beast::flat_buffer&& buffer, route_table routes) {
  std::make_shared<http_connection>(std::move(stream), std::move(buffer), routes)->start();
}

void drop_socket(tcp::socket& socket) {
  beast::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

namespace {

/// Reads and discards until the peer goes away; the stall fault's holder.
struct open_holder : std::enable_shared_from_this<open_holder> {
  open_holder(beast::tcp_stream&& s) : stream(std::move(s)), timer(stream.get_executor()) {}

  void start(std::chrono::milliseconds max) {
    stream.expires_never();
    if (max.count() > 0) {
      timer.expires_after(max);
      timer.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) drop_socket(self->stream.socket());
      });
    }
    do_read();
  }
  void do_read() {
    stream.async_read_some(asio::buffer(scratch), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->timer.cancel();
        return;
      }
      self->do_read();
    });
  }

  beast::tcp_stream stream;
  asio::steady_timer timer;
  std::array<char, 512> scratch{};
};

} // namespace

void hold_open(beast::tcp_stream&& stream, std::chrono::milliseconds max) {
  auto h = std::make_shared<open_holder>(std::move(stream));
  asio::dispatch(h->stream.get_executor(), [h, max] { h->start(max); });
}

// ---- listener ----------------------------------------------------------------------------

listener::listener(asio::io_context& ioc, route_table routes)
  : ioc_(ioc), acceptor_(asio::make_strand(ioc)), routes_(routes) {}

beast::error_code listener::open(const tcp::endpoint& ep) {
  beast::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (ec) return ec;
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return ec;
  acceptor_.bind(ep, ec);
  if (ec) return ec;
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

std::uint16_t listener::port() const {
  beast::error_code ec;
  auto ep = acceptor_.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void listener::run() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void listener::close() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void listener::do_accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec,
                                                                              tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<http_connection>(beast::tcp_stream(std::move(socket)), beast::flat_buffer{}, routes_)
      ->start();
  }
  do_accept();
}

// ---- helpers -----------------------------------------------------------------------------

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

target_parts split_target(std::string_view target) {
  target_parts out;
  const auto q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out.query.emplace_back(percent_decode(pair, true), std::string{});
    } else {
      out.query.emplace_back(percent_decode(pair.substr(0, eq), true),
                             percent_decode(pair.substr(eq + 1), true));
    }
  }
  return out;
}

std::optional<std::string> query_value(const query_list& q, std::string_view key) {
  for (const auto& [k, v] : q)
    if (k == key) return v;
  return std::nullopt;
}

std::vector<std::string> query_values(const query_list& q, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : q)
    if (k == key) out.push_back(v);
  return out;
}

nlohmann::json query_to_json(const query_list& q) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : q) {
    if (!out.contains(k)) {
      out[k] = v;
    } else {
      if (!out[k].is_array()) out[k] = nlohmann::json::array({out[k]});
      out[k].push_back(v);
    }
  }
  return out;
}

std::string header(const http_request& req, std::string_view name) {
  auto it = req.find(beast::string_view(name.data(), name.size()));
  if (it == req.end()) return {};
  return std::string(it->value());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::pair<std::string, std::string> authorization(const http_request& req) {
  std::string v = header(req, "Authorization");
  const auto sp = v.find(' ');
  if (sp == std::string::npos) return {lower(v), {}};
  std::string cred = v.substr(sp + 1);
  while (!cred.empty() && cred.front() == ' ') cred.erase(cred.begin());
  return {lower(v.substr(0, sp)), cred};
}

http_response make_response(const http_request& req, http::status status, std::string_view content_type,
                            std::string body) {
  http_response res{status, req.version()};
  res.set(http::field::server, "ce-mock");
  if (!content_type.empty())
    res.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

http_response json_response(const http_request& req, http::status status, const nlohmann::json& body) {
  return make_response(req, status, "application/json", body.dump());
}

http_response json_response(const http_request& req, unsigned status, const nlohmann::json& body) {
  return json_response(req, static_cast<http::status>(status), body);
}

nlohmann::json headers_for_log(const http_request& req) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : req) {
    std::string name = lower(std::string_view(f.name_string().data(), f.name_string().size()));
    std::string value(f.value());
    out[name] = value;
  }
  return out;
}

std::string make_uuid(random_source& rng) {
  const std::uint64_t a = rng.next();
  const std::uint64_t b = rng.next();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

} // namespace ce::mocks
