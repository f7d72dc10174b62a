#include "net/media_session.hpp"

#include "net/agent_speech.hpp"
#include "net/caller_audio.hpp"
#include "twilio/media_messages.hpp"
#include "twilio/signature.hpp"
#include "twilio/stream_token.hpp"
#include "twilio/twiml.hpp"
#include "websocket/frames.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

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
constexpr auto join_when_ahead = 300ms;
/// Twilio sends a frame every 20 ms while a call is up: this long without one is a dead line.
constexpr auto idle_limit = 20s;
/// After our close frame, how long the peer has to answer with its own.
constexpr auto close_wait = 5s;
constexpr std::size_t max_message_bytes = 64 * 1024;
/// One read takes what the socket has, up to this (several Twilio frames when they queued).
constexpr std::size_t read_bytes = 1024;
/// Queued messages sent with one gathered write, at most.
constexpr std::size_t max_gather = 32;

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
  media_session(socket_type&& socket, request upgrade, std::string leftover, runtime::shard& shard,
                std::shared_ptr<edge_context> edge)
    : socket_(std::move(socket)), upgrade_(std::move(upgrade)), shard_(shard), edge_(std::move(edge)),
      reader_(/*server=*/true, max_message_bytes), pace_timer_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()), caller_(edge_->cfg), speech_(edge_->cfg, *this) {
    if (!leftover.empty())
      reader_.append({reinterpret_cast<const std::uint8_t*>(leftover.data()), leftover.size()});
  }

  ~media_session() {
    edge_->m.ws_connections.add(-1);
    if (counted_call_) shard_.calls.fetch_sub(1, std::memory_order_relaxed);
    notify_closed();
  }

  void run() {
    edge_->m.ws_connections.add(1);
    check_upgrade_signature();
    beast::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    // The opening handshake (RFC 6455 §4.2): the request was parsed by the HTTP session.
    const auto key = std::string(upgrade_["Sec-WebSocket-Key"]);
    const auto version = std::string(upgrade_["Sec-WebSocket-Version"]);
    if (key.empty() || upgrade_.method() != http::verb::get) return refuse_upgrade("400 Bad Request", "");
    if (version != "13") return refuse_upgrade("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n");
    handshake_ = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: " + ws::accept_key(key) + "\r\nServer: callengine\r\n\r\n";
    asio::async_write(socket_, asio::buffer(handshake_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->handshake_.clear();
      self->handshake_.shrink_to_fit();
      if (ec) {
        self->edge_->log->debug("media WebSocket handshake failed: {}", ec.message());
        return;
      }
      self->last_read_ = steady_clock::now();
      self->arm_idle_timer();
      self->on_read({}, 0, 1);  // frames sent with the upgrade request first, then the read loop
    });
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

  void refuse_upgrade(const char* status, const char* extra) {
    handshake_ = std::string("HTTP/1.1 ") + status + "\r\n" + extra + "Content-Length: 0\r\nConnection: close\r\n\r\n";
    asio::async_write(socket_, asio::buffer(handshake_), [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  // --- reading: every frame the socket has, per read ---
  //
  // (Asio tries each read at once, which after a read that emptied the socket costs an
  // empty recv; waiting for readability instead costs asio an epoll_ctl to re-arm the
  // descriptor, measured no cheaper, so the plain read loop stays.)

  void do_read() {
    auto room = reader_.prepare(read_bytes);
    socket_.async_read_some(asio::buffer(room.data(), room.size()),
                            [self = shared_from_this(), size = room.size()](beast::error_code ec, std::size_t n) {
                              self->on_read(ec, n, size);
                            });
  }

  void on_read(beast::error_code ec, std::size_t n, std::size_t /*room*/) {
    if (ec) return on_socket_end(ec);
    reader_.commit(n);
    const auto now = steady_clock::now();
    last_read_ = now;
    while (!ended_) {
      auto m = reader_.next();
      if (!m) break;
      on_message(*m, now);
    }
    if (reader_.error()) {
      malformed("WebSocket protocol error: " + *reader_.error());
      return send_close(reader_.error_code(), "protocol error");
    }
    if (ended_ || peer_closed_) return;
    do_read();
  }

  void on_message(const ws::message& m, time_point arrived) {
    switch (m.op) {
      case ws::opcode::text: {
        edge_->m.frames_in.inc();
        // the handling time of one message in 16 (two clock reads per message cost more
        // than the parse they would time)
        if ((++messages_in_ & 15) != 0) return handle_text(m.text(), arrived);
        const auto t0 = steady_clock::now();
        handle_text(m.text(), arrived);
        edge_->m.frame_handling_seconds.observe(std::chrono::duration<double>(steady_clock::now() - t0).count());
        return;
      }
      case ws::opcode::binary:
        edge_->m.frames_in.inc();
        return malformed("binary frame (Twilio sends only text)");
      case ws::opcode::ping: return queue_control(ws::opcode::pong, m.text());
      case ws::opcode::pong: return;
      case ws::opcode::close:
        peer_closed_ = true;
        if (!close_sent_) send_close(ws::close_normal, "");  // the answer, then the socket goes
        else end_socket();
        return;
      case ws::opcode::continuation: return;  // (the reader joins fragments)
    }
  }

  /// The socket failed or the peer went away without a close frame.
  void on_socket_end(beast::error_code ec) {
    if (ec != asio::error::operation_aborted && ec != asio::error::eof && ec != asio::error::connection_reset && !ended_)
      edge_->log->info("call_sid={} media socket ended: {}", call_sid_or_dash(), ec.message());
    end_socket();
  }

  void end_socket() {
    if (ended_) return;
    ended_ = true;
    phase_ = phase::stopped;
    pace_timer_.cancel();
    idle_timer_.cancel();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    // the buffers of a write still in flight stay until its handler runs (asio reads them
    // until then; the handler may already be queued with success)
    writes_.erase(writes_.begin() + static_cast<std::ptrdiff_t>(std::min(in_flight_, writes_.size())), writes_.end());
    notify_closed();
  }

  void arm_idle_timer() {
    idle_timer_.expires_after(5s);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->ended_) return;
      const auto now = steady_clock::now();
      if (self->close_sent_ && now - self->close_sent_at_ >= close_wait) return self->end_socket();
      if (now - self->last_read_ >= idle_limit) {
        self->edge_->log->info("call_sid={} media socket silent for {} s; closing it", self->call_sid_or_dash(),
                               std::chrono::duration_cast<std::chrono::seconds>(idle_limit).count());
        return self->end_socket();
      }
      self->arm_idle_timer();
    });
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
    start.to = claims->to;
    if (!claims->job.empty()) start.job = parse_outbound_job(claims->job);
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
    // cleared marks come back too (Twilio echoes what a clear dropped): not heard
    if (!speech_.echoed(ev.name)) edge_->log->debug("call_sid={} echo of unknown or cleared mark '{}'", call_sid_, ev.name);
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
    send_close(ws::close_policy, "stream refused");
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
  void commit() override { pump(); }
  void pump();
  void arm_timer(time_point at);
  /// Queues a text message; `audio`: a media message, dropped by a `clear` while queued.
  void write(std::string msg, bool audio = false);
  void queue_control(ws::opcode op, std::string_view payload);
  /// Our close frame goes after what is queued; the socket ends when the peer answers.
  void send_close(std::uint16_t code, std::string_view reason);
  void do_write();

  socket_type socket_;
  request upgrade_;
  std::string handshake_;
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
  std::uint64_t messages_in_ = 0;

  ws::frame_reader reader_;
  time_point last_read_{};
  bool peer_closed_ = false;  ///< the peer's close frame came
  bool close_sent_ = false;
  time_point close_sent_at_{};
  bool ended_ = false;        ///< the socket is closed

  std::deque<outbound_item> pending_;
  struct queued_write {
    ws::frame_header header;
    std::string payload;
    bool audio = false;
  };
  std::deque<queued_write> writes_;  ///< the first `in_flight_` are on the wire
  std::size_t in_flight_ = 0;
  std::vector<asio::const_buffer> gather_;
  bool closing_ = false;
  steady_timer pace_timer_;
  steady_timer idle_timer_;
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
}

void media_session::queue_mark(std::uint64_t generation, std::string name) {
  if (closing_ || phase_ != phase::streaming || generation < min_generation_) return;
  pending_.push_back(outbound_item{generation, true, {}, std::move(name)});
}

void media_session::clear(std::uint64_t new_generation) {
  if (closing_ || phase_ != phase::streaming) return;
  min_generation_ = std::max(min_generation_, new_generation);
  speech_.clear(min_generation_);
  std::erase_if(pending_, [&](const outbound_item& i) { return i.generation < min_generation_; });
  buffer_empty_at_ = steady_clock::now();
  // Audio still waiting for the socket would only be thrown away by Twilio: drop it here so
  // `clear` does not queue behind it (what is being written stays).
  auto first = writes_.begin() + static_cast<std::ptrdiff_t>(in_flight_);
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
  // queued writes (e.g. a final mark) go first
  send_close(ws::close_normal, "");
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
    if (buffer_empty_at_ - now >= lead) {
      arm_timer(buffer_empty_at_ - lead);
      break;
    }
    if (pending_.size() == 1 && item.audio.size() < max_chunk_bytes && buffer_empty_at_ - now >= join_when_ahead) {
      arm_timer(buffer_empty_at_ - join_when_ahead);
      break;
    }
    if (item.generation != reported_generation_) {
      reported_generation_ = item.generation;
      if (inbox_) inbox_->playback_started(item.generation, now);
    }
    buffer_empty_at_ += std::chrono::microseconds(static_cast<std::int64_t>(item.audio.size()) * 125);
    write(twilio::media_message(stream_sid_, item.audio), true);
    pending_.pop_front();
  }
  if (in_flight_ == 0) do_write();
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

/// Queues a message; the caller starts the write (do_write) once it queued what goes
/// together, so one gathered write carries them.
void media_session::write(std::string msg, bool audio) {
  if (ended_ || close_sent_) return;
  auto header = ws::make_header(ws::opcode::text, msg.size());
  writes_.push_back(queued_write{header, std::move(msg), audio});
  edge_->m.frames_out.inc();
}

void media_session::queue_control(ws::opcode op, std::string_view payload) {
  if (ended_ || close_sent_) return;
  writes_.push_back(queued_write{ws::make_header(op, payload.size()), std::string(payload), false});
  if (in_flight_ == 0) do_write();
}

void media_session::send_close(std::uint16_t code, std::string_view reason) {
  if (ended_ || close_sent_) return;
  auto payload = ws::close_payload(code, reason);
  writes_.push_back(queued_write{ws::make_header(ws::opcode::close, payload.size()), std::move(payload), false});
  close_sent_ = true;
  close_sent_at_ = steady_clock::now();
  if (in_flight_ == 0) do_write();
}

/// Everything queued goes with one gathered write (up to max_gather messages).
void media_session::do_write() {
  if (ended_ || writes_.empty()) return;
  gather_.clear();
  in_flight_ = std::min(writes_.size(), max_gather);
  for (std::size_t i = 0; i < in_flight_; ++i) {
    auto& w = writes_[i];
    gather_.emplace_back(w.header.bytes.data(), w.header.size);
    gather_.emplace_back(w.payload.data(), w.payload.size());
  }
  asio::async_write(socket_, gather_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    const auto done = std::min(std::exchange(self->in_flight_, 0), self->writes_.size());
    if (self->ended_) {  // the socket ended meanwhile: nothing more goes out
      self->writes_.clear();
      return;
    }
    if (ec) return self->on_socket_end(ec);
    self->writes_.erase(self->writes_.begin(), self->writes_.begin() + static_cast<std::ptrdiff_t>(done));
    if (!self->writes_.empty()) return self->do_write();
    // our close frame is out: the socket ends when the peer's comes (or close_wait passes)
    if (self->close_sent_ && self->peer_closed_) self->end_socket();
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

void start_media_session(socket_type socket, request upgrade, std::string leftover, runtime::shard& shard,
                         std::shared_ptr<edge_context> edge) {
  std::make_shared<media_session>(std::move(socket), std::move(upgrade), std::move(leftover), shard, std::move(edge))
    ->run();
}

} // namespace ce::net
