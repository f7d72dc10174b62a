// What the engine keeps in Redis: the customer cache `customer:{phone}` (JSON of the
// customer record, TTL store_config.customer_cache_ttl_s, invalidated when the customer's
// data changes) and the per-call session snapshot `session:{call_sid}` (the caller's JSON,
// TTL store_config.session_ttl_s). Both work through a redis_connection the caller owns.
#pragma once

#include "store/records.hpp"
#include "store/redis.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ce::store {

std::string customer_to_json(const customer& c);
/// `invalid` for text that is not a cached customer (the cache entry is then ignored).
result<customer> customer_from_json(std::string_view json);

class customer_cache {
public:
  customer_cache(redis_connection& redis, int ttl_s) : redis_(redis), ttl_s_(ttl_s) {}

  static std::string key(std::string_view e164_phone) { return "customer:" + std::string{e164_phone}; }

  /// nullopt on a miss (or an unreadable entry, which is deleted). Counts hits and misses.
  result<std::optional<customer>> get(std::string_view e164_phone);
  status put(const customer& c);  ///< keyed by c.phone
  /// Call whenever the customer's data changes (and after a phone number changes, with the old one).
  status invalidate(std::string_view e164_phone);

  std::int64_t hits() const { return hits_; }
  std::int64_t misses() const { return misses_; }
  int ttl_s() const { return ttl_s_; }

private:
  redis_connection& redis_;
  int ttl_s_;
  std::int64_t hits_ = 0;
  std::int64_t misses_ = 0;
};

std::string session_key(std::string_view call_sid);
status put_session(redis_connection& redis, std::string_view call_sid, std::string_view snapshot_json, int ttl_s);
result<std::optional<std::string>> get_session(redis_connection& redis, std::string_view call_sid);
status delete_session(redis_connection& redis, std::string_view call_sid);

} // namespace ce::store
