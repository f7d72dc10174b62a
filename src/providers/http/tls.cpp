#include "providers/http/tls.hpp"

#include "common/log.hpp"

#include <boost/asio/ssl/context.hpp>

#include <map>
#include <mutex>
#include <tuple>

namespace ce::http {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> client_tls_context(const tls_options& options) {
  static std::mutex mutex;
  static std::map<std::tuple<bool, std::string, std::string>, std::shared_ptr<ssl::context>> cache;
  std::lock_guard lock(mutex);
  const auto key = std::make_tuple(options.verify_peer, options.ca_file, options.ca_path);
  if (auto it = cache.find(key); it != cache.end()) return it->second;

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  ctx->set_default_verify_paths(ec);
  if (ec) log::get("http")->warn("tls: system default verify paths unavailable: {}", ec.message());
  if (!options.ca_path.empty()) {
    ctx->add_verify_path(options.ca_path, ec);
    if (ec) log::get("http")->warn("tls: ca_path {} unusable: {}", options.ca_path, ec.message());
  }
  if (!options.ca_file.empty()) {
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) log::get("http")->warn("tls: ca_file {} unusable: {}", options.ca_file, ec.message());
  }
  ctx->set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none, ec);
  cache.emplace(key, ctx);
  return ctx;
}

} // namespace ce::http
