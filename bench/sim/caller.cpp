#include "sim/caller.hpp"

#include "audio/levels.hpp"
#include "audio/mulaw.hpp"
#include "audio/wav.hpp"
#include "sim/http_client.hpp"
#include "twilio/media_messages.hpp"
#include "twilio/signature.hpp"
#include "twilio/twiml.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <random>

namespace ce::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr int tick_ms = 20;
constexpr int agent_quiet_ms = 700;  // agent silent this long = its turn is over

std::string random_sid(const char* prefix) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t seed = std::random_device{}();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%016llx%016llx", prefix, static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(counter.fetch_add(1) + 1));
  return buf;
}

/// Index just past the last frame of `audio` loud enough to be speech.
std::size_t speech_end(const mulaw_buffer& audio) {
  std::size_t end = 0;
  for (std::size_t off = 0; off < audio.size(); off += frame_bytes_20ms) {
    auto n = std::min(frame_bytes_20ms, audio.size() - off);
    if (audio::mulaw_frame_dbfs(std::span<const std::uint8_t>(audio.data() + off, n)) > -45.0) end = off + n;
  }
  return end;
}

bool is_dtmf(const script_line& l) { return l.text.rfind("dtmf:", 0) == 0 && l.text.size() > 5; }

/// A sine tone as mu-law (an answering machine's beep), with 5 ms ramps against clicks.
mulaw_buffer tone(int ms, int hz) {
  const std::size_t n = static_cast<std::size_t>(std::max(0, ms)) * 8;
  const std::size_t ramp = 40;
  pcm16_buffer pcm(n);
  for (std::size_t i = 0; i < n; ++i) {
    double gain = 0.5;
    if (i < ramp) gain *= static_cast<double>(i) / ramp;
    if (n - i < ramp) gain *= static_cast<double>(n - i) / ramp;
    pcm[i] = static_cast<std::int16_t>(gain * 32767.0 * std::sin(2.0 * 3.14159265358979 * hz * static_cast<double>(i) / 8000.0));
  }
  return audio::encode_mulaw(pcm);
}

struct play_item {
  bool is_mark = false;
  mulaw_buffer audio;
  std::size_t pos = 0;
  std::string mark;
};

} // namespace

struct call::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, caller_options o, done_fn d)
    : ioc(io), opt(std::move(o)), done(std::move(d)), resolver(io), ws(io), tick_timer(io) {}

  asio::io_context& ioc;
  caller_options opt;
  done_fn done;
  call_result res;
  tcp::resolver resolver;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer read_buf;
  asio::steady_timer tick_timer;
  time_point t0;
  time_point next_tick;
  bool finished = false;
  bool stream_up = false;
  bool hangup_requested = false;
  bool closing = false;

  std::string stream_sid;
  std::string account_sid = "AC" + std::string(32, '0');
  twilio::parsed_twiml twiml;
  std::uint64_t seq = 0, chunk = 0, media_ts = 0;
  std::deque<std::string> writes;
  bool writing = false;

  // playback (what Twilio does with the agent's audio)
  std::deque<play_item> fifo;
  std::int64_t agent_quiet_for_ms = 0;
  bool agent_spoke_since_line = false;  // heard agent audio since our last line
  std::int64_t agent_turn_audio_ms = 0;  // audio played in the agent's current stretch
  bool first_agent_audio_seen = false;

  // caller speech
  std::vector<mulaw_buffer> lines;
  std::vector<std::size_t> line_ends;
  std::size_t next_line = 0;
  int speaking = -1;  // index of the line being spoken
  std::size_t speak_pos = 0;
  int awaiting_answer = -1;  // line whose answer has not arrived yet
  int line_end_marked = -1;  // last line whose final voiced frame has gone out
  time_point awaiting_since;
  int awaiting_clear = -1;   // barge-in line waiting for the engine's clear
  time_point barge_onset;
  int faults_sent = 0;
  std::int64_t stream_start_ms = 0;

  pcm16_buffer rec;  // interleaved stereo: caller, agent

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0).count();
  }

  void violation(std::string what) {
    if (res.protocol_violations.size() < 50) res.protocol_violations.push_back(std::move(what));
  }

  void emit(const char* event) {
    if (opt.on_event) opt.on_event(event, now_ms());
  }

  // ---------------------------------------------------------------- start: webhook
  void start() {
    t0 = steady_clock::now();
    if (opt.call_sid.empty()) opt.call_sid = random_sid("CA");
    res.call_sid = opt.call_sid;
    if (opt.public_base_url.empty()) opt.public_base_url = opt.engine_url;
    if (!opt.account_sid.empty()) account_sid = opt.account_sid;
    try {
      prepare_speech();
    } catch (const std::exception& e) {
      return finish(std::string("caller speech: ") + e.what());  // e.g. an unknown espeak-ng voice
    }
    if (!opt.given_twiml.empty()) {
      // The callee of an outbound call: the TwiML is known, no webhook.
      res.twiml = opt.given_twiml;
      return use_twiml(opt.given_twiml);
    }
    twilio::form_params form{{"AccountSid", account_sid}, {"ApiVersion", "2010-04-01"}, {"CallSid", opt.call_sid},
                             {"CallStatus", "ringing"},   {"Direction", "inbound"},    {"From", opt.from},
                             {"To", opt.to},              {"Caller", opt.from},        {"Called", opt.to}};
    std::string sig;
    if (!opt.auth_token.empty())
      sig = twilio::compute_signature(opt.auth_token, opt.public_base_url + "/twilio/voice", form);
    async_post_form(ioc, opt.engine_url + "/twilio/voice", form, sig, [self = shared_from_this()](http_reply r) {
      self->on_webhook(std::move(r));
    });
  }

  void prepare_speech() {
    if (opt.answering_machine) {
      // One "line": the greeting, a short gap, the beep; it ends with the beep.
      opt.script = {script_line{opt.machine_greeting, 0}};
      auto audio = caller_speech(opt.machine_greeting, opt.voice, opt.words_per_minute);
      audio.resize(speech_end(audio));
      audio.insert(audio.end(), 300 * 8, mulaw_silence);
      auto beep = tone(opt.beep_ms, opt.beep_hz);
      audio.insert(audio.end(), beep.begin(), beep.end());
      line_ends.push_back(audio.size());
      lines.push_back(std::move(audio));
    } else {
      for (const auto& l : opt.script) {
        lines.push_back(is_dtmf(l) ? mulaw_buffer{} : caller_speech(l.text, opt.voice, opt.words_per_minute));
        line_ends.push_back(speech_end(lines.back()));
      }
    }
  }

  void on_webhook(http_reply r) {
    res.webhook_status = r.status;
    res.twiml = r.body;
    if (!r.error.empty()) return finish("webhook failed: " + r.error);
    if (r.status != 200) return finish("webhook answered HTTP " + std::to_string(r.status));
    use_twiml(r.body);
  }

  void use_twiml(const std::string& body) {
    auto parsed = twilio::parse_twiml(body);
    if (!parsed) return finish(opt.given_twiml.empty() ? "webhook answer is not TwiML" : "the given TwiML is not TwiML");
    twiml = *parsed;
    if (!twiml.stream_url) return finish({});  // e.g. a polite refusal: <Say> + <Hangup/>
    res.stream_url = *twiml.stream_url;
    url_parts engine, stream;
    if (!split_url(opt.engine_url, engine) || !split_url(*twiml.stream_url, stream))
      return finish("bad engine or stream URL");
    resolver.async_resolve(engine.host, engine.port,
                           [self = shared_from_this(), engine, stream](beast::error_code ec, tcp::resolver::results_type rs) {
                             if (ec) return self->finish("resolve: " + ec.message());
                             self->connect(rs, engine.host, stream.target);
                           });
  }

  void connect(const tcp::resolver::results_type& rs, std::string host, std::string target) {
    beast::get_lowest_layer(ws).expires_after(10s);
    beast::get_lowest_layer(ws).async_connect(rs, [self = shared_from_this(), host, target](beast::error_code ec,
                                                                                            const tcp::endpoint&) {
      if (ec) return self->finish("connect: " + ec.message());
      beast::get_lowest_layer(self->ws).socket().set_option(tcp::no_delay(true));
      beast::get_lowest_layer(self->ws).expires_never();
      self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      self->ws.async_handshake(host, target, [self](beast::error_code ec2) {
        if (ec2) return self->finish("WebSocket handshake: " + ec2.message());
        self->on_open();
      });
    });
  }

  // ---------------------------------------------------------------- stream
  void on_open() {
    ws.text(true);
    stream_sid = random_sid("MZ");
    send(twilio::connected_message());
    twilio::start_event s;
    s.sequence_number = ++seq;
    s.stream_sid = stream_sid;
    s.account_sid = account_sid;
    s.call_sid = opt.call_sid;
    s.tracks = {"inbound"};
    for (const auto& [k, v] : twiml.stream_params) s.custom_parameters[k] = v;
    if (opt.faults.skip_token) s.custom_parameters.erase("token");
    if (opt.faults.forge_token) s.custom_parameters["token"] = "eyJjIjoiQ0EwMDAifQ.forged";
    send(twilio::start_message(s));
    res.stream_sid = stream_sid;
    res.custom_parameters.assign(s.custom_parameters.begin(), s.custom_parameters.end());
    stream_start_ms = now_ms();
    res.stream_started_ms = stream_start_ms;
    stream_up = true;
    res.greeting_latency_ms = -1;
    awaiting_since = steady_clock::now();
    do_read();
    next_tick = steady_clock::now();
    schedule_tick();
    emit("stream_started");
  }

  void send(std::string msg) {
    if (closing) return;
    writes.push_back(std::move(msg));
    if (!writing) do_write();
  }

  void send_binary_garbage() {
    // a binary frame: Twilio never sends one
    writes.push_back(std::string("\x01\x02\x03", 3));
    binary_next = true;
    if (!writing) do_write();
  }
  bool binary_next = false;

  void do_write() {
    if (writes.empty()) return;
    writing = true;
    ws.binary(binary_next);
    binary_next = false;
    ws.async_write(asio::buffer(writes.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing = false;
      self->ws.text(true);
      if (ec) return;
      self->writes.pop_front();
      self->do_write();
    });
  }

  void do_read() {
    ws.async_read(read_buf, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (finished) return;
      if (ec == websocket::error::closed) {
        res.engine_closed = !hangup_requested;
        res.close_code = ws.reason().code;
        if (res.engine_closed) return after_stream();
        return finish({});
      }
      if (hangup_requested) return finish({});
      return finish("stream read: " + ec.message());
    }
    auto data = read_buf.cdata();
    std::string_view text{static_cast<const char*>(data.data()), data.size()};
    on_engine_message(text);
    read_buf.consume(read_buf.size());
    do_read();
  }

  void on_engine_message(std::string_view text) {
    auto parsed = twilio::parse_outbound(text);
    if (auto* err = std::get_if<twilio::parse_error>(&parsed)) return violation(err->message);
    auto& msg = std::get<twilio::outbound_message>(parsed);
    std::visit([this](auto& m) {
      if (m.stream_sid != stream_sid) violation("streamSid mismatch");
      on_outbound(m);
    }, msg);
  }

  void on_outbound(twilio::outbound_media& m) {
    auto now = steady_clock::now();
    if (awaiting_answer >= 0 && speaking < 0) {
      res.turns[static_cast<std::size_t>(awaiting_answer)].answer_latency_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - awaiting_since).count();
      awaiting_answer = -1;
    }
    if (!first_agent_audio_seen) {
      first_agent_audio_seen = true;
      res.greeting_latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - awaiting_since).count();
    }
    fifo.push_back(play_item{false, std::move(m.payload), 0, {}});
  }

  void on_outbound(twilio::outbound_mark& m) {
    bool audio_pending = false;
    for (const auto& i : fifo) audio_pending |= !i.is_mark;
    if (!audio_pending) return echo_mark(m.name);
    fifo.push_back(play_item{true, {}, 0, m.name});
  }

  void on_outbound(twilio::outbound_clear&) {
    ++res.clears;
    if (awaiting_clear >= 0) {
      res.turns[static_cast<std::size_t>(awaiting_clear)].clear_after_onset_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - barge_onset).count();
      awaiting_clear = -1;
    }
    for (auto& i : fifo) {
      if (i.is_mark) {
        echo_mark(i.mark);
        ++res.marks_cancelled;
      } else {
        res.dropped_after_clear_bytes += static_cast<int>(i.audio.size() - i.pos);
      }
    }
    fifo.clear();
  }

  void echo_mark(const std::string& name) {
    ++res.marks_echoed;
    send(twilio::mark_echo_message(stream_sid, ++seq, name));
  }

  // ---------------------------------------------------------------- the 20 ms clock
  void schedule_tick() {
    next_tick += std::chrono::milliseconds(tick_ms);
    tick_timer.expires_at(next_tick);
    tick_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->finished || self->closing) return;
      self->on_tick();
      if (!self->finished && !self->closing) self->schedule_tick();
    });
  }

  void on_tick() {
    send_caller_frame();
    play_agent_frame();
    send_faults();
    follow_script();
    if (now_ms() > opt.max_call_ms) hang_up("maximum call length reached");
  }

  void send_caller_frame() {
    mulaw_buffer frame(frame_bytes_20ms, mulaw_silence);
    if (speaking >= 0) {
      auto& line = lines[static_cast<std::size_t>(speaking)];
      auto n = std::min(frame_bytes_20ms, line.size() - std::min(line.size(), speak_pos));
      std::copy_n(line.begin() + static_cast<std::ptrdiff_t>(speak_pos), n, frame.begin());
      speak_pos += frame_bytes_20ms;
      if (speak_pos >= line_ends[static_cast<std::size_t>(speaking)] && line_end_marked != speaking) {
        // the last voiced frame leaves now: the answer latency runs from here
        line_end_marked = speaking;
        awaiting_answer = speaking;
        awaiting_since = steady_clock::now();
        if (opt.speak_first && speaking == 0 && agent_audio_pending()) {
          // The hello overlapped the agent's greeting: that greeting is the answer.
          res.turns[0].answer_latency_ms = 0;
          awaiting_answer = -1;
        }
      }
      if (speak_pos >= line.size()) speaking = -1;
    }
    ++chunk;
    send(twilio::inbound_media_message(stream_sid, ++seq, chunk, media_ts, frame));
    media_ts += tick_ms;
    audio::decode_mulaw(frame, scratch_);
    left_ = std::move(scratch_);
    scratch_.clear();
  }
  pcm16_buffer scratch_, left_;

  void play_agent_frame() {
    mulaw_buffer out;
    out.reserve(frame_bytes_20ms);
    while (out.size() < frame_bytes_20ms && !fifo.empty()) {
      auto& front = fifo.front();
      if (front.is_mark) {
        echo_mark(front.mark);
        fifo.pop_front();
        continue;
      }
      auto n = std::min(frame_bytes_20ms - out.size(), front.audio.size() - front.pos);
      out.insert(out.end(), front.audio.begin() + static_cast<std::ptrdiff_t>(front.pos),
                 front.audio.begin() + static_cast<std::ptrdiff_t>(front.pos + n));
      front.pos += n;
      if (front.pos >= front.audio.size()) fifo.pop_front();
    }
    // marks right after the audio just played are reached now
    while (!fifo.empty() && fifo.front().is_mark) {
      echo_mark(fifo.front().mark);
      fifo.pop_front();
    }
    if (!out.empty()) {
      res.agent_audio_ms += static_cast<int>(out.size() / 8);
      if (opt.answering_machine) {
        if (res.beep_end_ms < 0) {
          res.agent_audio_before_beep_ms += static_cast<int>(out.size() / 8);
        } else {
          res.agent_audio_after_beep_ms += static_cast<int>(out.size() / 8);
          if (res.first_agent_audio_after_beep_ms < 0) res.first_agent_audio_after_beep_ms = now_ms() - res.beep_end_ms;
        }
      }
      agent_quiet_for_ms = 0;
      agent_spoke_since_line = true;
      agent_turn_audio_ms += tick_ms;
    } else {
      agent_quiet_for_ms += tick_ms;
      if (agent_quiet_for_ms >= agent_quiet_ms) agent_turn_audio_ms = 0;
    }
    out.resize(frame_bytes_20ms, mulaw_silence);
    pcm16_buffer right;
    audio::decode_mulaw(out, right);
    for (std::size_t i = 0; i < frame_bytes_20ms; ++i) {
      rec.push_back(left_.size() > i ? left_[i] : 0);
      rec.push_back(right[i]);
    }
  }

  void send_faults() {
    if (faults_sent >= opt.faults.malformed_frames || chunk < 10) return;
    static const char* garbage[] = {
      "not json at all",
      "[1,2,3]",
      R"({"no_event":true})",
      R"({"event":"media","sequenceNumber":"x","streamSid":"MZ","media":{"payload":"!!!notbase64"}})",
      R"({"event":"media","media":{"payload":12}})",
      R"({"event":"mark","mark":{"name":7}})",
      R"({"event":"start","start":{}})",
      R"({"event":"media","sequenceNumber":"99999999999999999999999","media":{"track":"inbound","payload":"/w=="}})",
    };
    auto i = static_cast<std::size_t>(faults_sent) % (sizeof garbage / sizeof *garbage);
    if (faults_sent % 9 == 8) send_binary_garbage();
    else send(garbage[i]);
    ++faults_sent;
  }

  void begin_line(std::size_t i) {
    if (is_dtmf(opt.script[i])) {
      caller_turn t;
      t.said = opt.script[i].text;
      t.spoke_at_ms = now_ms();
      res.turns.push_back(t);
      // "dtmf:62704#": one Twilio dtmf event per key, in order, as the keys are pressed.
      for (char key : opt.script[i].text.substr(5)) send(twilio::dtmf_message(stream_sid, ++seq, key));
      agent_spoke_since_line = false;
      awaiting_answer = static_cast<int>(res.turns.size() - 1);
      awaiting_since = steady_clock::now();
      ++next_line;
      return;
    }
    speaking = static_cast<int>(i);
    speak_pos = 0;
    caller_turn t;
    t.said = opt.script[i].text;
    t.barge_in = opt.script[i].barge_in;
    t.spoke_at_ms = now_ms();
    t.speech_ms = static_cast<std::int64_t>(line_ends[i] / 8);
    res.turns.push_back(t);
    agent_spoke_since_line = false;
    if (t.barge_in) {
      awaiting_clear = static_cast<int>(res.turns.size() - 1);
      barge_onset = steady_clock::now();
    }
    ++next_line;
  }

  bool agent_audio_pending() const {
    for (const auto& i : fifo)
      if (!i.is_mark) return true;
    return agent_quiet_for_ms == 0 && agent_spoke_since_line;
  }

  void follow_script() {
    if (speaking >= 0 || hangup_requested) return;
    if (opt.answering_machine) {
      // Greeting and beep once, then silence until the engine (or the mock) ends it.
      if (next_line == 0) return begin_line(0);
      if (res.beep_end_ms < 0) {
        res.beep_end_ms = now_ms();
        emit("greeting_done");
      }
      return;
    }
    if (opt.speak_first && next_line == 0 && !opt.script.empty() && !opt.script[0].barge_in) {
      if (now_ms() - stream_start_ms >= opt.script[0].pause_before_ms) begin_line(0);
      return;
    }
    if (awaiting_answer >= 0) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - awaiting_since).count();
      if (waited > opt.answer_timeout_ms)
        return hang_up("no answer within " + std::to_string(opt.answer_timeout_ms) + " ms to \"" +
                       res.turns[static_cast<std::size_t>(awaiting_answer)].said + "\"");
      return;
    }
    if (next_line < opt.script.size()) {
      const auto& line = opt.script[next_line];
      if (line.barge_in) {
        if (agent_turn_audio_ms >= line.barge_after_ms) begin_line(next_line);
        return;
      }
      if (agent_spoke_since_line && agent_quiet_for_ms >= std::max(agent_quiet_ms, line.pause_before_ms))
        begin_line(next_line);
      return;
    }
    if (opt.hangup_after_ms >= 0 && agent_spoke_since_line && agent_quiet_for_ms >= std::max(agent_quiet_ms, opt.hangup_after_ms))
      hang_up({});
  }

  void hang_up(std::string why) {
    // `closing`: the stream is already over (e.g. the <Connect action> request is running).
    if (hangup_requested || finished || closing) return;
    hangup_requested = true;
    if (!why.empty()) res.error = why;
    if (!stream_up) return finish(why);
    send(twilio::stop_message(stream_sid, ++seq, account_sid, opt.call_sid));
    closing_after_writes();
  }

  void closing_after_writes() {
    // let `stop` go out, then close
    auto self = shared_from_this();
    auto timer = std::make_shared<asio::steady_timer>(ioc, 50ms);
    timer->async_wait([self, timer](beast::error_code) {
      self->closing = true;
      self->ws.async_close(websocket::close_code::normal, [self](beast::error_code) { self->finish(self->res.error); });
    });
  }

  // ---------------------------------------------------------------- the end
  void after_stream() {
    closing = true;
    if (!twiml.connect_action) return finish({});
    twilio::form_params form{{"AccountSid", account_sid}, {"CallSid", opt.call_sid}, {"CallStatus", "in-progress"},
                             {"Direction", opt.direction}, {"From", opt.from},        {"To", opt.to}};
    url_parts action;
    split_url(*twiml.connect_action, action);
    std::string sig;
    if (!opt.auth_token.empty()) sig = twilio::compute_signature(opt.auth_token, *twiml.connect_action, form);
    async_post_form(ioc, opt.engine_url + action.target, form, sig, [self = shared_from_this()](http_reply r) {
      self->res.after_stream_twiml = r.body;
      self->finish(r.error.empty() ? std::string{} : "after-stream request: " + r.error);
    });
  }

  void finish(std::string error) {
    if (finished) return;
    finished = true;
    closing = true;
    tick_timer.cancel();
    if (!error.empty() && res.error.empty()) res.error = std::move(error);
    res.ok = res.error.empty();
    res.duration_ms = now_ms();
    if (!opt.wav_path.empty() && !rec.empty()) {
      audio::wav_data w;
      w.sample_rate = telephony_rate_hz;
      w.channels = 2;
      w.samples = std::move(rec);
      audio::write_wav_pcm16(opt.wav_path, w);
    }
    beast::error_code ec;
    beast::get_lowest_layer(ws).socket().close(ec);
    if (done) done(res);
  }
};

call::call(asio::io_context& ioc, caller_options options, done_fn done)
  : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(done))) {}
call::~call() = default;
void call::start() { asio::post(impl_->ioc, [i = impl_] { i->start(); }); }
void call::hang_up() { asio::post(impl_->ioc, [i = impl_] { i->hang_up({}); }); }

call_result run_call(const caller_options& options) {
  asio::io_context ioc;
  call_result out;
  call c{ioc, options, [&](const call_result& r) { out = r; }};
  c.start();
  ioc.run();
  return out;
}

} // namespace ce::sim
