// What the tools tests share: a fresh migrated database per test (store_env.hpp), the
// fixture's Redis with a real customer cache, a caller_context for one call, and helpers
// that run a tool and parse its answer.
#pragma once

#include "store/cache.hpp"
#include "store/store_env.hpp"
#include "tools/executor.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ce::tools::test {

using json = nlohmann::json;
using store::test::add_customer;
using store::test::facts;
using store::test::fresh_database;
using store::test::future_monday;
using store::test::next_day;
using store::test::test_customer;

inline store::redis_options redis_at(const std::string& url) {
  store::redis_options o;
  o.url = url;
  return o;
}

/// A new call's context: nobody selected, nothing verified.
inline caller_context new_call(std::string call_sid, std::string caller_phone) {
  caller_context ctx;
  ctx.call_sid = std::move(call_sid);
  ctx.caller_phone = std::move(caller_phone);
  return ctx;
}

/// One call's tools over a fresh database `db`, calling from `caller_phone`.
struct tool_rig {
  std::string url;
  store::dealership_store shop;
  store::redis_connection redis;
  store::customer_cache cache;
  tool_env env;
  caller_context ctx;
  tool_outcome last;

  tool_rig(const std::string& db, std::string caller_phone, std::string call_sid = "CAtools0001")
      : url(fresh_database(db)),
        shop(store::test::make_store(url)),
        redis(redis_at(store::test::redis_url())),
        cache(redis, 300),
        env{shop, &cache, facts()} {
    ctx.call_sid = std::move(call_sid);
    ctx.caller_phone = std::move(caller_phone);
    forget_cached(ctx.caller_phone);
  }

  /// Drops a cache entry a previous test may have left for this number.
  void forget_cached(const std::string& phone) {
    if (phone.starts_with("+")) REQUIRE(cache.invalidate(phone).ok());
  }

  /// A customer with a vehicle (date of birth 1980-05-17, ZIP 62704), cache entry cleared.
  test_customer customer(const std::string& phone, int serial) {
    forget_cached(phone);
    return add_customer(shop, phone, serial);
  }

  json call(std::string_view name, const json& args = json::object()) { return call_text(name, args.dump()); }

  json call_text(std::string_view name, std::string_view arguments) {
    last = execute(env, ctx, name, arguments);
    auto j = json::parse(last.result_json, nullptr, false);
    INFO(name << " -> " << last.result_json);
    REQUIRE(j.is_object());
    REQUIRE(j.contains("ok"));
    if (!j["ok"].get<bool>()) {
      CHECK(j["error"] == last.error);
      CHECK_FALSE(j.value("message", std::string{}).empty());
    } else {
      CHECK(last.error.empty());
    }
    return j;
  }

  /// lookup_customer by caller ID, then verify_customer by date of birth.
  void verify_caller() {
    auto found = call("lookup_customer");
    REQUIRE(found["found"] == true);
    auto v = call("verify_customer", {{"method", "date_of_birth"}, {"value", "1980-05-17"}});
    REQUIRE(v["verified"] == true);
  }

  /// The UTC instant of a dealership-local time ("YYYY-MM-DD HH:MM"), for pinning the clock.
  std::chrono::system_clock::time_point instant_of(const std::string& local) {
    auto r = shop.connection().exec("SELECT extract(epoch FROM ($1::timestamp AT TIME ZONE $2))::bigint",
                                     store::pg_params{}.add(local).add(facts().timezone));
    REQUIRE(r.ok());
    return std::chrono::system_clock::time_point{std::chrono::seconds{(*r)[0].int64(0)}};
  }

  void pin_clock(const std::string& local) {
    auto t = instant_of(local);
    env.now = [t] { return t; };
  }

  std::int64_t count(const std::string& sql) {
    auto r = shop.connection().exec(sql);
    REQUIRE(r.ok());
    return (*r)[0].int64(0);
  }
};

/// The error code of a failed result ("" when it succeeded).
inline std::string error_of(const json& result) {
  return result.value("ok", false) ? std::string{} : result.value("error", std::string{"?"});
}

inline std::string message_of(const json& result) { return result.value("message", std::string{}); }

} // namespace ce::tools::test
