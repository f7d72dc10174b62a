#include "mocks/http_client.hpp"

namespace ce::mocks {
namespace {

class client_op : public std::enable_shared_from_this<client_op> {
public:
  client_op(asio::io_context& ioc, std::function<void(http_result)> done)
    : resolver_(asio::make_strand(ioc)), stream_(resolver_.get_executor()), done_(std::move(done)) {}

  void run(const url_parts& u, http::verb method, std::string body,
           const std::vector<std::pair<std::string, std::string>>& headers, std::chrono::milliseconds timeout) {
    timeout_ = timeout;
    req_.method(method);
    req_.target(u.target);
    req_.version(11);
    req_.set(http::field::host, u.host + ":" + u.port);
    req_.set(http::field::user_agent, "TwilioProxy/1.1");
    if (!body.empty()) req_.set(http::field::content_type, "application/x-www-form-urlencoded");
    for (const auto& [k, v] : headers) req_.set(k, v);
    req_.body() = std::move(body);
    req_.prepare_payload();
    req_.keep_alive(false);
    resolver_.async_resolve(u.host, u.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
                              self->on_resolve(ec, std::move(r));
                            });
  }

private:
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve: " + ec.message());
    stream_.expires_after(timeout_);
    stream_.async_connect(results, [self = shared_from_this()](beast::error_code e, const tcp::endpoint&) {
      if (e) return self->fail("connect: " + e.message());
      http::async_write(self->stream_, self->req_, [self](beast::error_code e2, std::size_t) {
        if (e2) return self->fail("write: " + e2.message());
        http::async_read(self->stream_, self->buffer_, self->res_, [self](beast::error_code e3, std::size_t) {
          if (e3) return self->fail("read: " + e3.message());
          http_result r;
          r.status = self->res_.result_int();
          r.body = std::move(self->res_.body());
          r.content_type = std::string(self->res_[http::field::content_type]);
          beast::error_code ignored;
          self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
          self->done_(std::move(r));
        });
      });
    });
  }

  void fail(std::string why) {
    http_result r;
    r.error = std::move(why);
    done_(std::move(r));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  std::chrono::milliseconds timeout_{5000};
  std::function<void(http_result)> done_;
};

} // namespace

bool split_url(std::string_view url, url_parts& out) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  out.scheme = lower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!out.target.empty() && out.target.front() == '?') out.target = "/" + out.target;
  if (authority.empty()) return false;
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = out.scheme == "https" || out.scheme == "wss" ? "443" : "80";
  }
  return !out.host.empty();
}

void async_http_request(asio::io_context& ioc, http::verb method, const std::string& url, std::string body,
                        std::vector<std::pair<std::string, std::string>> headers, std::chrono::milliseconds timeout,
                        std::function<void(http_result)> done) {
  url_parts u;
  if (!split_url(url, u) || u.scheme != "http") {
    http_result r;
    r.error = u.scheme == "https" ? "https is not supported by the mock's client" : "not an http:// URL";
    asio::post(ioc, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    return;
  }
  std::make_shared<client_op>(ioc, std::move(done))->run(u, method, std::move(body), headers, timeout);
}

} // namespace ce::mocks
