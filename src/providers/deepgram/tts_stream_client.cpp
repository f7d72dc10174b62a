#include "providers/deepgram/tts_stream_client.hpp"

#include "common/log.hpp"
#include "providers/deepgram/audio_format.hpp"
#include "providers/deepgram/text_chunks.hpp"
#include "providers/http/callback_gate.hpp"
#include "providers/http/tls.hpp"
#include "providers/http/ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include <deque>

namespace ce::deepgram {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string speak_query(const tts_stream_options& o) {
  http::query_params q{{"model", o.model}, {"encoding", o.encoding}, {"sample_rate", std::to_string(o.sample_rate)}};
  for (const auto& kv : o.extra_query) q.push_back(kv);
  return http::encode_query(q);
}

namespace {

enum class tts_state { idle, connecting, open, failed, closing, closed, stopped };
constexpr auto tick_period = 250ms;
constexpr auto first_flush_retry = 500ms;

/// A string member of a server message, or "" (never throws on unexpected input).
std::string field(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

} // namespace

struct tts_stream_client::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, tts_stream_options o, tts_stream_callbacks c)
    : ex_(io.get_executor()), opt_(std::move(o)), cb_(std::move(c)), log_(log::get("deepgram")),
      bytes_per_second_(static_cast<std::int64_t>(audio_bytes_per_second(opt_.encoding, opt_.sample_rate))),
      tick_(ex_), flush_timer_(ex_), close_timer_(ex_) {}

  struct segment {
    std::uint64_t id = 0;
    std::vector<std::string> pieces;
  };

  // ---- commands ----------------------------------------------------------------------------

  void do_connect() {
    if (state_ == tts_state::idle) open_connection();
  }

  void do_reconnect() {
    if (state_ == tts_state::closing || state_ == tts_state::closed || state_ == tts_state::stopped) return;
    if (ws_) ws_->abort();
    ws_.reset();
    forget_pending();
    open_connection();
  }

  void do_speak(std::uint64_t id, std::string text) {
    if (state_ == tts_state::closing || state_ == tts_state::closed || state_ == tts_state::stopped)
      return refuse(id, http::make_error(http::provider_errc::cancelled, "the TTS stream is closing"));
    if (state_ == tts_state::failed)
      return refuse(id, http::make_error(http::provider_errc::connection_lost, "the TTS stream is down"));
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
      return refuse(id, http::make_error(http::provider_errc::bad_request, "empty text"));
    if (pending_segments() >= opt_.max_pending_segments)
      return refuse(id, http::make_error(http::provider_errc::rate_limited, "too many segments waiting", "queue_full"));
    segment seg{id, split_text(text, opt_.max_chars_per_speak)};
    if (state_ == tts_state::open) send_segment(std::move(seg));
    else waiting_.push_back(std::move(seg));
  }

  void do_clear() {
    drop_held();
    waiting_.clear();
    unflushed_.clear();
    outstanding_.clear();
    if (state_ != tts_state::open || !ws_) {
      notify(cb_.on_cleared);
      return;
    }
    ++clears_pending_;
    ws_->send_text(R"({"type":"Clear"})");
    log_->debug("{} tts clear sent", opt_.log_context);
  }

  void do_close() {
    if (state_ != tts_state::open) {
      if (state_ == tts_state::idle || state_ == tts_state::connecting || state_ == tts_state::failed) finish_close();
      return;
    }
    state_ = tts_state::closing;
    ws_->send_text(R"({"type":"Close"})");
    close_timer_.expires_after(opt_.close_timeout);
    close_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->state_ != tts_state::closing) return;
      self->finish_close();
    });
  }

  void do_stop() {
    state_ = tts_state::stopped;
    tear_down();
    cb_ = {};
  }

  // timers off, the socket dropped, text not yet spoken forgotten
  void tear_down() {
    tick_.cancel();
    flush_timer_.cancel();
    close_timer_.cancel();
    if (ws_) ws_->abort();
    ws_.reset();
    forget_pending();
  }

  // ---- connection --------------------------------------------------------------------------

  void open_connection() {
    auto base = http::parse_url(opt_.base_url);
    if (!base) return fail(http::make_error(http::provider_errc::bad_request, "invalid base_url " + opt_.base_url));
    state_ = tts_state::connecting;
    const std::uint64_t gen = ++generation_;
    http::ws_options wo;
    wo.endpoint = http::websocket_url(*base);
    wo.target = wo.endpoint.path + "/v1/speak?" + speak_query(opt_);
    wo.headers = {{"Authorization", "Token " + opt_.api_key}};
    wo.connect_timeout = opt_.connect_timeout;
    wo.idle_timeout = opt_.dead_after;
    wo.close_timeout = opt_.close_timeout;
    if (wo.endpoint.secure() && !tls_) tls_ = http::client_tls_context(opt_.tls);
    std::weak_ptr<impl> weak = weak_from_this();
    http::ws_client::handlers h;
    h.on_open = [weak, gen](const http::response_head& head) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_open(head);
    };
    h.on_text = [weak, gen](std::string_view text) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_text(text);
    };
    h.on_binary = [weak, gen](std::span<const std::uint8_t> bytes) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_binary(bytes);
    };
    h.on_closed = [weak, gen](std::optional<http::provider_error> err, const http::ws_close_info& info) {
      if (auto self = weak.lock(); self && self->generation_ == gen) self->on_ws_closed(std::move(err), info);
    };
    ws_ = std::make_shared<http::ws_client>(ex_, tls_, std::move(wo), std::move(h));
    ws_->start();
  }

  void on_open(const http::response_head& head) {
    state_ = tts_state::open;
    request_id_ = head.get("dg-request-id");
    log_->info("{} tts open request_id={} model={}", opt_.log_context, request_id_, opt_.model);
    notify(cb_.on_opened, request_id_);
    while (!waiting_.empty() && state_ == tts_state::open) {
      auto seg = std::move(waiting_.front());
      waiting_.pop_front();
      send_segment(std::move(seg));
    }
  }

  void on_ws_closed(std::optional<http::provider_error> err, const http::ws_close_info& info) {
    ws_.reset();
    if (state_ == tts_state::closing) return finish_close();
    if (state_ != tts_state::open && state_ != tts_state::connecting) return;
    if (!err)
      err = http::make_error(http::provider_errc::connection_lost,
                             "server closed the stream (" + std::to_string(info.code) + ")", "close");
    fail(std::move(*err));
  }

  void fail(http::provider_error err) {
    hand_over();  // audio that arrived before the failure is good
    state_ = tts_state::failed;
    if (ws_) ws_->abort();
    ws_.reset();
    forget_pending();
    log_->warn("{} tts connection failed request_id={}: {}", opt_.log_context, request_id_, err.describe());
    notify(cb_.on_failed, err);
  }

  void finish_close() {
    if (state_ == tts_state::closed || state_ == tts_state::stopped) return;
    state_ = tts_state::closed;
    tear_down();
    log_->info("{} tts closed request_id={} flushes={} audio_bytes={}", opt_.log_context, request_id_,
               stats_.flushes.load(), stats_.audio_bytes.load());
    notify(cb_.on_closed);
  }

  void forget_pending() {
    waiting_.clear();
    unflushed_.clear();
    outstanding_.clear();
    clears_pending_ = 0;
    flush_timer_.cancel();
  }

  void refuse(std::uint64_t id, const http::provider_error& err) {
    log_->debug("{} tts segment {} refused: {}", opt_.log_context, id, err.describe());
    notify(cb_.on_segment_failed, id, err);
  }

  std::size_t pending_segments() const {
    std::size_t n = waiting_.size() + unflushed_.size();
    for (const auto& g : outstanding_) n += g.size();
    return n;
  }

  // ---- speaking and flushing ---------------------------------------------------------------

  void send_segment(segment seg) {
    for (auto& piece : seg.pieces) {
      ws_->send_text(nlohmann::json{{"type", "Speak"}, {"text", std::move(piece)}}.dump());
      stats_.speak_messages.fetch_add(1, std::memory_order_relaxed);
    }
    unflushed_.push_back(seg.id);
    try_flush();
  }

  void try_flush() {
    if (unflushed_.empty() || state_ != tts_state::open) return;
    const auto now = steady::now();
    while (!flush_times_.empty() && now - flush_times_.front() >= opt_.flush_window) flush_times_.pop_front();
    int left = opt_.max_flushes - static_cast<int>(flush_times_.size());
    steady::time_point free_at = flush_times_.empty() ? now : flush_times_.front() + opt_.flush_window;
    if (blocked_until_ && *blocked_until_ > now) {
      left = 0;
      free_at = *blocked_until_;
    }
    if (left <= 0) {
      // Wait for the window to give a flush back.
      flush_timer_.expires_at(free_at);
      flush_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->try_flush();
      });
      return;
    }
    // Near the limit: while audio is still coming, gather segments for one flush.
    if (left <= opt_.flush_reserve && !outstanding_.empty()) return;
    ws_->send_text(R"({"type":"Flush"})");
    flush_times_.push_back(now);
    stats_.flushes.fetch_add(1, std::memory_order_relaxed);
    if (unflushed_.size() > 1) stats_.coalesced_segments.fetch_add(unflushed_.size(), std::memory_order_relaxed);
    outstanding_.push_back(std::move(unflushed_));
    unflushed_.clear();
    last_progress_ = now;
    start_tick();
  }

  void on_flush_ignored() {
    // The server did not count our last Flush: its text is still in its buffer. Flush it
    // again later, backing off (our window and the server's disagree).
    stats_.flush_warnings.fetch_add(1, std::memory_order_relaxed);
    if (!outstanding_.empty()) {
      auto group = std::move(outstanding_.back());
      outstanding_.pop_back();
      unflushed_.insert(unflushed_.begin(), group.begin(), group.end());
    }
    blocked_until_ = steady::now() + flush_retry_;
    flush_retry_ = std::min<std::chrono::milliseconds>(flush_retry_ * 2, opt_.flush_window);
    try_flush();
  }

  // ---- receiving ---------------------------------------------------------------------------

  void on_binary(std::span<const std::uint8_t> bytes) {
    last_progress_ = steady::now();
    if (clears_pending_ > 0) {
      stats_.dropped_after_clear.fetch_add(bytes.size(), std::memory_order_relaxed);
      return;
    }
    stats_.audio_bytes.fetch_add(bytes.size(), std::memory_order_relaxed);
    stats_.audio_messages.fetch_add(1, std::memory_order_relaxed);
    const auto seg = outstanding_.empty() ? last_segment_ : outstanding_.front().front();
    last_segment_ = seg;
    if (!held_.empty() && held_segment_ != seg) hand_over();
    held_segment_ = seg;
    held_.insert(held_.end(), bytes.begin(), bytes.end());
    const auto now = steady::now();
    const auto ahead = play_end_ > now ? play_end_ - now : steady::duration::zero();
    if (held_.size() >= opt_.coalesce_bytes || ahead < opt_.coalesce_when_ahead) hand_over();
  }

  /// Gives the held audio to the owner and advances the real-time estimate of its playback.
  void hand_over() {
    if (held_.empty()) return;
    const auto now = steady::now();
    const auto audio = std::chrono::microseconds(static_cast<std::int64_t>(held_.size()) * 1000000 / bytes_per_second_);
    play_end_ = std::max(play_end_, now) + audio;
    stats_.audio_deliveries.fetch_add(1, std::memory_order_relaxed);
    tts_audio chunk;
    chunk.segment = held_segment_;
    chunk.mulaw = std::move(held_);
    held_ = {};
    notify(cb_.on_audio, std::move(chunk));
  }

  void drop_held() {
    held_.clear();
    play_end_ = steady::now();
  }

  void on_text(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    const std::string type = field(j, "type");
    if (type == "Flushed") {
      last_progress_ = steady::now();
      if (clears_pending_ > 0 || outstanding_.empty()) return;  // from before a Clear
      hand_over();
      auto group = std::move(outstanding_.front());
      outstanding_.pop_front();
      flush_retry_ = first_flush_retry;
      blocked_until_.reset();
      for (auto id : group) {
        notify(cb_.on_segment_done, id);
        if (state_ != tts_state::open) return;
      }
      try_flush();
    } else if (type == "Cleared") {
      if (clears_pending_ > 0 && --clears_pending_ == 0) {
        log_->debug("{} tts cleared", opt_.log_context);
        notify(cb_.on_cleared);
      }
    } else if (type == "Warning") {
      std::string code = field(j, "code");
      if (code.empty()) code = field(j, "warn_code");
      std::string desc = field(j, "description");
      if (desc.empty()) desc = field(j, "warn_msg");
      log_->warn("{} tts warning code={} {}", opt_.log_context, code, desc);
      const bool flush_limit = code.find("FLUSH") != std::string::npos || desc.find("lush") != std::string::npos;
      notify(cb_.on_warning, code, desc);
      if (flush_limit && state_ == tts_state::open) on_flush_ignored();
    } else if (type == "Metadata") {
      log_->debug("{} tts metadata model={}", opt_.log_context, field(j, "model_name"));
    } else {
      log_->debug("{} tts message type={} ignored", opt_.log_context, type);
    }
  }

  // ---- the stall watchdog ------------------------------------------------------------------

  void start_tick() {
    if (ticking_ || opt_.stall_after.count() <= 0) return;
    ticking_ = true;
    tick_.expires_after(tick_period);
    tick_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!self) return;
      self->ticking_ = false;
      if (!ec) self->on_tick();
    });
  }

  void on_tick() {
    if (state_ != tts_state::open || outstanding_.empty()) return;
    if (steady::now() - last_progress_ >= opt_.stall_after && clears_pending_ == 0) {
      return fail(http::make_error(http::provider_errc::timeout,
                                   "no audio for " + std::to_string(opt_.stall_after.count()) + " ms after a Flush",
                                   "stalled"));
    }
    start_tick();
  }

  /// Every owner callback goes through the gate (see callback_gate.hpp).
  template <class F, class... A>
  void notify(const F& fn, A&&... args) {
    if (fn) gate_.invoke([&] { fn(std::forward<A>(args)...); });
  }

  struct atomic_stats {
    std::atomic<std::uint64_t> speak_messages{0}, flushes{0}, coalesced_segments{0}, audio_bytes{0},
      audio_messages{0}, audio_deliveries{0}, dropped_after_clear{0}, flush_warnings{0};
  };

  http::executor ex_;
  tts_stream_options opt_;
  tts_stream_callbacks cb_;
  std::shared_ptr<spdlog::logger> log_;
  std::int64_t bytes_per_second_;  ///< of the requested encoding (playback estimate)
  std::shared_ptr<boost::asio::ssl::context> tls_;
  tts_state state_ = tts_state::idle;
  std::shared_ptr<http::ws_client> ws_;
  std::uint64_t generation_ = 0;
  std::string request_id_;

  std::deque<segment> waiting_;                      ///< spoken before the connection opened
  std::vector<std::uint64_t> unflushed_;             ///< text at the server, not flushed yet
  std::deque<std::vector<std::uint64_t>> outstanding_;  ///< flushed groups, oldest first
  std::deque<steady::time_point> flush_times_;
  std::optional<steady::time_point> blocked_until_;
  std::chrono::milliseconds flush_retry_{first_flush_retry};
  int clears_pending_ = 0;
  std::uint64_t last_segment_ = 0;
  std::vector<std::uint8_t> held_;                   ///< audio not handed over yet (one segment's)
  std::uint64_t held_segment_ = 0;
  steady::time_point play_end_{};                    ///< when the audio handed over would finish playing

  http::steady_timer tick_;
  http::steady_timer flush_timer_;
  http::steady_timer close_timer_;
  bool ticking_ = false;
  steady::time_point last_progress_{};

  atomic_stats stats_;
  http::callback_gate gate_;
};

tts_stream_client::tts_stream_client(boost::asio::io_context& io, tts_stream_options options,
                                     tts_stream_callbacks callbacks)
  : impl_(std::make_shared<impl>(io, std::move(options), std::move(callbacks))) {}

tts_stream_client::~tts_stream_client() {
  impl_->gate_.close();
  asio::post(impl_->ex_, [p = impl_] { p->do_stop(); });
}

void tts_stream_client::connect() {
  asio::post(impl_->ex_, [p = impl_] { p->do_connect(); });
}

void tts_stream_client::speak(std::uint64_t segment, std::string text) {
  asio::post(impl_->ex_, [p = impl_, segment, t = std::move(text)]() mutable { p->do_speak(segment, std::move(t)); });
}

void tts_stream_client::clear() {
  asio::post(impl_->ex_, [p = impl_] { p->do_clear(); });
}

void tts_stream_client::reconnect() {
  asio::post(impl_->ex_, [p = impl_] { p->do_reconnect(); });
}

void tts_stream_client::close() {
  asio::post(impl_->ex_, [p = impl_] { p->do_close(); });
}

tts_stream_stats tts_stream_client::stats() const {
  const auto& s = impl_->stats_;
  tts_stream_stats out;
  out.speak_messages = s.speak_messages.load(std::memory_order_relaxed);
  out.flushes = s.flushes.load(std::memory_order_relaxed);
  out.coalesced_segments = s.coalesced_segments.load(std::memory_order_relaxed);
  out.audio_bytes = s.audio_bytes.load(std::memory_order_relaxed);
  out.audio_messages = s.audio_messages.load(std::memory_order_relaxed);
  out.audio_deliveries = s.audio_deliveries.load(std::memory_order_relaxed);
  out.dropped_after_clear = s.dropped_after_clear.load(std::memory_order_relaxed);
  out.flush_warnings = s.flush_warnings.load(std::memory_order_relaxed);
  return out;
}

} // namespace ce::deepgram
