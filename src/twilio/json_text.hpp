// Writing JSON text by hand (the hot outbound path builds strings directly instead of
// going through a document tree). Private to src/twilio.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ce::twilio::json_text {

/// Appends `s` as a quoted JSON string: `"` and `\` escaped, control characters as
/// `\n`/`\t`/`\u00XX`, and every byte that is not part of valid UTF-8 replaced by U+FFFD,
/// so the result is always valid JSON.
void append_string(std::string& out, std::string_view s);

/// Appends `"<decimal>"` (Twilio sends its counters as strings).
void append_decimal_string(std::string& out, std::uint64_t value);

} // namespace ce::twilio::json_text
