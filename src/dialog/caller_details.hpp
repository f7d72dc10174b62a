// caller_details: details a caller spells out during booking, read from recognised words:
// a name ("my name is john smith"), a vehicle ("a twenty nineteen honda civic" or a VIN),
// an identity check (ZIP code, date of birth, last six of the VIN) and which of their
// vehicles they mean. Pure functions; an answer that cannot be read is an empty optional.
#pragma once

#include "dialog/number_words.hpp"
#include "dialog/tool_results.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ce::dialog {

struct person_name {
  std::string first;
  std::string last;  ///< empty when only one name was heard
};

std::optional<person_name> parse_person_name(const word_list& words);

/// One word as a last name ("smith" -> "Smith"), after lead-ins are dropped.
std::optional<std::string> parse_last_name(const word_list& words);

struct vehicle_description {
  std::optional<int> year;
  std::string make;   ///< "Honda"
  std::string model;  ///< "Civic", "CR-V"
  std::string vin;    ///< 17 characters, upper case
  bool complete() const { return !vin.empty() || (year && !make.empty() && !model.empty()); }
  bool empty() const { return !year && make.empty() && model.empty() && vin.empty(); }
};

vehicle_description parse_vehicle(const word_list& words);

/// Parts heard now fill in or replace the parts heard before.
void merge_vehicle(vehicle_description& into, const vehicle_description& heard);

struct identity_answer {
  std::string method;  ///< "zip", "date_of_birth" or "vin_last6"
  std::string value;   ///< "62704", "1985-03-05", "A12345"
};

struct identity_reading {
  std::optional<identity_answer> answer;
  bool partial_zip = false;  ///< some digits, but fewer than five
};

identity_reading parse_identity(const word_list& words);

/// Which of the caller's vehicles the words name (model, make, year); nullopt when none
/// or several match equally well.
std::optional<std::size_t> match_vehicle(const std::vector<vehicle_record>& vehicles, const word_list& words);

} // namespace ce::dialog
