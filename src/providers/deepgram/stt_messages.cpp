#include "providers/deepgram/stt_messages.hpp"

#include <nlohmann/json.hpp>

namespace ce::deepgram {
namespace {

using json = nlohmann::json;

double num(const json& j, const char* key, double fallback = 0) {
  auto it = j.find(key);
  return (it != j.end() && it->is_number()) ? it->get<double>() : fallback;
}

bool flag(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::optional<stt_message> parse_results(const json& j) {
  auto ch = j.find("channel");
  if (ch == j.end() || !ch->is_object()) return std::nullopt;
  auto alts = ch->find("alternatives");
  if (alts == ch->end() || !alts->is_array()) return std::nullopt;
  stt_result r;
  r.start = num(j, "start");
  r.duration = num(j, "duration");
  r.is_final = flag(j, "is_final");
  r.speech_final = flag(j, "speech_final");
  r.from_finalize = flag(j, "from_finalize");
  if (!alts->empty() && (*alts)[0].is_object()) {
    const auto& a = (*alts)[0];
    r.transcript = str(a, "transcript");
    r.confidence = num(a, "confidence");
    if (auto w = a.find("words"); w != a.end() && w->is_array()) {
      for (const auto& wj : *w) {
        if (!wj.is_object()) continue;
        stt_word word;
        word.word = str(wj, "word");
        word.punctuated_word = str(wj, "punctuated_word");
        if (word.punctuated_word.empty()) word.punctuated_word = word.word;
        word.start = num(wj, "start");
        word.end = num(wj, "end");
        word.confidence = num(wj, "confidence");
        r.words.push_back(std::move(word));
      }
    }
  }
  return r;
}

} // namespace

std::optional<stt_message> parse_stt_message(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const std::string type = str(j, "type");
  if (type.empty()) return std::nullopt;
  if (type == "Results") return parse_results(j);
  if (type == "SpeechStarted") return stt_speech_started_msg{num(j, "timestamp")};
  if (type == "UtteranceEnd") return stt_utterance_end_msg{num(j, "last_word_end")};
  if (type == "Metadata") return stt_metadata{str(j, "request_id"), num(j, "duration")};
  return stt_other_msg{type};
}

} // namespace ce::deepgram
