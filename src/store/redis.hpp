// A small blocking Redis client over hiredis, for one detached actor per connection.
// Connecting and every command are bounded (connect/command timeouts); errors are values.
// A lost connection makes the failing call return `unavailable` (or `timeout` when the
// command timed out, which also drops the connection: its reply stream is out of step);
// the next call reconnects. Not thread-safe.
#pragma once

#include "store/store_error.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace ce::store {

struct redis_options {
  std::string url = "redis://127.0.0.1:6379/0";  ///< redis://[:password@]host[:port][/db]
  int connect_timeout_ms = 500;
  int command_timeout_ms = 500;
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{10000};
};

struct redis_reply {
  enum class kind { nil, string, integer, status_reply, array };
  kind type = kind::nil;
  std::string text;            ///< string or status_reply
  long long integer = 0;
  std::vector<redis_reply> elements;
};

class redis_connection {
public:
  explicit redis_connection(redis_options options);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;
  redis_connection(redis_connection&& other) noexcept;
  redis_connection& operator=(redis_connection&& other) noexcept;

  status connect();  ///< also done on demand; `invalid` for a malformed URL
  void disconnect();
  bool connected() const { return ctx_ != nullptr; }

  /// One command, arguments sent binary-safe. A Redis error reply is `other`.
  result<redis_reply> command(const std::vector<std::string>& args);
  result<redis_reply> command(std::initializer_list<std::string_view> args);
  /// Several commands in one round trip; the replies in order. An error reply in any of
  /// them makes the whole call `other` (the connection stays usable).
  result<std::vector<redis_reply>> pipeline(const std::vector<std::vector<std::string>>& commands);

  status ping();
  /// For a subscribed connection: its socket (-1 when not connected), to wait on with poll().
  int socket() const;
  /// For a subscribed connection, once poll() says the socket is readable: reads what has
  /// arrived and returns every complete message pushed (possibly none). A closed or failed
  /// connection is `unavailable` and is dropped (subscribe again after reconnecting).
  result<std::vector<redis_reply>> read_pushed();
  result<std::optional<std::string>> get(std::string_view key);
  status setex(std::string_view key, int ttl_s, std::string_view value);
  result<std::int64_t> del(std::string_view key);               ///< keys removed
  result<bool> expire(std::string_view key, int ttl_s);         ///< false: no such key
  result<std::int64_t> ttl(std::string_view key);               ///< -2 no key, -1 no TTL

  backoff_state backoff() const;
  const redis_options& options() const { return options_; }

private:
  status ensure_connected();
  store_error io_error();

  redis_options options_;
  redisContext* ctx_ = nullptr;
  int failures_ = 0;
};

/// The parts of a redis:// URL.
struct redis_address {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
};
result<redis_address> parse_redis_url(std::string_view url);

} // namespace ce::store
