// Capacity probe of the STT/TTS mocks (hidden: run with `tests_mocks "[.capacity]"`).
// N calls, each with a live STT stream fed 20 ms of audio every 20 ms (speech bursts
// and silence) and a TTS WebSocket that speaks a sentence every few seconds, all at real
// time. Reports the mock's CPU use (its own threads only) and what went over the wire.
// Environment: MOCK_CAPACITY_CALLS (default 1000), MOCK_CAPACITY_SECONDS (default 10).
#include "fixtures.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

using namespace ce::mocks;
using namespace ce::mocks::test;

namespace {

/// Resident set size of this process (mock and probe clients together), in KiB.
long rss_kib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4;
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

struct probe_stream : std::enable_shared_from_this<probe_stream> {
  probe_stream(asio::io_context& ioc) : ws(asio::make_strand(ioc)) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  bool open = false;
  bool writing = false;
  std::size_t received = 0;
  std::size_t binary_bytes = 0;
  std::string pending;

  void start(std::uint16_t port, std::string target, std::function<void()> on_open) {
    ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& r) { r.set(http::field::authorization, "Token capacity"); }));
    auto self = shared_from_this();
    beast::get_lowest_layer(ws).async_connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [self, port, target, on_open](beast::error_code ec) {
        if (ec) return;
        self->ws.async_handshake("127.0.0.1:" + std::to_string(port), target, [self, on_open](beast::error_code e) {
          if (e) return;
          self->open = true;
          self->read();
          on_open();
        });
      });
  }
  void read() {
    auto self = shared_from_this();
    ws.async_read(buffer, [self](beast::error_code ec, std::size_t n) {
      if (ec) {
        self->open = false;
        return;
      }
      ++self->received;
      if (self->ws.got_binary()) self->binary_bytes += n;
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
  void send(std::string data, bool binary) {
    if (!open || writing) return;  // a late frame is dropped rather than queued
    writing = true;
    pending = std::move(data);
    ws.binary(binary);
    auto self = shared_from_this();
    ws.async_write(asio::buffer(pending), [self](beast::error_code ec, std::size_t) {
      self->writing = false;
      if (ec) self->open = false;
    });
  }
};

} // namespace

TEST_CASE("Capacity of the STT and TTS mocks at real-time pacing", "[.capacity]") {
  const int calls = env_int("MOCK_CAPACITY_CALLS", 1000);
  const int seconds = env_int("MOCK_CAPACITY_SECONDS", 10);
  auto mocks = start_mocks(json{{"log_limit", 1000},
                                {"deepgram",
                                 {{"stt", {{"script", {"I need an oil change."}}}},
                                  {"tts", {{"ttfb_ms", 150}, {"speed", 2.0}, {"frame_ms", 40}}}}}});
  const long rss_before = rss_kib();
  asio::io_context client;
  std::vector<std::shared_ptr<probe_stream>> stt, tts;
  const std::string listen = listen_query + "&interim_results=true&vad_events=true&endpointing=300&utterance_end_ms=1000";
  const std::string speak = "/v1/speak?model=aura-2-thalia-en&encoding=mulaw&sample_rate=8000";
  std::atomic<int> opened{0};
  for (int i = 0; i < calls; ++i) {
    stt.push_back(std::make_shared<probe_stream>(client));
    stt.back()->start(mocks->deepgram_port(), listen, [&] { ++opened; });
    tts.push_back(std::make_shared<probe_stream>(client));
    tts.back()->start(mocks->deepgram_port(), speak, [&] { ++opened; });
  }
  std::thread client_thread([&] {
    auto guard = asio::make_work_guard(client);
    client.run();
  });
  REQUIRE(eventually([&] { return opened.load() == 2 * calls; }, std::chrono::seconds(30)));
  const long rss_open = rss_kib();

  // Caller audio: 2 s of speech, 3 s of silence, repeated; each call starts at its own offset.
  const auto talk = concat({speech("I need an oil change on Tuesday"), silence_ms(3000)});
  const std::size_t frames_per_cycle = talk.size() / 160;
  asio::steady_timer tick(client);
  std::uint64_t n = 0;
  std::function<void()> on_tick;
  const auto start = std::chrono::steady_clock::now();
  on_tick = [&] {
    ++n;
    for (int i = 0; i < calls; ++i) {
      const std::size_t f = (n + static_cast<std::size_t>(i) * 7) % frames_per_cycle;
      stt[static_cast<std::size_t>(i)]->send(std::string(reinterpret_cast<const char*>(talk.data() + f * 160), 160), true);
      // Every 5 s per call, staggered: one sentence.
      if ((n + static_cast<std::size_t>(i) * 13) % 250 == 0) {
        auto t = tts[static_cast<std::size_t>(i)];
        t->send(R"({"type":"Speak","text":"Your appointment is booked for Tuesday at ten."})", false);
        asio::post(client, [t] { t->send(R"({"type":"Flush"})", false); });
      }
    }
    tick.expires_at(start + std::chrono::milliseconds(20 * (n + 1)));
    tick.async_wait([&](beast::error_code ec) {
      if (!ec) on_tick();
    });
  };
  asio::post(client, on_tick);

  std::this_thread::sleep_for(std::chrono::seconds(2));  // warm up
  const double cpu0 = mocks->cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  const auto stats0 = mocks->stats();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double cpu1 = mocks->cpu_seconds();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto stats1 = mocks->stats();
  asio::post(client, [&] { tick.cancel(); });
  client.stop();
  client_thread.join();

  const auto rate = [&](const char* svc, const char* key) {
    return (stats1[svc][key].get<double>() - stats0[svc][key].get<double>()) / wall;
  };
  const double cpu_pct = 100.0 * (cpu1 - cpu0) / wall;
  std::cout << "capacity: calls=" << calls << " stt_open=" << stats1["stt"]["open"] << " tts_open=" << stats1["tts"]["open"]
            << " mock_cpu=" << cpu_pct << "% of one core"
            << " stt_frames_in/s=" << rate("stt", "messages_in") << " stt_msgs_out/s=" << rate("stt", "messages_out")
            << " tts_frames_out/s=" << rate("tts", "messages_out") << " tts_bytes_out/s=" << rate("tts", "bytes_out")
            << " rss_per_call_kib(mock+probe, 2 sockets each side)=" << (rss_open - rss_before) / calls << std::endl;
  CHECK(stats1["stt"]["open"].get<int>() == calls);
  CHECK(stats1["tts"]["open"].get<int>() == calls);
  CHECK(rate("stt", "messages_in") > 0.9 * 50 * calls);
}
