// The Deepgram live STT client against the in-process Deepgram mock (protocols.md §5, §9.3).
#include "client_fixtures.hpp"

#include "providers/deepgram/live_stt_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>

#include <thread>

using namespace ce;
using namespace ce::clients_test;
using deepgram::live_stt_client;
using http::provider_errc;

namespace {

const std::string line1 = "I'd like to book a service appointment.";
const std::string line2 = "Tuesday at ten works.";

/// Everything the client reported, in order.
struct stt_events {
  recorder<deepgram::stt_opened> opened;
  recorder<deepgram::stt_speech_started> started;
  recorder<deepgram::stt_interim> interims;
  recorder<deepgram::stt_utterance> utterances;
  recorder<deepgram::stt_metadata> metadata;
  recorder<http::provider_error> failures;
  recorder<int> closed;
  recorder<std::string> order;  ///< event kinds in arrival order

  deepgram::live_stt_callbacks callbacks(std::function<void(const http::provider_error&)> on_fail = nullptr) {
    deepgram::live_stt_callbacks cb;
    cb.on_opened = [this](const deepgram::stt_opened& o) {
      opened.push(o);
      order.push("opened");
    };
    cb.on_speech_started = [this](const deepgram::stt_speech_started& s) {
      started.push(s);
      order.push("speech_started");
    };
    cb.on_interim = [this](const deepgram::stt_interim& i) {
      interims.push(i);
      order.push("interim");
    };
    cb.on_utterance = [this](deepgram::stt_utterance u) {
      utterances.push(std::move(u));
      order.push("utterance");
    };
    cb.on_metadata = [this](const deepgram::stt_metadata& m) {
      metadata.push(m);
      order.push("metadata");
    };
    cb.on_failed = [this, on_fail](const http::provider_error& e) {
      failures.push(e);
      order.push("failed");
      if (on_fail) on_fail(e);
    };
    cb.on_closed = [this] {
      closed.push(1);
      order.push("closed");
    };
    return cb;
  }
};

json stt_config(json script, json extra = json::object()) {
  json stt{{"script", std::move(script)}};
  stt.merge_patch(extra);
  return json{{"deepgram", {{"api_key", "dg-test-key"}, {"stt", stt}}}};
}

deepgram::live_stt_options options_for(const mocks::mock_server& m) {
  deepgram::live_stt_options o;
  o.api_key = "dg-test-key";
  o.base_url = m.deepgram_base_url();
  o.connect_timeout = 2000ms;
  // Tests feed whole recordings in one burst, far faster than a phone does: room for all
  // of it in the send queue (the bound itself has its own test).
  o.max_queued_audio = 60000ms;
  o.log_context = "call_sid=CAtest role=stt";
  return o;
}

/// A WebSocket server that completes the upgrade and then never reads again: it answers
/// no ping, sends nothing, and keeps the socket open (a silently dead peer).
class silent_ws_server {
public:
  silent_ws_server() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      ws_ = std::make_unique<boost::beast::websocket::stream<boost::asio::ip::tcp::socket>>(std::move(s));
      ws_->async_accept([](boost::system::error_code) {});
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~silent_ws_server() {
    io_.stop();
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::beast::websocket::stream<boost::asio::ip::tcp::socket>> ws_;
  std::thread thread_;
};

void send_all(live_stt_client& c, const std::vector<std::uint8_t>& audio, double pace = 0) {
  stream_audio([&](std::vector<std::uint8_t> f) { c.send_audio(std::move(f)); }, audio, pace);
}

} // namespace

TEST_CASE("STT client connects with Token auth and the configured query, and assembles an utterance from "
          "SpeechStarted, interims and the final",
          "[clients][stt]") {
  auto mocks = start_mocks(stt_config({line1}));
  io_runner io;
  stt_events ev;
  auto client = std::make_unique<live_stt_client>(io.io(), options_for(*mocks), ev.callbacks());
  client->connect();
  REQUIRE(ev.opened.wait_for(1));
  CHECK_FALSE(ev.opened.items()[0].request_id.empty());
  CHECK_FALSE(ev.opened.items()[0].reconnected);

  client->send_audio({});  // ignored: never an empty frame
  send_all(*client, concat({silence_ms(500), speech(line1), silence_ms(1500)}));
  REQUIRE(ev.utterances.wait_for(1));
  const auto u = ev.utterances.items()[0];
  CHECK(u.text == line1);
  CHECK(u.reason == deepgram::utterance_end_reason::speech_final);
  CHECK(u.start == Approx(0.5).margin(0.05));
  CHECK(u.words.size() == 7);
  CHECK(u.confidence > 0.5);

  REQUIRE(ev.started.size() == 1);
  CHECK(ev.started.items()[0].timestamp == Approx(0.5).margin(0.03));
  const auto interims = ev.interims.items();
  REQUIRE(interims.size() >= 3);
  for (const auto& i : interims) {
    CHECK_FALSE(i.text.empty());
    CHECK(line1.rfind(i.utterance_text, 0) == 0);  // a growing prefix of the line
  }
  const auto order = ev.order.items();
  CHECK(order[1] == "speech_started");
  CHECK(std::find(order.begin(), order.end(), "interim") < std::find(order.begin(), order.end(), "utterance"));

  client->close();
  REQUIRE(ev.closed.wait_for(1));
  CHECK(ev.metadata.size() == 1);

  auto opened = mocks->log("stt", 0, "stt.open");
  REQUIRE(opened.size() == 1);
  const auto& q = opened[0]["query"];
  CHECK(q["model"] == "nova-2-phonecall");
  CHECK(q["encoding"] == "mulaw");
  CHECK(q["sample_rate"] == "8000");
  CHECK(q["channels"] == "1");
  CHECK(q["interim_results"] == "true");
  CHECK(q["endpointing"] == "300");
  CHECK(q["utterance_end_ms"] == "1000");
  CHECK(q["vad_events"] == "true");
  CHECK(q["smart_format"] == "true");
  CHECK(q["punctuate"] == "true");
  CHECK(mocks->log("stt", 0, "stt.bad_frame").empty());
  auto controls = mocks->log("stt", 0, "stt.control");
  REQUIRE_FALSE(controls.empty());
  CHECK(controls.back()["type"] == "CloseStream");
  auto closes = mocks->wait_for_log("stt", "stt.close", 1, 2000ms);
  REQUIRE(closes.size() == 1);
  CHECK(closes[0]["bytes"] == client->stats().audio_bytes_sent);
  client.reset();
  CHECK(io.drain(3000ms));
}

TEST_CASE("STT client joins split is_final segments until speech_final", "[clients][stt]") {
  auto mocks = start_mocks(stt_config({json{{"text", line1}, {"split", true}}, line2}));
  io_runner io;
  stt_events ev;
  live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
  client.connect();
  send_all(client, concat({silence_ms(300), speech(line1), silence_ms(1500), speech(line2), silence_ms(1500)}));
  REQUIRE(ev.utterances.wait_for(2));
  auto us = ev.utterances.items();
  CHECK(us[0].text == line1);
  CHECK(us[1].text == line2);
  // The first utterance came as two finals: an intermediate final was reported as progress.
  auto finals = mocks->log("stt", 0, "stt.sent");
  int first_finals = 0;
  for (const auto& f : finals)
    if (f["type"] == "Results" && f["audio_ms"].get<int>() < 4000) ++first_finals;
  CHECK(first_finals == 2);
  auto interims = ev.interims.items();
  CHECK(std::any_of(interims.begin(), interims.end(), [](const auto& i) { return i.is_final; }));
  CHECK(us[1].start > us[0].end);
}

TEST_CASE("STT client ends an utterance at UtteranceEnd when no speech_final comes", "[clients][stt]") {
  auto mocks = start_mocks(stt_config({line2}));
  io_runner io;
  stt_events ev;
  auto opt = options_for(*mocks);
  opt.endpointing_ms.reset();  // endpointing=false: finals without speech_final
  live_stt_client client(io.io(), opt, ev.callbacks());
  client.connect();
  send_all(client, concat({silence_ms(300), speech(line2), silence_ms(2500)}));
  REQUIRE(ev.utterances.wait_for(1));
  CHECK(ev.utterances.items()[0].text == line2);
  CHECK(ev.utterances.items()[0].reason == deepgram::utterance_end_reason::utterance_end);
  CHECK(mocks->log("stt", 0, "stt.open")[0]["query"]["endpointing"] == "false");
}

TEST_CASE("STT client Finalize turns the words heard so far into an utterance", "[clients][stt]") {
  auto mocks = start_mocks(stt_config({line1}));
  io_runner io;
  stt_events ev;
  live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
  client.connect();
  send_all(client, concat({silence_ms(300), speech(line1)}));
  client.finalize();
  REQUIRE(ev.utterances.wait_for(1));
  auto u = ev.utterances.items()[0];
  CHECK(u.reason == deepgram::utterance_end_reason::finalize);
  CHECK_FALSE(u.text.empty());
  CHECK(line1.rfind(u.text, 0) == 0);
  auto controls = mocks->log("stt", 0, "stt.control");
  REQUIRE(controls.size() == 1);
  CHECK(controls[0]["type"] == "Finalize");
}

TEST_CASE("STT client close sends CloseStream and delivers the last utterance and Metadata before on_closed",
          "[clients][stt]") {
  auto mocks = start_mocks(stt_config({line1}));
  io_runner io;
  stt_events ev;
  live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
  client.connect();
  send_all(client, concat({silence_ms(300), speech(line1)}));  // still talking
  client.close();
  REQUIRE(ev.closed.wait_for(1));
  REQUIRE(ev.utterances.size() == 1);
  CHECK(ev.utterances.items()[0].text == line1);
  auto order = ev.order.items();
  auto pos = [&](const std::string& k) { return std::find(order.begin(), order.end(), k) - order.begin(); };
  CHECK(pos("utterance") < pos("metadata"));
  CHECK(pos("metadata") < pos("closed"));
  CHECK(ev.metadata.items()[0].duration == Approx(0.3 + line1.size() * 0.065).margin(0.05));
  auto closes = mocks->wait_for_log("stt", "stt.close", 1, 2000ms);
  REQUIRE(closes.size() == 1);
  CHECK(closes[0].dump().find("1000") != std::string::npos);
  client.send_audio(silence_ms(100));  // after close: ignored
}

TEST_CASE("STT client sends KeepAlive while no audio flows, without it the server closes 1011 NET-0001",
          "[clients][stt][faults]") {
  auto mocks = start_mocks(stt_config({line1}, json{{"idle_timeout_ms", 1200}}));
  io_runner io;
  SECTION("with keepalive") {
    stt_events ev;
    auto opt = options_for(*mocks);
    opt.keepalive_interval = 400ms;
    live_stt_client client(io.io(), opt, ev.callbacks());
    client.connect();
    send_all(client, silence_ms(200));
    auto keepalives = mocks->wait_for_log("stt", "stt.control", 4, 3000ms);
    REQUIRE(keepalives.size() >= 4);
    for (const auto& k : keepalives) CHECK(k["type"] == "KeepAlive");
    CHECK(mocks->log("stt", 0, "stt.timeout").empty());
    CHECK(ev.failures.size() == 0);
    CHECK(client.stats().keepalives_sent >= 4);
  }
  SECTION("without keepalive") {
    stt_events ev;
    auto opt = options_for(*mocks);
    opt.keepalive_interval = 0ms;
    live_stt_client client(io.io(), opt, ev.callbacks());
    client.connect();
    send_all(client, silence_ms(200));
    REQUIRE(ev.failures.wait_for(1, 4000ms));
    auto e = ev.failures.items()[0];
    CHECK(e.code == provider_errc::timeout);
    CHECK(e.reason == "NET-0001");
    CHECK_FALSE(e.is_permanent());
  }
}

TEST_CASE("STT handshake errors are classified: 429 rate_limited with Retry-After, 401 unauthenticated, "
          "402 quota_exhausted, 403 forbidden, 503 server_error",
          "[clients][stt][faults]") {
  io_runner io;
  struct expectation {
    json fault;
    provider_errc code;
    bool permanent;
  };
  for (const auto& [fault, code, permanent] :
       std::vector<expectation>{{json{{"kind", "status"}, {"status", 429}, {"retry_after", "2"}}, provider_errc::rate_limited, false},
                                {json{{"kind", "status"}, {"status", 402}}, provider_errc::quota_exhausted, true},
                                {json{{"kind", "status"}, {"status", 403}}, provider_errc::forbidden, true},
                                {json{{"kind", "status"}, {"status", 503}}, provider_errc::server_error, false}}) {
    auto mocks = start_mocks(stt_config({line1}, json{{"faults", {fault}}}));
    stt_events ev;
    live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
    client.connect();
    REQUIRE(ev.failures.wait_for(1));
    auto e = ev.failures.items()[0];
    INFO(e.describe());
    CHECK(e.code == code);
    CHECK(e.http_status == fault["status"].get<int>());
    CHECK(e.is_permanent() == permanent);
    if (code == provider_errc::rate_limited) {
      CHECK(e.reason == "TOO_MANY_REQUESTS");
      REQUIRE(e.retry_after);
      CHECK(*e.retry_after == 2000ms);
    }
    CHECK(ev.opened.size() == 0);
  }
  auto mocks = start_mocks(stt_config({line1}));
  stt_events ev;
  auto opt = options_for(*mocks);
  opt.api_key = "wrong-key";
  live_stt_client client(io.io(), opt, ev.callbacks());
  client.connect();
  REQUIRE(ev.failures.wait_for(1));
  auto e = ev.failures.items()[0];
  CHECK(e.code == provider_errc::unauthenticated);
  CHECK(e.http_status == 401);
  CHECK(e.reason == "INVALID_AUTH");
  CHECK(e.is_permanent());
  CHECK(e.describe().find("wrong-key") == std::string::npos);
}

TEST_CASE("STT handshake faults: a stalled upgrade times out, a slow one connects, a dropped one is reported",
          "[clients][stt][faults]") {
  io_runner io;
  SECTION("stall") {
    auto mocks = start_mocks(stt_config({line1}, json{{"faults", {{{"kind", "stall"}, {"at", "connect"}, {"stall_ms", 5000}}}}}));
    stt_events ev;
    auto opt = options_for(*mocks);
    opt.connect_timeout = 500ms;
    const auto t0 = steady::now();
    live_stt_client client(io.io(), opt, ev.callbacks());
    client.connect();
    REQUIRE(ev.failures.wait_for(1));
    CHECK(ev.failures.items()[0].code == provider_errc::timeout);
    CHECK(seconds_since(t0) < 1.5);
  }
  SECTION("delay within the timeout") {
    auto mocks = start_mocks(stt_config({line1}, json{{"faults", {{{"kind", "delay"}, {"delay_ms", 300}}}}}));
    stt_events ev;
    live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
    client.connect();
    REQUIRE(ev.opened.wait_for(1));
    CHECK(ev.failures.size() == 0);
  }
  SECTION("drop") {
    auto mocks = start_mocks(stt_config({line1}, json{{"faults", {{{"kind", "drop"}, {"at", "connect"}}}}}));
    stt_events ev;
    live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
    client.connect();
    REQUIRE(ev.failures.wait_for(1));
    CHECK(ev.failures.items()[0].code == provider_errc::connection_lost);
    CHECK_FALSE(ev.failures.items()[0].is_permanent());
  }
}

TEST_CASE("STT connection dropped mid-utterance is detected at once, reconnect with replay recovers the sentence",
          "[clients][stt][faults][slow]") {
  auto mocks = start_mocks(
    stt_config({line1, line2}, json{{"faults", {{{"kind", "drop"}, {"at", "speech"}, {"after", 300}, {"times", 1}}}}}));
  io_runner io;
  stt_events ev;
  recorder<steady::time_point> failed_at;
  std::unique_ptr<live_stt_client> client;
  auto cb = ev.callbacks([&](const http::provider_error&) {
    failed_at.push(steady::now());
    client->reconnect();  // from inside the callback: the owner's decision
  });
  client = std::make_unique<live_stt_client>(io.io(), options_for(*mocks), std::move(cb));
  client->connect();
  REQUIRE(ev.opened.wait_for(1));
  // Real-time pacing, as a phone call: remember when each audio millisecond went out.
  const auto audio = concat({silence_ms(1000), speech(line1), silence_ms(1500)});
  const auto t0 = steady::now();
  send_all(*client, audio, 1.0);
  REQUIRE(ev.utterances.wait_for(1, 4000ms));
  CHECK(ev.utterances.items()[0].text == line1);

  REQUIRE(ev.failures.size() == 1);
  CHECK(ev.failures.items()[0].code == provider_errc::connection_lost);
  auto faults = mocks->log("stt", 0, "stt.fault");
  REQUIRE(faults.size() == 1);
  const auto fault_audio_ms = faults[0]["audio_ms"].get<int>();
  // Detection latency: from the moment the audio that tripped the drop went out.
  const double detected_after = std::chrono::duration<double>(failed_at.items()[0] - t0).count() - fault_audio_ms / 1000.0;
  CHECK(detected_after < 0.3);
  REQUIRE(ev.opened.size() == 2);
  CHECK(ev.opened.items()[1].reconnected);
  CHECK(ev.opened.items()[1].replayed_bytes == 8000);
  CHECK(mocks->log("stt", 0, "stt.open").size() == 2);
  // The replayed second starts before the speech onset, so the new connection heard all of it.
  auto utts = mocks->log("stt", 0, "stt.utterance");
  REQUIRE(utts.size() == 2);
  CHECK(utts[1]["text"] == line1);
  CHECK(client->stats().replayed_bytes == 8000);
  // Stream times continue across the reconnect.
  CHECK(ev.utterances.items()[0].start == Approx(1.0).margin(0.1));
}

TEST_CASE("STT server that goes silent while the caller talks is reported as stalled, replay recovers",
          "[clients][stt][faults][slow]") {
  auto mocks = start_mocks(stt_config({line1}, json{{"faults", {{{"kind", "stall"}, {"at", "speech"}, {"after", 200}, {"times", 1}}}}}));
  io_runner io;
  stt_events ev;
  std::unique_ptr<live_stt_client> client;
  auto opt = options_for(*mocks);
  opt.stall_after = 1000ms;
  opt.replay = 2000ms;  // more than the detection time: the onset is still in the ring
  auto cb = ev.callbacks([&](const http::provider_error&) { client->reconnect(); });
  client = std::make_unique<live_stt_client>(io.io(), opt, std::move(cb));
  client->connect();
  REQUIRE(ev.opened.wait_for(1));
  send_all(*client, concat({silence_ms(400), speech(line1), silence_ms(1500)}), 1.0);
  REQUIRE(ev.failures.wait_for(1));
  auto e = ev.failures.items()[0];
  CHECK(e.code == provider_errc::timeout);
  CHECK(e.reason == "stalled");
  REQUIRE(ev.utterances.wait_for(1, 4000ms));
  CHECK(ev.utterances.items()[0].text == line1);
  CHECK(ev.utterances.size() == 1);
}

TEST_CASE("STT disconnect by the server (control API) is reported and a reconnect resumes the stream",
          "[clients][stt][faults]") {
  auto mocks = start_mocks(stt_config({line1, line2}));
  io_runner io;
  stt_events ev;
  live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
  client.connect();
  const auto first = concat({silence_ms(300), speech(line1), silence_ms(1200)});
  send_all(client, first);
  REQUIRE(ev.utterances.wait_for(1));
  // Every byte is on the wire before the drop, so the replayed second is the trailing silence.
  // (The utterance can arrive while the tail is still queued; a replay that then holds the end
  // of the speech is deduplicated by the client but advances the mock's script.)
  for (int i = 0; i < 200 && client.stats().audio_bytes_sent < first.size(); ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(client.stats().audio_bytes_sent == first.size());
  REQUIRE(mocks->disconnect("stt") == 1);
  REQUIRE(ev.failures.wait_for(1));
  CHECK(ev.failures.items()[0].code == provider_errc::connection_lost);
  send_all(client, concat({silence_ms(300), speech(line2), silence_ms(1200)}));  // buffered meanwhile
  client.reconnect();
  REQUIRE(ev.utterances.wait_for(2));
  auto us = ev.utterances.items();
  // The replayed second holds only silence after the first utterance: nothing is said twice.
  CHECK(us.size() == 2);
  CHECK(us[0].text == line1);
  // The new connection's first line is the script's first: the mock restarts its script.
  CHECK(us[1].text == line1);
  CHECK(us[1].start > us[0].end);
}

TEST_CASE("STT send queue is bounded and drops the oldest audio when the connection cannot keep up", "[clients][stt]") {
  auto mocks = start_mocks(stt_config({line1}));
  io_runner io;
  stt_events ev;
  auto opt = options_for(*mocks);
  opt.max_queued_audio = 1000ms;
  live_stt_client client(io.io(), opt, ev.callbacks());
  send_all(client, silence_ms(5000));  // not connected yet: everything queues
  client.connect();
  REQUIRE(ev.opened.wait_for(1));
  auto closed = [&] {
    client.close();
    return ev.closed.wait_for(1);
  };
  REQUIRE(closed());
  const auto s = client.stats();
  CHECK(s.audio_bytes_dropped == 32000);
  CHECK(s.audio_bytes_sent == 8000);
  auto close = mocks->wait_for_log("stt", "stt.close", 1, 2000ms);
  REQUIRE(close.size() == 1);
  CHECK(close[0]["bytes"] == 8000);
}

TEST_CASE("STT client is safe to destroy with the connection live and audio queued", "[clients][stt]") {
  auto mocks = start_mocks(stt_config({line1}));
  io_runner io;
  {
    stt_events ev;
    live_stt_client client(io.io(), options_for(*mocks), ev.callbacks());
    client.connect();
    REQUIRE(ev.opened.wait_for(1));
    send_all(client, concat({silence_ms(300), speech(line1)}));
  }
  CHECK(io.drain(3000ms));
  CHECK(mocks->wait_for_log("stt", "stt.close", 1, 2000ms).size() == 1);
}

TEST_CASE("STT connection whose peer stops answering pings is declared dead within dead_after", "[clients][stt][faults]") {
  silent_ws_server server;
  io_runner io;
  stt_events ev;
  deepgram::live_stt_options opt;
  opt.api_key = "k";
  opt.base_url = server.base_url();
  opt.dead_after = 800ms;
  live_stt_client client(io.io(), opt, ev.callbacks());
  client.connect();
  REQUIRE(ev.opened.wait_for(1));
  const auto t0 = steady::now();
  send_all(client, silence_ms(200));
  REQUIRE(ev.failures.wait_for(1, 3000ms));
  CHECK(ev.failures.items()[0].code == provider_errc::timeout);
  CHECK(seconds_since(t0) < 1.3);
}
