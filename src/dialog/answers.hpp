// answers: the factual sentences the local policy speaks, composed from dealership_facts
// (hours, address, phone, services, makes). Private to src/dialog. Each sentence is short
// and complete, with times, prices and numbers already in spoken form. Missing or
// malformed facts give an honest "I don't have that" sentence, never a guess.
#pragma once

#include "callengine/config.hpp"
#include "dialog/intents.hpp"
#include "dialog/speech_format.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ce::dialog::answers {

using sentences = std::vector<std::string>;

struct hours_question {
  day_ref ref = day_ref::none;
  std::optional<weekday> day;    ///< ref == named
  std::optional<weekday> today;  ///< known only when the engine told the policy
  bool closing_time = false;     ///< "what time do you close"
  bool if_open = false;          ///< "are you open ..." -> starts with "Yes." / "No."
};

sentences hours(const dealership_facts& facts, const hours_question& q);
sentences address(const dealership_facts& facts, bool with_directions);
sentences phone(const dealership_facts& facts);
sentences services_overview(const dealership_facts& facts);
sentences service_details(const dealership_facts& facts, const std::vector<std::size_t>& which);
/// "Prices depend on the service. For example, ..." (or durations when `duration`).
sentences without_service(const dealership_facts& facts, bool duration);
sentences makes(const dealership_facts& facts, const std::optional<std::string>& make, bool serviced);
sentences capabilities();

/// "an oil change" stays, "oil change" -> "an oil change".
std::string with_article(const std::string& name);

} // namespace ce::dialog::answers
