// Thin wrappers over OpenSSL's one-shot digests and MACs (private to src/twilio; keeps
// OpenSSL headers out of the public ones).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ce::twilio::crypto {

using sha1_digest = std::array<std::uint8_t, 20>;
using sha256_digest = std::array<std::uint8_t, 32>;

sha1_digest hmac_sha1(std::string_view key, std::string_view message);
sha256_digest hmac_sha256(std::string_view key, std::string_view message);
sha256_digest sha256(std::string_view data);

/// Lowercase hexadecimal of `bytes`.
std::string to_hex(const std::uint8_t* bytes, std::size_t size);

/// Equality of two byte strings whose running time does not depend on where they differ
/// (only on their lengths, which are not secret here).
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace ce::twilio::crypto
