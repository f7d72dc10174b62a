#include "load/load_call.hpp"

#include "sim/caller.hpp"
#include "sim/http_client.hpp"
#include "twilio/media_messages.hpp"
#include "twilio/signature.hpp"
#include "twilio/twiml.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>

namespace ce::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  auto rank = p / 100.0 * static_cast<double>(v.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(rank));
  auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

namespace {

constexpr int frame_ms = 20;
constexpr int frame_bytes = 160;
constexpr int agent_quiet_ms = 700;     // agent silent this long: its turn is over
constexpr std::size_t max_queued_writes = 100;  // 2 s of frames; beyond that frames are dropped

double ms_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string sid(const char* prefix, int line, int call_no) {
  static const std::uint64_t seed = std::random_device{}();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%016llx%08x%08x", prefix, static_cast<unsigned long long>(seed),
                static_cast<unsigned>(line), static_cast<unsigned>(call_no));
  return buf;
}

/// splitmix64: the seeded, stateless choice of which replies are barged into.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// Whether reply `reply` (1-based) of call `call_no` on `line` is barged into.
bool barge_choice(const shared_script& s, int line, int call_no, int reply) {
  if (s.barge_share <= 0) return false;
  std::uint64_t h = mix(s.seed ^ mix(static_cast<std::uint64_t>(line) ^ mix(static_cast<std::uint64_t>(call_no) << 8 |
                                                                            static_cast<std::uint64_t>(reply))));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < s.barge_share;
}

/// Bytes a base64 text of length `n` with `pad` '=' decodes to.
std::size_t base64_bytes(std::size_t n, std::size_t pad) { return n / 4 * 3 - pad; }

/// The value of a JSON string field `"key":"..."` in a flat Twilio frame (no escapes
/// expected in the fields read here); empty view when absent.
std::string_view string_field(std::string_view text, std::string_view key_quoted) {
  auto k = text.find(key_quoted);
  if (k == std::string_view::npos) return {};
  auto p = k + key_quoted.size();
  while (p < text.size() && (text[p] == ' ' || text[p] == ':')) ++p;
  if (p >= text.size() || text[p] != '"') return {};
  auto e = text.find('"', p + 1);
  if (e == std::string_view::npos) return {};
  return text.substr(p + 1, e - p - 1);
}

struct play_item {
  std::size_t bytes = 0;  ///< audio still to play (0 for a mark)
  std::string mark;       ///< non-empty: a mark to echo when reached
};

} // namespace

// ------------------------------------------------------------------------------------ a call

class load_call : public std::enable_shared_from_this<load_call> {
public:
  load_call(asio::io_context& ioc, const load_options& opt, const shared_script& script, load_stats& stats, int line,
            int call_no)
    : ioc_(ioc), opt_(opt), script_(script), stats_(stats), line_(line), call_no_(call_no), resolver_(ioc), ws_(ioc) {}

  bool done() const { return finished_; }
  bool failed() const { return finished_ && !error_.empty(); }

  void start() {
    t0_ = clock::now();
    call_sid_ = sid("CA", line_, call_no_);
    stats_.started.fetch_add(1);
    stats_.live.fetch_add(1);
    std::vector<std::pair<std::string, std::string>> form{
      {"AccountSid", account_sid_}, {"ApiVersion", "2010-04-01"}, {"CallSid", call_sid_},
      {"CallStatus", "ringing"},    {"Direction", "inbound"},    {"From", from()},
      {"To", "+15555550123"},       {"Caller", from()},          {"Called", "+15555550123"}};
    std::string sig;
    if (!opt_.auth_token.empty())
      sig = twilio::compute_signature(opt_.auth_token, opt_.engine_url + "/twilio/voice", form);
    sim::async_post_form(ioc_, opt_.engine_url + "/twilio/voice", form, sig,
                         [self = shared_from_this()](sim::http_reply r) { self->on_webhook(std::move(r)); });
  }

  /// One 20 ms step of this call (called by the worker's clock on this call's slot).
  void tick(clock::time_point now) {
    // after `stop` Twilio sends nothing more on the stream (no media, no mark echoes)
    if (!stream_up_ || closing_ || finished_ || hangup_requested_) return;
    send_frame(now);
    play();
    follow_script(now);
  }

  /// Hangs up (`stop`, close). `failure` non-empty: the call failed; `cut`: the level ended.
  void hang_up(const std::string& failure, bool cut = false) {
    if (finished_ || hangup_requested_) return;
    if (!failure.empty() && error_.empty()) error_ = failure;
    if (cut && failure.empty()) {
      cut_ = true;
      // a turn still under the no-reply limit is neither answered nor unanswered
      if (awaiting_answer_ && !no_reply_counted_) {
        std::lock_guard<std::mutex> g{stats_.mutex};
        ++stats_.turns_cut;
      }
    }
    hangup_requested_ = true;
    if (!stream_up_) {
      // the webhook or the connection is still under way: finish once it answers
      return;
    }
    send(twilio::stop_message(stream_sid_, ++seq_, account_sid_, call_sid_));
    auto timer = std::make_shared<asio::steady_timer>(ioc_, 40ms);
    timer->async_wait([self = shared_from_this(), timer](beast::error_code) {
      if (self->finished_) return;
      self->closing_ = true;
      beast::get_lowest_layer(self->ws_).expires_after(5s);
      self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) { self->finish({}); });
    });
  }

private:
  enum class phase { greeting, turn, closing };

  asio::io_context& ioc_;
  const load_options& opt_;
  const shared_script& script_;
  load_stats& stats_;
  int line_;
  int call_no_;
  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer read_buf_;
  std::string account_sid_ = "AC" + std::string(32, '0');
  std::string call_sid_, stream_sid_;
  twilio::parsed_twiml twiml_;
  clock::time_point t0_;
  std::string error_;
  bool stream_up_ = false, closing_ = false, finished_ = false, hangup_requested_ = false, cut_ = false;
  std::uint64_t seq_ = 0, chunk_ = 0, media_ts_ = 0;
  std::deque<std::string> writes_;
  bool writing_ = false;

  // playback
  std::deque<play_item> fifo_;
  std::size_t fifo_audio_ = 0;
  int agent_quiet_for_ms_ = 0;
  int agent_stretch_ms_ = 0;        // audio played in the agent's current stretch (the reply, after it starts)
  bool agent_spoke_since_line_ = false;
  bool greeted_ = false;
  clock::time_point stream_start_;

  // the caller's turns
  phase phase_ = phase::greeting;
  int turn_ = 0;                    // turns begun (1..turns)
  const encoded_line* speaking_ = nullptr;
  std::size_t speak_frame_ = 0;
  bool awaiting_answer_ = false;    // the turn's speech ended, no reply yet
  bool answer_needs_clear_ = false; // barge-in: the reply only counts after the clear
  bool no_reply_counted_ = false;
  clock::time_point awaiting_since_;
  bool reply_barge_ = false;        // the reply playing now is to be barged into
  // barge-in
  bool barge_pending_onset_ = false;
  bool awaiting_clear_ = false;
  bool barge_missed_ = false;
  clock::time_point barge_onset_;

  std::string from() const {
    char b[24];
    std::snprintf(b, sizeof b, "+1555%07d", line_ % 10000000);
    return b;
  }

  // ------------------------------------------------------------------ setup
  void on_webhook(sim::http_reply r) {
    if (!r.error.empty()) return finish("webhook: " + r.error);
    if (r.status != 200) return finish("webhook HTTP " + std::to_string(r.status));
    auto parsed = twilio::parse_twiml(r.body);
    if (!parsed) return finish("webhook answer is not TwiML");
    twiml_ = std::move(*parsed);
    if (!twiml_.stream_url) return finish("refused (TwiML without <Stream>)");
    if (hangup_requested_) return finish({});
    sim::url_parts engine, stream;
    if (!sim::split_url(opt_.engine_url, engine) || !sim::split_url(*twiml_.stream_url, stream))
      return finish("bad engine or stream URL");
    resolver_.async_resolve(engine.host, engine.port, [self = shared_from_this(), engine, stream](
                                                        beast::error_code ec, tcp::resolver::results_type rs) {
      if (ec) return self->finish("resolve: " + ec.message());
      self->connect(rs, engine.host, stream.target);
    });
  }

  void connect(const tcp::resolver::results_type& rs, std::string host, std::string target) {
    beast::get_lowest_layer(ws_).expires_after(10s);
    beast::get_lowest_layer(ws_).async_connect(
      rs, [self = shared_from_this(), host, target](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return self->finish("connect: " + ec.message());
        beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true));
        self->ws_.async_handshake(host, target, [self](beast::error_code ec2) {
          if (ec2) return self->finish("WebSocket handshake: " + ec2.message());
          beast::get_lowest_layer(self->ws_).expires_never();
          if (self->hangup_requested_) {
            // the level ended while connecting: close without starting the stream
            self->closing_ = true;
            return self->ws_.async_close(websocket::close_code::normal, [self](beast::error_code) { self->finish({}); });
          }
          self->on_open();
        });
      });
  }

  void on_open() {
    ws_.text(true);
    stream_sid_ = sid("MZ", line_, call_no_);
    send(twilio::connected_message());
    twilio::start_event s;
    s.sequence_number = ++seq_;
    s.stream_sid = stream_sid_;
    s.account_sid = account_sid_;
    s.call_sid = call_sid_;
    s.tracks = {"inbound"};
    for (const auto& [k, v] : twiml_.stream_params) s.custom_parameters[k] = v;  // the stream token
    send(twilio::start_message(s));
    stream_up_ = true;
    stats_.streaming.fetch_add(1);
    stream_start_ = clock::now();
    do_read();
  }

  // ------------------------------------------------------------------ socket
  void send(std::string msg) {
    if (closing_ || finished_) return;
    writes_.push_back(std::move(msg));
    if (!writing_) do_write();
  }

  void do_write() {
    if (writes_.empty() || closing_) return;
    writing_ = true;
    ws_.async_write(asio::buffer(writes_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec) {
        if (!self->hangup_requested_) self->finish("stream write: " + ec.message());
        return;
      }
      self->writes_.pop_front();
      self->do_write();
    });
  }

  void do_read() {
    ws_.async_read(read_buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (finished_) return;
      if (hangup_requested_) return finish({});
      if (ec == websocket::error::closed)
        return finish("engine closed the stream (code " + std::to_string(ws_.reason().code) + ")");
      return finish("stream read: " + ec.message());
    }
    auto data = read_buf_.cdata();
    on_message({static_cast<const char*>(data.data()), data.size()});
    read_buf_.consume(read_buf_.size());
    do_read();
  }

  /// A frame from the engine: scanned, not parsed into a tree (the generator must stay cheap).
  void on_message(std::string_view text) {
    if (hangup_requested_) return;  // `stop` sent: what the engine still says goes unheard
    auto event = string_field(text, "\"event\"");
    if (event == "media") {
      auto payload = string_field(text, "\"payload\"");
      std::size_t pad = 0;
      for (auto it = payload.rbegin(); it != payload.rend() && *it == '='; ++it) ++pad;
      if (payload.empty() || payload.size() % 4 != 0) return violation();
      on_media(base64_bytes(payload.size(), pad));
    } else if (event == "mark") {
      auto name = string_field(text, "\"name\"");
      if (name.empty()) return violation();
      if (fifo_audio_ == 0) echo_mark(name);
      else fifo_.push_back(play_item{0, std::string(name)});
    } else if (event == "clear") {
      on_clear();
    } else {
      violation();
    }
  }

  void violation() {
    std::lock_guard<std::mutex> g{stats_.mutex};
    ++stats_.violations;
  }

  void on_media(std::size_t bytes) {
    auto now = clock::now();
    if (!greeted_) {
      greeted_ = true;
      std::lock_guard<std::mutex> g{stats_.mutex};
      stats_.greeting_ms.push_back(ms_between(stream_start_, now));
    }
    if (awaiting_answer_) {
      // A barge-in's reply counts after the clear (before it, the audio is the reply being
      // interrupted); when the clear never came (a missed barge-in), audio that follows the
      // interrupted reply once it has played out and the line went quiet counts instead.
      const bool after_missed = answer_needs_clear_ && barge_missed_ && fifo_audio_ == 0 &&
                                agent_quiet_for_ms_ >= agent_quiet_ms;
      if (!answer_needs_clear_ || after_missed) on_reply(now);
    }
    fifo_.push_back(play_item{bytes, {}});
    fifo_audio_ += bytes;
  }

  /// The first agent audio of the reply to the current turn.
  void on_reply(clock::time_point now) {
    awaiting_answer_ = false;
    answer_needs_clear_ = false;
    agent_spoke_since_line_ = false;
    agent_stretch_ms_ = 0;
    reply_barge_ = barge_choice(script_, line_, call_no_, turn_);
    const double ms = ms_between(awaiting_since_, now);
    std::lock_guard<std::mutex> g{stats_.mutex};
    if (!no_reply_counted_) ++stats_.turns;  // else counted when it passed the no-reply limit
    ++stats_.replies;
    (speaking_line().tool_turn ? stats_.tool_turn_ms : stats_.turn_ms).push_back(ms);
  }

  void on_clear() {
    {
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.clears;
      if (awaiting_clear_) stats_.barge_clear_ms.push_back(ms_between(barge_onset_, clock::now()));
    }
    awaiting_clear_ = false;
    answer_needs_clear_ = false;
    agent_stretch_ms_ = 0;
    for (auto& i : fifo_)
      if (!i.mark.empty()) echo_mark(i.mark);
    fifo_.clear();
    fifo_audio_ = 0;
  }

  void echo_mark(std::string_view name) {
    {
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.marks_echoed;
    }
    send(twilio::mark_echo_message(stream_sid_, ++seq_, name));
  }

  // ------------------------------------------------------------------ the 20 ms step
  void send_frame(clock::time_point now) {
    const std::string* payload = &script_.silence_frame;
    if (speaking_) {
      payload = &speaking_->frames[speak_frame_];
      if (speak_frame_ == speaking_->first_voiced && barge_pending_onset_) {
        barge_pending_onset_ = false;
        awaiting_clear_ = true;  // the barge-in's speech onset leaves now
        barge_missed_ = false;
        barge_onset_ = now;
        std::lock_guard<std::mutex> g{stats_.mutex};
        ++stats_.barge_ins;
      }
      ++speak_frame_;
      if (speak_frame_ == speaking_->voiced_frames && phase_ == phase::turn) {
        // the last voiced frame leaves now: the turn's latency runs from here
        awaiting_answer_ = true;
        no_reply_counted_ = false;
        awaiting_since_ = now;
      }
      if (speak_frame_ >= speaking_->frames.size()) speaking_ = nullptr;
    }
    ++chunk_;
    if (writes_.size() >= max_queued_writes) {
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.frames_dropped;
    } else {
      std::string msg;
      msg.reserve(payload->size() + 200);
      msg += R"({"event":"media","sequenceNumber":")";
      msg += std::to_string(++seq_);
      msg += R"(","streamSid":")";
      msg += stream_sid_;
      msg += R"(","media":{"track":"inbound","chunk":")";
      msg += std::to_string(chunk_);
      msg += R"(","timestamp":")";
      msg += std::to_string(media_ts_);
      msg += R"(","payload":")";
      msg += *payload;
      msg += R"("}})";
      send(std::move(msg));
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.frames_sent;
    }
    media_ts_ += frame_ms;
  }

  void play() {
    std::size_t want = frame_bytes;
    bool played = false;
    while (!fifo_.empty()) {
      auto& f = fifo_.front();
      if (!f.mark.empty()) {
        echo_mark(f.mark);
        fifo_.pop_front();
        continue;
      }
      if (want == 0) break;
      auto n = std::min(want, f.bytes);
      f.bytes -= n;
      fifo_audio_ -= n;
      want -= n;
      played = true;
      if (f.bytes == 0) fifo_.pop_front();
    }
    if (played) {
      agent_quiet_for_ms_ = 0;
      agent_spoke_since_line_ = true;
      agent_stretch_ms_ += frame_ms;
      std::lock_guard<std::mutex> g{stats_.mutex};
      stats_.agent_audio_ms += frame_ms;
    } else {
      agent_quiet_for_ms_ += frame_ms;
      if (agent_quiet_for_ms_ >= agent_quiet_ms) agent_stretch_ms_ = 0;
    }
  }

  const encoded_line& speaking_line() const {
    return script_.lines[static_cast<std::size_t>(turn_ - 1) % script_.lines.size()];
  }

  /// Turn `turn_ + 1` starts: plainly after a pause, or over the agent's reply.
  void begin_turn(bool barge) {
    ++turn_;
    phase_ = phase::turn;
    speaking_ = &speaking_line();
    speak_frame_ = 0;
    agent_spoke_since_line_ = false;
    awaiting_answer_ = false;
    no_reply_counted_ = false;
    reply_barge_ = false;
    answer_needs_clear_ = barge;
    barge_pending_onset_ = barge;
  }

  /// A barge-in into the last reply: the caller's closing words, then the hang-up.
  void begin_closing() {
    phase_ = phase::closing;
    speaking_ = &script_.lines[static_cast<std::size_t>(script_.turns) % script_.lines.size()];
    speak_frame_ = 0;
    reply_barge_ = false;
    answer_needs_clear_ = false;
    barge_pending_onset_ = true;
  }

  bool agent_done() const {
    return agent_spoke_since_line_ && agent_quiet_for_ms_ >= std::max(agent_quiet_ms, script_.pause_before_ms);
  }

  void follow_script(clock::time_point now) {
    if (hangup_requested_) return;
    // the clocks of the turn in flight
    if (awaiting_clear_ && !barge_missed_ && ms_between(barge_onset_, now) > script_.barge_miss_ms) {
      barge_missed_ = true;  // counted once; the clear is still awaited
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.barge_missed;
    }
    if (awaiting_answer_) {
      const double waited = ms_between(awaiting_since_, now);
      if (!no_reply_counted_ && waited > script_.no_reply_ms) {
        no_reply_counted_ = true;
        std::lock_guard<std::mutex> g{stats_.mutex};
        ++stats_.turns;
        ++stats_.turns_no_reply;
      }
      if (waited > opt_.answer_timeout_ms)
        return hang_up(answer_needs_clear_ ? "no clear on barge-in" : "no answer within the timeout");
      return;
    }
    if (speaking_) return;
    switch (phase_) {
    case phase::greeting:
      if (!agent_spoke_since_line_ && ms_between(stream_start_, now) > opt_.answer_timeout_ms)
        return hang_up("no greeting within the timeout");
      if (agent_done()) begin_turn(false);
      return;
    case phase::closing:
      // the closing words were said; hang up once they were heard as a barge-in (or missed)
      if (!awaiting_clear_ || barge_missed_) {
        if (awaiting_clear_) awaiting_clear_ = false;
        hang_up({});
      }
      return;
    case phase::turn:
      break;
    }
    const bool last = turn_ >= script_.turns;
    if (reply_barge_) {
      if (agent_stretch_ms_ >= script_.barge_after_ms && fifo_audio_ > 0) {
        if (last) begin_closing();
        else begin_turn(true);
        return;
      }
      if (!agent_done()) return;
      reply_barge_ = false;  // the reply ended before the barge-in's moment
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.barge_skipped;
    }
    if (!agent_done()) return;
    if (last) {
      {
        std::lock_guard<std::mutex> g{stats_.mutex};
        ++stats_.calls_completed_turns;
      }
      hang_up({});
    } else {
      begin_turn(false);
    }
  }

  void finish(std::string failure) {
    if (finished_) return;
    finished_ = true;
    if (!failure.empty() && error_.empty()) error_ = std::move(failure);
    if (stream_up_) stats_.streaming.fetch_sub(1);
    stats_.live.fetch_sub(1);
    closing_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
    if (error_.empty()) {
      stats_.ok.fetch_add(1);
      if (cut_) stats_.cut.fetch_add(1);
    } else {
      stats_.failed.fetch_add(1);
      std::lock_guard<std::mutex> g{stats_.mutex};
      ++stats_.failures[error_];
    }
  }
};

// ------------------------------------------------------------------------------------ worker

struct worker::impl {
  impl(const load_options& o, const shared_script& s, load_stats& st) : opt(o), script(s), stats(st), timer(ioc) {}

  /// A phone line: its call in progress, or when it places the next one.
  struct line {
    int id = 0;
    int calls = 0;
    clock::time_point next_call;
    std::shared_ptr<load_call> call;
  };

  const load_options& opt;
  const shared_script& script;
  load_stats& stats;
  asio::io_context ioc;
  asio::steady_timer timer;
  std::thread thread;
  std::vector<std::vector<line>> slots;  // the lines of each phase slot
  int line_count = 0;
  clock::time_point next_tick;
  std::uint64_t tick_no = 0;
  bool level_over = false;
  bool stopping = false;
  std::vector<double> late_local;

  void schedule() {
    next_tick += std::chrono::milliseconds(opt.slot_ms);
    auto now = clock::now();
    if (now - next_tick > 200ms) next_tick = now;  // far behind: do not try to catch up
    timer.expires_at(next_tick);
    timer.async_wait([this](beast::error_code ec) {
      if (ec || stopping) return;
      on_tick();
      schedule();
    });
  }

  void on_tick() {
    auto now = clock::now();
    late_local.push_back(std::chrono::duration<double, std::micro>(now - next_tick).count());
    if (late_local.size() >= 256) flush_late();
    auto& mine = slots[static_cast<std::size_t>(tick_no++ % slots.size())];
    for (auto& l : mine) {
      if (l.call && l.call->done()) {
        // hang-up done: the line calls again at once (after a failure, after a pause)
        if (l.call->failed()) l.next_call = now + std::chrono::milliseconds(opt.retry_after_failure_ms);
        else l.next_call = now;
        l.call.reset();
      }
      if (!l.call && !level_over && now >= l.next_call) {
        l.call = std::make_shared<load_call>(ioc, opt, script, stats, l.id, l.calls++);
        l.call->start();
      }
      if (l.call) l.call->tick(now);
    }
  }

  void end_level() {
    level_over = true;
    for (auto& s : slots)
      for (auto& l : s)
        if (l.call && !l.call->done()) l.call->hang_up({}, true);
  }

  void flush_late() {
    std::lock_guard<std::mutex> g{stats.mutex};
    stats.tick_late_us.insert(stats.tick_late_us.end(), late_local.begin(), late_local.end());
    late_local.clear();
  }
};

worker::worker(const load_options& opt, const shared_script& script, load_stats& stats)
  : impl_(std::make_unique<impl>(opt, script, stats)) {
  impl_->slots.resize(static_cast<std::size_t>(std::max(1, frame_ms / std::max(1, opt.slot_ms))));
}

worker::~worker() {
  stop("generator stopped");
  join();
}

void worker::add_line(int id, clock::time_point at) {
  auto& slot = impl_->slots[static_cast<std::size_t>(impl_->line_count++) % impl_->slots.size()];
  impl::line l;
  l.id = id;
  l.next_call = at;
  slot.push_back(std::move(l));
}

void worker::run() {
  impl_->next_tick = clock::now();
  impl_->schedule();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

void worker::end_level() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [this] {
    impl_->end_level();
    impl_->flush_late();
  });
}

void worker::stop(const std::string& reason) {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [this, reason] {
    if (impl_->stopping) return;
    impl_->level_over = true;
    // running calls hang up (counted as failed with `reason`)
    for (auto& s : impl_->slots)
      for (auto& l : s)
        if (l.call && !l.call->done()) l.call->hang_up(reason);
    impl_->flush_late();
    auto t = std::make_shared<asio::steady_timer>(impl_->ioc, 2s);
    t->async_wait([this, t](beast::error_code) {
      impl_->stopping = true;
      impl_->timer.cancel();
      impl_->ioc.stop();
    });
  });
}

void worker::join() {
  if (impl_->thread.joinable()) impl_->thread.join();
}

} // namespace ce::load
