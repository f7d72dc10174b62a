// The Redis client, customer cache and session snapshots against a real Redis.
#include "store/cache.hpp"
#include "store_env.hpp"

#include <chrono>
#include <random>

using namespace ce::store;
using namespace ce::store::test;

namespace {

redis_connection test_redis() {
  redis_options o;
  o.url = redis_url();
  return redis_connection{o};
}

// Keys unique to this test process, so parallel runs never see each other's data.
std::string unique(std::string_view what) {
  static const auto tag = std::to_string(std::random_device{}());
  return "test:" + tag + ":" + std::string{what};
}

} // namespace

TEST_CASE("redis: get, setex with TTL, expire, del and pipelines") {
  auto r = test_redis();
  REQUIRE(r.ping().ok());
  auto key = unique("plain");
  REQUIRE(r.setex(key, 60, std::string("binary\0safe", 11)).ok());
  auto got = r.get(key);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == std::string("binary\0safe", 11));
  auto ttl = r.ttl(key);
  REQUIRE(ttl.ok());
  CHECK(*ttl > 55);
  CHECK(*ttl <= 60);
  CHECK(*r.expire(key, 5));
  CHECK(*r.ttl(key) <= 5);
  CHECK(*r.del(key) == 1);
  CHECK_FALSE(r.get(key)->has_value());
  CHECK(*r.ttl(key) == -2);
  CHECK_FALSE(*r.expire(key, 5));
  CHECK(r.setex(key, 0, "x").code() == store_errc::invalid);

  auto replies = r.pipeline({{"SET", unique("p1"), "1"}, {"INCR", unique("p1")}, {"GET", unique("p1")},
                             {"DEL", unique("p1")}});
  REQUIRE(replies.ok());
  REQUIRE(replies->size() == 4);
  CHECK((*replies)[1].integer == 2);
  CHECK((*replies)[2].text == "2");
  auto wrong = r.command({"INCR"});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.code() == store_errc::other);
  CHECK(r.ping().ok());  // an error reply leaves the connection usable
}

TEST_CASE("redis: the customer cache hits, expires per TTL and is invalidated") {
  auto r = test_redis();
  customer_cache cache{r, 300};
  customer c;
  c.id = 42;
  c.first_name = "Dana";
  c.last_name = "O'Brien";
  c.phone = "+1217555" + std::to_string(1000 + std::random_device{}() % 9000);
  c.date_of_birth = "1970-01-02";
  c.zip = "62704";
  c.address = "1 \"Quoted\" Lane";
  c.consent_calls = true;
  REQUIRE(cache.invalidate(c.phone).ok());
  auto miss = cache.get(c.phone);
  REQUIRE(miss.ok());
  CHECK_FALSE(miss->has_value());
  REQUIRE(cache.put(c).ok());
  auto hit = cache.get(c.phone);
  REQUIRE(hit.ok());
  REQUIRE(hit->has_value());
  CHECK((*hit)->id == 42);
  CHECK((*hit)->last_name == "O'Brien");
  CHECK((*hit)->address == c.address);
  CHECK((*hit)->consent_calls);
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 1);
  auto ttl = r.ttl(customer_cache::key(c.phone));
  CHECK(*ttl > 290);
  CHECK(*ttl <= 300);
  REQUIRE(cache.invalidate(c.phone).ok());
  CHECK_FALSE(cache.get(c.phone)->has_value());
  // A corrupt entry is a miss and is removed.
  REQUIRE(r.setex(customer_cache::key(c.phone), 60, "{not json").ok());
  CHECK_FALSE(cache.get(c.phone)->has_value());
  CHECK(*r.ttl(customer_cache::key(c.phone)) == -2);
  CHECK(cache.misses() == 3);
}

TEST_CASE("redis: session snapshots are stored per call with a TTL") {
  auto r = test_redis();
  auto sid = unique("CAsession");
  REQUIRE(put_session(r, sid, R"({"state":"booking","turns":4})", 3600).ok());
  auto got = get_session(r, sid);
  REQUIRE(got.ok());
  CHECK(**got == R"({"state":"booking","turns":4})");
  CHECK(*r.ttl(session_key(sid)) > 3500);
  REQUIRE(delete_session(r, sid).ok());
  CHECK_FALSE(get_session(r, sid)->has_value());
  CHECK(put_session(r, "", "{}", 60).code() == store_errc::invalid);
}

TEST_CASE("redis: a server that is not there is unavailable at once, and URLs are checked") {
  redis_options o;
  o.url = "redis://127.0.0.1:1/0";
  redis_connection r{o};
  auto t0 = std::chrono::steady_clock::now();
  auto got = r.get("x");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(600));
  REQUIRE_FALSE(got.ok());
  CHECK(got.code() == store_errc::unavailable);
  CHECK(r.backoff().consecutive_failures == 1);
  (void) r.get("x");
  CHECK(r.backoff().consecutive_failures == 2);
  CHECK(r.backoff().delay == std::chrono::milliseconds(200));

  CHECK(parse_redis_url("http://x").code() == store_errc::invalid);
  CHECK(parse_redis_url("redis://h:99999").code() == store_errc::invalid);
  auto full = parse_redis_url("redis://:s3cret@cache.local:6380/2");
  REQUIRE(full.ok());
  CHECK(full->host == "cache.local");
  CHECK(full->port == 6380);
  CHECK(full->db == 2);
  CHECK(full->password == "s3cret");
  auto bare = parse_redis_url("redis://127.0.0.1");
  REQUIRE(bare.ok());
  CHECK(bare->port == 6379);
  CHECK(bare->db == 0);
}
