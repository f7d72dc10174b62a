// https/wss: certificates are verified (chain and host name) and SNI is sent. A local TLS
// server with a certificate made for the test (openssl CLI) stands in for the provider.
#include "client_fixtures.hpp"

#include "providers/openai/chat_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace ce;
using namespace ce::clients_test;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

/// A self-signed certificate for "localhost" (no IP in its names), made with openssl.
struct test_certificate {
  std::filesystem::path dir;
  std::string cert, key;
  bool ok = false;

  test_certificate() {
    dir = std::filesystem::temp_directory_path() / ("ce-tls-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cert = (dir / "cert.pem").string();
    key = (dir / "key.pem").string();
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert +
                            " -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0 && std::filesystem::exists(cert);
  }
  ~test_certificate() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

/// Serves `connections` TLS connections one after another with a tiny SSE completion,
/// recording the SNI name each client sent.
class tls_sse_server {
public:
  tls_sse_server(const test_certificate& c, int connections) : ctx_(ssl::context::tls_server), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain_file(c.cert);
    ctx_.use_private_key_file(c.key, ssl::context::pem);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one();
    });
  }
  ~tls_sse_server() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  recorder<std::string> sni;

private:
  void serve_one() {
    boost::system::error_code ec;
    tcp::socket sock(io_);
    acceptor_.accept(sock, ec);
    if (ec) return;
    ssl::stream<tcp::socket> stream(std::move(sock), ctx_);
    stream.handshake(ssl::stream_base::server, ec);
    const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    sni.push(name ? name : "");
    if (ec) return;
    boost::beast::flat_buffer buf;
    boost::beast::http::request<boost::beast::http::string_body> req;
    boost::beast::http::read(stream, buf, req, ec);
    if (ec) return;
    const std::string body =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
      "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Secure hello.\"},\"finish_reason\":null}]}\n\n"
      "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
      "data: [DONE]\n\n";
    asio::write(stream, asio::buffer(body), ec);
    stream.shutdown(ec);
  }

  asio::io_context io_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

openai::chat_outcome complete_once(io_runner& io, const std::string& base, http::tls_options tls) {
  openai::chat_client_options o;
  o.api_key = "sk-test";
  o.base_url = base;
  o.tls = std::move(tls);
  openai::chat_client client(io.io(), o);
  openai::chat_request r;
  r.messages = {openai::chat_message::user("hi")};
  recorder<openai::chat_outcome> done;
  openai::chat_callbacks cb;
  cb.on_done = [&](openai::chat_outcome out) { done.push(std::move(out)); };
  client.start(r, cb);
  REQUIRE(done.wait_for(1, 5000ms));
  return done.items()[0];
}

} // namespace

TEST_CASE("TLS: the server certificate is verified (chain and host name), SNI is sent", "[clients][tls]") {
  test_certificate cert;
  if (!cert.ok) {
    WARN("openssl could not make a test certificate; skipping");
    return;
  }
  tls_sse_server server(cert, 3);
  io_runner io;
  const std::string port = std::to_string(server.port());

  // 1. The system trust store does not know our self-signed certificate: refused, permanently.
  auto untrusted = complete_once(io, "https://localhost:" + port + "/v1", {});
  REQUIRE(untrusted.error);
  CHECK(untrusted.error->code == http::provider_errc::tls_failure);
  CHECK(untrusted.error->is_permanent());
  CHECK(untrusted.completion.attempts == 1);

  // 2. Trusted (the test CA added) and the name matches: the stream works, over TLS.
  http::tls_options trusted;
  trusted.ca_file = cert.cert;
  auto ok = complete_once(io, "https://localhost:" + port + "/v1", trusted);
  INFO((ok.error ? ok.error->describe() : std::string()));
  REQUIRE_FALSE(ok.error);
  CHECK(ok.completion.text == "Secure hello.");

  // 3. Trusted certificate, wrong name (127.0.0.1 is not in it): refused.
  auto wrong_name = complete_once(io, "https://127.0.0.1:" + port + "/v1", trusted);
  REQUIRE(wrong_name.error);
  CHECK(wrong_name.error->code == http::provider_errc::tls_failure);

  REQUIRE(server.sni.wait_for(3));
  auto names = server.sni.items();
  CHECK(names[0] == "localhost");
  CHECK(names[1] == "localhost");
  CHECK(names[2].empty());  // no SNI for an address literal
}
