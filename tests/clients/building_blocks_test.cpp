// The clients' pure building blocks: URL handling, error classification, retry timing,
// the replay ring, and Deepgram utterance assembly across a reconnect with replay.
#include <catch2/catch.hpp>

#include "providers/deepgram/audio_ring.hpp"
#include "providers/deepgram/utterance_assembler.hpp"
#include "providers/http/backoff.hpp"
#include "providers/http/provider_error.hpp"
#include "providers/http/url.hpp"

using namespace ce;
using namespace std::chrono_literals;
using http::provider_errc;

TEST_CASE("Base URLs parse, and WebSocket URLs derive from them (https->wss, http->ws)", "[clients][units]") {
  auto u = http::parse_url("https://api.deepgram.com");
  REQUIRE(u);
  CHECK(u->port == 443);
  CHECK(u->secure());
  CHECK(u->authority() == "api.deepgram.com");
  CHECK(http::websocket_url(*u).scheme == "wss");
  auto o = http::parse_url("https://api.openai.com/v1/");
  REQUIRE(o);
  CHECK(o->path == "/v1");
  CHECK(o->target("/chat/completions") == "/v1/chat/completions");
  auto m = http::parse_url("http://127.0.0.1:41234/calendar/v3");
  REQUIRE(m);
  CHECK_FALSE(m->secure());
  CHECK(m->port == 41234);
  CHECK(m->authority() == "127.0.0.1:41234");
  CHECK(http::websocket_url(*m).scheme == "ws");
  CHECK_FALSE(http::parse_url("ftp://x"));
  CHECK_FALSE(http::parse_url("https://user:pw@host"));
  CHECK_FALSE(http::parse_url("http://host:99999"));
  CHECK_FALSE(http::parse_url("no-scheme"));
  CHECK(http::percent_encode("a b@c#d/é") == "a%20b%40c%23d%2F%C3%A9");
  CHECK(http::encode_query({{"k", "v w"}, {"x", "1&2"}}) == "k=v%20w&x=1%262");
}

TEST_CASE("Provider errors are classified in one place, with is_permanent", "[clients][units]") {
  CHECK(http::classify_http(429, "rate_limit_exceeded", "").code == provider_errc::rate_limited);
  CHECK(http::classify_http(429, "insufficient_quota", "").code == provider_errc::quota_exhausted);
  CHECK(http::classify_http(429, {"", "insufficient_quota"}, "").code == provider_errc::quota_exhausted);
  CHECK(http::classify_http(429, {"rate_limit_exceeded", "requests"}, "").reason == "rate_limit_exceeded");
  CHECK(http::classify_http(403, "rateLimitExceeded", "").code == provider_errc::rate_limited);
  CHECK(http::classify_http(403, "userRateLimitExceeded", "").code == provider_errc::rate_limited);
  CHECK(http::classify_http(403, "forbiddenForNonOrganizer", "").code == provider_errc::forbidden);
  CHECK(http::classify_http(402, "ASR_PAYMENT_REQUIRED", "").code == provider_errc::quota_exhausted);
  CHECK(http::classify_http(401, "INVALID_AUTH", "").code == provider_errc::unauthenticated);
  CHECK(http::classify_http(400, "invalid_grant", "").code == provider_errc::unauthenticated);
  CHECK(http::classify_http(400, "temporarily_unavailable", "").code == provider_errc::server_error);
  CHECK(http::classify_http(413, "", "").code == provider_errc::bad_request);
  CHECK(http::classify_http(422, "", "").code == provider_errc::bad_request);
  CHECK(http::classify_http(404, "notFound", "").code == provider_errc::not_found);
  CHECK(http::classify_http(408, "", "").code == provider_errc::timeout);
  CHECK(http::classify_http(409, "", "").code == provider_errc::conflict);
  CHECK(http::classify_http(410, "deleted", "").code == provider_errc::gone);
  CHECK(http::classify_http(500, "", "").code == provider_errc::server_error);
  CHECK(http::classify_http(503, "server_is_overloaded", "").code == provider_errc::server_error);
  CHECK(http::classify_ws_close(1000, "") == std::nullopt);
  CHECK(http::classify_ws_close(1011, "NET-0001")->code == provider_errc::timeout);
  CHECK(http::classify_ws_close(1011, "NET-0000")->code == provider_errc::server_error);
  CHECK(http::classify_ws_close(1008, "DATA-0000")->code == provider_errc::protocol_violation);
  CHECK(http::classify_ws_close(1008, "DATA-0001")->code == provider_errc::rate_limited);
  CHECK(http::classify_ws_close(1009, "BIG-0001")->code == provider_errc::bad_request);
  CHECK(http::classify_stream_error("insufficient_quota", "", "").code == provider_errc::quota_exhausted);
  CHECK(http::classify_stream_error("server_error", "", "").code == provider_errc::server_error);
  for (auto c : {provider_errc::unauthenticated, provider_errc::forbidden, provider_errc::quota_exhausted,
                 provider_errc::bad_request, provider_errc::not_found, provider_errc::protocol_violation,
                 provider_errc::tls_failure, provider_errc::cancelled})
    CHECK(http::is_permanent(c));
  for (auto c : {provider_errc::rate_limited, provider_errc::timeout, provider_errc::unreachable,
                 provider_errc::connection_lost, provider_errc::server_error, provider_errc::truncated,
                 provider_errc::conflict})
    CHECK_FALSE(http::is_permanent(c));
}

TEST_CASE("Retries: server hints first, jittered backoff otherwise, never beyond the deadline or for permanent errors",
          "[clients][units]") {
  http::retry_policy p;
  p.initial_backoff = 100ms;
  p.max_backoff = 1000ms;
  p.jitter = 0.25;
  CHECK(http::backoff_delay(p, 0, 0.0) == 100ms);
  CHECK(http::backoff_delay(p, 0, 1.0) == 75ms);
  CHECK(http::backoff_delay(p, 3, 0.0) == 800ms);
  CHECK(http::backoff_delay(p, 9, 0.0) == 1000ms);

  auto rate = http::classify_http(429, "rate_limit_exceeded", "");
  http::apply_retry_hints(rate, "200", "1", "true");
  CHECK(rate.retry_after == std::optional(200ms));
  CHECK(http::retry_delay(rate, p, 1, 2000ms, 0.5) == std::optional(200ms));
  CHECK_FALSE(http::retry_delay(rate, p, 1, 150ms, 0.5));  // no room before the deadline
  CHECK_FALSE(http::retry_delay(rate, p, 3, 2000ms, 0.5));  // attempts used up
  auto no = http::classify_http(500, "", "");
  http::apply_retry_hints(no, "", "", "false");
  CHECK_FALSE(http::retry_delay(no, p, 1, 2000ms, 0.5));  // x-should-retry: false
  auto quota = http::classify_http(429, "insufficient_quota", "");
  http::apply_retry_hints(quota, "", "", "true");
  CHECK_FALSE(http::retry_delay(quota, p, 1, 2000ms, 0.5));  // permanent beats the header
  auto far = http::classify_http(503, "", "");
  http::apply_retry_hints(far, "", "600", "");
  CHECK_FALSE(http::retry_delay(far, p, 1, 10'000'000ms, 0.5));  // asks for more than 120 s
  CHECK(http::parse_retry_after("2", std::chrono::system_clock::now()) == std::optional(2000ms));
  CHECK(http::parse_retry_after("0.5", std::chrono::system_clock::now()) == std::optional(500ms));
  const auto now = std::chrono::system_clock::from_time_t(1445412470);  // 2015-10-21 07:27:50 UTC
  CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == std::optional(10000ms));
  CHECK_FALSE(http::parse_retry_after("soon", now));
}

namespace {

deepgram::stt_result final_result(std::vector<std::pair<std::string, std::pair<double, double>>> words, double start,
                                  double duration, bool speech_final) {
  deepgram::stt_result r;
  r.is_final = true;
  r.speech_final = speech_final;
  r.start = start;
  r.duration = duration;
  for (auto& [w, t] : words) {
    r.words.push_back({w, w, t.first, t.second, 0.9});
    r.transcript += (r.transcript.empty() ? "" : " ") + w;
  }
  r.confidence = 0.9;
  return r;
}

} // namespace

TEST_CASE("Utterance assembly: interims, joined finals, empty finals, UtteranceEnd, and no repeats after a replay",
          "[clients][units]") {
  deepgram::utterance_assembler a;
  deepgram::stt_result interim;
  interim.transcript = "book";
  interim.start = 1.0;
  interim.duration = 0.4;
  auto s = a.on_result(interim);
  REQUIRE(s.interim);
  CHECK(s.interim->utterance_text == "book");
  CHECK_FALSE(s.utterance);
  s = a.on_result(final_result({{"book", {1.0, 1.2}}, {"a", {1.2, 1.3}}}, 1.0, 0.5, false));
  CHECK_FALSE(s.utterance);
  s = a.on_result(final_result({{"service.", {1.5, 2.0}}}, 1.5, 0.7, true));
  REQUIRE(s.utterance);
  CHECK(s.utterance->text == "book a service.");
  CHECK(s.utterance->words.size() == 3);
  CHECK(s.utterance->start == Approx(1.0));
  CHECK(a.emitted_until() == Approx(2.0));
  // An empty speech_final ends nothing new; UtteranceEnd with nothing pending neither.
  CHECK_FALSE(a.on_result(final_result({}, 2.2, 0.5, true)).utterance);
  CHECK_FALSE(a.on_utterance_end());
  a.on_result(final_result({{"Tuesday", {3.0, 3.5}}}, 3.0, 0.6, false));
  auto ue = a.on_utterance_end();
  REQUIRE(ue);
  CHECK(ue->text == "Tuesday");
  CHECK(ue->reason == deepgram::utterance_end_reason::utterance_end);

  // "at ten" is pending (final, no speech_final) when the connection dies at 5.0; the
  // replay restarts at 4.0 (stream time): the part of the pending text inside the replay
  // is dropped, and the new connection (time base 4.0) hears it again.
  a.on_result(final_result({{"at", {3.8, 3.9}}, {"ten", {4.2, 4.5}}}, 3.7, 0.9, false));
  a.rebase(4.0);
  a.set_time_base(4.0);
  auto again = a.on_result(final_result({{"ten", {0.21, 0.5}}, {"works.", {0.5, 0.9}}}, 0.1, 1.0, true));
  REQUIRE(again.utterance);
  CHECK(again.utterance->text == "at ten works.");
  CHECK(again.utterance->end == Approx(4.9));

  // A replay that covers audio already delivered does not deliver it twice.
  deepgram::utterance_assembler b;
  b.on_result(final_result({{"yes", {10.0, 10.4}}}, 9.9, 0.8, true));
  b.rebase(9.7);
  b.set_time_base(9.7);
  auto dup = b.on_result(final_result({{"yes", {0.3, 0.7}}}, 0.2, 0.8, true));
  CHECK_FALSE(dup.interim);
  CHECK_FALSE(dup.utterance);
  auto next = b.on_result(final_result({{"yes", {0.3, 0.7}}, {"please", {1.5, 1.9}}}, 0.2, 2.0, true));
  REQUIRE(next.utterance);
  CHECK(next.utterance->text == "please");
  CHECK(b.on_closed() == std::nullopt);
}

TEST_CASE("The replay ring keeps the newest bytes in order, across wrap-arounds and oversized pushes",
          "[clients][units]") {
  deepgram::audio_ring ring{10};
  auto bytes = [](std::uint8_t from, std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(from + i);
    return v;
  };
  CHECK(ring.contents().empty());
  ring.push(bytes(0, 4));
  CHECK(ring.contents() == bytes(0, 4));
  ring.push(bytes(4, 4));
  CHECK(ring.contents() == bytes(0, 8));
  ring.push(bytes(8, 5));  // wraps: 0..2 fall out
  CHECK(ring.size() == 10);
  CHECK(ring.contents() == bytes(3, 10));
  ring.push(bytes(13, 7));  // wraps again
  CHECK(ring.contents() == bytes(10, 10));
  ring.push(bytes(50, 25));  // more than the capacity: only its last 10 bytes
  CHECK(ring.contents() == bytes(65, 10));
  ring.push(bytes(100, 3));
  auto expected = bytes(68, 7);
  for (std::uint8_t b : bytes(100, 3)) expected.push_back(b);
  CHECK(ring.contents() == expected);
  ring.clear();
  CHECK(ring.contents().empty());
}
