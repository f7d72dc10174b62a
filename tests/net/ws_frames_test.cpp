// WebSocket framing (src/websocket): what the Twilio sessions and the provider clients
// put on the wire and take off it, without Beast.
#include <catch2/catch.hpp>

#include "websocket/frames.hpp"

#include <string>
#include <vector>

using namespace ce;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

/// Every message a reader yields for `wire`, fed `step` bytes at a time.
std::vector<std::pair<ws::opcode, std::string>> read_all(ws::frame_reader& r, const std::string& wire,
                                                         std::size_t step = 1 << 20) {
  std::vector<std::pair<ws::opcode, std::string>> out;
  for (std::size_t pos = 0; pos < wire.size(); pos += step) {
    auto n = std::min(step, wire.size() - pos);
    auto room = r.prepare(n);
    std::copy_n(wire.begin() + static_cast<std::ptrdiff_t>(pos), n, room.begin());
    r.commit(n);
    while (auto m = r.next()) out.emplace_back(m->op, std::string(m->text()));
  }
  return out;
}

} // namespace

TEST_CASE("Frame headers use the 7-bit, 16-bit and 64-bit length forms and carry the mask key", "[net][ws]") {
  CHECK(ws::make_header(ws::opcode::text, 0).size == 2);
  CHECK(ws::make_header(ws::opcode::text, 125).size == 2);
  auto h126 = ws::make_header(ws::opcode::binary, 126);
  REQUIRE(h126.size == 4);
  CHECK(h126.bytes[0] == 0x82);
  CHECK(h126.bytes[1] == 126);
  CHECK(h126.bytes[3] == 126);
  CHECK(ws::make_header(ws::opcode::binary, 65535).size == 4);
  auto big = ws::make_header(ws::opcode::binary, 65536);
  REQUIRE(big.size == 10);
  CHECK(big.bytes[1] == 127);
  CHECK(big.bytes[7] == 1);  // 0x00010000 big-endian
  const std::uint8_t key[4] = {1, 2, 3, 4};
  auto masked = ws::make_header(ws::opcode::text, 5, key);
  REQUIRE(masked.size == 6);
  CHECK((masked.bytes[1] & 0x80) != 0);
  CHECK(masked.bytes[5] == 4);
}

TEST_CASE("A server reads what a client masks, and a client reads what a server sends, whole or byte by byte",
          "[net][ws]") {
  ws::mask_source masks;
  std::string from_client;
  for (const char* text : {"{\"event\":\"media\"}", "", "x"}) {
    auto key = masks.next();
    ws::append_frame(from_client, ws::opcode::text, text, key.data());
  }
  std::string large(70000, 'a');
  auto key = masks.next();
  ws::append_frame(from_client, ws::opcode::binary, large, key.data());
  for (std::size_t step : {std::size_t{1} << 20, std::size_t{1}, std::size_t{7}}) {
    ws::frame_reader server{true, 1 << 20};
    auto got = read_all(server, from_client, step);
    INFO("step " << step);
    REQUIRE(got.size() == 4);
    CHECK(got[0] == std::make_pair(ws::opcode::text, std::string("{\"event\":\"media\"}")));
    CHECK(got[1].second.empty());
    CHECK(got[2].second == "x");
    CHECK(got[3].first == ws::opcode::binary);
    CHECK(got[3].second == large);
    CHECK_FALSE(server.error());
  }
  std::string from_server;
  ws::append_frame(from_server, ws::opcode::binary, std::string(300, '\x7f'));
  ws::frame_reader client{false, 1 << 16};
  auto got = read_all(client, from_server, 5);
  REQUIRE(got.size() == 1);
  CHECK(got[0].second == std::string(300, '\x7f'));
}

TEST_CASE("Fragments are joined into one message, with a control frame allowed between them", "[net][ws]") {
  // text "Hel" + ping + continuation "lo" (FIN), server to client (unmasked)
  std::string wire;
  wire += '\x01';  // text, not FIN
  wire += '\x03';
  wire += "Hel";
  ws::append_frame(wire, ws::opcode::ping, "p");
  wire += '\x80';  // continuation, FIN
  wire += '\x02';
  wire += "lo";
  ws::frame_reader r{false, 1024};
  auto got = read_all(r, wire);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::make_pair(ws::opcode::ping, std::string("p")));
  CHECK(got[1] == std::make_pair(ws::opcode::text, std::string("Hello")));
}

TEST_CASE("Protocol violations stop the reader with the close code they call for", "[net][ws]") {
  auto first_error = [](bool server, const std::string& wire, std::size_t max = 1024) {
    ws::frame_reader r{server, max};
    r.append(std::span(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()));
    while (r.next()) {
    }
    return std::make_pair(r.error().value_or(""), r.error_code());
  };
  std::string unmasked;
  ws::append_frame(unmasked, ws::opcode::text, "hi");
  CHECK_THAT(first_error(true, unmasked).first, Catch::Contains("unmasked"));
  const std::uint8_t key[4] = {9, 9, 9, 9};
  std::string masked;
  ws::append_frame(masked, ws::opcode::text, "hi", key);
  CHECK_THAT(first_error(false, masked).first, Catch::Contains("masked"));
  CHECK_THAT(first_error(false, std::string("\xC1\x00", 2)).first, Catch::Contains("reserved"));
  CHECK_THAT(first_error(false, std::string("\x83\x00", 2)).first, Catch::Contains("opcode"));
  CHECK_THAT(first_error(false, std::string("\x09\x00", 2)).first, Catch::Contains("control"));
  CHECK_THAT(first_error(false, std::string("\x80\x00", 2)).first, Catch::Contains("continuation"));
  std::string big;
  ws::append_frame(big, ws::opcode::binary, std::string(2000, 'b'));
  auto too_big = first_error(false, big, 1000);
  CHECK_THAT(too_big.first, Catch::Contains("larger"));
  CHECK(too_big.second == ws::close_too_big);
  ws::frame_reader ok{false, 1024};
  ok.append(bytes_of(std::string("\x81", 1)));  // a frame cut short is not an error
  CHECK_FALSE(ok.next());
  CHECK_FALSE(ok.error());
}

TEST_CASE("Close frames carry their code, and a missing one reads as 1005", "[net][ws]") {
  std::string wire;
  ws::append_frame(wire, ws::opcode::close, ws::close_payload(1000, "bye"));
  ws::append_frame(wire, ws::opcode::close, "");
  ws::frame_reader r{false, 1024};
  r.append(bytes_of(wire));
  auto a = r.next();
  REQUIRE(a);
  CHECK(a->close_code() == 1000);
  CHECK(a->text().substr(2) == "bye");
  auto b = r.next();
  REQUIRE(b);
  CHECK(b->close_code() == 1005);
}

TEST_CASE("The handshake's accept key is the RFC 6455 example's, and fresh keys are 16 random bytes", "[net][ws]") {
  CHECK(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  auto k1 = ws::random_key(), k2 = ws::random_key();
  CHECK(k1.size() == 24);
  CHECK(k1 != k2);
}
