#include "providers/http/transport.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>

#include <openssl/ssl.h>

namespace ce::http {

void teardown(beast::role_type role, transport& t, beast::error_code& ec) {
  if (t.secure()) {
    using beast::teardown;
    teardown(role, t.tls(), ec);
  } else {
    using beast::websocket::teardown;
    teardown(role, t.tcp().socket(), ec);
  }
}

namespace {

/// The state of one opening sequence: the resolver and the overall timer.
struct open_state : std::enable_shared_from_this<open_state> {
  open_state(transport& tr, url u, open_handler h)
    : t(tr), endpoint(std::move(u)), resolver(tr.get_executor()), timer(tr.get_executor()), done(std::move(h)) {}

  transport& t;
  url endpoint;
  asio::ip::basic_resolver<tcp, executor> resolver;
  steady_timer timer;
  open_handler done;
  bool timed_out = false;
  bool finished = false;

  void start(std::chrono::milliseconds timeout) {
    timer.expires_after(timeout);
    timer.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->finished) return;
      self->timed_out = true;
      self->resolver.cancel();
      self->t.close();
    });
    // A literal address needs no resolver (asio's runs getaddrinfo on a thread of its own:
    // two thread hand-overs per connection).
    beast::error_code addr_ec;
    const auto address = asio::ip::make_address(endpoint.host, addr_ec);
    if (!addr_ec) {
      t.tcp().socket().async_connect(tcp::endpoint(address, endpoint.port),
                                     [self = shared_from_this()](beast::error_code e) { self->on_connect(e); });
      return;
    }
    resolver.async_resolve(endpoint.host, std::to_string(endpoint.port),
                           [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                             self->on_resolve(ec, std::move(results));
                           });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return finish(ec, "resolve");
    t.tcp().async_connect(results, [self = shared_from_this()](beast::error_code e, const tcp::endpoint&) {
      self->on_connect(e);
    });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return finish(ec, "connect");
    beast::error_code ignored;
    t.tcp().socket().set_option(tcp::no_delay(true), ignored);
    if (!t.secure()) return finish({}, "connect");
    auto& tls = t.tls();
    // SNI only for names, never for literal addresses (RFC 6066).
    beast::error_code addr_ec;
    asio::ip::make_address(endpoint.host, addr_ec);
    if (addr_ec && !SSL_set_tlsext_host_name(tls.native_handle(), endpoint.host.c_str())) {
      return finish(beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()), "tls");
    }
    tls.set_verify_callback(ssl::host_name_verification(endpoint.host), ignored);
    tls.async_handshake(ssl::stream_base::client,
                        [self = shared_from_this()](beast::error_code e) { self->finish(e, "tls"); });
  }

  void finish(beast::error_code ec, std::string_view phase) {
    if (finished) return;
    finished = true;
    timer.cancel();
    if (timed_out && (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor || !ec))
      ec = beast::error::timeout;
    auto handler = std::move(done);
    handler(ec, phase);
  }
};

} // namespace

void async_open(transport& t, const url& endpoint, std::chrono::milliseconds timeout, open_handler done) {
  auto state = std::make_shared<open_state>(t, endpoint, std::move(done));
  state->start(timeout);
}

} // namespace ce::http
