// Word lists behind the domain corpus: names, vehicles, services and problems callers
// describe. All lowercase and normalized; every word is in the CMU dictionary.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ce::stt {

/// How callers name one service: phrases taking an article ("oil change" -> "an oil
/// change") and phrases used bare ("brakes", "air conditioning").
struct service_words {
  std::vector<std::string> countable;
  std::vector<std::string> bare;
};

const std::vector<std::string>& common_first_names();
const std::vector<std::string>& common_surnames();

/// Makes most shops see, used in addition to the dealership's own.
const std::vector<std::string>& common_makes();
/// Model names of a (normalized) make, empty when unknown. Several spoken forms of a make
/// ("chevrolet", "chevy") share their models through make_aliases.
const std::vector<std::string>& models_of(std::string_view make);
/// Other names callers use for a make ("chevrolet" -> "chevy"), may be empty.
std::vector<std::string> make_aliases(std::string_view make);

/// Services callers ask about even when the dealership does not list them.
const std::vector<service_words>& common_services();

/// Sentences describing a problem with the car ("my check engine light is on").
const std::vector<std::string>& problem_sentences();

/// "a" or "an" for `phrase`.
std::string with_article(std::string_view phrase);

} // namespace ce::stt
