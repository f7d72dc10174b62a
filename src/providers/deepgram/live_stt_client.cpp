#include "providers/deepgram/live_stt_client.hpp"

#include "audio/levels.hpp"
#include "common/log.hpp"
#include "providers/deepgram/audio_format.hpp"
#include "providers/deepgram/audio_ring.hpp"
#include "providers/http/callback_gate.hpp"
#include "providers/http/tls.hpp"
#include "providers/http/ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>


#include <deque>

namespace ce::deepgram {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string listen_query(const live_stt_options& o) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  http::query_params q{{"model", o.model},
                       {"encoding", o.encoding},
                       {"sample_rate", std::to_string(o.sample_rate)},
                       {"channels", std::to_string(o.channels)},
                       {"interim_results", b(o.interim_results)},
                       {"endpointing", o.endpointing_ms ? std::to_string(*o.endpointing_ms) : "false"}};
  if (o.utterance_end_ms) q.emplace_back("utterance_end_ms", std::to_string(*o.utterance_end_ms));
  q.emplace_back("vad_events", b(o.vad_events));
  q.emplace_back("smart_format", b(o.smart_format));
  q.emplace_back("punctuate", b(o.punctuate));
  if (!o.language.empty()) q.emplace_back("language", o.language);
  for (const auto& kv : o.extra_query) q.push_back(kv);
  return http::encode_query(q);
}

namespace {

/// The housekeeping tick (KeepAlive, stall watchdog): a quarter of the shorter of the two
/// intervals it watches, within 50 ms .. 1 s (600 ms with the defaults).
std::chrono::milliseconds tick_period_for(const live_stt_options& o) {
  auto shortest = std::chrono::milliseconds(4000);
  for (auto d : {o.keepalive_interval, o.stall_after})
    if (d.count() > 0) shortest = std::min(shortest, d);
  return std::clamp<std::chrono::milliseconds>(shortest / 4, 50ms, 1000ms);
}

enum class conn_state { idle, connecting, open, failed, closing, closed, stopped };

} // namespace

struct live_stt_client::impl : std::enable_shared_from_this<impl>, caller_audio_port {
  impl(asio::io_context& io, live_stt_options o, live_stt_callbacks c)
    : ex_(io.get_executor()), opt_(std::move(o)), cb_(std::move(c)), log_(log::get("deepgram")),
      bps_(audio_bytes_per_second(opt_.encoding, opt_.sample_rate, opt_.channels)),
      ring_(static_cast<std::size_t>(opt_.replay.count()) * bps_ / 1000),
      tick_(ex_), close_timer_(ex_) {
    max_queued_ = std::max<std::size_t>(opt_.max_frame_bytes, static_cast<std::size_t>(opt_.max_queued_audio.count()) * bps_ / 1000);
    talk_bytes_ = std::max<std::size_t>(1, static_cast<std::size_t>(opt_.send_talking.count()) * bps_ / 1000);
    quiet_bytes_ = std::max<std::size_t>(1, static_cast<std::size_t>(opt_.send_quiet.count()) * bps_ / 1000);
    if (opt_.endpointing_ms) endpoint_bytes_ = static_cast<std::size_t>(*opt_.endpointing_ms) * bps_ / 1000;
    margin_bytes_ = static_cast<std::size_t>(opt_.endpoint_margin.count()) * bps_ / 1000;
  }

  // ---- the audio port: the edge, on this io thread -------------------------------------------

  void write(std::span<const std::uint8_t> mulaw, caller_voice voice, steady::time_point arrived) override {
    if (mulaw.empty() || !accepting_audio()) return;
    given(mulaw.size(), arrived);
    if (voice != caller_voice::quiet) account_voiced(mulaw.size(), arrived);
    port_buf_.append(reinterpret_cast<const char*>(mulaw.data()), mulaw.size());
    bool now = false;
    switch (voice) {
      case caller_voice::voiced:
        if (voice_ == caller_voice::quiet) {  // an onset: Deepgram hears it at once
          now = true;
          answered_ = false;
        }
        pause_bytes_ = 0;
        now = now || port_buf_.size() >= talk_bytes_;
        break;
      case caller_voice::pause:
        now = voice_ == caller_voice::voiced;  // the voiced audio before a pause goes at once
        pause_bytes_ += mulaw.size();
        // around the endpoint, frame by frame: the utterance ends no later than unbatched
        if (endpoint_bytes_ > 0 && !answered_ && pause_bytes_ + margin_bytes_ >= endpoint_bytes_) now = true;
        now = now || port_buf_.size() >= talk_bytes_;
        break;
      case caller_voice::quiet: now = port_buf_.size() >= quiet_bytes_; break;
    }
    voice_ = voice;
    if (now) flush_port();
  }

  void flush_port() {
    if (port_buf_.empty()) return;
    std::string frame_data;
    frame_data.reserve(quiet_bytes_);
    frame_data.swap(port_buf_);
    queue_audio_frame(std::move(frame_data));
    pump();
  }

  bool accepting_audio() const {
    return state_ != conn_state::closing && state_ != conn_state::closed && state_ != conn_state::stopped;
  }

  /// Audio given to the client so far, and when the last of it arrived: maps the server's
  /// stream times to the steady clock.
  void given(std::size_t bytes, steady::time_point arrived) {
    given_bytes_ += bytes;
    last_arrival_ = arrived;
  }

  steady::time_point clock_of(double stream_seconds) const {
    const double given_s = static_cast<double>(given_bytes_) / static_cast<double>(bps_);
    const auto behind = std::chrono::duration<double>(std::max(0.0, given_s - stream_seconds));
    return last_arrival_ - std::chrono::duration_cast<steady::duration>(behind);
  }

  void queue_audio_frame(std::string&& data) {
    const std::size_t n = data.size();
    if (opt_.on_overflow == audio_overflow::drop_newest && queued_audio_ + n > max_queued_) {
      dropped_ += n;
      stats_.audio_bytes_dropped.fetch_add(n, std::memory_order_relaxed);
      return;
    }
    outbox_.push_back({true, std::move(data)});
    queued_audio_ += n;
    while (queued_audio_ > max_queued_ && drop_oldest_audio()) {
    }
  }

  // ---- commands (on the strand) ------------------------------------------------------------

  void do_connect() {
    if (state_ != conn_state::idle) return;
    open_connection(false);
  }

  void do_send_audio(std::vector<std::uint8_t> audio) {
    if (audio.empty() || !accepting_audio()) return;
    const auto now = steady::now();
    given(audio.size(), now);
    account_voiced_levels(audio, now);
    flush_port();
    if (opt_.on_overflow == audio_overflow::drop_newest && queued_audio_ + audio.size() > max_queued_) {
      dropped_ += audio.size();
      stats_.audio_bytes_dropped.fetch_add(audio.size(), std::memory_order_relaxed);
      return;
    }
    std::size_t pos = 0;
    const std::size_t max_frame = std::max<std::size_t>(1, opt_.max_frame_bytes);
    while (pos < audio.size()) {
      if (!outbox_.empty() && outbox_.back().binary && outbox_.back().data.size() < max_frame) {
        auto& last = outbox_.back().data;
        const std::size_t n = std::min(max_frame - last.size(), audio.size() - pos);
        last.append(reinterpret_cast<const char*>(audio.data() + pos), n);
        pos += n;
      } else {
        const std::size_t n = std::min(max_frame, audio.size() - pos);
        outbox_.push_back({true, std::string(reinterpret_cast<const char*>(audio.data() + pos), n)});
        pos += n;
      }
    }
    queued_audio_ += audio.size();
    while (queued_audio_ > max_queued_ && drop_oldest_audio()) {
    }
    pump();
  }

  void do_finalize() {
    if (state_ != conn_state::open && state_ != conn_state::connecting) return;
    flush_port();
    outbox_.push_back({false, R"({"type":"Finalize"})"});
    pump();
  }

  void do_reconnect() {
    if (state_ == conn_state::closing || state_ == conn_state::closed || state_ == conn_state::stopped) return;
    if (ws_) ws_->abort();
    ws_.reset();
    in_flight_ = false;
    open_connection(true);
  }

  void do_close() {
    flush_port();  // the last words go before CloseStream
    switch (state_) {
    case conn_state::open:
      state_ = conn_state::closing;
      outbox_.push_back({false, R"({"type":"CloseStream"})"});
      close_timer_.expires_after(opt_.close_timeout);
      close_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->state_ != conn_state::closing) return;
        self->log_->warn("{} stt close: no close from the server within {} ms", self->opt_.log_context,
                         self->opt_.close_timeout.count());
        self->finish_close();
      });
      pump();
      return;
    case conn_state::connecting:
      // Audio is queued for this connection: close once it is open (or failed).
      close_requested_ = true;
      return;
    case conn_state::idle:
    case conn_state::failed:
      finish_close();
      return;
    default:
      return;
    }
  }

  void do_stop() {
    state_ = conn_state::stopped;
    port_buf_.clear();
    tick_.cancel();
    close_timer_.cancel();
    if (ws_) ws_->abort();
    ws_.reset();
    outbox_.clear();
    cb_ = {};
  }

  // ---- connection ---------------------------------------------------------------------------

  void open_connection(bool reconnect) {
    auto base = http::parse_url(opt_.base_url);
    if (!base) return fail(http::make_error(http::provider_errc::bad_request, "invalid base_url " + opt_.base_url));
    state_ = conn_state::connecting;
    reconnecting_ = reconnect;
    const std::uint64_t gen = ++generation_;
    http::ws_options wo;
    wo.endpoint = http::websocket_url(*base);
    wo.target = wo.endpoint.path + "/v1/listen?" + listen_query(opt_);
    wo.headers = {{"Authorization", "Token " + opt_.api_key}};
    wo.connect_timeout = opt_.connect_timeout;
    wo.idle_timeout = opt_.dead_after;
    wo.close_timeout = opt_.close_timeout;
    wo.read_bytes = 1024;  // results of a few hundred bytes
    if (wo.endpoint.secure() && !tls_) tls_ = http::client_tls_context(opt_.tls);
    std::weak_ptr<impl> weak = weak_from_this();
    http::ws_client::handlers h;
    h.on_open = [weak, gen](const http::response_head& head) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_open(head);
    };
    h.on_text = [weak, gen](std::string_view text) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_text(text);
    };
    h.on_drained = [weak, gen] {
      if (auto self = weak.lock(); self && self->generation_ == gen) {
        self->in_flight_ = false;
        self->pump();
      }
    };
    h.on_closed = [weak, gen](std::optional<http::provider_error> err, const http::ws_close_info& info) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_ws_closed(std::move(err), info);
    };
    log_->debug("{} stt connecting to {} (reconnect={})", opt_.log_context, wo.endpoint.to_string(), reconnect);
    ws_ = std::make_shared<http::ws_client>(ex_, tls_, std::move(wo), std::move(h));
    ws_->start();
  }

  void on_open(const http::response_head& head) {
    state_ = conn_state::open;
    request_id_ = head.get("dg-request-id");
    stats_.connections.fetch_add(1, std::memory_order_relaxed);
    std::size_t replayed = 0;
    if (reconnecting_) {
      // The new connection starts with the last `replay` of audio sent.
      const double written_until = conn_base_ + static_cast<double>(conn_bytes_) / static_cast<double>(bps_);
      auto replay = ring_.contents();
      replayed = replay.size();
      conn_base_ = written_until - static_cast<double>(replayed) / static_cast<double>(bps_);
      assembler_.rebase(conn_base_);
      ring_.clear();  // refilled as the replay is written
      const std::size_t max_frame = std::max<std::size_t>(1, opt_.max_frame_bytes);
      std::deque<frame> front;
      for (std::size_t pos = 0; pos < replay.size(); pos += max_frame) {
        const std::size_t n = std::min(max_frame, replay.size() - pos);
        front.push_back({true, std::string(reinterpret_cast<const char*>(replay.data() + pos), n)});
      }
      // Control messages meant for the dead connection are dropped; audio stays.
      std::erase_if(outbox_, [](const frame& f) { return !f.binary; });
      outbox_.insert(outbox_.begin(), front.begin(), front.end());
      queued_audio_ += replayed;
      stats_.replayed_bytes.fetch_add(replayed, std::memory_order_relaxed);
    } else {
      conn_base_ = 0;
    }
    conn_bytes_ = 0;
    assembler_.set_time_base(conn_base_);
    last_message_ = steady::now();
    last_audio_out_ = steady::now();
    voiced_since_message_ = 0ms;
    first_voiced_since_message_.reset();
    log_->info("{} stt open request_id={} reconnect={} replay_bytes={}", opt_.log_context, request_id_,
               reconnecting_, replayed);
    start_tick();
    notify(cb_.on_opened, stt_opened{request_id_, reconnecting_, replayed});
    pump();
    if (close_requested_ && state_ == conn_state::open) do_close();
  }

  void on_ws_closed(std::optional<http::provider_error> err, const http::ws_close_info& info) {
    ws_.reset();
    in_flight_ = false;
    if (state_ == conn_state::closing) {
      if (err) log_->warn("{} stt closed with {}", opt_.log_context, err->describe());
      return finish_close();
    }
    if (state_ != conn_state::open && state_ != conn_state::connecting) return;
    if (!err) {
      err = http::make_error(http::provider_errc::connection_lost,
                             "server closed the stream (" + std::to_string(info.code) + ")", "close");
    }
    fail(std::move(*err));
  }

  void fail(http::provider_error err) {
    if (close_requested_) {
      log_->warn("{} stt connection failed while closing: {}", opt_.log_context, err.describe());
      return finish_close();
    }
    state_ = conn_state::failed;
    if (ws_) ws_->abort();
    ws_.reset();
    in_flight_ = false;
    stats_.failures.fetch_add(1, std::memory_order_relaxed);
    log_->warn("{} stt connection failed request_id={}: {}", opt_.log_context, request_id_, err.describe());
    notify(cb_.on_failed, err);
  }

  void finish_close() {
    if (state_ == conn_state::closed || state_ == conn_state::stopped) return;
    state_ = conn_state::closed;
    tick_.cancel();
    close_timer_.cancel();
    if (ws_) ws_->abort();
    ws_.reset();
    outbox_.clear();
    queued_audio_ = 0;
    log_->info("{} stt closed request_id={} audio_bytes={} dropped={} reconnects={}", opt_.log_context, request_id_,
               stats_.audio_bytes_sent.load(), stats_.audio_bytes_dropped.load(),
               stats_.connections.load() > 0 ? stats_.connections.load() - 1 : 0);
    if (auto u = assembler_.on_closed()) notify(cb_.on_utterance, std::move(*u));
    notify(cb_.on_closed);
  }

  // ---- sending ------------------------------------------------------------------------------

  struct frame {
    bool binary = false;
    std::string data;
  };

  bool drop_oldest_audio() {
    for (auto it = outbox_.begin(); it != outbox_.end(); ++it) {
      if (!it->binary) continue;
      const std::size_t n = it->data.size();
      queued_audio_ -= n;
      dropped_ += n;
      stats_.audio_bytes_dropped.fetch_add(n, std::memory_order_relaxed);
      outbox_.erase(it);
      if (dropped_ == n) log_->warn("{} stt send queue full: dropping the oldest audio", opt_.log_context);
      return true;
    }
    return false;
  }

  void pump() {
    if (in_flight_ || outbox_.empty() || !ws_) return;
    if (state_ != conn_state::open && state_ != conn_state::closing) return;
    frame f = std::move(outbox_.front());
    outbox_.pop_front();
    in_flight_ = true;
    if (!f.binary) {
      ws_->send_text(std::move(f.data));
      return;
    }
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(f.data.data());
    const std::span<const std::uint8_t> view(bytes, f.data.size());
    queued_audio_ -= f.data.size();
    ring_.push(view);
    conn_bytes_ += f.data.size();
    stats_.audio_bytes_sent.fetch_add(f.data.size(), std::memory_order_relaxed);
    stats_.audio_frames_sent.fetch_add(1, std::memory_order_relaxed);
    last_audio_out_ = steady::now();
    ws_->send_binary(std::move(f.data));
  }

  /// Voiced audio given since the server last said anything (the stall watchdog). The
  /// port's writer says whether the caller talks (its voice detector); audio from
  /// send_audio() is judged here by its level.
  void account_voiced(std::size_t bytes, steady::time_point now) {
    if (opt_.stall_after.count() <= 0 || !opt_.interim_results) return;
    voiced_since_message_ += std::chrono::milliseconds(bytes * 1000 / bps_);
    if (!first_voiced_since_message_) first_voiced_since_message_ = now;
  }

  void account_voiced_levels(std::span<const std::uint8_t> bytes, steady::time_point now) {
    if (opt_.stall_after.count() <= 0 || !opt_.interim_results || opt_.encoding != "mulaw") return;
    const std::size_t frame_bytes = bps_ / 50;  // 20 ms
    for (std::size_t pos = 0; pos < bytes.size(); pos += frame_bytes) {
      const auto part = bytes.subspan(pos, std::min(frame_bytes, bytes.size() - pos));
      if (audio::mulaw_frame_dbfs(part) >= opt_.voiced_dbfs) account_voiced(part.size(), now);
    }
  }

  // ---- receiving ----------------------------------------------------------------------------

  void on_text(std::string_view text) {
    last_message_ = steady::now();
    voiced_since_message_ = 0ms;
    first_voiced_since_message_.reset();
    auto msg = parse_stt_message(text);
    if (!msg) {
      log_->debug("{} stt ignoring an unparsable message ({} bytes)", opt_.log_context, text.size());
      return;
    }
    if (auto* r = std::get_if<stt_result>(&*msg)) {
      auto step = assembler_.on_result(*r);
      if (step.interim) notify(cb_.on_interim, *step.interim);
      if (step.utterance) deliver(std::move(*step.utterance));
    } else if (auto* s = std::get_if<stt_speech_started_msg>(&*msg)) {
      const double ts = conn_base_ + s->timestamp;
      // Onsets inside replayed audio that was already delivered are old news.
      if (ts + 0.05 < assembler_.emitted_until()) return;
      notify(cb_.on_speech_started, stt_speech_started{ts, clock_of(ts)});
    } else if (std::holds_alternative<stt_utterance_end_msg>(*msg)) {
      if (auto u = assembler_.on_utterance_end()) deliver(std::move(*u));
    } else if (auto* m = std::get_if<stt_metadata>(&*msg)) {
      notify(cb_.on_metadata, *m);
    } else if (auto* o = std::get_if<stt_other_msg>(&*msg)) {
      log_->debug("{} stt message type={} ignored", opt_.log_context, o->type);
    }
  }

  void deliver(stt_utterance u) {
    u.end_at = clock_of(u.end);
    answered_ = true;
    log_->debug("{} stt utterance reason={} words={} start={:.2f} end={:.2f}", opt_.log_context, to_string(u.reason),
                u.words.size(), u.start, u.end);
    notify(cb_.on_utterance, std::move(u));
  }

  // ---- housekeeping: keepalive and the stall watchdog ----------------------------------------

  void start_tick() {
    if (ticking_) return;
    ticking_ = true;
    arm_tick();
  }

  void arm_tick() {
    tick_.expires_after(tick_period_for(opt_));
    tick_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self) return;
      if (ec) {
        self->ticking_ = false;
        return;
      }
      self->on_tick();
    });
  }

  void on_tick() {
    if (state_ != conn_state::open && state_ != conn_state::closing) {
      ticking_ = false;
      return;
    }
    const auto now = steady::now();
    if (state_ == conn_state::open && opt_.keepalive_interval.count() > 0 && outbox_.empty() && !in_flight_ &&
        now - last_audio_out_ >= opt_.keepalive_interval && now - last_keepalive_ >= opt_.keepalive_interval) {
      last_keepalive_ = now;
      stats_.keepalives_sent.fetch_add(1, std::memory_order_relaxed);
      outbox_.push_back({false, R"({"type":"KeepAlive"})"});
      pump();
    }
    if (state_ == conn_state::open && first_voiced_since_message_ && voiced_since_message_ >= opt_.stall_min_voiced &&
        now - *first_voiced_since_message_ >= opt_.stall_after) {
      auto err = http::make_error(http::provider_errc::timeout,
                                  "no message from the server for " +
                                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_message_).count()) +
                                    " ms while the caller was talking",
                                  "stalled");
      return fail(std::move(err));
    }
    arm_tick();
  }

  /// Every owner callback goes through the gate (see callback_gate.hpp).
  template <class F, class... A>
  void notify(const F& fn, A&&... args) {
    if (fn) gate_.invoke([&] { fn(std::forward<A>(args)...); });
  }

  // ---- state --------------------------------------------------------------------------------

  struct atomic_stats {
    std::atomic<std::uint64_t> audio_bytes_sent{0}, audio_frames_sent{0}, audio_bytes_dropped{0}, replayed_bytes{0},
      keepalives_sent{0}, connections{0}, failures{0};
  };

  http::executor ex_;
  live_stt_options opt_;
  live_stt_callbacks cb_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  const std::size_t bps_;
  std::size_t max_queued_ = 0;

  conn_state state_ = conn_state::idle;
  std::shared_ptr<http::ws_client> ws_;
  std::uint64_t generation_ = 0;
  bool reconnecting_ = false;
  bool close_requested_ = false;  ///< close() came while connecting
  std::string request_id_;

  std::deque<frame> outbox_;
  std::string port_buf_;            ///< audio from the port, not yet a message
  std::size_t talk_bytes_ = 0;
  std::size_t quiet_bytes_ = 0;
  std::size_t endpoint_bytes_ = 0;  ///< endpointing, as audio (0: not requested)
  std::size_t margin_bytes_ = 0;
  caller_voice voice_ = caller_voice::quiet;  ///< the last frame's
  std::size_t pause_bytes_ = 0;     ///< of the pause in progress
  bool answered_ = true;            ///< an utterance came since the last onset
  std::uint64_t given_bytes_ = 0;
  steady::time_point last_arrival_{};
  std::size_t queued_audio_ = 0;
  std::uint64_t dropped_ = 0;
  bool in_flight_ = false;
  audio_ring ring_;
  double conn_base_ = 0;
  std::uint64_t conn_bytes_ = 0;
  utterance_assembler assembler_;

  http::steady_timer tick_;
  http::steady_timer close_timer_;
  bool ticking_ = false;
  steady::time_point last_audio_out_{};
  steady::time_point last_keepalive_{};
  steady::time_point last_message_{};
  std::chrono::milliseconds voiced_since_message_{0};
  std::optional<steady::time_point> first_voiced_since_message_;

  atomic_stats stats_;
  http::callback_gate gate_;
};

live_stt_client::live_stt_client(boost::asio::io_context& io, live_stt_options options, live_stt_callbacks callbacks)
  : impl_(std::make_shared<impl>(io, std::move(options), std::move(callbacks))) {}

live_stt_client::~live_stt_client() {
  impl_->gate_.close();
  asio::post(impl_->ex_, [p = impl_] { p->do_stop(); });
}

void live_stt_client::connect() {
  asio::post(impl_->ex_, [p = impl_] { p->do_connect(); });
}

void live_stt_client::send_audio(std::vector<std::uint8_t> mulaw) {
  if (mulaw.empty()) return;
  asio::post(impl_->ex_, [p = impl_, a = std::move(mulaw)]() mutable { p->do_send_audio(std::move(a)); });
}

std::shared_ptr<caller_audio_port> live_stt_client::audio_port() {
  return std::shared_ptr<caller_audio_port>(impl_, static_cast<caller_audio_port*>(impl_.get()));
}

void live_stt_client::finalize() {
  asio::post(impl_->ex_, [p = impl_] { p->do_finalize(); });
}

void live_stt_client::reconnect() {
  asio::post(impl_->ex_, [p = impl_] { p->do_reconnect(); });
}

void live_stt_client::close() {
  asio::post(impl_->ex_, [p = impl_] { p->do_close(); });
}

live_stt_stats live_stt_client::stats() const {
  const auto& s = impl_->stats_;
  live_stt_stats out;
  out.audio_bytes_sent = s.audio_bytes_sent.load(std::memory_order_relaxed);
  out.audio_frames_sent = s.audio_frames_sent.load(std::memory_order_relaxed);
  out.audio_bytes_dropped = s.audio_bytes_dropped.load(std::memory_order_relaxed);
  out.replayed_bytes = s.replayed_bytes.load(std::memory_order_relaxed);
  out.keepalives_sent = s.keepalives_sent.load(std::memory_order_relaxed);
  out.connections = s.connections.load(std::memory_order_relaxed);
  out.failures = s.failures.load(std::memory_order_relaxed);
  return out;
}

} // namespace ce::deepgram
