// The sentences callers say to the service department, generated from templates and the
// dealership's facts. It is the training text of the domain language model.
#pragma once

#include "callengine/config.hpp"

#include <string>
#include <vector>

namespace ce::stt {

/// Lowercase caller sentences (normalized as by normalize_spoken), deterministic for given
/// facts: greetings, hours, location, services and prices, booking, rescheduling,
/// cancelling, asking for a person, yes/no, thanks, names, phone numbers, vehicles, dates,
/// times and mileage. Frequent replies appear several times, which weights them. Words
/// that come from `facts` are used as given (normalized); prepare_domain_lm drops
/// sentences whose words the pronunciation dictionary lacks.
std::vector<std::string> build_domain_corpus(const dealership_facts& facts);

/// The distinct words of `corpus` missing from the pronunciation dictionary at
/// `dict_path`, sorted. When the dictionary cannot be read every word is missing.
std::vector<std::string> out_of_vocabulary(const std::vector<std::string>& corpus,
                                           const std::string& dict_path);

} // namespace ce::stt
