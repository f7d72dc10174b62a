// Offline VIN decoding (North American 17-character VINs, 49 CFR 565): alphabet, check
// digit (position 9), model year (position 10, the 30-year cycle settled by position 7),
// manufacturer and make from the WMI (positions 1-3). Also builds valid VINs for seed data.
#pragma once

#include "store/store_error.hpp"

#include <string>
#include <string_view>

namespace ce::store {

struct vin_info {
  std::string vin;           ///< normalised: upper case, 17 characters
  std::string wmi;           ///< positions 1-3
  std::string manufacturer;  ///< e.g. "Honda (USA)"; "unknown manufacturer" when not in the table
  std::string make;          ///< e.g. "Honda"; empty when unknown
  std::string country;       ///< country of assembly from position 1 (e.g. "United States")
  int model_year = 0;
  char plant = ' ';          ///< position 11
  std::string serial;        ///< positions 12-17
};

/// Upper case, spaces and dashes removed (what a caller spells or an LLM passes).
std::string normalize_vin(std::string_view raw);

/// The check digit ('0'..'9' or 'X') of a 17-character VIN of allowed characters; '?' when
/// the text is not such a VIN. Position 9 of `vin` is ignored.
char vin_check_digit(std::string_view vin);

/// `invalid` with a sentence saying what is wrong (length, a forbidden letter I/O/Q, a
/// character outside A-Z/0-9, the check digit) or the normalised VIN.
result<std::string> validate_vin(std::string_view raw);

/// Decodes a VIN. `current_year` settles the model-year cycle (a year more than one past it
/// is taken 30 years earlier). Invalid VINs give the same errors as validate_vin.
result<vin_info> decode_vin(std::string_view raw, int current_year);
result<vin_info> decode_vin(std::string_view raw);  ///< current_year from the system clock

/// Model year from the position-10 code; 0 for a code that is not a year code.
/// `letter_at_7`: position 7 is a letter (model years 2010-2039) or a digit (1980-2009).
int model_year_from_code(char code, bool letter_at_7, int current_year);
/// Position-10 code of a model year 1980..2039; '?' outside.
char model_year_code(int year);

/// Builds a valid VIN: `wmi` (3 characters), `vds` (positions 4-8, 5 characters; position 7
/// is adjusted to a letter for model years from 2010 and a digit before, so the year
/// decodes back), the model year, a plant code and a serial (0..999999). Returns "" when an
/// argument is out of range or uses characters a VIN may not contain.
std::string make_vin(std::string_view wmi, std::string_view vds, int model_year, char plant, int serial);

} // namespace ce::store
