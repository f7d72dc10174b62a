// The Deepgram TTS clients (WebSocket streaming and REST fallback) against the in-process
// Deepgram mock (protocols.md §6, §9.4).
#include "client_fixtures.hpp"

#include "providers/deepgram/text_chunks.hpp"
#include "providers/deepgram/tts_rest_client.hpp"
#include "providers/deepgram/tts_stream_client.hpp"

#include <map>

using namespace ce;
using namespace ce::clients_test;
using deepgram::tts_rest_client;
using deepgram::tts_stream_client;
using http::provider_errc;

namespace {

constexpr std::size_t bytes_per_char = 65 * 8;  // the mock renders 65 ms of audio per character

json tts_config(json extra = json::object()) {
  json tts{{"ttfb_ms", 20}, {"speed", 20.0}};
  tts.merge_patch(extra);
  return json{{"deepgram", {{"api_key", "dg-test-key"}, {"tts", tts}}}};
}

struct tts_events {
  recorder<deepgram::tts_audio> audio;
  recorder<std::uint64_t> done;
  recorder<int> cleared;
  recorder<std::pair<std::uint64_t, http::provider_error>> refused;
  recorder<std::pair<std::string, std::string>> warnings;
  recorder<http::provider_error> failures;
  recorder<int> closed;
  recorder<std::string> opened;

  deepgram::tts_stream_callbacks callbacks() {
    deepgram::tts_stream_callbacks cb;
    cb.on_opened = [this](const std::string& id) { opened.push(id); };
    cb.on_audio = [this](deepgram::tts_audio a) { audio.push(std::move(a)); };
    cb.on_segment_done = [this](std::uint64_t s) { done.push(s); };
    cb.on_cleared = [this] { cleared.push(1); };
    cb.on_segment_failed = [this](std::uint64_t s, const http::provider_error& e) { refused.push({s, e}); };
    cb.on_warning = [this](const std::string& c, const std::string& d) { warnings.push({c, d}); };
    cb.on_failed = [this](const http::provider_error& e) { failures.push(e); };
    cb.on_closed = [this] { closed.push(1); };
    return cb;
  }

  std::map<std::uint64_t, std::size_t> bytes_by_segment() const {
    std::map<std::uint64_t, std::size_t> out;
    for (const auto& a : audio.items()) out[a.segment] += a.mulaw.size();
    return out;
  }
};

deepgram::tts_stream_options stream_options(const mocks::mock_server& m) {
  deepgram::tts_stream_options o;
  o.api_key = "dg-test-key";
  o.base_url = m.deepgram_base_url();
  o.log_context = "call_sid=CAtest role=tts";
  return o;
}

deepgram::tts_rest_options rest_options(const mocks::mock_server& m) {
  deepgram::tts_rest_options o;
  o.api_key = "dg-test-key";
  o.base_url = m.deepgram_base_url();
  o.retry.initial_backoff = 50ms;
  o.log_context = "call_sid=CAtest role=tts";
  return o;
}

struct rest_events {
  recorder<deepgram::tts_audio> audio;
  recorder<std::pair<std::uint64_t, std::optional<http::provider_error>>> done;
  deepgram::tts_rest_callbacks callbacks() {
    deepgram::tts_rest_callbacks cb;
    cb.on_audio = [this](deepgram::tts_audio a) { audio.push(std::move(a)); };
    cb.on_done = [this](std::uint64_t s, std::optional<http::provider_error> e) { done.push({s, std::move(e)}); };
    return cb;
  }
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const auto& a : audio.items()) n += a.mulaw.size();
    return n;
  }
};

} // namespace

TEST_CASE("Text is cut for Deepgram's limits at sentence, then word, then character boundaries", "[clients][tts]") {
  using deepgram::split_text;
  CHECK(split_text("", 10).empty());
  CHECK(split_text("Short one.", 100) == std::vector<std::string>{"Short one."});
  auto s = split_text("One two. Three four five. Six.", 20);
  CHECK(s == std::vector<std::string>{"One two. ", "Three four five. ", "Six."});
  CHECK(split_text("alpha beta gamma delta", 12) == std::vector<std::string>{"alpha beta ", "gamma delta"});
  CHECK(split_text("abcdefghij", 4) == std::vector<std::string>{"abcd", "efgh", "ij"});
  // Code points, not bytes: "é" is two bytes but one character.
  auto u = split_text("\xC3\xA9\xC3\xA9\xC3\xA9", 2);
  CHECK(u == std::vector<std::string>{"\xC3\xA9\xC3\xA9", "\xC3\xA9"});
  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "The quick brown fox jumps. ";
  const auto pieces = split_text(long_text, 2000);
  std::string joined;
  for (const auto& p : pieces) {
    CHECK(deepgram::count_chars(p) <= 2000);
    CHECK(p.substr(p.size() - 2) == ". ");
    joined += p;
  }
  CHECK(joined == long_text);
}

TEST_CASE("TTS WebSocket streams each segment's audio as it arrives, tagged, then Flushed per segment in order",
          "[clients][tts]") {
  auto mocks = start_mocks(tts_config());
  io_runner io;
  tts_events ev;
  auto client = std::make_unique<tts_stream_client>(io.io(), stream_options(*mocks), ev.callbacks());
  client->connect();
  const std::vector<std::string> texts{"Hello there.", "Your car is ready at four.", "Goodbye."};
  for (std::size_t i = 0; i < texts.size(); ++i) client->speak(i + 1, texts[i]);  // queued until open
  REQUIRE(ev.done.wait_for(3));
  CHECK(ev.done.items() == std::vector<std::uint64_t>{1, 2, 3});
  REQUIRE(ev.opened.size() == 1);
  auto bytes = ev.bytes_by_segment();
  for (std::size_t i = 0; i < texts.size(); ++i) CHECK(bytes[i + 1] == texts[i].size() * bytes_per_char);
  // Chunks arrive in segment order and each segment in several frames.
  std::uint64_t last = 0;
  std::size_t chunks_of_2 = 0;
  for (const auto& a : ev.audio.items()) {
    CHECK(a.segment >= last);
    last = a.segment;
    if (a.segment == 2) ++chunks_of_2;
  }
  CHECK(chunks_of_2 > 3);
  auto open = mocks->log("tts", 0, "tts.open");
  REQUIRE(open.size() == 1);
  CHECK(open[0]["query"]["encoding"] == "mulaw");
  CHECK(open[0]["query"]["sample_rate"] == "8000");
  CHECK(open[0]["query"]["model"] == "aura-2-thalia-en");
  CHECK_FALSE(open[0]["query"].contains("container"));
  CHECK(mocks->log("tts", 0, "tts.flush").size() == 3);
  CHECK(client->stats().flushes == 3);
  client->close();
  REQUIRE(ev.closed.wait_for(1));
  CHECK(mocks->log("tts", 0, "tts.control").back()["type"] == "Close");
  client.reset();
  CHECK(io.drain(3000ms));
}

TEST_CASE("TTS WebSocket joins audio into fewer hand-overs once it is well ahead of real time, none lost",
          "[clients][tts]") {
  // 40 ms messages at 20x real time: after the first 400 ms of audio the client is ahead
  // and hands audio over in pieces of up to 200 ms; each segment's bytes all arrive.
  auto mocks = start_mocks(tts_config({{"frame_ms", 40}}));
  io_runner io;
  tts_events ev;
  auto client = std::make_unique<tts_stream_client>(io.io(), stream_options(*mocks), ev.callbacks());
  client->connect();
  const std::string first = "Your car is ready for pick up at four this afternoon.";
  const std::string second = "We close at six.";
  client->speak(1, first);
  client->speak(2, second);
  REQUIRE(ev.done.wait_for(2));
  auto bytes = ev.bytes_by_segment();
  CHECK(bytes[1] == first.size() * bytes_per_char);
  CHECK(bytes[2] == second.size() * bytes_per_char);
  const auto stats = client->stats();
  CHECK(stats.audio_bytes == (first.size() + second.size()) * bytes_per_char);
  CHECK(stats.audio_messages >= (first.size() + second.size()) * bytes_per_char / 320);
  CHECK(stats.audio_deliveries == ev.audio.size());
  CHECK(stats.audio_deliveries * 2 < stats.audio_messages);
  std::size_t biggest = 0;
  for (const auto& a : ev.audio.items()) biggest = std::max(biggest, a.mulaw.size());
  CHECK(biggest <= 1600 + 320);
  // The start of each segment is not held: the first hand-over is a single message.
  CHECK(ev.audio.items().front().mulaw.size() == 320);

  // Without coalescing every message is its own hand-over.
  tts_events plain;
  auto o = stream_options(*mocks);
  o.coalesce_bytes = 0;
  auto client2 = std::make_unique<tts_stream_client>(io.io(), o, plain.callbacks());
  client2->connect();
  client2->speak(1, first);
  REQUIRE(plain.done.wait_for(1));
  CHECK(client2->stats().audio_deliveries == client2->stats().audio_messages);
  CHECK(plain.bytes_by_segment()[1] == first.size() * bytes_per_char);
  client->close();
  client2->close();
  REQUIRE(ev.closed.wait_for(1));
  REQUIRE(plain.closed.wait_for(1));
  client.reset();
  client2.reset();
  CHECK(io.drain(3000ms));
}

TEST_CASE("TTS WebSocket Clear drops the old segment's audio, later segments play", "[clients][tts]") {
  auto mocks = start_mocks(tts_config(json{{"speed", 2.0}, {"frame_ms", 20}}));
  io_runner io;
  tts_events ev;
  tts_stream_client client(io.io(), stream_options(*mocks), ev.callbacks());
  client.connect();
  client.speak(1, std::string(80, 'a') + ".");  // ~2.6 s of audio at 2x
  client.speak(2, "Queued behind it.");
  REQUIRE(ev.audio.wait_for(3));
  client.clear();
  client.speak(3, "Sorry, go ahead.");
  REQUIRE(ev.cleared.wait_for(1));
  REQUIRE(ev.done.wait_for(1));
  CHECK(ev.done.items() == std::vector<std::uint64_t>{3});  // 1 and 2 never finish
  const auto audio = ev.audio.items();
  std::size_t old_bytes = 0, new_bytes = 0;
  bool new_started = false;
  for (const auto& a : audio) {
    if (a.segment == 3) {
      new_started = true;
      new_bytes += a.mulaw.size();
    } else {
      CHECK_FALSE(new_started);  // nothing old after the new segment began
      CHECK(a.segment == 1);
      old_bytes += a.mulaw.size();
    }
  }
  CHECK(old_bytes < 81 * bytes_per_char / 2);
  CHECK(new_bytes == std::string("Sorry, go ahead.").size() * bytes_per_char);
  auto clear = mocks->log("tts", 0, "tts.control");
  REQUIRE_FALSE(clear.empty());
  CHECK(clear[0]["type"] == "Clear");
}

TEST_CASE("TTS WebSocket splits long text into Speak messages of at most 2000 characters", "[clients][tts]") {
  auto mocks = start_mocks(tts_config(json{{"speed", 200.0}}));
  io_runner io;
  tts_events ev;
  tts_stream_client client(io.io(), stream_options(*mocks), ev.callbacks());
  client.connect();
  std::string text;
  while (text.size() < 4500) text += "We will call you when the car is ready. ";
  client.speak(7, text);
  REQUIRE(ev.done.wait_for(1, 10000ms));
  CHECK(ev.failures.size() == 0);
  auto speaks = mocks->log("tts", 0, "tts.speak");
  REQUIRE(speaks.size() == 3);
  std::size_t total = 0;
  std::string joined;
  for (const auto& s : speaks) {
    CHECK(s["chars"].get<std::size_t>() <= 2000);
    total += s["chars"].get<std::size_t>();
    joined += s["text"].get<std::string>();
  }
  CHECK(total == text.size());
  CHECK(joined == text);
  CHECK(mocks->log("tts", 0, "tts.flush").size() == 1);
  CHECK(ev.bytes_by_segment()[7] == text.size() * bytes_per_char);
}

TEST_CASE("TTS WebSocket coalesces segments into fewer flushes near the flush limit", "[clients][tts]") {
  auto mocks = start_mocks(tts_config(json{{"speed", 4.0}}));
  io_runner io;
  tts_events ev;
  auto opt = stream_options(*mocks);
  opt.max_flushes = 4;
  opt.flush_reserve = 2;
  tts_stream_client client(io.io(), opt, ev.callbacks());
  client.connect();
  REQUIRE(ev.opened.wait_for(1));
  for (std::uint64_t i = 1; i <= 8; ++i) client.speak(i, "Sentence number " + std::to_string(i) + ".");
  REQUIRE(ev.done.wait_for(8, 10000ms));
  CHECK(ev.done.items() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8});
  const auto flushes = mocks->log("tts", 0, "tts.flush").size();
  CHECK(flushes <= 4);
  CHECK(mocks->log("tts", 0, "tts.flush_ignored").empty());
  CHECK(client.stats().coalesced_segments > 0);
  std::size_t total = 0;
  for (const auto& [seg, n] : ev.bytes_by_segment()) total += n;
  std::size_t expected = 0;
  for (int i = 1; i <= 8; ++i) expected += ("Sentence number " + std::to_string(i) + ".").size() * bytes_per_char;
  CHECK(total == expected);
}

TEST_CASE("TTS WebSocket recovers from the server's flush-limit Warning by flushing again later",
          "[clients][tts][faults]") {
  auto mocks = start_mocks(tts_config(json{{"max_flushes", 2}, {"flush_window_ms", 1000}}));
  io_runner io;
  tts_events ev;
  tts_stream_client client(io.io(), stream_options(*mocks), ev.callbacks());  // believes it has 20
  client.connect();
  for (std::uint64_t i = 1; i <= 4; ++i) client.speak(i, "Line " + std::to_string(i) + ".");
  REQUIRE(ev.done.wait_for(4, 8000ms));
  CHECK(ev.done.items() == std::vector<std::uint64_t>{1, 2, 3, 4});
  REQUIRE(ev.warnings.size() >= 1);
  CHECK(ev.warnings.items()[0].first == "FLUSH_RATE_LIMIT");
  CHECK(client.stats().flush_warnings >= 1);
  CHECK(mocks->log("tts", 0, "tts.flush_ignored").size() >= 1);
}

TEST_CASE("TTS WebSocket faults: handshake 429 and 401, connect stall and delay, flush delay, drop and stall "
          "mid-audio, over-long text and the character rate limit",
          "[clients][tts][faults]") {
  io_runner io;
  auto run = [&](json cfg, auto&& tweak, auto&& act) {
    auto mocks = start_mocks(tts_config(std::move(cfg)));
    tts_events ev;
    auto opt = stream_options(*mocks);
    tweak(opt);
    tts_stream_client client(io.io(), opt, ev.callbacks());
    client.connect();
    act(client, ev, *mocks);
  };
  auto no_tweak = [](deepgram::tts_stream_options&) {};
  SECTION("429 at the handshake") {
    run(json{{"faults", {{{"kind", "status"}, {"status", 429}, {"match", "tts.ws"}, {"retry_after", "1"}}}}}, no_tweak,
        [](auto&, tts_events& ev, auto&) {
          REQUIRE(ev.failures.wait_for(1));
          auto e = ev.failures.items()[0];
          CHECK(e.code == provider_errc::rate_limited);
          CHECK(e.http_status == 429);
          CHECK(e.retry_after == std::optional<ms>(1000ms));
        });
  }
  SECTION("401 at the handshake") {
    run(json::object(), [](auto& o) { o.api_key = "nope"; }, [](auto&, tts_events& ev, auto&) {
      REQUIRE(ev.failures.wait_for(1));
      CHECK(ev.failures.items()[0].code == provider_errc::unauthenticated);
      CHECK(ev.failures.items()[0].is_permanent());
    });
  }
  SECTION("stalled handshake") {
    run(json{{"faults", {{{"kind", "stall"}, {"at", "connect"}, {"match", "tts.ws"}, {"stall_ms", 3000}}}}},
        [](auto& o) { o.connect_timeout = 400ms; },
        [](auto&, tts_events& ev, auto&) {
          REQUIRE(ev.failures.wait_for(1));
          CHECK(ev.failures.items()[0].code == provider_errc::timeout);
        });
  }
  SECTION("dropped handshake") {
    run(json{{"faults", {{{"kind", "drop"}, {"at", "connect"}, {"match", "tts.ws"}}}}}, no_tweak,
        [](auto&, tts_events& ev, auto&) {
          REQUIRE(ev.failures.wait_for(1));
          CHECK(ev.failures.items()[0].code == provider_errc::connection_lost);
        });
  }
  SECTION("slow handshake and slow first byte still play") {
    run(json{{"faults", {{{"kind", "delay"}, {"delay_ms", 300}}}}}, no_tweak, [](auto& c, tts_events& ev, auto& m) {
      c.speak(1, "Slow but fine.");
      REQUIRE(ev.done.wait_for(1));
      CHECK(ev.bytes_by_segment()[1] == std::string("Slow but fine.").size() * bytes_per_char);
      CHECK(m.log("tts", 0, "tts.flush")[0]["faults"][0] == "delay");
    });
  }
  SECTION("drop mid-audio") {
    run(json{{"faults", {{{"kind", "drop"}, {"match", "tts.ws.flush"}, {"after", 200}}}}}, no_tweak,
        [](auto& c, tts_events& ev, auto&) {
          c.speak(1, std::string(40, 'b'));
          REQUIRE(ev.failures.wait_for(1));
          CHECK(ev.failures.items()[0].code == provider_errc::connection_lost);
          CHECK(ev.done.size() == 0);
          c.speak(2, "after the failure");
          REQUIRE(ev.refused.wait_for(1));
          CHECK(ev.refused.items()[0].first == 2);
          c.reconnect();
          REQUIRE(ev.opened.wait_for(2));
        });
  }
  SECTION("stall mid-audio") {
    run(json{{"faults", {{{"kind", "stall"}, {"match", "tts.ws.flush"}, {"after", 100}, {"times", 1}}}}},
        [](auto& o) { o.stall_after = 600ms; },
        [](auto& c, tts_events& ev, auto&) {
          const auto t0 = steady::now();
          c.speak(1, std::string(40, 'c'));
          REQUIRE(ev.failures.wait_for(1));
          CHECK(ev.failures.items()[0].code == provider_errc::timeout);
          CHECK(ev.failures.items()[0].reason == "stalled");
          CHECK(seconds_since(t0) < 1.5);
          CHECK(ev.audio.size() > 0);
        });
  }
  SECTION("text over the server's limit closes 1009 BIG-0001") {
    run(json{{"ws_max_chars", 100}}, no_tweak, [](auto& c, tts_events& ev, auto&) {
      c.speak(1, std::string(150, 'd'));
      REQUIRE(ev.failures.wait_for(1));
      CHECK(ev.failures.items()[0].code == provider_errc::bad_request);
      CHECK(ev.failures.items()[0].reason == "BIG-0001");
    });
  }
  SECTION("character rate limit closes 1008 DATA-0001") {
    run(json{{"chars_per_minute", 50}}, no_tweak, [](auto& c, tts_events& ev, auto&) {
      c.speak(1, std::string(40, 'e'));
      c.speak(2, std::string(40, 'f'));
      REQUIRE(ev.failures.wait_for(1));
      CHECK(ev.failures.items()[0].code == provider_errc::rate_limited);
      CHECK(ev.failures.items()[0].reason == "DATA-0001");
    });
  }
}

TEST_CASE("TTS REST streams raw mu-law (container=none) as the body arrives", "[clients][tts][rest]") {
  auto mocks = start_mocks(tts_config(json{{"speed", 5.0}}));
  io_runner io;
  rest_events ev;
  tts_rest_client client(io.io(), rest_options(*mocks), ev.callbacks());
  const std::string text = "Your appointment is confirmed for Tuesday.";
  client.synthesize(11, text);
  REQUIRE(ev.done.wait_for(1));
  CHECK_FALSE(ev.done.items()[0].second.has_value());
  CHECK(ev.bytes() == text.size() * bytes_per_char);
  const auto chunks = ev.audio.items();
  CHECK(chunks.size() > 3);  // delivered piece by piece, not at the end
  REQUIRE_FALSE(chunks.empty());
  CHECK(std::string(chunks[0].mulaw.begin(), chunks[0].mulaw.begin() + 4) != "RIFF");
  auto rest = mocks->log("tts", 0, "tts.rest");
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]["query"]["container"] == "none");
  CHECK(rest[0]["query"]["encoding"] == "mulaw");
  CHECK(rest[0]["query"]["sample_rate"] == "8000");
  CHECK(rest[0]["content_type"] == "application/json");
  CHECK(json::parse(rest[0]["body"].get<std::string>()) == json{{"text", text}});
}

TEST_CASE("TTS REST cuts long text into requests within the limit, in order", "[clients][tts][rest]") {
  auto mocks = start_mocks(tts_config(json{{"speed", 200.0}}));
  io_runner io;
  rest_events ev;
  tts_rest_client client(io.io(), rest_options(*mocks), ev.callbacks());
  std::string text;
  while (text.size() < 2500) text += "Please bring the spare key. ";
  client.synthesize(1, text);
  client.synthesize(2, "And the wheel lock.");
  REQUIRE(ev.done.wait_for(2, 10000ms));
  CHECK(ev.done.items()[0].first == 1);
  CHECK(ev.done.items()[1].first == 2);
  CHECK_FALSE(ev.done.items()[0].second);
  auto rest = mocks->log("tts", 0, "tts.rest");
  REQUIRE(rest.size() == 4);
  for (const auto& r : rest) {
    CHECK(r["status"] == 200);
    CHECK(r["chars"].get<int>() <= 1000);
  }
  std::size_t seg1 = 0;
  for (const auto& a : ev.audio.items())
    if (a.segment == 1) seg1 += a.mulaw.size();
  CHECK(seg1 == text.size() * bytes_per_char);
}

TEST_CASE("TTS REST 422 (text too long) is permanent and not retried", "[clients][tts][rest][faults]") {
  auto mocks = start_mocks(tts_config());
  io_runner io;
  rest_events ev;
  auto opt = rest_options(*mocks);
  opt.max_chars = 1500;  // more than the server takes
  tts_rest_client client(io.io(), opt, ev.callbacks());
  client.synthesize(5, std::string(1200, 'x'));
  REQUIRE(ev.done.wait_for(1));
  auto err = ev.done.items()[0].second;
  REQUIRE(err);
  CHECK(err->code == provider_errc::bad_request);
  CHECK(err->http_status == 422);
  CHECK(err->is_permanent());
  CHECK(mocks->log("tts", 0, "tts.rest").size() == 1);
  CHECK(ev.audio.size() == 0);
}

TEST_CASE("TTS REST faults: 503 and 429 retried before any audio, drop and stall mid-body reported, slow "
          "first byte tolerated, 401 permanent",
          "[clients][tts][rest][faults]") {
  io_runner io;
  const std::string text = "Thanks for calling.";
  auto run = [&](json faults, auto&& tweak) {
    auto mocks = start_mocks(tts_config(json{{"faults", std::move(faults)}}));
    rest_events ev;
    auto opt = rest_options(*mocks);
    tweak(opt);
    tts_rest_client client(io.io(), opt, ev.callbacks());
    client.synthesize(1, text);
    REQUIRE(ev.done.wait_for(1, 6000ms));
    return std::make_tuple(ev.done.items()[0].second, ev.bytes(), mocks->log("tts", 0, "tts.rest").size());
  };
  auto none = [](auto&) {};
  SECTION("503 once") {
    auto [err, bytes, requests] = run(json{{{"kind", "status"}, {"status", 503}, {"match", "tts.rest"}, {"times", 1}}}, none);
    CHECK_FALSE(err);
    CHECK(bytes == text.size() * bytes_per_char);
    CHECK(requests == 2);
  }
  SECTION("429 once with Retry-After") {
    const auto t0 = steady::now();
    auto [err, bytes, requests] =
      run(json{{{"kind", "status"}, {"status", 429}, {"match", "tts.rest"}, {"times", 1}, {"retry_after", "0.3"}}}, none);
    CHECK_FALSE(err);
    CHECK(requests == 2);
    CHECK(seconds_since(t0) >= 0.3);
  }
  SECTION("drop after audio started") {
    auto [err, bytes, requests] = run(json{{{"kind", "drop"}, {"match", "tts.rest"}, {"after", 200}}}, none);
    REQUIRE(err);
    CHECK(err->code == provider_errc::connection_lost);
    CHECK(bytes > 0);
    CHECK(bytes < text.size() * bytes_per_char);
    CHECK(requests == 1);  // audio was delivered: never repeated
  }
  SECTION("drop before any byte is retried") {
    auto [err, bytes, requests] = run(json{{{"kind", "drop"}, {"match", "tts.rest"}, {"times", 1}}}, none);
    CHECK_FALSE(err);
    CHECK(requests == 2);
  }
  SECTION("stall mid-body") {
    auto [err, bytes, requests] = run(json{{{"kind", "stall"}, {"match", "tts.rest"}, {"after", 100}, {"stall_ms", 5000}}},
                                      [](auto& o) { o.idle_timeout = 400ms; });
    REQUIRE(err);
    CHECK(err->code == provider_errc::timeout);
    CHECK(bytes > 0);
  }
  SECTION("slow first byte within the timeout") {
    auto [err, bytes, requests] = run(json{{{"kind", "delay"}, {"match", "tts.rest"}, {"delay_ms", 400}}}, none);
    CHECK_FALSE(err);
    CHECK(bytes == text.size() * bytes_per_char);
  }
  SECTION("401") {
    auto [err, bytes, requests] = run(json::array(), [](auto& o) { o.api_key = "wrong"; });
    REQUIRE(err);
    CHECK(err->code == provider_errc::unauthenticated);
    CHECK(requests == 1);
  }
}

TEST_CASE("TTS REST cancel_all drops queued and playing segments without callbacks", "[clients][tts][rest]") {
  auto mocks = start_mocks(tts_config(json{{"speed", 1.0}}));
  io_runner io;
  rest_events ev;
  tts_rest_client client(io.io(), rest_options(*mocks), ev.callbacks());
  client.synthesize(1, std::string(60, 'g'));
  client.synthesize(2, "never");
  REQUIRE(ev.audio.wait_for(1));
  client.cancel_all();
  client.synthesize(3, "Okay.");
  REQUIRE(ev.done.wait_for(1));
  CHECK(ev.done.items()[0].first == 3);
  CHECK(ev.done.size() == 1);
  for (const auto& a : ev.audio.items()) CHECK(a.segment != 2);
}
