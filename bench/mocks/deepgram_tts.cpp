#include "mocks/deepgram_tts.hpp"

#include "mocks/deepgram_common.hpp"
#include "mocks/speech_audio.hpp"
#include "mocks/ws_session.hpp"

#include <cmath>
#include <deque>

namespace ce::mocks {
namespace {

constexpr int rate = 8000;
/// Frames generated ahead of the socket at most (backpressure on slow readers).
constexpr std::size_t max_queued_frames = 4;

std::string model_of(const query_list& q) { return query_value(q, "model").value_or("aura-asteria-en"); }

std::string tts_model_uuid(const std::string& model) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : model) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-b%03x-%012llx", static_cast<unsigned>(h >> 32),
                static_cast<unsigned>((h >> 16) & 0xffff), static_cast<unsigned>(h & 0xfff),
                static_cast<unsigned>((h >> 24) & 0xfff), static_cast<unsigned long long>((h * 17) & 0xffffffffffffull));
  return buf;
}

/// Validates encoding/sample_rate for both transports; empty when acceptable.
std::string check_audio_query(const query_list& q) {
  const auto encoding = query_value(q, "encoding");
  if (!encoding) return "The mock renders encoding=mulaw only; the default (linear16) is not supported.";
  if (*encoding != "mulaw") return "The mock renders encoding=mulaw only, got '" + *encoding + "'.";
  if (auto r = query_value(q, "sample_rate"); r && *r != "8000")
    return "The mock renders sample_rate=8000 only, got '" + *r + "'.";
  return {};
}

/// When frame `k` of a stream started at `start` is due.
steady::time_point frame_due(steady::time_point start, std::size_t k, int frame_ms, double speed) {
  const double ms = static_cast<double>(k) * frame_ms / speed;
  return start + std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000.0));
}

// ---- WebSocket ---------------------------------------------------------------------------

class tts_session final : public ws_session {
public:
  tts_session(tts_service& svc, beast::tcp_stream&& stream, http_request req, std::shared_ptr<const mock_config> cfg,
              std::string request_id, std::optional<fault_rule> connect_fault)
    : ws_session(svc.ctx(), service::tts, svc.sessions(), std::move(stream), std::move(req)), cfg_(std::move(cfg)),
      cfg_generation_(svc.ctx().config.generation()), request_id_(std::move(request_id)),
      model_(model_of(split_target(request_.target()).query)), connect_fault_(std::move(connect_fault)),
      timer_(executor()) {}

private:
  struct job {
    std::uint64_t sequence_id = 0;
    std::size_t chars = 0;
    speech_renderer audio;
    std::size_t pos = 0;
    std::size_t frames = 0;
    steady::time_point start;
    std::optional<fault_rule> fault;
  };

  void on_open() override {
    ctx_.log.add(service::tts, "tts.open",
                 {{"conn", conn_id_}, {"query", query_to_json(split_target(request_.target()).query)},
                  {"request_id", request_id_}});
    send_text(nlohmann::json{{"type", "Metadata"},
                             {"request_id", request_id_},
                             {"model_name", model_},
                             {"model_version", "mock"},
                             {"model_uuid", tts_model_uuid(model_)}}
                .dump());
  }

  void on_message(bool binary, std::span<const std::uint8_t> data) override {
    if (ctx_.config.generation() != cfg_generation_) {
      cfg_ = ctx_.config.snapshot();
      cfg_generation_ = ctx_.config.generation();
    }
    if (binary) {
      ctx_.log.add(service::tts, "tts.bad_message", {{"conn", conn_id_}, {"binary", true}, {"bytes", data.size()}});
      return close_now(1003, "MESSAGE-0000");
    }
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    auto j = nlohmann::json::parse(text, nullptr, false);
    const std::string type =
      j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
    if (type == "Speak") return on_speak(j);
    if (type == "Flush") return on_flush();
    if (type == "Clear") return on_clear();
    if (type == "Close") {
      ctx_.log.add(service::tts, "tts.control", {{"conn", conn_id_}, {"type", "Close"}});
      jobs_.clear();
      timer_.cancel();
      return close_after_writes(1000, "");
    }
    ctx_.log.add(service::tts, "tts.bad_message", {{"conn", conn_id_}, {"text", std::string(text.substr(0, 200))}});
    close_now(1008, "DATA-0000");
  }

  void on_speak(const nlohmann::json& j) {
    if (!j.contains("text") || !j["text"].is_string()) {
      ctx_.log.add(service::tts, "tts.bad_message", {{"conn", conn_id_}, {"text", j.dump()}});
      return close_now(1008, "DATA-0000");
    }
    const auto& text = j["text"].get_ref<const std::string&>();
    const std::size_t chars = count_chars(text);
    const auto& tts = cfg_->deepgram.tts;
    nlohmann::json entry{{"conn", conn_id_}, {"chars", chars}};
    if (cfg_->record_bodies) entry["text"] = text;
    ctx_.log.add(service::tts, "tts.speak", std::move(entry));
    if (chars > static_cast<std::size_t>(tts.ws_max_chars)) return close_now(1009, "BIG-0001");
    if (tts.chars_per_minute > 0) {
      const auto now = steady::now();
      while (!recent_chars_.empty() && now - recent_chars_.front().first > std::chrono::minutes(1))
        recent_chars_.pop_front();
      std::size_t total = chars;
      for (const auto& [t, n] : recent_chars_) total += n;
      if (total > static_cast<std::size_t>(tts.chars_per_minute)) return close_now(1008, "DATA-0001");
      recent_chars_.emplace_back(now, chars);
    }
    buffer_ += text;
  }

  void on_flush() {
    const auto& tts = cfg_->deepgram.tts;
    const auto now = steady::now();
    while (!flushes_.empty() && now - flushes_.front() >= std::chrono::milliseconds(tts.flush_window_ms))
      flushes_.pop_front();
    if (flushes_.size() >= static_cast<std::size_t>(tts.max_flushes)) {
      ctx_.log.add(service::tts, "tts.flush_ignored", {{"conn", conn_id_}, {"buffered_chars", count_chars(buffer_)}});
      send_text(nlohmann::json{{"type", "Warning"},
                               {"description", "Flush rate limit exceeded: at most " + std::to_string(tts.max_flushes) +
                                                 " Flush messages per " + std::to_string(tts.flush_window_ms / 1000) +
                                                 " s; this Flush was ignored."},
                               {"code", "FLUSH_RATE_LIMIT"}}
                  .dump());
      return;
    }
    flushes_.push_back(now);
    const std::uint64_t seq = next_sequence_id_++;
    auto fired = select_faults({&tts.faults, &cfg_->faults}, "tts.ws.flush", {fault_kind::delay, fault_kind::drop, fault_kind::stall},
                               ctx_.rng, [](const fault_rule& r) { return r.at != "connect"; });
    int extra = 0;
    if (const auto* d = fired.get(fault_kind::delay)) extra = d->delay_ms;
    job jb{seq, count_chars(buffer_), speech_renderer(buffer_, tts.ms_per_char, tts.level), 0, 0, {}, std::nullopt};
    if (const auto* f = fired.get(fault_kind::drop)) jb.fault = *f;
    else if (const auto* s = fired.get(fault_kind::stall)) jb.fault = *s;
    nlohmann::json entry{{"conn", conn_id_}, {"sequence_id", seq}, {"chars", jb.chars}, {"audio_ms", jb.audio.duration_ms()}};
    if (!fired.empty()) {
      ctx_.log.counters(service::tts).faults.fetch_add(fired.fired.size());
      entry["faults"] = nlohmann::json::array();
      for (const auto* f : fired.fired) entry["faults"].push_back(to_string(f->kind));
    }
    ctx_.log.add(service::tts, "tts.flush", std::move(entry));
    // First byte `ttfb` after the flush, and never before the previous flush's audio ends.
    jb.start = now + std::chrono::milliseconds(tts.ttfb_ms + extra);
    if (!jobs_.empty()) {
      const auto& last = jobs_.back();
      const std::size_t frame = static_cast<std::size_t>(tts.frame_ms) * rate / 1000;
      const auto end = frame_due(last.start, (last.audio.total_samples() + frame - 1) / frame, tts.frame_ms, tts.speed);
      if (end > jb.start) jb.start = end;
    }
    buffer_.clear();
    jobs_.push_back(std::move(jb));
    if (jobs_.size() == 1) tick();
  }

  void on_clear() {
    const std::size_t frames = drop_queued_binary();
    ctx_.log.add(service::tts, "tts.control",
                 {{"conn", conn_id_}, {"type", "Clear"}, {"jobs_dropped", jobs_.size()}, {"frames_dropped", frames},
                  {"buffered_chars", count_chars(buffer_)}});
    jobs_.clear();
    buffer_.clear();
    timer_.cancel();
    stalled_ = false;
    const std::uint64_t seq = next_sequence_id_ == 0 ? 0 : next_sequence_id_ - 1;
    send_text(nlohmann::json{{"type", "Cleared"}, {"sequence_id", seq}}.dump());
  }

  /// Sends every frame that is due (within the backpressure bound), then sleeps until the
  /// next one.
  void tick() {
    const auto& tts = cfg_->deepgram.tts;
    const std::size_t frame = std::max<std::size_t>(1, static_cast<std::size_t>(tts.frame_ms) * rate / 1000);
    while (!jobs_.empty() && !closing() && !stalled_) {
      auto& jb = jobs_.front();
      if (jb.pos >= jb.audio.total_samples()) {
        ctx_.log.add(service::tts, "tts.flushed",
                     {{"conn", conn_id_}, {"sequence_id", jb.sequence_id}, {"frames", jb.frames}, {"bytes", jb.pos}});
        send_text(nlohmann::json{{"type", "Flushed"}, {"sequence_id", jb.sequence_id}}.dump());
        jobs_.pop_front();
        continue;
      }
      const auto due = frame_due(jb.start, jb.frames, tts.frame_ms, tts.speed);
      if (due > steady::now()) {
        timer_.expires_at(due);
        timer_.async_wait([self = std::static_pointer_cast<tts_session>(shared_from_this())](beast::error_code ec) {
          if (!ec) self->tick();
        });
        return;
      }
      if (queued() >= max_queued_frames) return;  // on_drained resumes
      if (jb.fault && static_cast<std::int64_t>(jb.pos / 8) >= jb.fault->after) return fire(*jb.fault);
      std::string bytes = spare_buffer();
      bytes.resize(std::min(frame, jb.audio.total_samples() - jb.pos));
      jb.audio.render(jb.pos, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
      jb.pos += bytes.size();
      ++jb.frames;
      send_binary(std::move(bytes));
    }
  }

  void fire(const fault_rule& f) {
    ctx_.log.add(service::tts, "tts.fault",
                 {{"conn", conn_id_}, {"kind", to_string(f.kind)}, {"sequence_id", jobs_.front().sequence_id},
                  {"audio_ms", jobs_.front().pos / 8}});
    if (f.kind == fault_kind::drop) return abort();
    stalled_ = true;
    if (f.stall_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(f.stall_ms));
      timer_.async_wait([self = std::static_pointer_cast<tts_session>(shared_from_this())](beast::error_code ec) {
        if (!ec) self->abort();
      });
    }
  }

  void on_drained() override {
    if (!jobs_.empty() && !stalled_) tick();
  }

  void on_end(const nlohmann::json& how) override {
    timer_.cancel();
    nlohmann::json entry = how;
    entry["flushes"] = next_sequence_id_;
    ctx_.log.add(service::tts, "tts.close", std::move(entry));
  }

  std::shared_ptr<const mock_config> cfg_;
  std::uint64_t cfg_generation_;
  std::string request_id_;
  std::string model_;
  std::optional<fault_rule> connect_fault_;
  asio::steady_timer timer_;
  std::string buffer_;
  std::deque<job> jobs_;
  std::deque<steady::time_point> flushes_;
  std::deque<std::pair<steady::time_point, std::size_t>> recent_chars_;
  std::uint64_t next_sequence_id_ = 0;
  bool stalled_ = false;
};

// ---- REST --------------------------------------------------------------------------------

/// One REST answer: header after the first-byte delay, then the audio as paced chunks.
class tts_rest_stream final : public session_base, public std::enable_shared_from_this<tts_rest_stream> {
public:
  tts_rest_stream(tts_service& svc, beast::tcp_stream&& stream, beast::flat_buffer&& buffer, route_table routes,
                  const http_request& req, const tts_config& tts, std::string text, bool wav,
                  std::string request_id, std::optional<fault_rule> fault)
    : svc_(svc), stream_(std::move(stream)), exec_(stream_.get_executor()), buffer_(std::move(buffer)), routes_(routes),
      timer_(stream_.get_executor()), audio_(text, tts.ms_per_char, tts.level), frame_ms_(tts.frame_ms),
      speed_(tts.speed), keep_alive_(req.keep_alive()), fault_(std::move(fault)) {
    header_.version(req.version());
    header_.result(http::status::ok);
    header_.set(http::field::server, "ce-mock");
    header_.set(http::field::content_type, wav ? "audio/wav" : "audio/mulaw;rate=8000");
    header_.set("dg-request-id", request_id);
    const std::string model = model_of(split_target(req.target()).query);
    header_.set("dg-model-name", model);
    header_.set("dg-model-uuid", tts_model_uuid(model));
    header_.set("dg-char-count", std::to_string(count_chars(text)));
    header_.set("dg-project-id", "mock-project");
    header_.keep_alive(keep_alive_);
    header_.chunked(true);
    if (wav) prefix_ = wav_mulaw_header(static_cast<std::uint32_t>(audio_.total_samples()));
  }

  void start(std::chrono::milliseconds first_byte) {
    registry_id_ = svc_.sessions().add(weak_from_this());
    svc_.ctx().log.counters(service::tts).open.fetch_add(1);
    timer_.expires_after(first_byte);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->write_header();
    });
  }

  ~tts_rest_stream() override {
    svc_.sessions().remove(registry_id_);
    svc_.ctx().log.counters(service::tts).open.fetch_sub(1);
  }

  void kill() override {
    asio::post(exec_, [self = shared_from_this()] {
      self->done_ = true;
      self->timer_.cancel();
      drop_socket(self->stream_.socket());
    });
  }

private:
  void write_header() {
    serializer_.emplace(header_);
    start_ = steady::now();
    http::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->tick();
    });
  }

  void tick() {
    if (done_) return;
    if (pos_ >= audio_.total_samples()) return finish();
    const auto due = frame_due(start_, frames_, frame_ms_, speed_);
    if (due > steady::now()) {
      timer_.expires_at(due);
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->tick();
      });
      return;
    }
    if (fault_ && static_cast<std::int64_t>(pos_ / 8) >= fault_->after) return fire();
    const std::size_t frame = std::max<std::size_t>(1, static_cast<std::size_t>(frame_ms_) * rate / 1000);
    chunk_ = prefix_;
    prefix_.clear();
    const std::size_t n = std::min(frame, audio_.total_samples() - pos_);
    const std::size_t off = chunk_.size();
    chunk_.resize(off + n);
    audio_.render(pos_, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(chunk_.data() + off), n));
    pos_ += n;
    ++frames_;
    svc_.ctx().log.counters(service::tts).bytes_out.fetch_add(chunk_.size(), std::memory_order_relaxed);
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        self->tick();
                      });
  }

  void fire() {
    svc_.ctx().log.add(service::tts, "tts.fault", {{"kind", to_string(fault_->kind)}, {"rest", true}, {"audio_ms", pos_ / 8}});
    done_ = true;
    if (fault_->kind == fault_kind::drop) return drop_socket(stream_.socket());
    hold_open(std::move(stream_), std::chrono::milliseconds(fault_->stall_ms));
  }

  void finish() {
    done_ = true;
    asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->svc_.ctx().log.add(service::tts, "tts.done", {{"bytes", self->pos_}, {"frames", self->frames_}});
      if (self->keep_alive_) return resume_http(std::move(self->stream_), std::move(self->buffer_), self->routes_);
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  tts_service& svc_;
  beast::tcp_stream stream_;
  const asio::any_io_executor exec_;  ///< the strand, for kill() from other threads
  beast::flat_buffer buffer_;
  route_table routes_;
  asio::steady_timer timer_;
  speech_renderer audio_;
  int frame_ms_;
  double speed_;
  bool keep_alive_;
  std::optional<fault_rule> fault_;
  http::response<http::empty_body> header_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::string prefix_;
  std::string chunk_;
  steady::time_point start_;
  std::size_t pos_ = 0;
  std::size_t frames_ = 0;
  std::uint64_t registry_id_ = 0;
  bool done_ = false;
};

} // namespace

std::size_t count_chars(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

tts_service::tts_service(mock_context& ctx) : ctx_(ctx) {}

void tts_service::accept(http_request&& req, const connection_ptr& conn) {
  auto cfg = ctx_.config.snapshot();
  const auto& tts = cfg->deepgram.tts;
  const std::string request_id = make_uuid(ctx_.rng);
  const auto parts = split_target(req.target());
  auto& counters = ctx_.log.counters(service::tts);
  auto reject = [&](unsigned status, std::string_view code, const std::string& msg) {
    counters.rejected.fetch_add(1);
    ctx_.log.add(service::tts, "tts.rejected",
                 {{"status", status}, {"err_code", code}, {"err_msg", msg}, {"query", query_to_json(parts.query)}});
    conn->reply(deepgram_error(req, status, code, msg, request_id));
  };

  const auto auth = check_deepgram_auth(req, cfg->deepgram.api_key);
  if (!auth.ok) return reject(401, "INVALID_AUTH", "Invalid credentials.");
  config_error header_err;
  const auto forced = parse_fault_header(header(req, "X-Mock-Fault"), header_err);
  if (!header_err.message.empty()) return reject(400, "Bad Request", header_err.message);
  const std::initializer_list<fault_kind> kinds{fault_kind::status, fault_kind::delay, fault_kind::drop,
                                                fault_kind::stall};
  auto faults = select_faults({&tts.faults, &cfg->faults}, "tts.ws.connect", kinds, ctx_.rng, [](const fault_rule& r) {
    return (r.kind != fault_kind::drop && r.kind != fault_kind::stall) || r.at == "connect";
  });
  add_forced(faults, forced, kinds);
  if (const auto* f = faults.get(fault_kind::status)) {
    counters.faults.fetch_add(1);
    counters.rejected.fetch_add(1);
    ctx_.log.add(service::tts, "tts.fault", {{"kind", "status"}, {"status", f->status}, {"phase", "handshake"}});
    return conn->reply(deepgram_fault_response(req, *f, request_id));
  }
  if (faults.get(fault_kind::drop)) {
    counters.faults.fetch_add(1);
    ctx_.log.add(service::tts, "tts.fault", {{"kind", "drop"}, {"phase", "handshake"}});
    return conn->drop();
  }
  if (const auto* f = faults.get(fault_kind::stall)) {
    counters.faults.fetch_add(1);
    ctx_.log.add(service::tts, "tts.fault", {{"kind", "stall"}, {"phase", "handshake"}});
    return conn->stall(std::chrono::milliseconds(f->stall_ms));
  }
  if (auto err = check_audio_query(parts.query); !err.empty()) return reject(400, "Bad Request", err);
  std::chrono::milliseconds delay{0};
  if (const auto* f = faults.get(fault_kind::delay)) {
    counters.faults.fetch_add(1);
    delay = std::chrono::milliseconds(f->delay_ms);
  }
  auto session = std::make_shared<tts_session>(*this, std::move(conn->stream()), std::move(req), cfg, request_id,
                                               std::nullopt);
  session->start(delay, {{"dg-request-id", request_id}}, auth.via_subprotocol ? "token" : "");
}

void tts_service::speak_rest(http_request&& req, const connection_ptr& conn) {
  auto cfg = ctx_.config.snapshot();
  const auto& tts = cfg->deepgram.tts;
  const std::string request_id = make_uuid(ctx_.rng);
  const auto parts = split_target(req.target());
  auto& counters = ctx_.log.counters(service::tts);
  nlohmann::json entry{{"query", query_to_json(parts.query)}, {"content_type", header(req, "Content-Type")}};
  if (cfg->record_bodies) entry["body"] = req.body();
  auto reject = [&](unsigned status, std::string_view code, const std::string& msg) {
    counters.rejected.fetch_add(1);
    entry["status"] = status;
    entry["err_code"] = code;
    ctx_.log.add(service::tts, "tts.rest", entry);
    conn->reply(deepgram_error(req, status, code, msg, request_id));
  };

  if (!check_deepgram_auth(req, cfg->deepgram.api_key).ok) return reject(401, "INVALID_AUTH", "Invalid credentials.");
  config_error header_err;
  const auto forced = parse_fault_header(header(req, "X-Mock-Fault"), header_err);
  if (!header_err.message.empty()) return reject(400, "Bad Request", header_err.message);
  const std::initializer_list<fault_kind> kinds{fault_kind::status, fault_kind::delay, fault_kind::drop,
                                                fault_kind::stall};
  auto faults = select_faults({&tts.faults, &cfg->faults}, "tts.rest", kinds, ctx_.rng);
  add_forced(faults, forced, kinds);
  if (!faults.empty()) counters.faults.fetch_add(faults.fired.size());
  if (const auto* f = faults.get(fault_kind::status)) {
    entry["status"] = f->status;
    entry["fault"] = "status";
    ctx_.log.add(service::tts, "tts.rest", entry);
    counters.rejected.fetch_add(1);
    return conn->reply(deepgram_fault_response(req, *f, request_id));
  }
  std::optional<fault_rule> midstream;
  for (auto k : {fault_kind::drop, fault_kind::stall}) {
    const auto* f = faults.get(k);
    if (!f) continue;
    if (f->after > 0) {
      midstream = *f;
      continue;
    }
    entry["fault"] = to_string(k);
    ctx_.log.add(service::tts, "tts.rest", entry);
    if (k == fault_kind::drop) return conn->drop();
    return conn->stall(std::chrono::milliseconds(f->stall_ms));
  }

  if (lower(header(req, "Content-Type")).find("application/json") == std::string::npos)
    return reject(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json.");
  auto body = nlohmann::json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return reject(400, "Bad Request", "The body must be a JSON object.");
  if (!body.contains("text") || !body["text"].is_string() || body["text"].get_ref<const std::string&>().empty())
    return reject(400, "Bad Request", "The body must carry a non-empty \"text\" string.");
  if (auto err = check_audio_query(parts.query); !err.empty()) return reject(400, "Bad Request", err);
  const auto container = query_value(parts.query, "container").value_or("wav");
  if (container != "none" && container != "wav")
    return reject(400, "Bad Request", "container must be none or wav for mulaw, got '" + container + "'.");
  std::string text = body["text"].get<std::string>();
  const std::size_t chars = count_chars(text);
  if (chars > static_cast<std::size_t>(tts.rest_max_chars))
    return reject(422, "UNPROCESSABLE_ENTITY",
                  "Input text exceeds maximum character limit of " + std::to_string(tts.rest_max_chars) + ".");

  int first_byte = tts.ttfb_ms;
  if (const auto* f = faults.get(fault_kind::delay)) first_byte += f->delay_ms;
  counters.accepted.fetch_add(1);
  entry["status"] = 200;
  entry["chars"] = chars;
  entry["container"] = container;
  ctx_.log.add(service::tts, "tts.rest", entry);
  auto stream = std::make_shared<tts_rest_stream>(*this, std::move(conn->stream()), std::move(conn->buffer()),
                                                  conn->routes(), req, tts, std::move(text), container == "wav",
                                                  request_id, std::move(midstream));
  stream->start(std::chrono::milliseconds(first_byte));
}

} // namespace ce::mocks
