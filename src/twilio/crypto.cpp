#include "twilio/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace ce::twilio::crypto {
namespace {

template <std::size_t N>
std::array<std::uint8_t, N> hmac(const EVP_MD* md, std::string_view key, std::string_view message) {
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  // HMAC() only fails on allocation failure; the zeroed digest then never matches anything.
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return out;
}

} // namespace

sha1_digest hmac_sha1(std::string_view key, std::string_view message) {
  return hmac<20>(EVP_sha1(), key, message);
}

sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
  return hmac<32>(EVP_sha256(), key, message);
}

sha256_digest sha256(std::string_view data) {
  sha256_digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string to_hex(const std::uint8_t* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0F]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace ce::twilio::crypto
