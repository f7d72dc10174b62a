// TLS client contexts for https/wss: peer verification against the system trust store
// (OpenSSL's default paths plus /etc/ssl/certs), TLS 1.2 or later. SNI and host-name
// verification are set per connection (transport.cpp). One context per distinct set of
// options, shared by every connection (contexts are thread-safe once configured).
#pragma once

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace ce::http {

struct tls_options {
  /// Verify the server's certificate chain and host name (never turn off in production).
  bool verify_peer = true;
  /// Extra CA bundle file (PEM), e.g. a test CA; empty = none.
  std::string ca_file;
  /// Directory of hashed CA certificates.
  std::string ca_path = "/etc/ssl/certs";
};

/// The shared client context for `options` (created on first use; thread-safe). Throws
/// nothing: a bad ca_file is logged and the context keeps the system store.
std::shared_ptr<boost::asio::ssl::context> client_tls_context(const tls_options& options = {});

} // namespace ce::http
