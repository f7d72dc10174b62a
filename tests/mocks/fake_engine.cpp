#include "fake_engine.hpp"

#include "common/base64.hpp"

#include <boost/asio/post.hpp>

#include <deque>

namespace ce::mocks::test {

// Handlers capture `this`: they never run after the destructor joined the thread, and the
// context (declared first, destroyed last) frees the ones still queued.
struct fake_engine::impl {
  impl() : acceptor(ioc) {}

  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::thread thread;

  mutable std::mutex mutex;
  std::string voice_twiml = "<Response/>";
  std::string action_twiml = "<Response><Hangup/></Response>";
  std::vector<hit> hits;
  std::vector<stream_message> messages;
  std::size_t accepted = 0;
  std::size_t ended = 0;

  // the stream (I/O thread only)
  std::shared_ptr<websocket::stream<beast::tcp_stream>> ws;
  std::deque<std::string> outbox;
  bool writing = false;
  bool close_pending = false;

  void close_now() {
    close_pending = false;
    if (ws) ws->async_close(websocket::close_code::normal, [keep = ws](beast::error_code) {});
  }

  void accept() {
    acceptor.async_accept([self = this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      self->serve(std::make_shared<beast::tcp_stream>(std::move(s)));
      self->accept();
    });
  }

  void serve(std::shared_ptr<beast::tcp_stream> stream) {
    auto buf = std::make_shared<beast::flat_buffer>();
    auto req = std::make_shared<http::request<http::string_body>>();
    http::async_read(*stream, *buf, *req, [self = this, stream, buf, req](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (websocket::is_upgrade(*req)) return self->upgrade(stream, *req);
      hit h;
      h.method = std::string(req->method_string());
      h.target = std::string(req->target());
      for (const auto& f : *req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        h.headers[name] = std::string(f.value());
      }
      h.body = req->body();
      auto res = std::make_shared<http::response<http::string_body>>(http::status::ok, req->version());
      res->set(http::field::content_type, "text/xml");
      {
        std::lock_guard lock(self->mutex);
        if (h.target.rfind("/twilio/voice", 0) == 0) res->body() = self->voice_twiml;
        else if (h.target.rfind("/twilio/connect-action", 0) == 0) res->body() = self->action_twiml;
        else res->body() = "<Response/>";
        self->hits.push_back(std::move(h));
      }
      res->keep_alive(false);
      res->prepare_payload();
      http::async_write(*stream, *res, [stream, res](beast::error_code, std::size_t) {
        beast::error_code ignored;
        stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }

  void upgrade(const std::shared_ptr<beast::tcp_stream>& stream, const http::request<http::string_body>& req) {
    auto s = std::make_shared<websocket::stream<beast::tcp_stream>>(std::move(*stream));
    s->async_accept(req, [self = this, s](beast::error_code ec) {
      if (ec) return;
      {
        std::lock_guard lock(self->mutex);
        ++self->accepted;
      }
      self->ws = s;
      self->read(s);
    });
  }

  void read(const std::shared_ptr<websocket::stream<beast::tcp_stream>>& s) {
    auto buf = std::make_shared<beast::flat_buffer>();
    s->async_read(*buf, [self = this, s, buf](beast::error_code ec, std::size_t) {
      if (ec) {
        std::lock_guard lock(self->mutex);
        ++self->ended;
        return;
      }
      auto j = nlohmann::json::parse(beast::buffers_to_string(buf->data()), nullptr, false);
      {
        std::lock_guard lock(self->mutex);
        self->messages.push_back({j, std::chrono::steady_clock::now()});
      }
      self->read(s);
    });
  }

  void write_next() {
    if (writing || outbox.empty() || !ws) return;
    writing = true;
    ws->text(true);
    ws->async_write(asio::buffer(outbox.front()), [self = this](beast::error_code ec, std::size_t) {
      self->writing = false;
      self->outbox.pop_front();
      if (!ec) self->write_next();
      if (!self->writing && self->close_pending) self->close_now();
    });
  }
};

fake_engine::fake_engine() : impl_(std::make_unique<impl>()) {
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([i = impl_.get()] { i->ioc.run(); });
}

fake_engine::~fake_engine() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::string fake_engine::url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

void fake_engine::set_voice_twiml(std::string twiml) {
  std::lock_guard lock(impl_->mutex);
  impl_->voice_twiml = std::move(twiml);
}

void fake_engine::set_action_twiml(std::string twiml) {
  std::lock_guard lock(impl_->mutex);
  impl_->action_twiml = std::move(twiml);
}

std::vector<fake_engine::hit> fake_engine::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->hits;
}

std::vector<fake_engine::hit> fake_engine::wait_for(const std::string& prefix, std::size_t n, ms timeout) const {
  auto matching = [&] {
    std::vector<hit> out;
    for (auto& h : requests())
      if (h.target.rfind(prefix, 0) == 0) out.push_back(std::move(h));
    return out;
  };
  eventually([&] { return matching().size() >= n; }, timeout);
  return matching();
}

std::vector<fake_engine::stream_message> fake_engine::messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages;
}

std::vector<fake_engine::stream_message> fake_engine::wait_for_event(const std::string& event, std::size_t n,
                                                                     ms timeout) const {
  auto matching = [&] {
    std::vector<stream_message> out;
    for (auto& m : messages())
      if (m.msg.is_object() && m.msg.value("event", "") == event) out.push_back(std::move(m));
    return out;
  };
  eventually([&] { return matching().size() >= n; }, timeout);
  return matching();
}

std::size_t fake_engine::streams_accepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

std::size_t fake_engine::streams_ended() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->ended;
}

void fake_engine::send(std::string text) {
  asio::post(impl_->ioc, [i = impl_.get(), text = std::move(text)]() mutable {
    i->outbox.push_back(std::move(text));
    i->write_next();
  });
}

void fake_engine::close_stream() {
  asio::post(impl_->ioc, [i = impl_.get()] {
    if (i->writing) i->close_pending = true;
    else i->close_now();
  });
}

std::vector<std::vector<std::uint8_t>> media_frames(const std::vector<fake_engine::stream_message>& msgs) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& m : msgs) {
    if (!m.msg.is_object() || m.msg.value("event", "") != "media") continue;
    auto bytes = ce::base64_decode(m.msg["media"].value("payload", ""));
    out.push_back(bytes.value_or(std::vector<std::uint8_t>{}));
  }
  return out;
}

} // namespace ce::mocks::test
