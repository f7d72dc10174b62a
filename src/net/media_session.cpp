#include "net/media_session.hpp"

#include "net/agent_speech.hpp"
#include "net/caller_audio.hpp"
#include "twilio/media_messages.hpp"
#include "twilio/signature.hpp"
#include "twilio/stream_token.hpp"
#include "twilio/twiml.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <deque>

namespace ce::net {
namespace {

using namespace std::chrono_literals;

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Largest audio piece sent in one `media` message. Audio that Twilio will not play for a
/// while is joined up to this size (one write instead of several); Twilio buffers it and
/// `clear` drops it there, so the size costs nothing in barge-in precision.
constexpr std::size_t max_chunk_bytes = 3200;  // 400 ms
/// Audio is sent at once (not joined) while Twilio holds less than this much unplayed.
constexpr auto join_when_ahead = 1000ms;

class media_session;

/// The actors' handle on this connection. Every method posts to the call's shard.
class sink_impl final : public media_sink {
public:
  sink_impl(runtime::shard& shard, std::weak_ptr<media_session> s, std::shared_ptr<agent_audio_port> port)
    : shard_(shard), session_(std::move(s)), port_(std::move(port)) {}
  runtime::shard& shard() override { return shard_; }
  void begin_segment(speech_segment segment) override;
  void segment_audio(std::uint64_t key, mulaw_buffer audio, std::vector<word_start> words, bool last) override;
  void end_segment(std::uint64_t key) override;
  std::shared_ptr<agent_audio_port> agent_audio() override { return port_; }
  void clear(std::uint64_t new_generation) override;
  void close(end_reason why) override;
  void route_caller_audio(std::shared_ptr<caller_audio_port> port, bool hand_over_speech) override;

private:
  template <class F>
  void post(F&& f);
  runtime::shard& shard_;
  std::weak_ptr<media_session> session_;
  std::shared_ptr<agent_audio_port> port_;
};

/// Synthesiser clients on this shard hand their audio here (shard thread only).
class agent_port_impl final : public agent_audio_port {
public:
  explicit agent_port_impl(std::weak_ptr<media_session> s) : session_(std::move(s)) {}
  void audio(std::uint64_t key, std::vector<std::uint8_t>&& mulaw) override;
  void end(std::uint64_t key) override;
  std::vector<std::pair<std::uint64_t, std::size_t>> progress() const override;

private:
  std::weak_ptr<media_session> session_;
};

struct outbound_item {
  std::uint64_t generation = 0;
  bool is_mark = false;
  mulaw_buffer audio;
  std::string mark;
};

class media_session : public std::enable_shared_from_this<media_session>, private playout {
public:
  media_session(socket_type&& socket, request upgrade, runtime::shard& shard, std::shared_ptr<edge_context> edge)
    : ws_(std::move(socket)), upgrade_(std::move(upgrade)), shard_(shard), edge_(std::move(edge)),
      pace_timer_(ws_.get_executor()), caller_(edge_->cfg), speech_(edge_->cfg, *this) {}

  ~media_session() {
    edge_->m.ws_connections.add(-1);
    if (counted_call_) shard_.calls.fetch_sub(1, std::memory_order_relaxed);
    notify_closed();
  }

  void run() {
    edge_->m.ws_connections.add(1);
    check_upgrade_signature();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = 10s;
    t.idle_timeout = 20s;  // Twilio sends a frame every 20 ms while a call is up
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(64 * 1024);
    ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "callengine"); }));
    beast::error_code ignored;
    ws_.next_layer().set_option(tcp::no_delay(true), ignored);
    ws_.async_accept(upgrade_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  // --- commands of the actors, on the shard (through sink_impl) ---
  void begin_segment(speech_segment s) {
    if (!closing_ && phase_ == phase::streaming) speech_.begin(std::move(s));
  }
  void segment_audio(std::uint64_t key, const mulaw_buffer& audio, const std::vector<word_start>& words, bool last) {
    if (!closing_ && phase_ == phase::streaming) speech_.audio_with_words(key, audio, words, last);
  }
  void end_segment(std::uint64_t key) {
    if (!closing_ && phase_ == phase::streaming) speech_.end(key);
  }
  void clear(std::uint64_t new_generation);
  void close(end_reason why);
  void route_caller_audio(std::shared_ptr<caller_audio_port> port, bool hand_over) {
    caller_.route(std::move(port), hand_over);
  }

  // --- a synthesiser client on this shard (through agent_port_impl) ---
  void agent_audio(std::uint64_t key, const std::vector<std::uint8_t>& audio) {
    if (!closing_ && phase_ == phase::streaming) speech_.audio(key, audio);
  }
  void agent_end(std::uint64_t key) {
    if (!closing_ && phase_ == phase::streaming) speech_.end(key);
  }
  std::vector<std::pair<std::uint64_t, std::size_t>> agent_progress() const { return speech_.progress(); }

private:
  enum class phase { awaiting_connected, awaiting_start, streaming, stopped };

  void on_accept(beast::error_code ec) {
    if (ec) {
      edge_->log->debug("media WebSocket handshake failed: {}", ec.message());
      return;
    }
    ws_.text(true);
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec != websocket::error::closed && ec != asio::error::operation_aborted && ec != asio::error::eof)
        edge_->log->info("call_sid={} media socket ended: {}", call_sid_or_dash(), ec.message());
      phase_ = phase::stopped;
      pace_timer_.cancel();
      notify_closed();
      return;
    }
    auto t0 = steady_clock::now();
    edge_->m.frames_in.inc();
    if (!ws_.got_text()) {
      malformed("binary frame (Twilio sends only text)");
    } else {
      auto data = buffer_.cdata();
      handle_text(std::string_view{static_cast<const char*>(data.data()), data.size()}, t0);
    }
    buffer_.consume(buffer_.size());
    edge_->m.frame_handling_seconds.observe(std::chrono::duration<double>(steady_clock::now() - t0).count());
    do_read();
  }

  void handle_text(std::string_view text, time_point now) {
    if (auto err = parser_.parse(text, event_)) return malformed(err->message);
    std::visit([this, now](auto& ev) {
      check_sequence(ev);
      on_event(ev, now);
    }, event_);
  }

  template <class Event>
  void check_sequence(const Event& ev) {
    if constexpr (requires { ev.sequence_number; }) {
      auto seq = ev.sequence_number;
      if (last_sequence_ != 0 && seq != last_sequence_ + 1)
        malformed("sequenceNumber " + std::to_string(seq) + " after " + std::to_string(last_sequence_));
      last_sequence_ = seq;
    }
  }

  void on_event(const twilio::connected_event&, time_point) {
    if (phase_ != phase::awaiting_connected) return malformed("duplicate or late 'connected'");
    phase_ = phase::awaiting_start;
  }

  void on_event(twilio::start_event& ev, time_point) {
    if (phase_ == phase::awaiting_connected) malformed("'start' before 'connected'");
    else if (phase_ != phase::awaiting_start) return malformed("duplicate 'start'");
    call_sid_ = ev.call_sid;
    stream_sid_ = ev.stream_sid;
    auto claims = verify_token(ev);
    if (!claims) return reject();
    stream_start start;
    start.call_sid = ev.call_sid;
    start.stream_sid = ev.stream_sid;
    start.account_sid = ev.account_sid;
    start.custom_parameters = ev.custom_parameters;
    start.direction = claims->direction == "outbound" ? call_direction::outbound : call_direction::inbound;
    start.from = claims->from;
    std::weak_ptr<media_session> weak = weak_from_this();
    sink_ = std::make_shared<sink_impl>(shard_, weak, std::make_shared<agent_port_impl>(weak));
    inbox_ = edge_->gateway.open(std::move(start), sink_);
    if (!inbox_) return reject();
    caller_.attach(inbox_);
    speech_.attach(inbox_);
    phase_ = phase::streaming;
    shard_.calls.fetch_add(1, std::memory_order_relaxed);
    counted_call_ = true;
    edge_->m.streams_opened.inc();
    edge_->log->info("call_sid={} stream_sid={} media stream started on shard {}", call_sid_, stream_sid_,
                     shard_.index());
  }

  void on_event(twilio::media_event& ev, time_point now) {
    if (phase_ != phase::streaming) return malformed("'media' outside a started stream");
    if (ev.track != "inbound" && !ev.track.empty()) return;  // only the caller's track matters
    if (ev.payload.empty()) return malformed("'media' with an empty payload");
    caller_.push(ev.payload, now);
  }

  void on_event(const twilio::mark_event& ev, time_point) {
    if (phase_ != phase::streaming) return malformed("'mark' outside a started stream");
    inbox_->mark(ev.name);
  }

  void on_event(const twilio::dtmf_event& ev, time_point) {
    if (phase_ != phase::streaming) return malformed("'dtmf' outside a started stream");
    inbox_->dtmf(ev.digit);
  }

  void on_event(const twilio::stop_event&, time_point) {
    if (phase_ != phase::streaming) return malformed("'stop' outside a started stream");
    phase_ = phase::stopped;
    edge_->log->info("call_sid={} stream stopped by Twilio", call_sid_);
    caller_.flush();
    inbox_->stopped();
  }

  void on_event(const twilio::unknown_event& ev, time_point) {
    edge_->log->debug("call_sid={} ignoring unknown event '{}'", call_sid_or_dash(), ev.name);
  }

  std::optional<twilio::stream_claims> verify_token(const twilio::start_event& ev) {
    auto it = ev.custom_parameters.find("token");
    if (it == ev.custom_parameters.end()) {
      edge_->log->warn("call_sid={} stream refused: no stream token parameter", ev.call_sid);
      return std::nullopt;
    }
    std::string why;
    auto claims = twilio::verify_stream_token(edge_->token_secret, it->second, unix_now_s(), &why);
    if (claims && claims->call_sid != ev.call_sid) {
      why = "token minted for another call";
      claims.reset();
    }
    if (!claims) edge_->log->warn("call_sid={} stream refused: {}", ev.call_sid, why);
    return claims;
  }

  void reject() {
    edge_->m.streams_rejected.inc();
    phase_ = phase::stopped;
    ws_.async_close(websocket::close_reason{websocket::close_code::policy_error, "stream refused"},
                    [self = shared_from_this()](beast::error_code) {});
  }

  void malformed(const std::string& what) {
    edge_->m.frames_malformed.inc();
    ++malformed_count_;
    if (malformed_count_ <= 5 || malformed_count_ % 100 == 0)
      edge_->log->warn("call_sid={} malformed media frame #{}: {}", call_sid_or_dash(), malformed_count_, what);
  }

  void check_upgrade_signature() {
    if (edge_->dev_mode()) return;
    auto sig = std::string{upgrade_["X-Twilio-Signature"]};
    auto url = twilio::stream_url_from_base(edge_->cfg.server.public_base_url, "/twilio/media");
    bool ok = !sig.empty() && twilio::validate_signature(edge_->cfg.twilio.auth_token, url, {}, sig);
    // Twilio's signing of the upgrade is undocumented; the stream token is what we enforce.
    if (!ok) edge_->log->debug("media upgrade without a matching X-Twilio-Signature; relying on the stream token");
  }

  std::string call_sid_or_dash() const { return call_sid_.empty() ? "-" : call_sid_; }

  void notify_closed() {
    if (inbox_ && !closed_notified_) {
      closed_notified_ = true;
      caller_.flush();
      inbox_->closed();
    }
  }

  // --- outbound (playout) ---
  void queue_audio(std::uint64_t generation, std::span<const std::uint8_t> audio) override;
  void queue_mark(std::uint64_t generation, std::string name) override;
  void pump();
  void arm_timer(time_point at);
  /// `audio`: a media message, dropped from the queue by a `clear` if not yet on the wire.
  void write(std::string msg, bool audio = false);
  void do_write();

  websocket::stream<socket_type> ws_;
  beast::flat_buffer buffer_;
  request upgrade_;
  runtime::shard& shard_;
  std::shared_ptr<edge_context> edge_;
  phase phase_ = phase::awaiting_connected;
  bool counted_call_ = false;
  std::string call_sid_;
  std::string stream_sid_;
  std::shared_ptr<call_inbox> inbox_;
  std::shared_ptr<sink_impl> sink_;
  bool closed_notified_ = false;
  twilio::inbound_parser parser_;
  twilio::inbound_event event_;
  std::uint64_t last_sequence_ = 0;
  std::uint64_t malformed_count_ = 0;

  std::deque<outbound_item> pending_;
  struct queued_write {
    std::string text;
    bool audio = false;
  };
  std::deque<queued_write> writes_;  ///< front() is on the wire while writing_
  bool writing_ = false;
  bool closing_ = false;
  steady_timer pace_timer_;
  bool timer_armed_ = false;
  time_point buffer_empty_at_{};  ///< when the audio sent to Twilio so far stops playing
  std::uint64_t min_generation_ = 0;
  std::uint64_t reported_generation_ = 0;
  caller_audio caller_;
  agent_speech speech_;
};

void media_session::queue_audio(std::uint64_t generation, std::span<const std::uint8_t> audio) {
  if (closing_ || phase_ != phase::streaming || generation < min_generation_ || audio.empty()) return;
  // Join onto the last queued piece of the same generation while it has room.
  if (!pending_.empty() && !pending_.back().is_mark && pending_.back().generation == generation &&
      pending_.back().audio.size() < max_chunk_bytes) {
    auto& last = pending_.back().audio;
    auto take = std::min(audio.size(), max_chunk_bytes - last.size());
    last.insert(last.end(), audio.begin(), audio.begin() + static_cast<std::ptrdiff_t>(take));
    audio = audio.subspan(take);
  }
  while (!audio.empty()) {
    if (pending_.size() >= edge_->cfg.server.max_outbound_queue) {
      edge_->m.outbound_dropped.inc();
      break;
    }
    auto n = std::min(audio.size(), max_chunk_bytes);
    pending_.push_back(outbound_item{generation, false, mulaw_buffer(audio.begin(), audio.begin() + static_cast<std::ptrdiff_t>(n)), {}});
    audio = audio.subspan(n);
  }
  pump();
}

void media_session::queue_mark(std::uint64_t generation, std::string name) {
  if (closing_ || phase_ != phase::streaming || generation < min_generation_) return;
  pending_.push_back(outbound_item{generation, true, {}, std::move(name)});
  pump();
}

void media_session::clear(std::uint64_t new_generation) {
  if (closing_ || phase_ != phase::streaming) return;
  min_generation_ = std::max(min_generation_, new_generation);
  speech_.clear(min_generation_);
  std::erase_if(pending_, [&](const outbound_item& i) { return i.generation < min_generation_; });
  buffer_empty_at_ = steady_clock::now();
  // Audio still waiting for the socket would only be thrown away by Twilio: drop it here so
  // `clear` does not queue behind it (the write in flight, if any, stays).
  auto first = writes_.begin() + (writing_ ? 1 : 0);  // writing_: front() is on the wire
  writes_.erase(std::remove_if(first, writes_.end(), [](const queued_write& w) { return w.audio; }), writes_.end());
  write(twilio::clear_message(stream_sid_));
  pump();
}

void media_session::close(end_reason why) {
  if (closing_) return;
  closing_ = true;
  pending_.clear();
  pace_timer_.cancel();
  edge_->log->info("call_sid={} closing media stream: {}", call_sid_or_dash(), to_string(why));
  // Let queued writes (e.g. a final mark) go first; do_write closes when the queue drains.
  if (!writing_) do_write();
}

/// Sends what Twilio should have now: audio up to `playback_lead_ms` ahead of real-time
/// playback, and the marks between. While Twilio holds at least `join_when_ahead`, a
/// trailing piece shorter than a whole chunk waits a little for more audio to join it.
void media_session::pump() {
  auto now = steady_clock::now();
  if (buffer_empty_at_ < now) buffer_empty_at_ = now;
  auto lead = std::chrono::milliseconds(edge_->cfg.calls.playback_lead_ms);
  while (!pending_.empty() && !closing_) {
    auto& item = pending_.front();
    if (item.is_mark) {
      write(twilio::mark_message(stream_sid_, item.mark));
      pending_.pop_front();
      continue;
    }
    if (buffer_empty_at_ - now >= lead) return arm_timer(buffer_empty_at_ - lead);
    if (pending_.size() == 1 && item.audio.size() < max_chunk_bytes && buffer_empty_at_ - now >= join_when_ahead)
      return arm_timer(buffer_empty_at_ - join_when_ahead);
    if (item.generation != reported_generation_) {
      reported_generation_ = item.generation;
      if (inbox_) inbox_->playback_started(item.generation, now);
    }
    buffer_empty_at_ += std::chrono::microseconds(static_cast<std::int64_t>(item.audio.size()) * 125);
    write(twilio::media_message(stream_sid_, item.audio), true);
    pending_.pop_front();
  }
}

void media_session::arm_timer(time_point at) {
  if (timer_armed_) return;
  timer_armed_ = true;
  pace_timer_.expires_at(at);
  pace_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    self->timer_armed_ = false;
    if (!ec) self->pump();
  });
}

void media_session::write(std::string msg, bool audio) {
  writes_.push_back(queued_write{std::move(msg), audio});
  if (!writing_) do_write();
}

void media_session::do_write() {
  if (writes_.empty()) {
    if (closing_ && phase_ != phase::stopped) {
      phase_ = phase::stopped;
      ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
    }
    return;
  }
  writing_ = true;
  edge_->m.frames_out.inc();
  ws_.async_write(asio::buffer(writes_.front().text), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->writing_ = false;
    if (ec) {
      self->writes_.clear();
      return;
    }
    self->writes_.pop_front();
    self->do_write();
  });
}

template <class F>
void sink_impl::post(F&& f) {
  asio::post(shard_.io(), [w = session_, f = std::forward<F>(f)]() mutable {
    if (auto s = w.lock()) f(*s);
  });
}

void sink_impl::begin_segment(speech_segment segment) {
  post([seg = std::move(segment)](media_session& s) mutable { s.begin_segment(std::move(seg)); });
}
void sink_impl::segment_audio(std::uint64_t key, mulaw_buffer audio, std::vector<word_start> words, bool last) {
  post([key, a = std::move(audio), w = std::move(words), last](media_session& s) { s.segment_audio(key, a, w, last); });
}
void sink_impl::end_segment(std::uint64_t key) {
  post([key](media_session& s) { s.end_segment(key); });
}
void sink_impl::clear(std::uint64_t new_generation) {
  post([new_generation](media_session& s) { s.clear(new_generation); });
}
void sink_impl::close(end_reason why) {
  post([why](media_session& s) { s.close(why); });
}
void sink_impl::route_caller_audio(std::shared_ptr<caller_audio_port> port, bool hand_over_speech) {
  post([p = std::move(port), hand_over_speech](media_session& s) mutable {
    s.route_caller_audio(std::move(p), hand_over_speech);
  });
}

void agent_port_impl::audio(std::uint64_t key, std::vector<std::uint8_t>&& mulaw) {
  if (auto s = session_.lock()) s->agent_audio(key, mulaw);
}
void agent_port_impl::end(std::uint64_t key) {
  if (auto s = session_.lock()) s->agent_end(key);
}
std::vector<std::pair<std::uint64_t, std::size_t>> agent_port_impl::progress() const {
  auto s = session_.lock();
  return s ? s->agent_progress() : std::vector<std::pair<std::uint64_t, std::size_t>>{};
}

} // namespace

void start_media_session(socket_type socket, request upgrade, runtime::shard& shard, std::shared_ptr<edge_context> edge) {
  std::make_shared<media_session>(std::move(socket), std::move(upgrade), shard, std::move(edge))->run();
}

} // namespace ce::net
