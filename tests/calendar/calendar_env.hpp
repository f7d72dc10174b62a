// What the calendar tests share: the in-process Google mock (a real HTTP server on
// loopback, bench/mocks) with the shop calendar, a google_calendar pointed at it, a mirror
// over a fresh migrated database (real PostgreSQL), and the tools of one call.
#pragma once

#include "calendar/calendar_mirror.hpp"
#include "calendar/google_calendar.hpp"
#include "mocks/mock_server.hpp"
#include "tools/tools_env.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace ce::calendar::test {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline const std::string shop_calendar = "shop-calendar@example.com";

inline std::unique_ptr<mocks::mock_server> start_google(json calendar_events = json::array()) {
  mocks::server_options o;
  o.config = {{"google", {{"calendars", {{shop_calendar, calendar_events}}}}}};
  auto m = std::make_unique<mocks::mock_server>(o);
  auto err = m->start();
  INFO((err ? *err : std::string()));
  REQUIRE_FALSE(err.has_value());
  return m;
}

inline google_config google_at(const std::string& token_url, const std::string& api_base) {
  google_config g;
  g.calendar_id = shop_calendar;
  g.client_id = "mock-client-id";
  g.client_secret = "mock-client-secret";
  g.refresh_token = "mock-refresh-token";
  g.token_url = token_url;
  g.api_base_url = api_base;
  g.freebusy_wait_ms = 1500;
  return g;
}

inline google_tuning fast_tuning() {
  google_tuning t;
  t.op_deadline = 2000ms;
  t.retry_initial = 20ms;
  return t;
}

inline std::shared_ptr<google_calendar> google_for(const mocks::mock_server& m) {
  return std::make_shared<google_calendar>(google_at(m.google_token_url(), m.gcal_base()),
                                           store::test::facts().timezone, fast_tuning());
}

inline mirror_options mirror_opts() {
  mirror_options o;
  o.max_queue = 100;
  o.max_attempts = 6;
  o.backoff_initial = 50ms;
  o.backoff_max = 400ms;
  o.time_zone = store::test::facts().timezone;
  o.shop_name = store::test::facts().name;
  for (const auto& s : store::test::facts().services) o.service_names[s.id] = s.name;
  return o;
}

inline std::unique_ptr<calendar_mirror> mirror_for(const std::string& db_url, std::shared_ptr<google_calendar> g,
                                                   mirror_options o = mirror_opts()) {
  return std::make_unique<calendar_mirror>(store::pg_connection{store::test::options_for(db_url)}, std::move(g),
                                           std::move(o), nullptr);
}

/// Runs the mirror until its queue is empty (true) or `timeout` passes (false).
inline bool drain(calendar_mirror& m, std::chrono::milliseconds timeout = 15000ms) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    m.run_due(std::chrono::steady_clock::now(), 100);
    auto next = m.next_due();
    if (!next) return true;
    std::this_thread::sleep_until(std::min(*next, until));
  }
  return m.depth() == 0;
}

/// The stored event with this id in the mock's shop calendar (null when absent).
inline json event_in_mock(const mocks::mock_server& m, const std::string& id) {
  for (const auto& e : m.calendar_events(shop_calendar))
    if (e.value("id", "") == id) return e;
  return nullptr;
}

inline std::size_t requests_of(const mocks::mock_server& m, const std::string& op) {
  std::size_t n = 0;
  for (const auto& e : m.log("google", 0, "google.request"))
    if (e.value("op", "") == op) ++n;
  return n;
}

} // namespace ce::calendar::test
