#include "net/http_session.hpp"

#include "net/media_session.hpp"
#include "net/routes.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <chrono>

namespace ce::net {
namespace {

class http_session;

/// A reference to a session that is released on the session's shard, whichever thread drops it.
struct session_ref {
  std::shared_ptr<http_session> session;
  session_ref(std::shared_ptr<http_session> s) : session(std::move(s)) {}
  session_ref(const session_ref&) = default;
  session_ref& operator=(const session_ref&) = delete;
  ~session_ref();
};

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(socket_type&& socket, runtime::shard& shard, std::shared_ptr<edge_context> edge)
    : stream_(std::move(socket)), shard_(shard), edge_(std::move(edge)) {
    shard_.connections.fetch_add(1, std::memory_order_relaxed);
  }
  ~http_session() { shard_.connections.fetch_sub(1, std::memory_order_relaxed); }

  auto executor() { return stream_.get_executor(); }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(edge_->cfg.server.max_request_body_bytes);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) {
      if (ec != beast::error::timeout && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset)
        edge_->log->debug("http read failed: {}", ec.message());
      return;
    }
    edge_->m.http_requests.inc();
    if (websocket::is_upgrade(parser_->get())) {
      if (parser_->get().target() == "/twilio/media") {
        stream_.expires_never();
        // bytes the client sent after the request (none from Twilio, which waits for the
        // 101) go on to the WebSocket session
        auto rest = buffer_.cdata();
        std::string leftover(static_cast<const char*>(rest.data()), rest.size());
        start_media_session(stream_.release_socket(), parser_->release(), std::move(leftover), shard_, edge_);
        return;
      }
      return send(make_response(parser_->get(), http::status::not_found, "text/plain",
                                "no WebSocket endpoint here\n"));
    }
    request_ = parser_->release();
    // The responder keeps the session alive until the (possibly asynchronous) answer is
    // written; the socket's 30 s expiry bounds the wait.
    // Copies of the responder may be dropped on an actor's thread; session_ref hands the
    // session back to its shard so that the socket is closed and freed there.
    route_request(*edge_, request_, [ref = session_ref{shared_from_this()}](response res) {
      asio::post(ref.session->executor(), [s = ref.session, res = std::move(res)]() mutable { s->send(std::move(res)); });
    });
  }

  void send(response res) {
    res.prepare_payload();
    response_ = std::make_shared<response>(std::move(res));
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(beast::error_code ec) {
    if (ec) return;
    if (!response_->keep_alive()) return do_close();
    response_.reset();
    do_read();
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  tcp_stream stream_;
  runtime::shard& shard_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  request request_;
  std::shared_ptr<response> response_;
  std::shared_ptr<edge_context> edge_;
};

session_ref::~session_ref() {
  if (session) {
    auto ex = session->executor();
    asio::post(ex, [s = std::move(session)] {});
  }
}

} // namespace

void run_http_session(socket_type socket, runtime::shard& shard, std::shared_ptr<edge_context> edge) {
  std::make_shared<http_session>(std::move(socket), shard, std::move(edge))->run();
}

} // namespace ce::net
