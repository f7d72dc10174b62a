#include "mocks/google_mock.hpp"

#include "twilio/signature.hpp"

namespace ce::mocks {
namespace {

using nlohmann::json;

constexpr std::string_view calendar_prefix = "/calendar/v3";
const char* const calendar_scope = "https://www.googleapis.com/auth/calendar";

http_response oauth_error(const http_request& req, unsigned status, std::string_view error, std::string_view description) {
  return json_response(req, status, json{{"error", error}, {"error_description", description}});
}

http_response google_fault_response(const http_request& req, const fault_rule& f, bool oauth) {
  const unsigned status = static_cast<unsigned>(f.status);
  http_response res;
  if (oauth) {
    const std::string err = !f.error_code.empty() ? f.error_code
                            : status == 429       ? "rate_limit_exceeded"
                            : status >= 500       ? "internal_failure"
                                                  : "invalid_request";
    res = oauth_error(req, status, err, f.message.empty() ? "The mock was told to fail this request." : f.message);
  } else {
    std::string reason = f.error_code;
    std::string domain = "global";
    std::string message = f.message;
    if (status == 403 || status == 429) {
      if (reason.empty()) reason = "rateLimitExceeded";
      domain = "usageLimits";
      if (message.empty()) message = "Rate Limit Exceeded";
    } else if (status >= 500) {
      if (reason.empty()) reason = "backendError";
      if (message.empty()) message = "Backend Error";
    } else {
      if (reason.empty()) reason = "badRequest";
      if (message.empty()) message = "The mock was told to fail this request.";
    }
    res = json_response(req, status, google_error_body(status, reason, message, domain));
  }
  if (f.retry_after) res.set(http::field::retry_after, *f.retry_after);
  else if (status == 429) res.set(http::field::retry_after, "1");
  return res;
}

http_response api_response(const http_request& req, const api_result& r) {
  if (r.status == 204) {
    http_response res{http::status::no_content, req.version()};
    res.set(http::field::server, "ce-mock");
    res.keep_alive(req.keep_alive());
    return res;
  }
  return json_response(req, r.status, r.body);
}

} // namespace

google_service::google_service(mock_context& ctx) : ctx_(ctx), calendars_(zones_) {}

std::string google_service::reset() {
  auto cfg = ctx_.config.snapshot();
  {
    std::lock_guard lock(token_mutex_);
    tokens_.clear();
  }
  return calendars_.reset(cfg->google.calendars, cfg->google.time_zone);
}

void google_service::expire_tokens() {
  std::lock_guard lock(token_mutex_);
  for (auto& [t, s] : tokens_) s.revoked = true;
}

double google_service::virtual_now_ms(double speed) {
  // Integrates the speed in force, so changing clock_speed does not jump the clock.
  const auto now = steady::now();
  clock_virtual_ms_ += std::chrono::duration<double, std::milli>(now - clock_real_).count() * speed;
  clock_real_ = now;
  return clock_virtual_ms_;
}

bool google_service::token_valid(const std::string& token, const google_config& g) {
  std::lock_guard lock(token_mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.revoked) return false;
  if (it->second.real_expiry) return steady::now() < *it->second.real_expiry;
  return virtual_now_ms(g.clock_speed) < it->second.virtual_expiry_ms;
}

void google_service::handle(http_request&& req, const connection_ptr& conn) {
  auto cfg = ctx_.config.snapshot();
  ctx_.log.counters(service::google).messages_in.fetch_add(1, std::memory_order_relaxed);
  const auto parts = split_target(req.target());
  if (parts.path == "/token") {
    if (req.method() != http::verb::post)
      return conn->reply(oauth_error(req, 405, "invalid_request", "Use POST."));
    return token(std::move(req), conn, *cfg);
  }
  if (parts.path.rfind(calendar_prefix, 0) == 0) return calendar_api(std::move(req), conn, *cfg);
  conn->reply(json_response(req, 404, google_error_body(404, "notFound", "Not Found")));
}

void google_service::token(http_request&& req, const connection_ptr& conn, const mock_config& cfg) {
  const auto& g = cfg.google;
  auto& counters = ctx_.log.counters(service::google);
  json entry{{"content_type", header(req, "Content-Type")}};
  auto answer = [&](http_response res) {
    entry["status"] = res.result_int();
    if (res.result_int() != 200) counters.rejected.fetch_add(1);
    else counters.accepted.fetch_add(1);
    ctx_.log.add(service::google, "google.token", entry);
    conn->reply(std::move(res));
  };

  auto faults = select_faults({&g.faults, &cfg.faults}, "token", {fault_kind::status, fault_kind::delay, fault_kind::drop, fault_kind::stall},
                              ctx_.rng);
  if (!faults.empty()) {
    counters.faults.fetch_add(faults.fired.size());
    entry["faults"] = json::array();
    for (const auto* f : faults.fired) entry["faults"].push_back(to_string(f->kind));
  }
  if (faults.get(fault_kind::drop)) {
    ctx_.log.add(service::google, "google.token", entry);
    return conn->drop();
  }
  if (const auto* f = faults.get(fault_kind::stall)) {
    ctx_.log.add(service::google, "google.token", entry);
    return conn->stall(std::chrono::milliseconds(f->stall_ms));
  }
  const int delay = faults.get(fault_kind::delay) ? faults.get(fault_kind::delay)->delay_ms : 0;
  if (const auto* f = faults.get(fault_kind::status)) {
    entry["status"] = f->status;
    counters.rejected.fetch_add(1);
    ctx_.log.add(service::google, "google.token", entry);
    return conn->reply_after(std::chrono::milliseconds(delay), google_fault_response(req, *f, true));
  }
  if (lower(header(req, "Content-Type")).find("application/x-www-form-urlencoded") == std::string::npos)
    return answer(oauth_error(req, 400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded."));
  const auto form = twilio::parse_form_urlencoded(req.body());
  if (!form) return answer(oauth_error(req, 400, "invalid_request", "Malformed form body."));
  auto field = [&](std::string_view name) -> std::string {
    for (const auto& [k, v] : *form)
      if (k == name) return v;
    return {};
  };
  const std::string grant = field("grant_type");
  entry["grant_type"] = grant;
  entry["client_id"] = field("client_id");
  if (grant.empty()) return answer(oauth_error(req, 400, "invalid_request", "Missing required parameter: grant_type"));
  if (grant != "refresh_token") return answer(oauth_error(req, 400, "unsupported_grant_type", "Invalid grant_type: " + grant));
  if ((!g.client_id.empty() && field("client_id") != g.client_id) ||
      (!g.client_secret.empty() && field("client_secret") != g.client_secret))
    return answer(oauth_error(req, 401, "invalid_client", "The OAuth client was not found."));
  if (field("refresh_token").empty() || (!g.refresh_token.empty() && field("refresh_token") != g.refresh_token))
    return answer(oauth_error(req, 400, "invalid_grant", "Token has been expired or revoked."));

  std::string access;
  {
    std::lock_guard lock(token_mutex_);
    access = "mock-at-" + std::to_string(++issued_);
    token_state t;
    if (g.token_ttl_ms > 0) t.real_expiry = steady::now() + std::chrono::milliseconds(g.token_ttl_ms);
    t.virtual_expiry_ms = virtual_now_ms(g.clock_speed) + g.expires_in * 1000.0;
    tokens_[access] = t;
  }
  entry["access_token"] = access;
  json body{{"access_token", access},
            {"scope", field("scope").empty() ? calendar_scope : field("scope")},
            {"token_type", "Bearer"}};
  if (g.expires_in_as_string) body["expires_in"] = std::to_string(g.expires_in);
  else body["expires_in"] = g.expires_in;
  auto res = json_response(req, 200, body);
  res.set(http::field::cache_control, "no-cache, no-store, max-age=0, must-revalidate");
  entry["status"] = 200;
  counters.accepted.fetch_add(1);
  ctx_.log.add(service::google, "google.token", entry);
  conn->reply_after(std::chrono::milliseconds(delay), std::move(res));
}

void google_service::calendar_api(http_request&& req, const connection_ptr& conn, const mock_config& cfg) {
  const auto& g = cfg.google;
  auto& counters = ctx_.log.counters(service::google);
  const auto parts = split_target(req.target());
  const std::string rest = parts.path.substr(calendar_prefix.size());

  // Route: /freeBusy | /calendars/{cal}/events[/{id}]
  std::string op, cal, id;
  const auto method = req.method();
  if (rest == "/freeBusy") {
    if (method == http::verb::post) op = "freeBusy";
  } else if (rest.rfind("/calendars/", 0) == 0) {
    const std::string tail = rest.substr(11);
    const auto slash = tail.find('/');
    if (slash != std::string::npos) {
      cal = percent_decode(tail.substr(0, slash), false);
      const std::string after = tail.substr(slash);
      if (after == "/events") {
        if (method == http::verb::post) op = "events.insert";
        else if (method == http::verb::get) op = "events.list";
      } else if (after.rfind("/events/", 0) == 0 && after.size() > 8 && after.find('/', 8) == std::string::npos) {
        id = percent_decode(after.substr(8), false);
        if (method == http::verb::get) op = "events.get";
        else if (method == http::verb::patch) op = "events.patch";
        else if (method == http::verb::put) op = "events.update";
        else if (method == http::verb::delete_) op = "events.delete";
      }
    }
  }
  json entry{{"method", std::string(req.method_string())}, {"path", parts.path}, {"op", op},
             {"query", query_to_json(parts.query)}};
  if (!cal.empty()) entry["calendar"] = cal;
  if (!id.empty()) entry["event_id"] = id;
  if (cfg.record_bodies && !req.body().empty()) {
    auto b = json::parse(req.body(), nullptr, false);
    entry["body"] = b.is_discarded() ? json(req.body()) : b;
  }
  auto answer = [&](http_response res, std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    entry["status"] = res.result_int();
    if (res.result_int() >= 400) counters.rejected.fetch_add(1);
    else counters.accepted.fetch_add(1);
    ctx_.log.add(service::google, "google.request", entry);
    conn->reply_after(delay, std::move(res));
  };
  if (op.empty()) return answer(json_response(req, 404, google_error_body(404, "notFound", "Not Found")));

  if (g.require_token) {
    const auto [scheme, token] = authorization(req);
    if (scheme != "bearer" || !token_valid(token, g)) {
      entry["auth"] = scheme != "bearer" || token.empty() ? "missing" : "invalid";
      auto res = json_response(
        req, 401,
        google_error_body(401, "authError", "Invalid Credentials", "global", "header", "Authorization"));
      res.set(http::field::www_authenticate, "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
      return answer(std::move(res));
    }
  }

  auto faults = select_faults({&g.faults, &cfg.faults}, op, {fault_kind::status, fault_kind::delay, fault_kind::drop, fault_kind::stall},
                              ctx_.rng);
  std::chrono::milliseconds delay{0};
  if (!faults.empty()) {
    counters.faults.fetch_add(faults.fired.size());
    entry["faults"] = json::array();
    for (const auto* f : faults.fired) entry["faults"].push_back(to_string(f->kind));
    if (const auto* d = faults.get(fault_kind::delay)) delay = std::chrono::milliseconds(d->delay_ms);
    if (faults.get(fault_kind::drop)) {
      ctx_.log.add(service::google, "google.request", entry);
      return conn->drop();
    }
    if (const auto* s = faults.get(fault_kind::stall)) {
      ctx_.log.add(service::google, "google.request", entry);
      return conn->stall(std::chrono::milliseconds(s->stall_ms));
    }
    if (const auto* f = faults.get(fault_kind::status)) return answer(google_fault_response(req, *f, false), delay);
  }

  json body;
  if (op == "freeBusy" || op == "events.insert" || op == "events.patch" || op == "events.update") {
    body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) return answer(json_response(req, 400, google_error_body(400, "parseError", "Parse Error")), delay);
  }
  api_result r;
  if (op == "freeBusy") r = calendars_.free_busy(body);
  else if (op == "events.insert") r = calendars_.insert(cal, body);
  else if (op == "events.list") r = calendars_.list(cal, parts.query);
  else if (op == "events.get") r = calendars_.get(cal, id);
  else if (op == "events.patch") r = calendars_.patch(cal, id, body);
  else if (op == "events.update") r = calendars_.update(cal, id, body);
  else r = calendars_.remove(cal, id);
  if (r.status >= 400) entry["error"] = r.body["error"]["errors"][0]["reason"];
  answer(api_response(req, r), delay);
}

} // namespace ce::mocks
