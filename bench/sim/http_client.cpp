#include "sim/http_client.hpp"

#include "twilio/signature.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <memory>

namespace ce::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool split_url(const std::string& url, url_parts& out) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  out.scheme = url.substr(0, scheme_end);
  auto rest = url.substr(scheme_end + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = (out.scheme == "https" || out.scheme == "wss") ? "443" : "80";
  }
  return !out.host.empty();
}

namespace {

http::request<http::string_body> form_request(const url_parts& u, const std::vector<std::pair<std::string, std::string>>& form,
                                              const std::string& signature) {
  http::request<http::string_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, u.host + ":" + u.port);
  req.set(http::field::user_agent, "TwilioProxy/1.1 (callengine simulated caller)");
  req.set(http::field::content_type, "application/x-www-form-urlencoded");
  if (!signature.empty()) req.set("X-Twilio-Signature", signature);
  req.body() = twilio::form_urlencode(form);
  req.prepare_payload();
  return req;
}

template <class Request>
http_reply sync_exchange(const url_parts& u, Request& req, int timeout_ms) {
  http_reply out;
  try {
    asio::io_context ioc;
    beast::tcp_stream stream{ioc};
    tcp::resolver resolver{ioc};
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    stream.connect(resolver.resolve(u.host, u.port));
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string{res[http::field::content_type]};
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

struct post_op : std::enable_shared_from_this<post_op> {
  post_op(asio::io_context& ioc) : resolver(ioc), stream(ioc) {}
  tcp::resolver resolver;
  beast::tcp_stream stream;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  std::function<void(http_reply)> done;
  url_parts u;

  void fail(const std::string& what, beast::error_code ec) {
    http_reply r;
    r.error = what + ": " + ec.message();
    done(std::move(r));
  }

  void run() {
    stream.expires_after(std::chrono::seconds(10));
    resolver.async_resolve(u.host, u.port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type rs) {
      if (ec) return self->fail("resolve", ec);
      self->stream.async_connect(rs, [self](beast::error_code ec2, const tcp::endpoint&) {
        if (ec2) return self->fail("connect", ec2);
        http::async_write(self->stream, self->req, [self](beast::error_code ec3, std::size_t) {
          if (ec3) return self->fail("write", ec3);
          http::async_read(self->stream, self->buf, self->res, [self](beast::error_code ec4, std::size_t) {
            if (ec4) return self->fail("read", ec4);
            http_reply r;
            r.status = static_cast<int>(self->res.result_int());
            r.body = self->res.body();
            r.content_type = std::string{self->res[http::field::content_type]};
            beast::error_code ignored;
            self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            self->done(std::move(r));
          });
        });
      });
    });
  }
};

} // namespace

void async_post_form(asio::io_context& ioc, const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& form, const std::string& signature,
                     std::function<void(http_reply)> done) {
  auto op = std::make_shared<post_op>(ioc);
  op->done = std::move(done);
  if (!split_url(url, op->u)) {
    http_reply r;
    r.error = "bad URL " + url;
    return op->done(std::move(r));
  }
  op->req = form_request(op->u, form, signature);
  op->run();
}

http_reply http_get(const std::string& url, int timeout_ms) {
  url_parts u;
  if (!split_url(url, u)) return http_reply{0, {}, {}, "bad URL " + url};
  http::request<http::empty_body> req{http::verb::get, u.target, 11};
  req.set(http::field::host, u.host + ":" + u.port);
  return sync_exchange(u, req, timeout_ms);
}

http_reply http_post_form(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                          const std::string& signature, int timeout_ms) {
  url_parts u;
  if (!split_url(url, u)) return http_reply{0, {}, {}, "bad URL " + url};
  auto req = form_request(u, form, signature);
  return sync_exchange(u, req, timeout_ms);
}

} // namespace ce::sim
