// UTF-8 helpers shared by the hand-written JSON and XML code. Private to src/twilio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ce::twilio::utf8 {

/// Length (1-4) of the valid UTF-8 sequence starting at `s[i]`, or 0 if there is none
/// (bad lead byte, truncated, overlong, surrogate, or past U+10FFFF).
std::size_t sequence_length(std::string_view s, std::size_t i);

/// Appends the UTF-8 encoding of code point `cp` (must be <= U+10FFFF).
void append(std::string& out, std::uint32_t cp);

} // namespace ce::twilio::utf8
