#include "common/base64.hpp"

#include <catch2/catch.hpp>

using namespace ce;

TEST_CASE("base64 round-trips every length and matches RFC 4648 vectors", "[base64]") {
  CHECK(base64_encode(std::vector<std::uint8_t>{}) == "");
  std::string_view plain = "foobar";
  std::vector<std::string> expected{"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (std::size_t n = 0; n <= plain.size(); ++n) {
    std::vector<std::uint8_t> bytes(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(base64_encode(bytes) == expected[n]);
    auto back = base64_decode(expected[n]);
    REQUIRE(back);
    CHECK(*back == bytes);
  }
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  CHECK(*base64_decode(base64_encode(all)) == all);
}

TEST_CASE("160 bytes of mu-law silence encode to Twilio's 216-character payload", "[base64]") {
  std::vector<std::uint8_t> silence(160, 0xFF);
  auto text = base64_encode(silence);
  CHECK(text.size() == 216);
  CHECK(text.substr(0, 4) == "////");
  CHECK(text.substr(212) == "/w==");
}

TEST_CASE("base64 decoding refuses bad characters, lengths and padding", "[base64]") {
  for (const char* bad : {"Zg=", "Z===", "Zg==Zg==", "Zm9v!", "=Zm9", "Zm=v", "Zm9\n", "Zm 9"}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad));
  }
}
