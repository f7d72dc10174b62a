#include "mocks/deepgram_stt.hpp"

#include "mocks/deepgram_common.hpp"
#include "mocks/stt_transcriber.hpp"
#include "mocks/ws_session.hpp"

#include <atomic>
#include <cctype>
#include <charconv>
#include <deque>

namespace ce::mocks {
namespace {

constexpr auto sweep_interval = std::chrono::milliseconds(100);

/// A drop or stall waiting for the audio clock to reach `at_ms`.
struct pending_fault {
  fault_rule rule;
  std::int64_t at_ms = 0;
};

bool looks_like_json(std::span<const std::uint8_t> data) {
  std::size_t b = 0;
  std::size_t e = data.size();
  while (b < e && std::isspace(data[b])) ++b;
  while (e > b && std::isspace(data[e - 1])) --e;
  if (e - b < 2 || data[b] != '{' || data[e - 1] != '}') return false;
  const std::string_view text(reinterpret_cast<const char*>(data.data() + b), e - b);
  return text.find("\"type\"") != std::string_view::npos;
}

class stt_session final : public ws_session, private stt_transcriber::output {
public:
  stt_session(stt_service& svc, beast::tcp_stream&& stream, http_request req, stt_params params,
              std::shared_ptr<const mock_config> cfg, std::string script_key_value,
              std::optional<pending_fault> connect_fault)
    : ws_session(svc.ctx(), service::stt, svc.sessions(), std::move(stream), std::move(req)), svc_(svc),
      cfg_(std::move(cfg)), cfg_generation_(svc.ctx().config.generation()),
      script_key_value_(std::move(script_key_value)), pending_(std::move(connect_fault)),
      transcriber_(std::move(params), cfg_->deepgram.stt,
                   [this](std::size_t index) { return svc_.line_for(script_key_value_, index, cfg_->deepgram.stt); },
                   *this),
      delay_timer_(executor()), stall_timer_(executor()) {
    idle_timeout_ms_.store(cfg_->deepgram.stt.idle_timeout_ms);
    last_activity_ms_.store(ctx_.log.now_ms());
  }

  void sweep(std::int64_t now_ms) override {
    const int idle = idle_timeout_ms_.load(std::memory_order_relaxed);
    if (idle <= 0 || idle_fired_.load(std::memory_order_relaxed)) return;
    if (now_ms - last_activity_ms_.load(std::memory_order_relaxed) < idle) return;
    if (idle_fired_.exchange(true)) return;
    asio::post(executor(), [self = std::static_pointer_cast<stt_session>(shared_from_this())] { self->on_idle(); });
  }

private:
  void on_open() override {
    const auto parts = split_target(request_.target());
    ctx_.log.add(service::stt, "stt.open",
                 {{"conn", conn_id_}, {"query", query_to_json(parts.query)},
                  {"request_id", transcriber_.params().request_id}});
  }

  void on_message(bool binary, std::span<const std::uint8_t> data) override {
    if (ctx_.config.generation() != cfg_generation_) refresh_config();
    if (binary) {
      ++audio_messages_;
      return on_audio(data);
    }
    if (audio_seen_) last_activity_ms_.store(ctx_.log.now_ms(), std::memory_order_relaxed);
    on_control(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }

  void on_audio(std::span<const std::uint8_t> data) {
    last_activity_ms_.store(ctx_.log.now_ms(), std::memory_order_relaxed);
    if (data.empty() || looks_like_json(data)) {
      ctx_.log.add(service::stt, "stt.bad_frame",
                   {{"conn", conn_id_}, {"bytes", data.size()}, {"json", !data.empty()}});
      return close_now(1008, "DATA-0000");
    }
    audio_seen_ = true;
    transcriber_.feed(data);
    check_pending_fault();
  }

  void on_control(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    const std::string type = j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
    ctx_.log.add(service::stt, "stt.control",
                 {{"conn", conn_id_}, {"type", type}, {"audio_ms", transcriber_.audio_ms()}});
    if (type == "KeepAlive") return;
    if (type == "Finalize") return transcriber_.finalize();
    if (type == "CloseStream") {
      transcriber_.close_stream();
      close_requested_ = true;
      if (delayed_.empty()) close_after_writes(1000, "");
      return;
    }
    if (j.is_discarded()) {
      ctx_.log.add(service::stt, "stt.bad_frame", {{"conn", conn_id_}, {"text", std::string(text.substr(0, 200))}});
      return close_now(1008, "DATA-0000");
    }
    ctx_.log.add(service::stt, "stt.unknown_control", {{"conn", conn_id_}, {"text", std::string(text.substr(0, 200))}});
  }

  void refresh_config() {
    cfg_ = ctx_.config.snapshot();
    cfg_generation_ = ctx_.config.generation();
    transcriber_.retune(cfg_->deepgram.stt);
    idle_timeout_ms_.store(cfg_->deepgram.stt.idle_timeout_ms);
  }

  // ---- transcriber output -----------------------------------------------------------------

  void emit(stt_message kind, std::string json) override {
    if (kind == stt_message::final || kind == stt_message::speech_started || kind == stt_message::utterance_end) {
      auto j = nlohmann::json::parse(json, nullptr, false);
      nlohmann::json entry{{"conn", conn_id_}, {"type", j.value("type", "")}, {"audio_ms", transcriber_.audio_ms()}};
      if (kind == stt_message::final) {
        entry["transcript"] = j["channel"]["alternatives"][0]["transcript"];
        entry["speech_final"] = j["speech_final"];
        entry["from_finalize"] = j["from_finalize"];
      }
      if (stalled_) entry["suppressed"] = true;
      ctx_.log.add(service::stt, "stt.sent", std::move(entry));
    }
    if (stalled_) return;
    const int delay = cfg_->deepgram.stt.final_delay_ms;
    if (delay > 0 && (kind == stt_message::final || !delayed_.empty())) {
      auto due = steady::now() + std::chrono::milliseconds(kind == stt_message::final ? delay : 0);
      if (!delayed_.empty() && delayed_.back().first > due) due = delayed_.back().first;
      delayed_.emplace_back(due, std::move(json));
      if (delayed_.size() == 1) arm_delay_timer();
      return;
    }
    send_text(std::move(json));
  }

  void utterance_started(std::size_t index, const std::string& text) override {
    ctx_.log.add(service::stt, "stt.utterance",
                 {{"conn", conn_id_}, {"index", index}, {"text", text}, {"audio_ms", transcriber_.audio_ms()}});
    if (pending_) return;
    auto fired = select_faults({&cfg_->deepgram.stt.faults, &cfg_->faults}, "stt.speech", {fault_kind::drop, fault_kind::stall},
                               ctx_.rng, [](const fault_rule& r) { return r.at != "connect"; });
    if (fired.empty()) return;
    const fault_rule* f = fired.get(fault_kind::drop);
    if (!f) f = fired.get(fault_kind::stall);
    pending_ = pending_fault{*f, transcriber_.audio_ms() + f->after};
    // `after` 0: before anything about this utterance goes out.
    check_pending_fault();
  }

  // ---- faults, delays, timeouts -----------------------------------------------------------

  void check_pending_fault() {
    if (!pending_ || transcriber_.audio_ms() < pending_->at_ms) return;
    const fault_rule rule = pending_->rule;
    pending_.reset();
    ctx_.log.counters(service::stt).faults.fetch_add(1);
    ctx_.log.add(service::stt, "stt.fault",
                 {{"conn", conn_id_}, {"kind", to_string(rule.kind)}, {"audio_ms", transcriber_.audio_ms()},
                  {"in_utterance", transcriber_.in_utterance()}});
    if (rule.kind == fault_kind::drop) return abort();
    stalled_ = true;
    delayed_.clear();
    if (rule.stall_ms > 0) {
      stall_timer_.expires_after(std::chrono::milliseconds(rule.stall_ms));
      stall_timer_.async_wait([self = std::static_pointer_cast<stt_session>(shared_from_this())](beast::error_code ec) {
        if (!ec) self->abort();
      });
    }
  }

  void arm_delay_timer() {
    delay_timer_.expires_at(delayed_.front().first);
    delay_timer_.async_wait([self = std::static_pointer_cast<stt_session>(shared_from_this())](beast::error_code ec) {
      if (ec) return;
      self->flush_delayed();
    });
  }

  void flush_delayed() {
    const auto now = steady::now();
    while (!delayed_.empty() && delayed_.front().first <= now) {
      send_text(std::move(delayed_.front().second));
      delayed_.pop_front();
    }
    if (!delayed_.empty()) return arm_delay_timer();
    if (close_requested_) close_after_writes(1000, "");
  }

  void on_idle() {
    ctx_.log.add(service::stt, "stt.timeout", {{"conn", conn_id_}, {"audio_ms", transcriber_.audio_ms()}});
    close_now(1011, "NET-0001");
  }

  void on_end(const nlohmann::json& how) override {
    delay_timer_.cancel();
    stall_timer_.cancel();
    idle_fired_.store(true);
    nlohmann::json entry = how;
    entry["audio_ms"] = transcriber_.audio_ms();
    entry["bytes"] = transcriber_.bytes();
    entry["audio_messages"] = audio_messages_;
    entry["utterances"] = transcriber_.utterances();
    ctx_.log.add(service::stt, "stt.close", std::move(entry));
  }

  stt_service& svc_;
  std::shared_ptr<const mock_config> cfg_;
  std::uint64_t cfg_generation_;
  std::string script_key_value_;
  std::optional<pending_fault> pending_;
  stt_transcriber transcriber_;
  asio::steady_timer delay_timer_;
  asio::steady_timer stall_timer_;
  std::deque<std::pair<steady::time_point, std::string>> delayed_;
  bool audio_seen_ = false;
  std::uint64_t audio_messages_ = 0;
  bool stalled_ = false;
  bool close_requested_ = false;
  std::atomic<std::int64_t> last_activity_ms_{0};
  std::atomic<int> idle_timeout_ms_{10000};
  std::atomic<bool> idle_fired_{false};
};

// ---- handshake validation ----------------------------------------------------------------

std::optional<bool> parse_bool(const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

std::optional<int> parse_int(const std::string& v) {
  int out = 0;
  const auto* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, out);
  if (ec != std::errc{} || p != end) return std::nullopt;
  return out;
}

/// Fills `p` from the query; returns an error message when the query is not acceptable.
std::string read_listen_query(const query_list& q, const stt_config& cfg, stt_params& p) {
  const auto encoding = query_value(q, "encoding");
  const auto rate = query_value(q, "sample_rate");
  if (!encoding) return "encoding is required for raw audio (use encoding=mulaw).";
  if (*encoding != "mulaw") return "The mock transcribes encoding=mulaw only, got '" + *encoding + "'.";
  if (!rate) return "sample_rate is required when encoding is set.";
  const auto r = parse_int(*rate);
  if (!r || *r < 1000 || *r > 192000) return "sample_rate must be an integer, got '" + *rate + "'.";
  p.sample_rate = *r;
  if (auto ch = query_value(q, "channels")) {
    auto c = parse_int(*ch);
    if (!c || *c < 1) return "channels must be a positive integer.";
    p.channels = *c;
  }
  for (const char* key : {"interim_results", "vad_events", "punctuate", "smart_format"}) {
    auto v = query_value(q, key);
    if (!v) continue;
    auto b = parse_bool(*v);
    if (!b) return std::string(key) + " must be true or false, got '" + *v + "'.";
    if (std::string_view(key) == "interim_results") p.interim_results = *b;
    else if (std::string_view(key) == "vad_events") p.vad_events = *b;
    else p.punctuate = p.punctuate || *b;
  }
  p.endpointing_ms = cfg.default_endpointing_ms;
  if (auto v = query_value(q, "endpointing")) {
    if (*v == "false") {
      p.endpointing_ms = -1;
    } else if (*v != "true") {
      auto ms = parse_int(*v);
      if (!ms || *ms < 0) return "endpointing must be milliseconds or false, got '" + *v + "'.";
      p.endpointing_ms = *ms;
    }
  }
  if (auto v = query_value(q, "utterance_end_ms")) {
    auto ms = parse_int(*v);
    if (!ms || *ms < 0) return "utterance_end_ms must be an integer, got '" + *v + "'.";
    p.utterance_end_ms = *ms;
  }
  if (auto v = query_value(q, "model")) p.model = *v;
  return {};
}

} // namespace

stt_service::stt_service(mock_context& ctx) : ctx_(ctx) {}

void stt_service::start() {
  sweep_timer_ = std::make_unique<asio::steady_timer>(ctx_.ioc);
  do_sweep();
}

void stt_service::shutdown() { sweep_timer_.reset(); }

void stt_service::do_sweep() {
  if (!sweep_timer_) return;
  sweep_timer_->expires_after(sweep_interval);
  sweep_timer_->async_wait([this](beast::error_code ec) {
    if (ec || !sweep_timer_) return;
    const auto now = ctx_.log.now_ms();
    sessions_.for_each([now](session_base& s) { s.sweep(now); });
    do_sweep();
  });
}

void stt_service::reset() {
  std::lock_guard lock(cursor_mutex_);
  cursors_.clear();
}

script_line stt_service::line_for(const std::string& key_value, std::size_t index, const stt_config& cfg) {
  std::size_t n = index;
  if (!key_value.empty()) {
    std::lock_guard lock(cursor_mutex_);
    n = cursors_[key_value]++;
  }
  if (n < cfg.script.size()) return cfg.script[n];
  return script_line{cfg.fallback_text, std::nullopt};
}

void stt_service::accept(http_request&& req, const connection_ptr& conn) {
  auto cfg = ctx_.config.snapshot();
  const auto& stt = cfg->deepgram.stt;
  const std::string request_id = make_uuid(ctx_.rng);
  const auto parts = split_target(req.target());
  auto& counters = ctx_.log.counters(service::stt);

  auto reject = [&](unsigned status, std::string_view code, const std::string& msg) {
    counters.rejected.fetch_add(1);
    ctx_.log.add(service::stt, "stt.rejected",
                 {{"status", status}, {"err_code", code}, {"err_msg", msg}, {"query", query_to_json(parts.query)}});
    conn->reply(deepgram_error(req, status, code, msg, request_id));
  };

  const auto auth = check_deepgram_auth(req, cfg->deepgram.api_key);
  if (!auth.ok) return reject(401, "INVALID_AUTH", "Invalid credentials.");

  config_error header_err;
  const auto forced = parse_fault_header(header(req, "X-Mock-Fault"), header_err);
  if (!header_err.message.empty()) return reject(400, "Bad Request", header_err.message);
  const auto connect_filter = [](const fault_rule& r) {
    return (r.kind != fault_kind::drop && r.kind != fault_kind::stall) || r.at == "connect";
  };
  const std::initializer_list<fault_kind> kinds{fault_kind::status, fault_kind::delay, fault_kind::drop,
                                                fault_kind::stall};
  auto faults = select_faults({&stt.faults, &cfg->faults}, "stt.connect", kinds, ctx_.rng, connect_filter);
  add_forced(faults, forced, kinds);

  if (const auto* f = faults.get(fault_kind::status)) {
    counters.faults.fetch_add(1);
    counters.rejected.fetch_add(1);
    ctx_.log.add(service::stt, "stt.fault", {{"kind", "status"}, {"status", f->status}, {"phase", "handshake"}});
    return conn->reply(deepgram_fault_response(req, *f, request_id));
  }
  std::optional<pending_fault> later;
  for (auto k : {fault_kind::drop, fault_kind::stall}) {
    const auto* f = faults.get(k);
    if (!f) continue;
    counters.faults.fetch_add(1);
    if (f->after > 0) {
      later = pending_fault{*f, f->after};
      continue;
    }
    ctx_.log.add(service::stt, "stt.fault", {{"kind", to_string(k)}, {"phase", "handshake"}});
    if (k == fault_kind::drop) return conn->drop();
    return conn->stall(std::chrono::milliseconds(f->stall_ms));
  }

  stt_params params;
  params.request_id = request_id;
  if (auto err = read_listen_query(parts.query, stt, params); !err.empty())
    return reject(400, "Bad Request", err);

  std::string key_value;
  if (!stt.script_key.empty()) key_value = query_value(parts.query, stt.script_key).value_or("");

  std::chrono::milliseconds delay{0};
  if (const auto* f = faults.get(fault_kind::delay)) {
    counters.faults.fetch_add(1);
    delay = std::chrono::milliseconds(f->delay_ms);
    ctx_.log.add(service::stt, "stt.fault", {{"kind", "delay"}, {"delay_ms", f->delay_ms}, {"phase", "handshake"}});
  }

  auto session = std::make_shared<stt_session>(*this, std::move(conn->stream()), std::move(req), std::move(params),
                                               cfg, std::move(key_value), std::move(later));
  session->start(delay, {{"dg-request-id", request_id}}, auth.via_subprotocol ? "token" : "");
}

} // namespace ce::mocks
