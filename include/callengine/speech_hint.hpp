// What kind of answer the agent's last question invites. The dialog knows it; the speech
// recogniser uses it to bias the next utterance (e.g. towards digits after "what's your
// ZIP code?"), while still accepting an answer of any other kind.
#pragma once

#include <string_view>

namespace ce {

enum class speech_hint { open, digits, date, yes_no, name, vehicle, time_choice };

constexpr std::string_view to_string(speech_hint h) {
  switch (h) {
    case speech_hint::open: return "open";
    case speech_hint::digits: return "digits";
    case speech_hint::date: return "date";
    case speech_hint::yes_no: return "yes_no";
    case speech_hint::name: return "name";
    case speech_hint::vehicle: return "vehicle";
    case speech_hint::time_choice: return "time_choice";
  }
  return "open";
}

} // namespace ce
