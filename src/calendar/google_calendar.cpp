#include "calendar/google_calendar.hpp"

#include "common/log.hpp"
#include "providers/google/calendar_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

namespace ce::calendar {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::int64_t day_seconds = 86400;
constexpr std::size_t max_cached_windows = 16;

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}}.time_since_epoch().count();
}

int digits(std::string_view s, std::size_t pos, std::size_t n, bool& ok) {
  int v = 0;
  if (pos + n > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      ok = false;
      return 0;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/// One pending freeBusy fetch several questions may wait for.
struct fetch {
  std::int64_t from = 0;
  std::int64_t to = 0;
  bool done = false;
  bool ok = false;
  std::vector<busy_period> periods;
};

struct cached_window {
  std::int64_t from = 0;
  std::int64_t to = 0;
  steady::time_point fetched;
  std::vector<busy_period> periods;
};

std::vector<busy_period> overlapping(const std::vector<busy_period>& all, std::int64_t from, std::int64_t to) {
  std::vector<busy_period> out;
  for (const auto& p : all)
    if (p.start_unix < to && p.end_unix > from) out.push_back(p);
  return out;
}

} // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  bool ok = true;
  int y = digits(s, 0, 4, ok), mo = digits(s, 5, 2, ok), d = digits(s, 8, 2, ok);
  int h = digits(s, 11, 2, ok), mi = digits(s, 14, 2, ok), se = digits(s, 17, 2, ok);
  if (!ok || s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  if (pos >= s.size()) return std::nullopt;
  std::int64_t offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return std::nullopt;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = digits(s, pos + 1, 2, ok), om = digits(s, pos + 4, 2, ok);
    if (!ok || pos + 6 != s.size() || s[pos + 3] != ':' || oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (s[pos] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  auto days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * day_seconds + h * 3600 + mi * 60 + se - offset;
}

std::string format_rfc3339_utc(std::int64_t t) {
  using namespace std::chrono;
  auto days = t >= 0 ? t / day_seconds : (t - day_seconds + 1) / day_seconds;
  auto secs = t - days * day_seconds;
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

struct google_calendar::impl : std::enable_shared_from_this<impl> {
  google_config cfg;
  std::string time_zone;
  google_tuning tuning;
  std::shared_ptr<spdlog::logger> log = log::get("calendar");
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<google::calendar_client> client;
  std::thread thread;

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<cached_window> cache;
  std::vector<std::shared_ptr<fetch>> inflight;
  steady::time_point unavailable_until{};

  google::calendar_options options(const std::string& context) const {
    google::calendar_options o;
    o.token_url = cfg.token_url;
    o.calendar_base = cfg.api_base_url;
    o.client_id = cfg.client_id;
    o.client_secret = cfg.client_secret;
    o.refresh_token = cfg.refresh_token;
    o.deadline = tuning.op_deadline;
    o.retry.initial_backoff = tuning.retry_initial;
    o.log_context = context;
    return o;
  }

  /// Waits for an asynchronous client operation; the client's own deadline bounds it,
  /// the extra second only guards against a completion that never comes.
  template <class T, class Start>
  http::result<T> wait(Start start) {
    auto promise = std::make_shared<std::promise<http::result<T>>>();
    auto future = promise->get_future();
    start([promise](http::result<T> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(tuning.op_deadline + std::chrono::seconds(1)) != std::future_status::ready)
      return http::make_error(http::provider_errc::timeout, "Google did not answer within the deadline");
    return future.get();
  }

  /// Starts a freeBusy fetch of [from, to); completes `f` under the mutex and wakes waiters.
  void start_fetch(std::shared_ptr<fetch> f, const std::string& call_sid) {
    google::free_busy_query q;
    q.time_min = format_rfc3339_utc(f->from);
    q.time_max = format_rfc3339_utc(f->to);
    q.time_zone = "UTC";
    q.calendars = {cfg.calendar_id};
    client->free_busy(std::move(q), [self = shared_from_this(), f, call_sid](http::result<google::free_busy_result> r) {
      self->on_fetched(f, std::move(r), call_sid);
    });
  }

  void on_fetched(const std::shared_ptr<fetch>& f, http::result<google::free_busy_result> r, const std::string& call_sid) {
    std::vector<busy_period> periods;
    std::string failure;
    if (!r.ok()) {
      failure = r.error().describe();
    } else {
      const google::calendar_busy* cal = nullptr;
      auto it = r->calendars.find(cfg.calendar_id);
      if (it != r->calendars.end()) cal = &it->second;
      else if (r->calendars.size() == 1) cal = &r->calendars.begin()->second;  // keyed otherwise
      if (!cal) failure = "the answer holds no entry for the calendar";
      else if (!cal->errors.empty()) failure = "calendar error: " + cal->errors.front();
      else
        for (const auto& p : cal->busy) {
          auto s = parse_rfc3339(p.start), e = parse_rfc3339(p.end);
          if (!s || !e) {
            failure = "unreadable busy period " + p.start + " - " + p.end;
            break;
          }
          periods.push_back({*s, *e});
        }
    }
    std::lock_guard lock{mutex};
    f->done = true;
    f->ok = failure.empty();
    if (f->ok) {
      f->periods = periods;
      cache.push_back({f->from, f->to, steady::now(), std::move(periods)});
      if (cache.size() > max_cached_windows) cache.erase(cache.begin());
    } else {
      unavailable_until = steady::now() + tuning.unavailable_hold;
      log->warn("call_sid={} role=calendar google freeBusy failed ({}); slots come from PostgreSQL alone for {} s",
                call_sid, failure, tuning.unavailable_hold.count());
    }
    inflight.erase(std::remove(inflight.begin(), inflight.end(), f), inflight.end());
    changed.notify_all();
  }

  std::optional<std::vector<busy_period>> busy_between(std::int64_t from, std::int64_t to, const std::string& call_sid,
                                                       bool may_wait) {
    std::unique_lock lock{mutex};
    auto now = steady::now();
    auto ttl = std::chrono::seconds(cfg.freebusy_cache_s);
    std::erase_if(cache, [&](const cached_window& w) { return now - w.fetched >= ttl; });
    for (auto it = cache.rbegin(); it != cache.rend(); ++it)
      if (it->from <= from && it->to >= to) return overlapping(it->periods, from, to);
    if (now < unavailable_until) {
      log->info("call_sid={} role=calendar google calendar unavailable; slots from PostgreSQL alone", call_sid);
      return std::nullopt;
    }
    std::shared_ptr<fetch> f;
    for (const auto& pending : inflight)
      if (pending->from <= from && pending->to >= to) f = pending;
    if (!f) {
      f = std::make_shared<fetch>();
      f->from = from - (from % day_seconds + day_seconds) % day_seconds;  // whole UTC days
      auto min_to = f->from + std::chrono::duration_cast<std::chrono::seconds>(tuning.busy_window_min).count();
      auto end = to + (day_seconds - (to % day_seconds + day_seconds) % day_seconds) % day_seconds;
      f->to = std::max(end, min_to);
      inflight.push_back(f);
      lock.unlock();
      start_fetch(f, call_sid);
      lock.lock();
    }
    if (!may_wait) return std::nullopt;
    auto wait = std::chrono::milliseconds(cfg.freebusy_wait_ms);
    if (!changed.wait_for(lock, wait, [&] { return f->done; })) {
      log->warn("call_sid={} role=calendar google freeBusy slower than {} ms; slots from PostgreSQL alone", call_sid,
                cfg.freebusy_wait_ms);
      return std::nullopt;
    }
    if (!f->ok) return std::nullopt;
    return overlapping(f->periods, from, to);
  }
};

google_calendar::google_calendar(const google_config& cfg, std::string time_zone, google_tuning tuning)
  : impl_(std::make_shared<impl>()) {
  impl_->cfg = cfg;
  impl_->time_zone = std::move(time_zone);
  impl_->tuning = tuning;
  impl_->client = std::make_unique<google::calendar_client>(impl_->io, impl_->options("role=calendar"));
  impl_->thread = std::thread([p = impl_.get()] { p->io.run(); });
}

google_calendar::~google_calendar() {
  impl_->client.reset();  // no completion runs after this
  impl_->work.reset();
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

const std::string& google_calendar::calendar_id() const { return impl_->cfg.calendar_id; }
const std::string& google_calendar::time_zone() const { return impl_->time_zone; }

http::result<google::insert_outcome> google_calendar::insert(google::calendar_event event) {
  return impl_->wait<google::insert_outcome>([&](auto done) {
    impl_->client->insert_event(impl_->cfg.calendar_id, std::move(event), std::move(done));
  });
}

http::result<google::calendar_event> google_calendar::patch(const std::string& event_id, google::event_patch p) {
  return impl_->wait<google::calendar_event>([&](auto done) {
    impl_->client->patch_event(impl_->cfg.calendar_id, event_id, std::move(p), std::move(done));
  });
}

http::result<google::delete_outcome> google_calendar::remove(const std::string& event_id) {
  return impl_->wait<google::delete_outcome>([&](auto done) {
    impl_->client->delete_event(impl_->cfg.calendar_id, event_id, std::move(done));
  });
}

std::optional<std::vector<busy_period>> google_calendar::busy_between(std::int64_t from_unix, std::int64_t to_unix,
                                                                      const std::string& call_sid, bool may_wait) {
  if (to_unix <= from_unix) return std::vector<busy_period>{};
  return impl_->busy_between(from_unix, to_unix, call_sid, may_wait);
}

void google_calendar::clear_busy_cache() {
  std::lock_guard lock{impl_->mutex};
  impl_->cache.clear();
  impl_->unavailable_until = {};
}

} // namespace ce::calendar
