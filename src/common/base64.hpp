// Standard base64 (RFC 4648, with '=' padding), as used by Twilio media payloads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ce {

std::string base64_encode(std::span<const std::uint8_t> data);
/// Decodes into `out` (cleared first). Returns false on invalid input (bad character,
/// bad length or padding); `out` is then unspecified.
bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out);
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

} // namespace ce
