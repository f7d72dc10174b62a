// Cutting text for Deepgram TTS limits (protocols.md §6: ≤2000 characters per WebSocket
// Speak, ≤1000 per REST request on Aura-2): at sentence ends when possible, else at word
// boundaries, else at a character (UTF-8 code point) boundary. Characters are counted as
// Deepgram counts them, in code points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ce::deepgram {

/// UTF-8 code points in `text`.
std::size_t count_chars(std::string_view text);

/// Pieces of at most `max_chars` code points whose concatenation is `text` (whitespace at a
/// cut stays with the piece before it). Empty text gives no pieces.
std::vector<std::string> split_text(std::string_view text, std::size_t max_chars);

} // namespace ce::deepgram
