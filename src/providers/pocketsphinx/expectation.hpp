// What kind of answer the conversation expects next. The dialog knows what it just asked
// ("what's your ZIP code?"); the recogniser, told so, decodes the answer with a grammar of
// that kind of answer instead of the open language model (see decoder::set_expectation).
// Free of pocketsphinx: the dialog and the actors may name an expectation without it.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ce::stt {

enum class expectation {
  open,         ///< anything: the domain language model alone
  digits,       ///< a digit string: ZIP code, phone number, last four digits
  date,         ///< a calendar date, typically a date of birth
  yes_no,       ///< a confirmation or a refusal
  name,         ///< the caller's first and/or last name
  vehicle,      ///< year, make and model
  time_choice,  ///< a day and time, or a pick among offered slots ("the first one")
};

/// Every expectation that has a grammar (all but `open`), in declaration order.
inline constexpr std::array<expectation, 6> grammar_expectations = {
  expectation::digits, expectation::date,    expectation::yes_no,
  expectation::name,   expectation::vehicle, expectation::time_choice};

/// "open", "digits", "date", "yes_no", "name", "vehicle", "time_choice".
std::string_view to_string(expectation e);
/// The inverse of to_string; std::nullopt for any other text.
std::optional<expectation> expectation_from_string(std::string_view name);

} // namespace ce::stt
