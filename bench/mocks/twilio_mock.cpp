#include "mocks/twilio_mock.hpp"

#include "common/base64.hpp"
#include "mocks/http_client.hpp"
#include "mocks/time_util.hpp"
#include "sim/caller.hpp"
#include "twilio/signature.hpp"
#include "twilio/twiml.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <deque>
#include <set>

namespace ce::mocks {

using nlohmann::json;

struct twilio_service::call_state {
  std::string sid;
  std::string account;
  std::string auth_token;
  std::string to;
  std::string from;
  std::string url;
  std::string method = "POST";
  std::string twiml;
  std::string status_callback;
  std::string callback_method = "POST";
  std::set<std::string> events;
  std::string status = "queued";
  int stage = 0;
  std::int64_t created_ms = 0;
  std::int64_t answered_ms = 0;
  std::int64_t ended_ms = 0;
  int sequence = 0;
  twilio_config cfg;
  json received = json::array();
  json executed = json::array();
  json callbacks = json::array();
  std::deque<std::pair<std::string, twilio::form_params>> pending;
  bool sending = false;
  std::shared_ptr<asio::steady_timer> timer;
  bool discarded = false;  ///< forgotten by reset(): nothing more happens to it

  // answering-machine detection
  std::string machine_detection;  ///< "Enable" / "DetectMessageEnd", "" = none
  bool async_amd = false;
  std::string amd_callback;
  std::string amd_callback_method = "POST";
  std::string answered_by;        ///< AMD's result, once reported
  bool amd_armed = false;
  bool amd_done = false;
  bool amd_after_greeting = false;  ///< the result waits for the callee's beep
  steady::time_point answered_at;
  std::shared_ptr<asio::steady_timer> amd_timer;
  json amd = nullptr;

  // simulated callee
  std::shared_ptr<sim::call> callee;
  bool callee_started = false;
  bool callee_running = false;
  bool callee_stopped = false;     ///< the mock ended the stream (hang-up, update)
  json callee_info = nullptr;
};

namespace {

constexpr auto callback_timeout = std::chrono::seconds(5);

http_response twilio_error(const http_request& req, unsigned status, int code, std::string message) {
  return json_response(req, status,
                       json{{"code", code},
                            {"message", std::move(message)},
                            {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
                            {"status", status}});
}

bool terminal(const std::string& status) {
  return status == "completed" || status == "busy" || status == "failed" || status == "no-answer" ||
         status == "canceled";
}

std::string form_value(const twilio::form_params& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}

bool has_field(const twilio::form_params& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return true;
  return false;
}

json form_to_json(const twilio::form_params& f) {
  json out = json::object();
  for (const auto& [k, v] : f) {
    if (!out.contains(k)) out[k] = v;
    else {
      if (!out[k].is_array()) out[k] = json::array({out[k]});
      out[k].push_back(v);
    }
  }
  return out;
}

/// What AMD reports for the configured answer under the requested detection mode.
std::string resolve_answered_by(const std::string& configured, const std::string& mode) {
  const bool enable = iequals(mode, "Enable");
  if (configured == "machine") return enable ? "machine_start" : "machine_end_beep";
  if (enable && configured.rfind("machine_end", 0) == 0) return "machine_start";
  return configured;
}

bool is_machine(const std::string& answered_by) { return answered_by.rfind("machine", 0) == 0; }

/// How long detection takes when `amd_delay_ms` is -1 (ms after the answer).
std::int64_t default_amd_delay_ms(const std::string& answered_by) {
  if (answered_by == "human") return 1800;
  if (answered_by == "machine_start") return 2500;
  if (answered_by == "fax") return 3000;
  if (answered_by == "unknown") return 5000;
  return 4500;  // machine_end_*: the greeting and the beep
}

/// After the callee's beep, DetectMessageEnd still needs a moment of silence.
constexpr std::int64_t amd_after_beep_ms = 400;

/// scheme://host[:port] of `url` (ws -> http, wss -> https), or "".
std::string origin_of(const std::string& url) {
  url_parts u;
  if (!split_url(url, u)) return {};
  const std::string scheme = u.scheme == "ws" ? "http" : u.scheme == "wss" ? "https" : u.scheme;
  return scheme + "://" + u.host + ":" + u.port;
}

std::string sip_code(const std::string& status) {
  if (status == "completed") return "200";
  if (status == "busy") return "486";
  if (status == "failed") return "500";
  return "487";
}

} // namespace

twilio_service::twilio_service(mock_context& ctx) : ctx_(ctx) {}

twilio_service::~twilio_service() { shutdown(); }

void twilio_service::set_hook(twilio_hook hook) {
  std::lock_guard lock(mutex_);
  hook_ = std::move(hook);
}

void twilio_service::notify(twilio_call_event ev) {
  twilio_hook hook;
  {
    std::lock_guard lock(mutex_);
    hook = hook_;
  }
  if (!hook) return;
  asio::post(ctx_.ioc, [hook = std::move(hook), ev = std::move(ev)] { hook(ev); });
}

std::string twilio_service::new_sid() {
  // Twilio's SIDs are unique for good; a mock restarted against the same database (the demo)
  // must not hand out the SIDs of its previous run, so each process adds its own salt.
  static const std::uint64_t salt = (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  std::uint64_t a = ctx_.rng.next() ^ salt;
  const std::uint64_t b = ++counter_;
  char buf[40];
  std::snprintf(buf, sizeof buf, "CA%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return buf;
}

json twilio_service::resource(const call_state& c) const {
  auto date = [](std::int64_t ms) { return ms ? json(format_rfc2822(ms)) : json(nullptr); };
  const std::string base = "/2010-04-01/Accounts/" + c.account + "/Calls/" + c.sid;
  json duration = nullptr;
  if (c.ended_ms && c.answered_ms) duration = std::to_string((c.ended_ms - c.answered_ms) / 1000);
  else if (c.ended_ms) duration = "0";
  return json{{"sid", c.sid},
              {"date_created", format_rfc2822(c.created_ms)},
              {"date_updated", format_rfc2822(std::max({c.created_ms, c.answered_ms, c.ended_ms}))},
              {"parent_call_sid", nullptr},
              {"account_sid", c.account},
              {"to", c.to},
              {"to_formatted", c.to},
              {"from", c.from},
              {"from_formatted", c.from},
              {"phone_number_sid", nullptr},
              {"status", c.status},
              {"start_time", date(c.answered_ms)},
              {"end_time", date(c.ended_ms)},
              {"duration", duration},
              {"price", nullptr},
              {"price_unit", "USD"},
              {"direction", "outbound-api"},
              {"answered_by", c.answered_by.empty() ? json(nullptr) : json(c.answered_by)},
              {"api_version", "2010-04-01"},
              {"forwarded_from", nullptr},
              {"group_sid", nullptr},
              {"caller_name", nullptr},
              {"queue_time", "0"},
              {"trunk_sid", nullptr},
              {"uri", base + ".json"},
              {"subresource_uris",
               {{"notifications", base + "/Notifications.json"},
                {"recordings", base + "/Recordings.json"},
                {"streams", base + "/Streams.json"},
                {"events", base + "/Events.json"}}}};
}

void twilio_service::handle(http_request&& req, const connection_ptr& conn) {
  auto cfg = ctx_.config.snapshot();
  const auto& tc = cfg->twilio;
  auto& counters = ctx_.log.counters(service::twilio);
  counters.messages_in.fetch_add(1, std::memory_order_relaxed);
  const auto parts = split_target(req.target());
  json entry{{"method", std::string(req.method_string())}, {"path", parts.path}};

  auto answer = [&](http_response res, std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    entry["status"] = res.result_int();
    if (res.result_int() >= 400) counters.rejected.fetch_add(1);
    ctx_.log.add(service::twilio, "twilio.request", entry);
    conn->reply_after(delay, std::move(res));
  };

  static constexpr std::string_view prefix = "/2010-04-01/Accounts/";
  if (parts.path.rfind(prefix, 0) != 0)
    return answer(twilio_error(req, 404, 20404, "The requested resource " + parts.path + " was not found"));
  const std::string rest = parts.path.substr(prefix.size());
  const auto slash = rest.find('/');
  const std::string account = rest.substr(0, slash);
  const std::string tail = slash == std::string::npos ? "" : rest.substr(slash);
  std::string op;
  std::string sid;
  if (tail == "/Calls.json" && req.method() == http::verb::post) {
    op = "calls.create";
  } else if (tail.rfind("/Calls/", 0) == 0 && tail.size() > 12 && tail.ends_with(".json") &&
             tail.find('/', 7) == std::string::npos) {
    sid = tail.substr(7, tail.size() - 12);
    if (req.method() == http::verb::post) op = "calls.update";
    else if (req.method() == http::verb::get) op = "calls.fetch";
    else if (req.method() == http::verb::delete_) op = "calls.delete";
  }
  entry["op"] = op;

  // Basic auth: the account's sid and token, or an API key's sid and secret.
  const auto [scheme, cred] = authorization(req);
  bool authed = false;
  std::string user;
  if (scheme == "basic") {
    if (auto raw = base64_decode(cred)) {
      const std::string s(raw->begin(), raw->end());
      const auto colon = s.find(':');
      if (colon != std::string::npos) {
        user = s.substr(0, colon);
        const std::string pass = s.substr(colon + 1);
        if (user == tc.account_sid && pass == tc.auth_token) authed = true;
        auto k = tc.api_keys.find(user);
        if (k != tc.api_keys.end() && k->second == pass) authed = true;
      }
    }
  }
  if (!authed || account != tc.account_sid) {
    entry["auth_user"] = user;
    auto res = twilio_error(req, 401, 20003, "Authenticate");
    res.set(http::field::www_authenticate, "Basic realm=\"Twilio API\"");
    return answer(std::move(res));
  }
  if (op.empty())
    return answer(twilio_error(req, 404, 20404, "The requested resource " + parts.path + " was not found"));

  auto faults = select_faults({&tc.faults, &cfg->faults}, op, {fault_kind::status, fault_kind::delay, fault_kind::drop, fault_kind::stall},
                              ctx_.rng);
  std::chrono::milliseconds delay{0};
  if (!faults.empty()) {
    counters.faults.fetch_add(faults.fired.size());
    entry["faults"] = json::array();
    for (const auto* f : faults.fired) entry["faults"].push_back(to_string(f->kind));
    if (const auto* d = faults.get(fault_kind::delay)) delay = std::chrono::milliseconds(d->delay_ms);
    if (faults.get(fault_kind::drop)) {
      ctx_.log.add(service::twilio, "twilio.request", entry);
      return conn->drop();
    }
    if (const auto* s = faults.get(fault_kind::stall)) {
      ctx_.log.add(service::twilio, "twilio.request", entry);
      return conn->stall(std::chrono::milliseconds(s->stall_ms));
    }
    if (const auto* f = faults.get(fault_kind::status)) {
      const int code = f->error_code.empty() ? (f->status == 429 ? 20429 : 20500) : std::atoi(f->error_code.c_str());
      const std::string msg = !f->message.empty() ? f->message : f->status == 429 ? "Too Many Requests" : "Internal Server Error";
      auto res = twilio_error(req, static_cast<unsigned>(f->status), code, msg);
      if (f->retry_after) res.set(http::field::retry_after, *f->retry_after);
      return answer(std::move(res), delay);
    }
  }

  if (op == "calls.create" || op == "calls.update") {
    const auto form = twilio::parse_form_urlencoded(req.body());
    if (!form) return answer(twilio_error(req, 400, 20001, "Malformed form body."), delay);
    entry["form"] = form_to_json(*form);
  }
  counters.accepted.fetch_add(1);
  ctx_.log.add(service::twilio, "twilio.request", entry);
  if (op == "calls.create") {
    if (delay.count() > 0) {
      // A slow answer: hold the request, then handle it.
      auto timer = std::make_shared<asio::steady_timer>(conn->executor());
      timer->expires_after(delay);
      timer->async_wait([this, timer, conn, account, req = std::move(req)](beast::error_code ec) mutable {
        if (!ec) create(std::move(req), conn, account);
      });
      return;
    }
    return create(std::move(req), conn, account);
  }
  if (op == "calls.update") return update(std::move(req), conn, account, sid);
  std::lock_guard lock(mutex_);
  auto it = calls_.find(sid);
  if (it == calls_.end())
    return conn->reply_after(delay, twilio_error(req, 404, 20404, "The requested resource " + parts.path + " was not found"));
  if (op == "calls.delete") {
    calls_.erase(it);
    http_response res{http::status::no_content, req.version()};
    res.keep_alive(req.keep_alive());
    return conn->reply_after(delay, std::move(res));
  }
  conn->reply_after(delay, json_response(req, 200, resource(*it->second)));
}

void twilio_service::create(http_request&& req, const connection_ptr& conn, const std::string& account) {
  auto cfg = ctx_.config.snapshot();
  const auto form = twilio::parse_form_urlencoded(req.body()).value_or(twilio::form_params{});
  auto reject = [&](unsigned status, int code, std::string msg) {
    ctx_.log.counters(service::twilio).rejected.fetch_add(1);
    ctx_.log.add(service::twilio, "twilio.rejected", {{"op", "calls.create"}, {"status", status}, {"code", code}, {"message", msg}});
    conn->reply(twilio_error(req, status, code, std::move(msg)));
  };
  if (form_value(form, "To").empty()) return reject(400, 21201, "No 'To' number is specified");
  if (form_value(form, "From").empty()) return reject(400, 21603, "A 'From' phone number is required.");
  const bool has_url = has_field(form, "Url");
  const bool has_twiml = has_field(form, "Twiml");
  if (!has_url && !has_twiml && !has_field(form, "ApplicationSid"))
    return reject(400, 21205, "Url parameter is required.");
  if (has_url && has_twiml) return reject(400, 21205, "Provide exactly one of Url or Twiml (the mock is strict here).");
  url_parts u;
  if (has_url && (!split_url(form_value(form, "Url"), u) || (u.scheme != "http" && u.scheme != "https")))
    return reject(400, 21205, "Url is not a valid URL: " + form_value(form, "Url"));
  if (has_twiml && form_value(form, "Twiml").size() > 4000)
    return reject(400, 21232, "Twiml exceeds the 4000 character limit.");
  const std::string cb = form_value(form, "StatusCallback");
  if (!cb.empty() && (!split_url(cb, u) || (u.scheme != "http" && u.scheme != "https")))
    return reject(400, 21609, "StatusCallback is not a valid URL: " + cb);

  auto c = std::make_shared<call_state>();
  c->account = account;
  c->auth_token = cfg->twilio.auth_token;
  c->to = form_value(form, "To");
  c->from = form_value(form, "From");
  c->url = form_value(form, "Url");
  c->twiml = form_value(form, "Twiml");
  if (auto m = form_value(form, "Method"); !m.empty()) c->method = m;
  c->status_callback = cb;
  if (auto m = form_value(form, "StatusCallbackMethod"); !m.empty()) c->callback_method = m;
  for (const auto& [k, v] : form) {
    if (k != "StatusCallbackEvent") continue;
    std::size_t start = 0;
    while (start < v.size()) {
      const auto sp = v.find(' ', start);
      const std::string ev = v.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
      if (!ev.empty()) c->events.insert(ev);
      if (sp == std::string::npos) break;
      start = sp + 1;
    }
  }
  if (c->events.empty()) c->events.insert("completed");
  if (auto md = form_value(form, "MachineDetection"); iequals(md, "Enable") || iequals(md, "DetectMessageEnd")) {
    c->machine_detection = md;
    c->async_amd = iequals(form_value(form, "AsyncAmd"), "true");
    c->amd_callback = form_value(form, "AsyncAmdStatusCallback");
    if (auto m = form_value(form, "AsyncAmdStatusCallbackMethod"); !m.empty()) c->amd_callback_method = m;
    c->amd = json{{"machine_detection", md},
                  {"async", c->async_amd},
                  {"callback_url", c->amd_callback},
                  {"answered_by", nullptr},
                  {"machine_detection_duration_ms", nullptr}};
  }
  c->created_ms = wall_clock_ms();
  c->cfg = cfg->twilio;
  c->received.push_back({{"op", "create"}, {"form", form_to_json(form)}});
  c->timer = std::make_shared<asio::steady_timer>(asio::make_strand(ctx_.ioc));
  c->amd_timer = std::make_shared<asio::steady_timer>(asio::make_strand(ctx_.ioc));
  json created{{"to", c->to}, {"from", c->from}, {"url", c->url}, {"twiml", c->twiml},
               {"status_callback", cb}, {"events", c->events}};
  json body;
  {
    std::lock_guard lock(mutex_);
    c->sid = new_sid();
    created["call_sid"] = c->sid;
    calls_[c->sid] = c;
    body = resource(*c);
    schedule(c, std::chrono::milliseconds(c->cfg.step_ms));
  }
  ctx_.log.add(service::twilio, "twilio.call_created", std::move(created));
  conn->reply(json_response(req, 201, body));
}

void twilio_service::schedule(const call_ptr& c, std::chrono::milliseconds delay) {
  c->timer->expires_after(delay);
  c->timer->async_wait([this, c](beast::error_code ec) {
    if (ec) return;
    advance(c);
  });
}

void twilio_service::advance(const call_ptr& c) {
  enum class step { ring, finish_outcome, auto_complete, answered } next = step::ring;
  twilio_call_event ev;
  bool sync_amd = false;
  {
    std::lock_guard lock(mutex_);
    if (terminal(c->status)) return;
    ++c->stage;
    if (c->stage == 1) {
      queue_callback(c, "initiated", "initiated");
    } else if (c->stage == 2) {
      c->status = "ringing";
      queue_callback(c, "ringing", "ringing");
    } else if (c->stage == 3 && c->cfg.outcome != "answered") {
      next = step::finish_outcome;
    } else if (c->stage == 3) {
      next = step::answered;
      c->status = "in-progress";
      c->answered_ms = wall_clock_ms();
      c->answered_at = steady::now();
      queue_callback(c, "answered", "in-progress");
      ev = twilio_call_event{"answered", c->sid, c->account, c->from, c->to, c->status, c->twiml, c->url};
      sync_amd = !c->machine_detection.empty() && !c->async_amd;
      if (c->cfg.auto_complete_ms > 0) schedule(c, std::chrono::milliseconds(c->cfg.auto_complete_ms));
    } else {
      next = step::auto_complete;
    }
    if (next == step::ring) return schedule(c, std::chrono::milliseconds(c->cfg.step_ms));
  }
  switch (next) {
  case step::finish_outcome: return finish(c, c->cfg.outcome);
  case step::auto_complete: return finish(c, "completed");
  default: break;
  }
  ctx_.log.add(service::twilio, "twilio.call_answered", {{"call_sid", c->sid}});
  notify(ev);
  if (sync_amd) {
    // Synchronous AMD: the TwiML waits for the result and the fetch carries AnsweredBy.
    const auto ab = resolve_answered_by(c->cfg.amd_answered_by, c->machine_detection);
    return schedule_amd(c, c->cfg.amd_delay_ms >= 0 ? c->cfg.amd_delay_ms : default_amd_delay_ms(ab), true);
  }
  run_answer_twiml(c);
}

void twilio_service::run_answer_twiml(const call_ptr& c) {
  std::string url, twiml, answered_by;
  bool fetch = false;
  {
    std::lock_guard lock(mutex_);
    if (terminal(c->status)) return;
    url = c->url;
    twiml = c->twiml;
    answered_by = c->answered_by;
    fetch = !url.empty() && c->cfg.fetch_twiml;
  }
  if (fetch) return fetch_twiml(c, url, answered_by);
  if (!twiml.empty()) return execute_twiml(c, twiml, "");
  arm_async_amd(c, false);
}

void twilio_service::arm_async_amd(const call_ptr& c, bool callee_plays_greeting) {
  std::int64_t delay = 0;
  {
    std::lock_guard lock(mutex_);
    if (c->machine_detection.empty() || !c->async_amd || c->amd_armed || terminal(c->status)) return;
    c->amd_armed = true;
    const auto ab = resolve_answered_by(c->cfg.amd_answered_by, c->machine_detection);
    if (c->cfg.amd_delay_ms >= 0) {
      delay = c->cfg.amd_delay_ms;
    } else if (callee_plays_greeting && ab.rfind("machine_end", 0) == 0) {
      // DetectMessageEnd reports once the greeting and the beep are over.
      c->amd_after_greeting = true;
      return;
    } else {
      delay = default_amd_delay_ms(ab);
    }
  }
  schedule_amd(c, delay, false);
}

void twilio_service::schedule_amd(const call_ptr& c, std::int64_t delay_from_answer_ms, bool sync) {
  std::lock_guard lock(mutex_);
  if (terminal(c->status)) return;
  c->amd_timer->expires_at(c->answered_at + std::chrono::milliseconds(delay_from_answer_ms));
  c->amd_timer->async_wait([this, c, sync](beast::error_code ec) {
    if (ec) return;
    if (!sync) return send_amd(c);
    {
      std::lock_guard guard(mutex_);
      if (terminal(c->status) || c->amd_done) return;
      c->amd_done = true;
      c->answered_by = resolve_answered_by(c->cfg.amd_answered_by, c->machine_detection);
      c->amd["answered_by"] = c->answered_by;
      c->amd["machine_detection_duration_ms"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - c->answered_at).count();
    }
    ctx_.log.add(service::twilio, "twilio.amd", {{"call_sid", c->sid}, {"answered_by", c->answered_by}, {"async", false}});
    run_answer_twiml(c);
  });
}

void twilio_service::send_amd(const call_ptr& c) {
  twilio::form_params params;
  std::string target, body, signature, method_name;
  http::verb method = http::verb::post;
  {
    std::lock_guard lock(mutex_);
    if (terminal(c->status) || c->amd_done || c->discarded) return;
    c->amd_done = true;
    c->answered_by = resolve_answered_by(c->cfg.amd_answered_by, c->machine_detection);
    const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - c->answered_at).count();
    c->amd["answered_by"] = c->answered_by;
    c->amd["machine_detection_duration_ms"] = duration;
    if (c->amd_callback.empty()) return;
    params = {{"AccountSid", c->account},
              {"CallSid", c->sid},
              {"AnsweredBy", c->answered_by},
              {"MachineDetectionDuration", std::to_string(duration)}};
    target = c->amd_callback;
    if (iequals(c->amd_callback_method, "GET")) {
      method = http::verb::get;
      target += (target.find('?') == std::string::npos ? "?" : "&") + twilio::form_urlencode(params);
      signature = twilio::compute_signature(c->auth_token, target, {});
    } else {
      body = twilio::form_urlencode(params);
      signature = twilio::compute_signature(c->auth_token, target, params);
    }
    method_name = method == http::verb::get ? "GET" : "POST";
  }
  json record{{"call_sid", c->sid}, {"event", "amd"},       {"url", target},
              {"method", method_name}, {"params", form_to_json(params)}, {"signature", signature}};
  async_http_request(ctx_.ioc, method, target, std::move(body), {{"X-Twilio-Signature", signature}}, callback_timeout,
                     [this, c, record](http_result r) mutable {
                       record["status"] = r.status;
                       if (!r.error.empty()) record["error"] = r.error;
                       ctx_.log.add(service::twilio, "twilio.amd", record);
                       std::lock_guard lock(mutex_);
                       c->amd["sent"] = record;
                       c->callbacks.push_back(record);
                     });
}

void twilio_service::finish(const call_ptr& c, const std::string& status) {
  twilio_call_event ev;
  {
    std::lock_guard lock(mutex_);
    if (terminal(c->status)) return;
    c->timer->cancel();
    c->amd_timer->cancel();
    if (c->callee_running && !c->callee_stopped && c->callee) {
      // The call is over: Twilio ends the stream (`stop`, then the socket closes).
      c->callee_stopped = true;
      c->callee->hang_up();
    }
    // An empty status is a hang-up: completed when answered, canceled before.
    c->status = !status.empty() ? status : c->status == "in-progress" ? "completed" : "canceled";
    if (!c->ended_ms) c->ended_ms = wall_clock_ms();
    queue_callback(c, "completed", c->status);
    ev = twilio_call_event{"completed", c->sid, c->account, c->from, c->to, c->status, c->twiml, c->url};
  }
  ctx_.log.add(service::twilio, "twilio.call_ended", {{"call_sid", ev.call_sid}, {"status", ev.status}});
  notify(std::move(ev));
}

bool twilio_service::hang_up(const std::string& call_sid) {
  call_ptr c;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(call_sid);
    if (it == calls_.end() || terminal(it->second->status)) return false;
    c = it->second;
  }
  finish(c, "");
  return true;
}

void twilio_service::execute_twiml(const call_ptr& c, const std::string& twiml, const std::string& url) {
  const bool connect = twiml.find("<Connect") != std::string::npos;
  bool want_callee = false;
  {
    std::lock_guard lock(mutex_);
    c->executed.push_back({{"twiml", twiml}, {"url", url}, {"connect", connect}, {"t_ms", ctx_.log.now_ms()}});
    want_callee = connect && c->cfg.callee.enabled && !c->callee_started && !c->discarded && c->status == "in-progress";
  }
  // The first <Connect><Stream> the call runs gets the simulated callee.
  const bool callee = want_callee && start_callee(c, twiml, url);
  arm_async_amd(c, callee && is_machine(resolve_answered_by(c->cfg.amd_answered_by, c->machine_detection)));
  {
    std::lock_guard lock(mutex_);
    if (connect || terminal(c->status)) return;
  }
  ctx_.log.add(service::twilio, "twilio.twiml_executed", {{"call_sid", c->sid}, {"twiml", twiml}, {"connect", connect}});
  // Say / Dial / Hangup and the like run, then the call is over.
  auto timer = std::make_shared<asio::steady_timer>(ctx_.ioc);
  timer->expires_after(std::chrono::milliseconds(c->cfg.twiml_exec_ms));
  timer->async_wait([this, c, timer](beast::error_code ec) {
    if (!ec) finish(c, "completed");
  });
}

void twilio_service::fetch_twiml(const call_ptr& c, const std::string& url, const std::string& answered_by) {
  std::string call_status, fetch_method;
  {
    std::lock_guard lock(mutex_);
    call_status = c->status;
    fetch_method = c->method;
  }
  twilio::form_params params{{"AccountSid", c->account}, {"ApiVersion", "2010-04-01"}, {"CallSid", c->sid},
                             {"CallStatus", call_status}, {"Called", c->to},          {"Caller", c->from},
                             {"Direction", "outbound-api"}, {"From", c->from},        {"To", c->to}};
  if (!answered_by.empty()) params.emplace_back("AnsweredBy", answered_by);
  std::string target = url;
  std::string body;
  http::verb method = http::verb::post;
  std::string signature;
  if (iequals(fetch_method, "GET")) {
    method = http::verb::get;
    target += (url.find('?') == std::string::npos ? "?" : "&") + twilio::form_urlencode(params);
    signature = twilio::compute_signature(c->auth_token, target, {});
  } else {
    body = twilio::form_urlencode(params);
    signature = twilio::compute_signature(c->auth_token, url, params);
  }
  async_http_request(ctx_.ioc, method, target, std::move(body), {{"X-Twilio-Signature", signature}}, callback_timeout,
                     [this, c, url](http_result r) {
                       ctx_.log.add(service::twilio, "twilio.twiml_fetched",
                                    {{"call_sid", c->sid}, {"url", url}, {"status", r.status}, {"body", r.body},
                                     {"error", r.error}});
                       execute_twiml(c, r.status == 200 ? r.body : "", url);
                     });
}

void twilio_service::queue_callback(const call_ptr& c, const std::string& event, const std::string& call_status) {
  if (c->status_callback.empty() || !c->events.count(event)) return;
  if (c->cfg.lost_callbacks.count(event)) {
    ctx_.log.add(service::twilio, "twilio.callback_lost", {{"call_sid", c->sid}, {"event", event}, {"status", call_status}});
    return;
  }
  twilio::form_params p{{"AccountSid", c->account},
                        {"ApiVersion", "2010-04-01"},
                        {"CallSid", c->sid},
                        {"CallStatus", call_status},
                        {"Called", c->to},
                        {"Caller", c->from},
                        {"Direction", "outbound-api"},
                        {"From", c->from},
                        {"To", c->to},
                        {"Timestamp", format_rfc2822(wall_clock_ms())},
                        {"CallbackSource", "call-progress-events"},
                        {"SequenceNumber", std::to_string(c->sequence++)}};
  if (event == "completed") {
    const std::int64_t secs = c->answered_ms ? (c->ended_ms - c->answered_ms) / 1000 : 0;
    p.emplace_back("CallDuration", std::to_string(secs));
    p.emplace_back("Duration", std::to_string((secs + 59) / 60));
    p.emplace_back("SipResponseCode", sip_code(call_status));
    if (!c->answered_by.empty()) p.emplace_back("AnsweredBy", c->answered_by);
  }
  c->pending.emplace_back(event, std::move(p));
  if (!c->sending) send_next_callback(c);
}

void twilio_service::send_next_callback(const call_ptr& c) {
  if (c->pending.empty()) {
    c->sending = false;
    return;
  }
  c->sending = true;
  auto [event, params] = std::move(c->pending.front());
  c->pending.pop_front();
  std::string target = c->status_callback;
  std::string body;
  std::string signature;
  http::verb method = http::verb::post;
  if (iequals(c->callback_method, "GET")) {
    method = http::verb::get;
    target += (target.find('?') == std::string::npos ? "?" : "&") + twilio::form_urlencode(params);
    signature = twilio::compute_signature(c->auth_token, target, {});
  } else {
    body = twilio::form_urlencode(params);
    signature = twilio::compute_signature(c->auth_token, target, params);
  }
  json record{{"call_sid", c->sid}, {"event", event}, {"url", target}, {"method", method == http::verb::get ? "GET" : "POST"},
              {"params", form_to_json(params)}, {"signature", signature}};
  async_http_request(ctx_.ioc, method, target, std::move(body), {{"X-Twilio-Signature", signature}}, callback_timeout,
                     [this, c, record](http_result r) mutable {
                       record["status"] = r.status;
                       if (!r.error.empty()) record["error"] = r.error;
                       ctx_.log.add(service::twilio, "twilio.callback", record);
                       std::lock_guard lock(mutex_);
                       c->callbacks.push_back(record);
                       send_next_callback(c);
                     });
}

void twilio_service::update(http_request&& req, const connection_ptr& conn, const std::string& account,
                            const std::string& sid) {
  const auto form = twilio::parse_form_urlencoded(req.body()).value_or(twilio::form_params{});
  call_ptr c;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(sid);
    if (it != calls_.end() && it->second->account == account && !terminal(it->second->status)) c = it->second;
  }
  if (!c) {
    ctx_.log.counters(service::twilio).rejected.fetch_add(1);
    return conn->reply(twilio_error(req, 404, 20404,
                                    "The requested resource /2010-04-01/Accounts/" + account + "/Calls/" + sid +
                                      ".json was not found"));
  }
  const bool has_url = has_field(form, "Url");
  const bool has_twiml = has_field(form, "Twiml");
  const std::string status = form_value(form, "Status");
  if (has_url && has_twiml) return conn->reply(twilio_error(req, 400, 21205, "Twiml and Url are mutually exclusive."));
  if (!status.empty() && status != "completed" && status != "canceled")
    return conn->reply(twilio_error(req, 400, 21218, "Invalid Status: " + status));
  {
    std::lock_guard lock(mutex_);
    c->received.push_back({{"op", "update"}, {"form", form_to_json(form)}});
    if (auto cb = form_value(form, "StatusCallback"); !cb.empty()) c->status_callback = cb;
    if (auto m = form_value(form, "StatusCallbackMethod"); !m.empty()) c->callback_method = m;
  }
  ctx_.log.add(service::twilio, "twilio.call_updated", {{"call_sid", sid}, {"form", form_to_json(form)}});
  bool answered = false;
  {
    std::lock_guard lock(mutex_);
    answered = c->status == "in-progress";
  }
  if (status == "completed") {
    finish(c, "");
  } else if (status == "canceled") {
    if (!answered) finish(c, "canceled");
  } else if (has_twiml || has_url) {
    // New TwiML ends the stream in progress.
    stop_callee(c);
    twilio_call_event ev;
    {
      std::lock_guard lock(mutex_);
      if (has_twiml) {
        c->twiml = form_value(form, "Twiml");
        c->url.clear();
      } else {
        c->url = form_value(form, "Url");
        c->twiml.clear();
        if (auto m = form_value(form, "Method"); !m.empty()) c->method = m;
      }
      ev = twilio_call_event{"updated", c->sid, c->account, c->from, c->to, c->status, c->twiml, c->url};
    }
    notify(ev);
    if (has_twiml) execute_twiml(c, ev.twiml, "");
    else if (c->cfg.fetch_twiml) fetch_twiml(c, ev.url);
    else execute_twiml(c, "", ev.url);
  }
  json body;
  {
    std::lock_guard lock(mutex_);
    body = resource(*c);
  }
  conn->reply(json_response(req, 200, body));
}

json twilio_service::calls() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [sid, c] : calls_) {
    json r = resource(*c);
    r["received"] = c->received;
    r["executed"] = c->executed;
    r["callbacks"] = c->callbacks;
    r["status_callback_events"] = c->events;
    r["amd"] = c->amd;
    r["callee"] = c->callee_info;
    out.push_back(std::move(r));
  }
  return out;
}

void twilio_service::reset() {
  std::lock_guard lock(mutex_);
  for (auto& [sid, c] : calls_) {
    c->discarded = true;
    c->timer->cancel();
    c->amd_timer->cancel();
    if (c->callee_running && !c->callee_stopped && c->callee) {
      c->callee_stopped = true;
      c->callee->hang_up();
    }
  }
  calls_.clear();
}

// ------------------------------------------------------------------ the simulated callee

asio::io_context& twilio_service::callee_context() {
  std::lock_guard lock(callee_mutex_);
  if (!callee_ioc_) {
    callee_ioc_ = std::make_unique<asio::io_context>(1);
    callee_work_ = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
      callee_ioc_->get_executor());
    callee_thread_ = std::thread([this, ioc = callee_ioc_.get()] {
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          // A callee's failure must not take the mock down; the others keep running.
          ctx_.log.add(service::twilio, "twilio.callee_error", {{"error", e.what()}});
        }
      }
    });
  }
  return *callee_ioc_;
}

void twilio_service::shutdown() {
  std::unique_ptr<asio::io_context> ioc;
  {
    std::lock_guard lock(callee_mutex_);
    if (!callee_ioc_) return;
    callee_work_.reset();
    callee_ioc_->stop();
    if (callee_thread_.joinable()) callee_thread_.join();
    ioc = std::move(callee_ioc_);
  }
  std::set<call_ptr> live;
  {
    std::lock_guard lock(mutex_);
    live.swap(live_callees_);
    for (const auto& c : live) c->callee.reset();
  }
  // Destroying the context destroys the handlers still queued, and the calls they hold.
  ioc.reset();
}

bool twilio_service::start_callee(const call_ptr& c, const std::string& twiml, const std::string& url) {
  const auto parsed = twilio::parse_twiml(twiml);
  if (!parsed || !parsed->stream_url) return false;
  const auto& cc = c->cfg.callee;
  const std::string answered_by = resolve_answered_by(c->cfg.amd_answered_by, c->machine_detection);
  const bool machine = is_machine(answered_by);

  sim::caller_options o;
  // The engine is where the TwiML came from; the stream URL's host may be a public name.
  o.engine_url = !cc.engine_url.empty() ? cc.engine_url : origin_of(!url.empty() ? url : *parsed->stream_url);
  o.public_base_url = o.engine_url;
  o.auth_token = c->auth_token;
  o.call_sid = c->sid;
  o.account_sid = c->account;
  o.from = c->from;
  o.to = c->to;
  o.direction = "outbound-api";
  o.given_twiml = twiml;
  o.hangup_after_ms = cc.hangup_after_ms;
  o.answer_timeout_ms = cc.answer_timeout_ms;
  o.max_call_ms = cc.max_call_ms;
  o.voice = cc.voice;
  o.words_per_minute = cc.words_per_minute;
  if (!cc.wav_dir.empty()) o.wav_path = cc.wav_dir + "/" + c->sid + ".wav";
  if (machine) {
    o.answering_machine = true;
    o.machine_greeting = cc.voicemail_greeting;
    o.beep_ms = cc.beep_ms;
    o.beep_hz = cc.beep_hz;
  } else {
    if (!cc.greeting.empty()) {
      o.script.push_back(sim::script_line{cc.greeting, cc.greeting_pause_ms});
      o.speak_first = true;
    }
    for (const auto& l : cc.say)
      o.script.push_back(sim::script_line{l.text, l.pause_before_ms.value_or(cc.pause_before_ms), l.barge_in, l.barge_after_ms});
  }
  o.on_event = [this, c](const std::string& event, std::int64_t at_ms) {
    asio::post(ctx_.ioc, [this, c, event, at_ms] { on_callee_event(c, event, at_ms); });
  };
  json info{{"mode", machine ? "machine" : "human"},
            {"engine_url", o.engine_url},
            {"stream_url", *parsed->stream_url},
            {"connect_action", parsed->connect_action ? json(*parsed->connect_action) : json(nullptr)},
            {"started_at_ms", ctx_.log.now_ms()},
            {"running", true},
            {"script", json::array()}};
  for (const auto& l : o.script) info["script"].push_back(l.text);
  if (machine) info["script"].push_back(o.machine_greeting);
  if (!o.wav_path.empty()) info["wav"] = o.wav_path;

  auto done = [this, c](const sim::call_result& r) {
    json said = json::array();
    for (const auto& t : r.turns)
      said.push_back({{"text", t.said},
                      {"at_ms", t.spoke_at_ms},
                      {"speech_ms", t.speech_ms},
                      {"answer_latency_ms", t.answer_latency_ms},
                      {"barge_in", t.barge_in},
                      {"clear_after_onset_ms", t.clear_after_onset_ms}});
    json params = json::object();
    for (const auto& [k, v] : r.custom_parameters) params[k] = v;
    json result{{"said", std::move(said)},
                {"stream_sid", r.stream_sid},
                {"custom_parameters", std::move(params)},
                {"stream_started_ms", r.stream_started_ms},
                {"engine_closed", r.engine_closed},
                {"close_code", r.close_code},
                {"after_stream_twiml", r.after_stream_twiml},
                {"error", r.error},
                {"greeting_latency_ms", r.greeting_latency_ms},
                {"agent_audio_ms", r.agent_audio_ms},
                {"clears", r.clears},
                {"marks_echoed", r.marks_echoed},
                {"protocol_violations", r.protocol_violations},
                {"duration_ms", r.duration_ms}};
    if (r.beep_end_ms >= 0 || r.agent_audio_before_beep_ms > 0) {
      result["beep_end_ms"] = r.beep_end_ms;
      result["agent_audio_before_beep_ms"] = r.agent_audio_before_beep_ms;
      result["agent_audio_after_beep_ms"] = r.agent_audio_after_beep_ms;
      result["first_agent_audio_after_beep_ms"] = r.first_agent_audio_after_beep_ms;
    }
    asio::post(ctx_.ioc, [this, c, result = std::move(result), closed = r.engine_closed, after = r.after_stream_twiml] {
      on_callee_done(c, result, closed, after);
    });
  };
  auto& ioc = callee_context();
  auto callee = std::make_shared<sim::call>(ioc, std::move(o), std::move(done));
  {
    std::lock_guard lock(mutex_);
    if (c->callee_started || terminal(c->status) || c->discarded) return false;
    c->callee = callee;
    c->callee_started = true;
    c->callee_running = true;
    c->callee_info = info;
    live_callees_.insert(c);
  }
  ctx_.log.add(service::twilio, "twilio.callee_started",
               {{"call_sid", c->sid}, {"mode", info["mode"]}, {"engine_url", info["engine_url"]}, {"stream_url", info["stream_url"]}});
  callee->start();
  return true;
}

void twilio_service::stop_callee(const call_ptr& c) {
  std::lock_guard lock(mutex_);
  if (!c->callee_running || c->callee_stopped || !c->callee) return;
  c->callee_stopped = true;
  c->callee->hang_up();
}

void twilio_service::on_callee_event(const call_ptr& c, const std::string& event, std::int64_t at_ms) {
  bool amd_now = false;
  {
    std::lock_guard lock(mutex_);
    if (c->callee_info.is_object()) c->callee_info[event + "_ms"] = at_ms;
    if (event == "greeting_done" && c->amd_after_greeting && !c->amd_done) amd_now = true;
  }
  if (amd_now) {
    const auto since_answer = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - c->answered_at).count();
    schedule_amd(c, since_answer + amd_after_beep_ms, false);
  }
}

void twilio_service::on_callee_done(const call_ptr& c, const nlohmann::json& result, bool engine_closed,
                                    const std::string& after_stream_twiml) {
  bool act = false;
  std::string action;
  {
    std::lock_guard lock(mutex_);
    if (c->callee_info.is_object()) {
      c->callee_info.update(result);
      c->callee_info["running"] = false;
      c->callee_info["ended_at_ms"] = ctx_.log.now_ms();
      c->callee_info["stopped_by_mock"] = c->callee_stopped;
      if (c->callee_info["connect_action"].is_string()) action = c->callee_info["connect_action"];
    }
    c->callee_running = false;
    live_callees_.erase(c);
    // The call object goes on the callee's thread, where its sockets live.
    if (c->callee) {
      std::lock_guard guard(callee_mutex_);
      if (callee_ioc_) asio::post(*callee_ioc_, [callee = std::move(c->callee)] {});
      c->callee.reset();
    }
    act = !c->discarded && !c->callee_stopped && !terminal(c->status);
  }
  ctx_.log.add(service::twilio, "twilio.callee_ended",
               {{"call_sid", c->sid}, {"engine_closed", engine_closed}, {"error", result.value("error", "")},
                {"said", result["said"]}});
  if (!act) return;
  if (!engine_closed) {
    finish(c, "");  // the callee hung up (or its stream failed)
    return;
  }
  // The engine ended the stream: Twilio requested the <Connect action> (the callee did) and
  // runs what it answered; the call then ends.
  {
    std::lock_guard lock(mutex_);
    c->executed.push_back({{"twiml", after_stream_twiml}, {"url", action}, {"connect", false},
                           {"after_stream", true}, {"t_ms", ctx_.log.now_ms()}});
  }
  const auto parsed = twilio::parse_twiml(after_stream_twiml);
  const bool has_verbs = parsed && !parsed->verbs.empty() &&
                         !(parsed->verbs.size() == 1 && parsed->verbs[0] == "Hangup");
  if (!has_verbs) return finish(c, "completed");
  auto timer = std::make_shared<asio::steady_timer>(ctx_.ioc);
  timer->expires_after(std::chrono::milliseconds(c->cfg.twiml_exec_ms));
  timer->async_wait([this, c, timer](beast::error_code ec) {
    if (!ec) finish(c, "completed");
  });
}

} // namespace ce::mocks
