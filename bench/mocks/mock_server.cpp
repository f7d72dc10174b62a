#include "mocks/mock_server.hpp"

#include "mocks/control.hpp"
#include "mocks/deepgram_common.hpp"
#include "mocks/deepgram_stt.hpp"
#include "mocks/deepgram_tts.hpp"
#include "mocks/google_mock.hpp"
#include "mocks/http_core.hpp"
#include "mocks/openai_mock.hpp"
#include "mocks/twilio_mock.hpp"

#include <pthread.h>
#include <thread>
#include <ctime>

namespace ce::mocks {

struct mock_server::impl final : control_target {
  explicit impl(server_options o)
    : options(std::move(o)), ioc(std::make_unique<asio::io_context>(std::max(1, options.threads))), ctx(*ioc),
      stt(ctx), tts(ctx), openai(ctx), google(ctx), twilio(ctx), deepgram(stt, tts), control(*this) {}

  // ---- control_target --------------------------------------------------------------------

  mock_context& context() override { return ctx; }

  std::optional<std::string> reset_state() override {
    // Re-installing the document gives every fault and rule fresh counters.
    if (auto err = ctx.config.replace(ctx.config.document())) return err->message;
    config_changed();
    stt.reset();
    twilio.reset();
    auto err = google.reset();
    if (!err.empty()) return err;
    return std::nullopt;
  }

  std::size_t disconnect(std::string_view s) override {
    std::size_t n = 0;
    if (s == "stt" || s == "all") n += stt.disconnect_all();
    if (s == "tts" || s == "all") n += tts.disconnect_all();
    if (s == "openai" || s == "all") n += openai.disconnect_all();
    ctx.log.add(service::control, "control.disconnect", {{"service", s}, {"dropped", n}});
    return n;
  }

  void expire_google_tokens() override { google.expire_tokens(); }
  std::vector<nlohmann::json> calendar_events(const std::string& c) override { return google.calendars().events(c); }
  nlohmann::json twilio_calls() override { return twilio.calls(); }
  bool twilio_hang_up(const std::string& sid) override { return twilio.hang_up(sid); }

  void config_changed() override {
    auto cfg = ctx.config.snapshot();
    ctx.log.set_limit(cfg->log_limit);
    ctx.rng.reseed(cfg->seed);
    std::lock_guard lock(seed_mutex);
    if (!seeded || cfg->google.calendars != seeded_calendars || cfg->google.time_zone != seeded_zone) {
      seeded = true;
      seeded_calendars = cfg->google.calendars;
      seeded_zone = cfg->google.time_zone;
      google.reset();
    }
  }

  /// Schedules the config's timeline (run once, relative to now).
  void schedule_timeline() {
    auto cfg = ctx.config.snapshot();
    for (const auto& step : cfg->timeline) {
      auto timer = std::make_shared<asio::steady_timer>(*ioc);
      timer->expires_after(std::chrono::milliseconds(step.at_ms));
      timer->async_wait([this, timer, step](beast::error_code ec) {
        if (ec) return;
        nlohmann::json entry{{"at_ms", step.at_ms}};
        if (!step.patch.is_null()) {
          auto err = ctx.config.patch(step.patch);
          if (!err) config_changed();
          entry["patch"] = step.patch;
          if (err) entry["error"] = err->message;
        }
        if (!step.disconnect.empty()) entry["dropped"] = disconnect(step.disconnect);
        if (step.expire_google_tokens) google.expire_tokens();
        ctx.log.add(service::control, "control.timeline", std::move(entry));
      });
      timeline_timers.push_back(std::move(timer));
    }
  }

  std::string url(std::uint16_t port, std::string_view scheme = "http") const {
    return std::string(scheme) + "://" + options.host + ":" + std::to_string(port);
  }

  server_options options;
  std::unique_ptr<asio::io_context> ioc;
  mock_context ctx;
  stt_service stt;
  tts_service tts;
  openai_service openai;
  google_service google;
  twilio_service twilio;
  deepgram_handler deepgram;
  control_service control;
  std::vector<std::shared_ptr<listener>> listeners;
  std::uint16_t ports[4] = {0, 0, 0, 0};
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<asio::steady_timer>> timeline_timers;
  std::mutex seed_mutex;
  nlohmann::json seeded_calendars;
  std::string seeded_zone;
  bool seeded = false;
  bool started = false;
  bool stopped = false;
};

mock_server::mock_server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

mock_server::~mock_server() { stop(); }

std::optional<std::string> mock_server::start() {
  auto& m = *impl_;
  if (m.started) return "already started";
  if (auto err = m.ctx.config.replace(m.options.config)) return "config: " + err->message;
  m.config_changed();
  // Seed events are validated like inserts: a bad one fails the start.
  if (auto err = m.google.reset(); !err.empty()) return "config: " + err;

  beast::error_code ec;
  const auto address = asio::ip::make_address(m.options.host, ec);
  if (ec) return "bad host " + m.options.host + ": " + ec.message();
  const std::uint16_t wanted[4] = {m.options.deepgram_port, m.options.openai_port, m.options.google_port,
                                   m.options.twilio_port};
  request_handler* vendors[4] = {&m.deepgram, &m.openai, &m.google, &m.twilio};
  for (int i = 0; i < 4; ++i) {
    auto l = std::make_shared<listener>(*m.ioc, route_table{vendors[i], &m.control});
    if (auto e = l->open(tcp::endpoint(address, wanted[i]))) {
      for (auto& open : m.listeners) open->close();
      m.listeners.clear();
      return "cannot listen on " + m.options.host + ":" + std::to_string(wanted[i]) + ": " + e.message();
    }
    m.ports[i] = l->port();
    m.listeners.push_back(std::move(l));
  }
  for (auto& l : m.listeners) l->run();
  m.stt.start();
  m.schedule_timeline();
  m.started = true;
  for (int i = 0; i < std::max(1, m.options.threads); ++i) m.threads.emplace_back([&m] { m.ioc->run(); });
  return std::nullopt;
}

void mock_server::stop() {
  auto& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  for (auto& l : m.listeners) l->close();
  m.stt.disconnect_all();
  m.tts.disconnect_all();
  m.openai.disconnect_all();
  m.ioc->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  // The simulated callees post to the I/O context: their thread stops before it goes.
  m.twilio.shutdown();
  // I/O objects owned by the services go before the io_context; the context then destroys
  // the handlers still queued (and the sessions they hold) while the services exist.
  m.stt.shutdown();
  m.twilio.reset();
  m.timeline_timers.clear();
  m.listeners.clear();
  m.ioc.reset();
}

std::uint16_t mock_server::deepgram_port() const { return impl_->ports[0]; }
std::uint16_t mock_server::openai_port() const { return impl_->ports[1]; }
std::uint16_t mock_server::google_port() const { return impl_->ports[2]; }
std::uint16_t mock_server::twilio_port() const { return impl_->ports[3]; }

std::string mock_server::deepgram_base_url() const { return impl_->url(deepgram_port()); }
std::string mock_server::deepgram_ws_base() const { return impl_->url(deepgram_port(), "ws"); }
std::string mock_server::openai_base_url() const { return impl_->url(openai_port()) + "/v1"; }
std::string mock_server::google_token_url() const { return impl_->url(google_port()) + "/token"; }
std::string mock_server::gcal_base() const { return impl_->url(google_port()) + "/calendar/v3"; }
std::string mock_server::twilio_api_base() const { return impl_->url(twilio_port()); }
std::string mock_server::control_url() const { return impl_->url(deepgram_port()) + "/__mock"; }

std::string mock_server::env_lines() const {
  std::string out;
  out += "DEEPGRAM_BASE_URL=" + deepgram_base_url() + "\n";
  out += "DEEPGRAM_WS_BASE=" + deepgram_ws_base() + "\n";
  out += "OPENAI_BASE_URL=" + openai_base_url() + "\n";
  out += "GOOGLE_TOKEN_URL=" + google_token_url() + "\n";
  out += "GCAL_BASE=" + gcal_base() + "\n";
  out += "TWILIO_API_BASE=" + twilio_api_base() + "\n";
  out += "MOCK_CONTROL_URL=" + control_url() + "\n";
  return out;
}

nlohmann::json mock_server::config() const { return impl_->ctx.config.document(); }

std::optional<std::string> mock_server::patch_config(const nlohmann::json& patch) {
  if (auto err = impl_->ctx.config.patch(patch)) return err->message;
  impl_->config_changed();
  return std::nullopt;
}

std::optional<std::string> mock_server::set_config(const nlohmann::json& config) {
  if (auto err = impl_->ctx.config.replace(config)) return err->message;
  impl_->config_changed();
  return std::nullopt;
}

std::vector<nlohmann::json> mock_server::log(std::string_view svc, std::uint64_t since,
                                             std::string_view event_prefix) const {
  std::optional<service> s;
  service parsed;
  if (!svc.empty() && parse_service(svc, parsed)) s = parsed;
  else if (!svc.empty()) return {};
  return impl_->ctx.log.entries(s, since, event_prefix);
}

std::uint64_t mock_server::log_seq() const { return impl_->ctx.log.last_seq(); }
void mock_server::clear_log() { impl_->ctx.log.clear(); }

std::vector<nlohmann::json> mock_server::wait_for_log(std::string_view svc, std::string_view event, std::size_t count,
                                                      std::chrono::milliseconds timeout, std::uint64_t since) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto found = log(svc, since, event);
    if (found.size() >= count || std::chrono::steady_clock::now() >= deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

nlohmann::json mock_server::stats() const { return impl_->ctx.log.stats(); }

double mock_server::cpu_seconds() const {
  double total = 0;
  for (auto& t : impl_->threads) {
    clockid_t cid;
    if (pthread_getcpuclockid(const_cast<std::thread&>(t).native_handle(), &cid) != 0) continue;
    timespec ts{};
    if (clock_gettime(cid, &ts) == 0) total += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }
  return total;
}
std::optional<std::string> mock_server::reset_state() { return impl_->reset_state(); }
std::size_t mock_server::disconnect(std::string_view svc) { return impl_->disconnect(svc); }
void mock_server::expire_google_tokens() { impl_->expire_google_tokens(); }
std::vector<nlohmann::json> mock_server::calendar_events(const std::string& id) const {
  return impl_->google.calendars().events(id);
}
void mock_server::on_twilio_call(twilio_hook hook) { impl_->twilio.set_hook(std::move(hook)); }
bool mock_server::twilio_hang_up(const std::string& sid) { return impl_->twilio.hang_up(sid); }
nlohmann::json mock_server::twilio_calls() const { return impl_->twilio.calls(); }

} // namespace ce::mocks
