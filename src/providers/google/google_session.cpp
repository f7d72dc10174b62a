#include "providers/google/google_session.hpp"

#include "common/log.hpp"
#include "providers/google/calendar_json.hpp"
#include "providers/http/tls.hpp"

#include <algorithm>
#include <charconv>

namespace ce::google {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t max_body = 1024 * 1024;

milliseconds left_until(steady::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - steady::now());
}

} // namespace

struct google_session::op {
  api_call call;
  api_done done;
  steady::time_point started;
  steady::time_point deadline;
  int attempts = 0;
  int refreshes = 0;
  std::shared_ptr<http::http_exchange> exchange;
  std::optional<http::steady_timer> timer;
  bool finished = false;
};

google_session::google_session(http::executor ex, calendar_options options)
  : ex_(ex), opt_(std::move(options)), log_(log::get("google")), token_url_(http::parse_url(opt_.token_url)),
    api_base_(http::parse_url(opt_.calendar_base)), token_timer_(ex) {
  if ((token_url_ && token_url_->secure()) || (api_base_ && api_base_->secure()))
    tls_ = http::client_tls_context(opt_.tls);
}

http::http_request_spec google_session::spec_for(const http::url& u, bhttp::verb m, std::string target) const {
  http::http_request_spec spec;
  spec.method = m;
  spec.endpoint = u;
  spec.target = std::move(target);
  spec.headers = {{"Accept", "application/json"}};
  return spec;
}

// ---- the access token ----------------------------------------------------------------------

void google_session::with_token(steady::time_point deadline, token_waiter w) {
  if (!access_token_.empty() && steady::now() + opt_.refresh_margin < expires_at_) return w(access_token_);
  waiters_.push_back(std::move(w));
  if (refreshing_) return;
  refreshing_ = true;
  token_attempts_ = 0;
  refresh(deadline);
}

void google_session::refresh(steady::time_point deadline) {
  if (!token_url_) {
    on_token(http::make_error(http::provider_errc::bad_request, "invalid token_url " + opt_.token_url), {}, deadline);
    return;
  }
  ++token_attempts_;
  http::query_params form{{"grant_type", "refresh_token"},
                          {"client_id", opt_.client_id},
                          {"client_secret", opt_.client_secret},
                          {"refresh_token", opt_.refresh_token}};
  if (!opt_.scope.empty()) form.emplace_back("scope", opt_.scope);
  auto spec = spec_for(*token_url_, bhttp::verb::post, token_url_->target());
  spec.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  spec.body = http::encode_form(form);
  const milliseconds left = std::max(left_until(deadline), milliseconds(1));
  http::http_timeouts t{std::min(opt_.connect_timeout, left), std::min(opt_.first_byte_timeout, left), opt_.idle_timeout};
  log_->debug("{} google token refresh attempt={}", opt_.log_context, token_attempts_);
  token_exchange_ = http::buffered_request(ex_, tls_, std::move(spec), t, max_body,
                         [weak = weak_from_this(), deadline](std::optional<http::provider_error> err,
                                                             http::buffered_response res) {
                           if (auto self = weak.lock()) self->on_token(std::move(err), std::move(res), deadline);
                         });
}

void google_session::on_token(std::optional<http::provider_error> err, http::buffered_response res,
                              steady::time_point deadline) {
  token_exchange_.reset();
  if (stopped_) return;
  std::optional<http::provider_error> failure;
  if (err && res.head.status == 0) {
    failure = std::move(err);
  } else if (res.head.status != 200) {
    failure = oauth_http_error(res.head.status, res.body, res.head.get("retry-after"));
  } else {
    auto j = nlohmann::json::parse(res.body, nullptr, false);
    std::string token;
    double expires_in = 0;
    if (j.is_object()) {
      if (j.contains("access_token") && j["access_token"].is_string()) token = j["access_token"].get<std::string>();
      if (j.contains("expires_in")) {
        const auto& e = j["expires_in"];
        if (e.is_number()) expires_in = e.get<double>();
        else if (e.is_string()) {
          const auto s = e.get<std::string>();
          std::from_chars(s.data(), s.data() + s.size(), expires_in);
        }
      }
      // A new refresh token is rare; when one comes it replaces the old.
      if (j.contains("refresh_token") && j["refresh_token"].is_string()) opt_.refresh_token = j["refresh_token"].get<std::string>();
    }
    if (token.empty() || expires_in <= 0) {
      failure = http::make_error(http::provider_errc::protocol_violation, "token response without access_token/expires_in");
    } else {
      access_token_ = std::move(token);
      expires_at_ = steady::now() + milliseconds(static_cast<std::int64_t>(expires_in * 1000.0));
      refreshing_ = false;
      log_->info("{} google access token refreshed (expires in {} s)", opt_.log_context, static_cast<long>(expires_in));
      auto waiters = std::move(waiters_);
      waiters_.clear();
      for (auto& w : waiters) w(access_token_);
      return;
    }
  }
  if (auto delay = http::retry_delay(*failure, opt_.retry, token_attempts_, left_until(deadline), jitter_.next())) {
    log_->warn("{} google token refresh failed ({}), retrying in {} ms", opt_.log_context, failure->describe(),
               delay->count());
    token_timer_.expires_after(*delay);
    token_timer_.async_wait([weak = weak_from_this(), deadline](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec && !self->stopped_) self->refresh(deadline);
    });
    return;
  }
  refreshing_ = false;
  if (failure->is_permanent())
    log_->error("{} google token refresh refused ({}): the refresh token or client needs an operator",
                opt_.log_context, failure->describe());
  else
    log_->warn("{} google token refresh failed: {}", opt_.log_context, failure->describe());
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) w(*failure);
}

// ---- authorized API calls ------------------------------------------------------------------

void google_session::run(api_call call, api_done done) {
  auto o = std::make_shared<op>();
  o->call = std::move(call);
  o->done = std::move(done);
  o->started = steady::now();
  o->deadline = o->started + opt_.deadline;
  live_.push_back(o);
  attempt(o);
}

void google_session::attempt(std::shared_ptr<op> o) {
  with_token(o->deadline, [weak = weak_from_this(), o](http::result<std::string> token) {
    auto self = weak.lock();
    if (!self || self->stopped_ || o->finished) return;
    if (!token.ok()) {
      // The call cannot be made; report the token error (its class decides for the owner).
      o->finished = true;
      std::erase(self->live_, o);
      if (o->done) o->done(token.error(), {});
      return;
    }
    self->send(o, token.value());
  });
}

void google_session::send(std::shared_ptr<op> o, const std::string& token) {
  if (!api_base_) {
    o->finished = true;
    std::erase(live_, o);
    if (o->done) o->done(http::make_error(http::provider_errc::bad_request, "invalid calendar_base"), {});
    return;
  }
  ++o->attempts;
  auto spec = spec_for(*api_base_, o->call.method, api_base_->path + o->call.path_and_query);
  spec.headers.emplace_back("Authorization", "Bearer " + token);
  if (!o->call.body.empty()) {
    spec.headers.emplace_back("Content-Type", "application/json");
    spec.body = o->call.body;
  }
  const milliseconds left = std::max(left_until(o->deadline), milliseconds(1));
  http::http_timeouts t{std::min(opt_.connect_timeout, left), std::min(opt_.first_byte_timeout, left), opt_.idle_timeout};
  o->exchange = http::buffered_request(
    ex_, tls_, std::move(spec), t, max_body,
    [weak = weak_from_this(), o, token](std::optional<http::provider_error> err, http::buffered_response res) {
      if (auto self = weak.lock(); self && !self->stopped_) self->on_answer(o, token, std::move(err), std::move(res));
    });
}

void google_session::on_answer(std::shared_ptr<op> o, const std::string& token, std::optional<http::provider_error> err,
                               http::buffered_response res) {
  o->exchange.reset();
  if (o->finished) return;
  const int status = res.head.status;
  if (err) return retry_or_fail(o, std::move(*err));
  auto finish = [&](std::optional<http::provider_error> e) {
    o->finished = true;
    std::erase(live_, o);
    log_->debug("{} google {} status={} attempts={} ms={}", opt_.log_context, o->call.name, status, o->attempts,
                std::chrono::duration_cast<milliseconds>(steady::now() - o->started).count());
    if (o->done) o->done(std::move(e), std::move(res));
  };
  if (status >= 200 && status < 300) return finish(std::nullopt);
  if (status == 401 && o->refreshes < 2) {
    // The token was refused (expired early, revoked): fetch a new one and try again.
    ++o->refreshes;
    if (access_token_ == token) access_token_.clear();
    log_->info("{} google {} got 401, refreshing the token", opt_.log_context, o->call.name);
    return attempt(o);
  }
  const auto& finals = o->call.final_statuses;
  if (std::find(finals.begin(), finals.end(), status) != finals.end()) return finish(std::nullopt);
  retry_or_fail(o, calendar_http_error(status, res.body, res.head.get("retry-after")));
}

void google_session::retry_or_fail(std::shared_ptr<op> o, http::provider_error err) {
  // 409/410/412 are answers, not transient trouble, whatever class they got.
  const bool answer = err.http_status == 409 || err.http_status == 410 || err.http_status == 412;
  if (!answer) {
    if (auto delay = http::retry_delay(err, opt_.retry, o->attempts, left_until(o->deadline), jitter_.next())) {
      log_->info("{} google {} attempt {} failed ({}), retrying in {} ms", opt_.log_context, o->call.name, o->attempts,
                 err.describe(), delay->count());
      o->timer.emplace(ex_);
      o->timer->expires_after(*delay);
      o->timer->async_wait([weak = weak_from_this(), o](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec && !self->stopped_ && !o->finished) self->attempt(o);
      });
      return;
    }
  }
  o->finished = true;
  std::erase(live_, o);
  log_->warn("{} google {} failed after {} attempt(s): {}", opt_.log_context, o->call.name, o->attempts, err.describe());
  if (o->done) o->done(std::move(err), {});
}

void google_session::stop() {
  stopped_ = true;
  token_timer_.cancel();
  if (token_exchange_) token_exchange_->cancel();
  token_exchange_.reset();
  waiters_.clear();
  for (auto& o : live_) {
    o->finished = true;
    if (o->exchange) o->exchange->cancel();
    if (o->timer) o->timer->cancel();
  }
  live_.clear();
}

} // namespace ce::google
