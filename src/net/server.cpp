#include "net/server.hpp"

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"
#include "net/http_session.hpp"

#include <boost/asio/io_context.hpp>

#include <thread>
#include <vector>

namespace ce::net {

struct server::impl {
  impl(const engine_config& cfg, call_gateway& gateway, metrics::registry& m, asio::io_context* shared)
    : edge(std::make_shared<edge_context>(cfg, gateway, m)),
      own(shared ? nullptr : std::make_unique<asio::io_context>()), ioc(shared ? *shared : *own), acceptor(ioc) {}

  void do_accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) edge->log->warn("accept failed: {}", ec.message());
        if (!acceptor.is_open()) return;
      } else {
        run_http_session(std::move(socket), edge);
      }
      do_accept();
    });
  }

  std::shared_ptr<edge_context> edge;
  std::unique_ptr<asio::io_context> own;
  asio::io_context& ioc;
  tcp::acceptor acceptor;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
};

server::server(const engine_config& cfg, call_gateway& gateway, metrics::registry& metrics,
               boost::asio::io_context* shared_io)
  : impl_(std::make_unique<impl>(cfg, gateway, metrics, shared_io)) {}

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
  impl_->do_accept();
  impl_->work.emplace(impl_->ioc.get_executor());
  const int n = cfg.io_threads > 0 ? cfg.io_threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->edge->log->info("listening on {}:{} (public base {}; {} I/O thread(s))", cfg.bind_address, impl_->port,
                         cfg.public_base_url, n);
  return true;
}

std::uint16_t server::port() const { return impl_->port; }

void server::begin_drain() {
  impl_->edge->draining.store(true);
  impl_->edge->log->info("draining: new calls are refused, /readyz answers 503");
}

void server::stop() {
  if (impl_->threads.empty()) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->work.reset();
  // A shared io_context (the provider clients') is stopped too: its owner's work guard
  // would keep these threads running, and the calls have drained by now.
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

} // namespace ce::net
