// Deepgram live STT: the typed values the client hands to its owner, and the parser of the
// server's JSON text frames (protocols.md §5.4) into them. Times are seconds of audio.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ce::deepgram {

struct stt_word {
  std::string word;            ///< lowercase, as recognised
  std::string punctuated_word; ///< with punctuation/casing when punctuate/smart_format (else = word)
  double start = 0;
  double end = 0;
  double confidence = 0;
};

/// One `Results` message.
struct stt_result {
  std::string transcript;  ///< alternatives[0]
  double confidence = 0;
  std::vector<stt_word> words;
  double start = 0;
  double duration = 0;
  bool is_final = false;
  bool speech_final = false;
  bool from_finalize = false;
};

struct stt_speech_started_msg {
  double timestamp = 0;
};

struct stt_utterance_end_msg {
  double last_word_end = 0;
};

struct stt_metadata {
  std::string request_id;
  double duration = 0;  ///< seconds of audio the server processed on that connection
};

/// A text frame the client does not use (logged at debug).
struct stt_other_msg {
  std::string type;
};

using stt_message = std::variant<stt_result, stt_speech_started_msg, stt_utterance_end_msg, stt_metadata, stt_other_msg>;

/// Parses one text frame; nullopt when it is not a JSON object with a string `type` (or a
/// Results without channel.alternatives).
std::optional<stt_message> parse_stt_message(std::string_view text);

} // namespace ce::deepgram
