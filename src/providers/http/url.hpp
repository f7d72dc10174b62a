// Base URLs of the providers (configurable, so tests and benchmarks point at the mocks):
// parsing, the WebSocket URL derived from an HTTP base (https -> wss, http -> ws), and
// percent-encoding of path segments, queries and forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::http {

struct url {
  std::string scheme;  ///< "http", "https", "ws" or "wss" (lowercase)
  std::string host;    ///< name or address, without brackets
  std::uint16_t port = 0;
  std::string path;    ///< without a trailing '/', "" for the root
  std::string query;   ///< without '?'

  /// TLS (https, wss).
  bool secure() const { return scheme == "https" || scheme == "wss"; }
  /// "host" or "host:port" when the port is not the scheme's default (the Host header).
  std::string authority() const;
  /// path + suffix + ("?" query): the request target. `suffix` starts with '/'.
  std::string target(std::string_view suffix = {}) const;
  /// scheme://authority/path[?query], for logs (no credentials ever live in a URL here).
  std::string to_string() const;
};

/// Parses http(s)/ws(s) URLs: `scheme://host[:port][/path][?query]`. nullopt when it is
/// not one (other scheme, no host, bad port, userinfo).
std::optional<url> parse_url(std::string_view text);

/// The WebSocket URL for an HTTP base: https -> wss, http -> ws (ws/wss stay).
url websocket_url(url base);

using query_params = std::vector<std::pair<std::string, std::string>>;

/// RFC 3986 unreserved characters stay, everything else is %XX.
std::string percent_encode(std::string_view s);
/// k=v&k2=v2 with both sides percent-encoded.
std::string encode_query(const query_params& params);
/// application/x-www-form-urlencoded (same as encode_query; spaces as %20).
inline std::string encode_form(const query_params& params) { return encode_query(params); }

} // namespace ce::http
