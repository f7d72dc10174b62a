#include "mock_clients.hpp"

#include <boost/asio/connect.hpp>

namespace ce::mocks::test {

using steady = std::chrono::steady_clock;

// ---- ws_client ---------------------------------------------------------------------------

ws_client::ws_client() : ws_(ioc_) {}

ws_client::~ws_client() {
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <class Start>
bool ws_client::run(Start start, ms timeout) {
  bool done = false;
  start(done);
  ioc_.restart();
  const auto deadline = steady::now() + timeout;
  while (!done) {
    if (ioc_.run_one_until(deadline) == 0) break;
  }
  if (done) return true;
  // Timed out: cancel and collect the operation's completion.
  beast::get_lowest_layer(ws_).cancel();
  ioc_.restart();
  while (!done && ioc_.run_one_for(1s) != 0) {
  }
  return false;
}

ws_client::handshake_result ws_client::connect(std::uint16_t port, const std::string& target, const header_list& headers,
                                               ms timeout) {
  handshake_result out;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  bool ok = run(
    [&](bool& done) {
      beast::get_lowest_layer(ws_).async_connect(ep, [&](beast::error_code ec) {
        if (ec) {
          out.ec = ec;
          done = true;
          return;
        }
        ws_.async_handshake(out.response, "127.0.0.1:" + std::to_string(port), target, [&](beast::error_code e) {
          out.ec = e;
          done = true;
        });
      });
    },
    timeout);
  if (!ok && !out.ec) out.ec = beast::error::timeout;
  out.status = out.response.result_int();
  return out;
}

bool ws_client::send_text(const std::string& text, ms timeout) {
  beast::error_code result;
  ws_.text(true);
  const bool ok = run(
    [&](bool& done) {
      ws_.async_write(asio::buffer(text), [&](beast::error_code ec, std::size_t) {
        result = ec;
        done = true;
      });
    },
    timeout);
  return ok && !result;
}

bool ws_client::send_binary(std::span<const std::uint8_t> bytes, ms timeout) {
  beast::error_code result;
  ws_.binary(true);
  const bool ok = run(
    [&](bool& done) {
      ws_.async_write(asio::buffer(bytes.data(), bytes.size()), [&](beast::error_code ec, std::size_t) {
        result = ec;
        done = true;
      });
    },
    timeout);
  return ok && !result;
}

void ws_client::start_read() {
  read_pending_ = true;
  ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
    read_pending_ = false;
    read_ready_ = true;
    read_result_.at = steady::now();
    read_result_.ec = ec;
    if (ec) return;
    read_result_.ok = true;
    read_result_.binary = ws_.got_binary();
    read_result_.data = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
  });
}

ws_client::message ws_client::read(ms timeout) {
  if (!read_ready_ && !read_pending_) start_read();
  ioc_.restart();
  const auto deadline = steady::now() + timeout;
  while (!read_ready_) {
    if (ioc_.run_one_until(deadline) == 0) break;
  }
  if (!read_ready_) {
    message m;
    m.ec = beast::error::timeout;
    m.at = steady::now();
    return m;
  }
  read_ready_ = false;
  message m = std::move(read_result_);
  read_result_ = message{};
  return m;
}

std::optional<nlohmann::json> ws_client::read_until_type(const std::string& type, ms timeout,
                                                          std::vector<message>* skipped) {
  const auto deadline = steady::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<ms>(deadline - steady::now());
    if (left.count() <= 0) return std::nullopt;
    auto m = read(left);
    if (!m.ok) return std::nullopt;
    if (!m.binary) {
      auto j = nlohmann::json::parse(m.data, nullptr, false);
      if (j.is_object() && j.value("type", "") == type) return j;
    }
    if (skipped) skipped->push_back(std::move(m));
  }
}

void ws_client::close(ms timeout) {
  if (!ws_.is_open()) return;
  run(
    [&](bool& done) {
      ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    },
    timeout);
}

// ---- http_call ---------------------------------------------------------------------------

http_exchange http_call(std::uint16_t port, http::verb method, const std::string& target, const std::string& body,
                        const header_list& headers, ms total_timeout, ms idle_timeout) {
  http_exchange out;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bool chunked_body = false;
  auto on_header = [&](std::uint64_t, beast::string_view, beast::error_code&) {
    chunked_body = true;
    out.chunks.emplace_back();
  };
  auto on_body = [&](std::uint64_t, beast::string_view data, beast::error_code&) -> std::size_t {
    out.chunks.back().append(data.data(), data.size());
    out.body.append(data.data(), data.size());
    return data.size();
  };
  parser.on_chunk_header(on_header);
  parser.on_chunk_body(on_body);

  const auto start = steady::now();
  const auto deadline = start + total_timeout;
  auto since = [&] { return std::chrono::duration<double, std::milli>(steady::now() - start).count(); };
  bool finished = false;
  std::function<void()> read_more;
  read_more = [&] {
    http::async_read_some(stream, buffer, parser, [&](beast::error_code ec, std::size_t n) {
      if (ec) {
        out.ec = ec;
        finished = true;
        return;
      }
      out.arrivals.emplace_back(since(), n);
      if (parser.is_done()) {
        out.complete = true;
        finished = true;
        return;
      }
      read_more();
    });
  };
  stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
    if (ec) {
      out.ec = ec;
      finished = true;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
      if (e) {
        out.ec = e;
        finished = true;
        return;
      }
      http::async_read_header(stream, buffer, parser, [&](beast::error_code e2, std::size_t) {
        if (e2) {
          out.ec = e2;
          finished = true;
          return;
        }
        out.header_ms = since();
        if (parser.is_done()) {
          out.complete = true;
          finished = true;
          return;
        }
        read_more();
      });
    });
  });
  auto last_progress = steady::now();
  std::size_t seen = 0;
  while (!finished) {
    const auto idle_deadline = last_progress + idle_timeout;
    const auto wake = std::min(deadline, idle_deadline);
    ioc.run_one_until(wake);
    if (out.arrivals.size() != seen || out.header_ms >= 0) {
      if (out.arrivals.size() != seen) last_progress = steady::now();
      seen = out.arrivals.size();
    }
    if (!finished && steady::now() >= wake) {
      out.timed_out = true;
      stream.cancel();
      ioc.restart();
      while (!finished && ioc.run_one_for(1s) != 0) {
      }
      break;
    }
  }
  if (parser.is_header_done()) {
    const auto& res = parser.get();
    out.status = res.result_int();
    out.headers = res.base();
    if (!chunked_body) out.body = res.body();
  }
  beast::error_code ignored;
  stream.socket().close(ignored);
  return out;
}

nlohmann::json parse_body(const http_exchange& ex) {
  auto j = nlohmann::json::parse(ex.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

sse_stream_view parse_sse(const std::string& body) {
  sse_stream_view out;
  std::string data;
  bool have_data = false;
  std::size_t i = 0;
  while (i <= body.size()) {
    std::size_t end = body.find_first_of("\r\n", i);
    if (end == std::string::npos) break;  // an unterminated last line is not an event
    const std::string line = body.substr(i, end - i);
    i = end + 1;
    if (body[end] == '\r' && i < body.size() && body[i] == '\n') ++i;
    if (line.empty()) {
      if (have_data) {
        if (data.rfind("[DONE]", 0) == 0) out.done = true;
        out.data.push_back(data);
      }
      data.clear();
      have_data = false;
      continue;
    }
    if (line[0] == ':') {
      ++out.comments;
      continue;
    }
    if (line.rfind("data:", 0) == 0) {
      std::string v = line.substr(5);
      if (!v.empty() && v[0] == ' ') v.erase(0, 1);
      if (have_data) data += "\n";
      data += v;
      have_data = true;
    }
  }
  return out;
}

// ---- recording_server --------------------------------------------------------------------

recording_server::recording_server(std::string reply_body) : acceptor_(ioc_), reply_(std::move(reply_body)) {
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

recording_server::~recording_server() {
  stop_ = true;
  // Unblock accept() with a connection of our own.
  try {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  } catch (const std::exception&) {
  }
  thread_.join();
}

std::string recording_server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void recording_server::serve() {
  while (!stop_) {
    beast::error_code ec;
    tcp::socket socket(ioc_);
    acceptor_.accept(socket, ec);
    if (ec || stop_) break;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) continue;
    request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = req.body();
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(r));
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "text/xml");
    res.body() = reply_;
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

std::vector<recording_server::request> recording_server::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<recording_server::request> recording_server::wait_for(std::size_t n, ms timeout) const {
  eventually([&] { return requests().size() >= n; }, timeout);
  return requests();
}

} // namespace ce::mocks::test
