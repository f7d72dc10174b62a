#include "net/server.hpp"

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"
#include "net/http_session.hpp"

#include <boost/asio/post.hpp>

#include <condition_variable>
#include <mutex>

namespace ce::net {

struct server::impl {
  impl(const engine_config& cfg, call_gateway& gateway, metrics::registry& m, runtime::shard_pool& pool)
    : edge(std::make_shared<edge_context>(cfg, gateway, m)), shards(pool), home(pool.at(0)),
      acceptor(home.io().get_executor()) {}

  // On the home shard's thread. The socket is created on the target shard's io_context
  // and starts there; the listener itself never reads from it.
  void do_accept() {
    auto& target = shards.least_loaded();
    acceptor.async_accept(target.io(), [this, &target](beast::error_code ec, socket_type socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        edge->log->warn("accept failed: {}", ec.message());
      } else {
        asio::post(target.io(), [s = std::move(socket), &target, e = edge]() mutable {
          run_http_session(std::move(s), target, std::move(e));
        });
      }
      do_accept();
    });
  }

  std::shared_ptr<edge_context> edge;
  runtime::shard_pool& shards;
  runtime::shard& home;
  asio::basic_socket_acceptor<tcp, executor> acceptor;
  std::uint16_t port = 0;
  bool started = false;
};

server::server(const engine_config& cfg, call_gateway& gateway, metrics::registry& metrics,
               runtime::shard_pool& shards)
  : impl_(std::make_unique<impl>(cfg, gateway, metrics, shards)) {}

server::~server() { stop(); }

bool server::start() {
  auto& cfg = impl_->edge->cfg.server;
  beast::error_code ec;
  auto address = asio::ip::make_address(cfg.bind_address, ec);
  if (ec) {
    impl_->edge->log->error("bad bind address '{}': {}", cfg.bind_address, ec.message());
    return false;
  }
  tcp::endpoint ep{address, cfg.port};
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    impl_->edge->log->error("cannot listen on {}:{}: {}", cfg.bind_address, cfg.port, ec.message());
    return false;
  }
  impl_->port = acc.local_endpoint().port();
  if (impl_->edge->dev_mode())
    impl_->edge->log->warn("no Twilio auth token configured: DEVELOPMENT MODE, webhook signatures are "
                           "not checked (set TWILIO_AUTH_TOKEN for production)");
  impl_->started = true;
  asio::post(impl_->home.io(), [this] { impl_->do_accept(); });
  impl_->edge->log->info("listening on {}:{} (public base {}; {} shard(s))", cfg.bind_address, impl_->port,
                         cfg.public_base_url, impl_->shards.size());
  return true;
}

std::uint16_t server::port() const { return impl_->port; }

void server::begin_drain() {
  impl_->edge->draining.store(true);
  impl_->edge->log->info("draining: new calls are refused, /readyz answers 503");
}

void server::stop() {
  if (!impl_->started) return;
  impl_->started = false;
  // The acceptor belongs to the home shard's thread: close it there and wait for that.
  struct waiter {
    std::mutex m;
    std::condition_variable cv;
    bool closed = false;
  };
  auto w = std::make_shared<waiter>();
  asio::post(impl_->home.io(), [w, this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    std::lock_guard lock(w->m);
    w->closed = true;
    w->cv.notify_all();
  });
  std::unique_lock lock(w->m);
  // A stopped shard never runs the handler: then nothing else uses the acceptor either.
  if (!w->cv.wait_for(lock, std::chrono::seconds(2), [&] { return w->closed; })) {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  }
}

} // namespace ce::net
