#include "store/vin.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace ce::store {

namespace {

constexpr std::array<int, 17> weights = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};

// Transliteration of 49 CFR 565.15; -1 for characters a VIN may not contain.
int vin_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  switch (c) {
    case 'A': case 'J': return 1;
    case 'B': case 'K': case 'S': return 2;
    case 'C': case 'L': case 'T': return 3;
    case 'D': case 'M': case 'U': return 4;
    case 'E': case 'N': case 'V': return 5;
    case 'F': case 'W': return 6;
    case 'G': case 'P': case 'X': return 7;
    case 'H': case 'Y': return 8;
    case 'R': case 'Z': return 9;
    default: return -1;  // I, O, Q and everything else
  }
}

bool is_vin_char(char c) { return vin_value(c) >= 0; }

// Model-year codes for 1980..2009 (and again 2010..2039).
constexpr std::string_view year_codes = "ABCDEFGHJKLMNPRSTVWXY123456789";

struct wmi_entry {
  std::string_view prefix;  // 2 or 3 characters; the longest matching prefix wins
  std::string_view make;
  std::string_view manufacturer;
};

// Common WMIs: the makes the dealership services first, then other majors.
constexpr wmi_entry wmi_table[] = {
  {"1FA", "Ford", "Ford Motor Company (USA), passenger car"},
  {"1FB", "Ford", "Ford Motor Company (USA), bus"},
  {"1FC", "Ford", "Ford Motor Company (USA), incomplete vehicle"},
  {"1FD", "Ford", "Ford Motor Company (USA), incomplete vehicle"},
  {"1FM", "Ford", "Ford Motor Company (USA), multipurpose vehicle"},
  {"1FT", "Ford", "Ford Motor Company (USA), truck"},
  {"1ZV", "Ford", "AutoAlliance International (USA)"},
  {"2FA", "Ford", "Ford Motor Company of Canada, passenger car"},
  {"2FM", "Ford", "Ford Motor Company of Canada, multipurpose vehicle"},
  {"2FT", "Ford", "Ford Motor Company of Canada, truck"},
  {"3FA", "Ford", "Ford Motor Company (Mexico), passenger car"},
  {"3FM", "Ford", "Ford Motor Company (Mexico), multipurpose vehicle"},
  {"3FT", "Ford", "Ford Motor Company (Mexico), truck"},
  {"WF0", "Ford", "Ford of Germany"},
  {"1G1", "Chevrolet", "General Motors (USA), Chevrolet passenger car"},
  {"1GB", "Chevrolet", "General Motors (USA), Chevrolet incomplete vehicle"},
  {"1GC", "Chevrolet", "General Motors (USA), Chevrolet truck"},
  {"1GN", "Chevrolet", "General Motors (USA), Chevrolet multipurpose vehicle"},
  {"2G1", "Chevrolet", "General Motors of Canada, Chevrolet passenger car"},
  {"2GN", "Chevrolet", "General Motors of Canada, Chevrolet multipurpose vehicle"},
  {"3G1", "Chevrolet", "General Motors (Mexico), Chevrolet passenger car"},
  {"3GC", "Chevrolet", "General Motors (Mexico), Chevrolet truck"},
  {"3GN", "Chevrolet", "General Motors (Mexico), Chevrolet multipurpose vehicle"},
  {"KL1", "Chevrolet", "GM Korea, Chevrolet"},
  {"1GT", "GMC", "General Motors (USA), GMC truck"},
  {"1GK", "GMC", "General Motors (USA), GMC multipurpose vehicle"},
  {"1G4", "Buick", "General Motors (USA), Buick"},
  {"1G6", "Cadillac", "General Motors (USA), Cadillac"},
  {"1GY", "Cadillac", "General Motors (USA), Cadillac multipurpose vehicle"},
  {"JT", "Toyota", "Toyota Motor Corporation (Japan)"},
  {"JTH", "Lexus", "Toyota Motor Corporation (Japan), Lexus"},
  {"JTJ", "Lexus", "Toyota Motor Corporation (Japan), Lexus multipurpose vehicle"},
  {"2T1", "Toyota", "Toyota Motor Manufacturing Canada, passenger car"},
  {"2T3", "Toyota", "Toyota Motor Manufacturing Canada, multipurpose vehicle"},
  {"2T2", "Lexus", "Toyota Motor Manufacturing Canada, Lexus"},
  {"3TM", "Toyota", "Toyota Motor Manufacturing (Mexico), truck"},
  {"4T1", "Toyota", "Toyota Motor Manufacturing (USA), passenger car"},
  {"4T3", "Toyota", "Toyota Motor Manufacturing (USA), multipurpose vehicle"},
  {"4T4", "Toyota", "Toyota Motor Manufacturing (USA), passenger car"},
  {"5TB", "Toyota", "Toyota Motor Manufacturing (USA), truck"},
  {"5TD", "Toyota", "Toyota Motor Manufacturing (USA), multipurpose vehicle"},
  {"5TE", "Toyota", "Toyota Motor Manufacturing (USA), truck"},
  {"5TF", "Toyota", "Toyota Motor Manufacturing (USA), truck"},
  {"1HG", "Honda", "Honda of America Manufacturing, passenger car"},
  {"19X", "Honda", "Honda of America Manufacturing, passenger car"},
  {"2HG", "Honda", "Honda of Canada Manufacturing, passenger car"},
  {"2HK", "Honda", "Honda of Canada Manufacturing, multipurpose vehicle"},
  {"5FN", "Honda", "Honda Manufacturing of Alabama, multipurpose vehicle"},
  {"5FP", "Honda", "Honda Manufacturing of Alabama, truck"},
  {"5J6", "Honda", "Honda of America Manufacturing, multipurpose vehicle"},
  {"JHM", "Honda", "Honda Motor Co. (Japan), passenger car"},
  {"JHL", "Honda", "Honda Motor Co. (Japan), multipurpose vehicle"},
  {"19U", "Acura", "Honda of America Manufacturing, Acura"},
  {"JH4", "Acura", "Honda Motor Co. (Japan), Acura"},
  {"5J8", "Acura", "Honda of America Manufacturing, Acura multipurpose vehicle"},
  {"1N4", "Nissan", "Nissan North America (USA), passenger car"},
  {"1N6", "Nissan", "Nissan North America (USA), truck"},
  {"3N1", "Nissan", "Nissan Mexicana, passenger car"},
  {"3N6", "Nissan", "Nissan Mexicana, truck"},
  {"3N8", "Nissan", "Nissan Mexicana, multipurpose vehicle"},
  {"5N1", "Nissan", "Nissan North America (USA), multipurpose vehicle"},
  {"JN1", "Nissan", "Nissan Motor Co. (Japan), passenger car"},
  {"JN8", "Nissan", "Nissan Motor Co. (Japan), multipurpose vehicle"},
  {"JNK", "Infiniti", "Nissan Motor Co. (Japan), Infiniti"},
  {"KMH", "Hyundai", "Hyundai Motor Company (Korea)"},
  {"KM8", "Hyundai", "Hyundai Motor Company (Korea), multipurpose vehicle"},
  {"5NP", "Hyundai", "Hyundai Motor Manufacturing Alabama, passenger car"},
  {"5NM", "Hyundai", "Hyundai Motor Manufacturing Alabama, multipurpose vehicle"},
  {"KNA", "Kia", "Kia Corporation (Korea), passenger car"},
  {"KND", "Kia", "Kia Corporation (Korea), multipurpose vehicle"},
  {"KNM", "Kia", "Kia Corporation (Korea)"},
  {"3KP", "Kia", "Kia Motors Mexico, passenger car"},
  {"5XX", "Kia", "Kia Georgia (USA), passenger car"},
  {"5XY", "Kia", "Kia Georgia (USA), multipurpose vehicle"},
  {"JF1", "Subaru", "Subaru Corporation (Japan), passenger car"},
  {"JF2", "Subaru", "Subaru Corporation (Japan), multipurpose vehicle"},
  {"4S3", "Subaru", "Subaru of Indiana Automotive, passenger car"},
  {"4S4", "Subaru", "Subaru of Indiana Automotive, multipurpose vehicle"},
  {"1C4", "Jeep", "FCA US (Chrysler), multipurpose vehicle"},
  {"1J4", "Jeep", "Chrysler Corporation, Jeep multipurpose vehicle"},
  {"1J8", "Jeep", "Chrysler Corporation, Jeep multipurpose vehicle"},
  {"3C4", "Jeep", "FCA Mexico, multipurpose vehicle"},
  {"1C6", "Ram", "FCA US (Chrysler), truck"},
  {"3C6", "Ram", "FCA Mexico, truck"},
  {"3C7", "Ram", "FCA Mexico, incomplete vehicle"},
  {"1D7", "Ram", "Chrysler Corporation, Dodge Ram truck"},
  {"3D7", "Ram", "Chrysler de Mexico, Dodge Ram truck"},
  {"1C3", "Chrysler", "FCA US (Chrysler), passenger car"},
  {"2C3", "Chrysler", "FCA Canada, passenger car"},
  {"2C4", "Chrysler", "FCA Canada, multipurpose vehicle"},
  {"1B3", "Dodge", "Chrysler Corporation, Dodge passenger car"},
  {"2B3", "Dodge", "Chrysler Canada, Dodge passenger car"},
  {"1VW", "Volkswagen", "Volkswagen of America"},
  {"3VW", "Volkswagen", "Volkswagen de Mexico"},
  {"WVW", "Volkswagen", "Volkswagen AG (Germany), passenger car"},
  {"WVG", "Volkswagen", "Volkswagen AG (Germany), multipurpose vehicle"},
  {"WAU", "Audi", "Audi AG (Germany)"},
  {"WBA", "BMW", "BMW AG (Germany)"},
  {"5UX", "BMW", "BMW Manufacturing (USA), multipurpose vehicle"},
  {"WDD", "Mercedes-Benz", "Mercedes-Benz AG (Germany)"},
  {"W1K", "Mercedes-Benz", "Mercedes-Benz AG (Germany)"},
  {"4JG", "Mercedes-Benz", "Mercedes-Benz U.S. International, multipurpose vehicle"},
  {"5YJ", "Tesla", "Tesla, Inc. (USA)"},
  {"7SA", "Tesla", "Tesla, Inc. (USA)"},
  {"JM1", "Mazda", "Mazda Motor Corporation (Japan), passenger car"},
  {"JM3", "Mazda", "Mazda Motor Corporation (Japan), multipurpose vehicle"},
  {"JA3", "Mitsubishi", "Mitsubishi Motors (Japan), passenger car"},
  {"JA4", "Mitsubishi", "Mitsubishi Motors (Japan), multipurpose vehicle"},
  {"YV1", "Volvo", "Volvo Cars (Sweden)"},
  {"YV4", "Volvo", "Volvo Cars (Sweden), multipurpose vehicle"},
  {"WP0", "Porsche", "Porsche AG (Germany), passenger car"},
  {"WP1", "Porsche", "Porsche AG (Germany), multipurpose vehicle"},
};

// Stellantis (FCA) WMIs are shared by several brands; position 5 names the brand.
std::string_view fca_brand(std::string_view wmi, char pos5) {
  if (wmi != "1C4" && wmi != "1C6" && wmi != "1C3" && wmi != "2C3" && wmi != "2C4" && wmi != "3C4" &&
      wmi != "3C6" && wmi != "3C7")
    return {};
  switch (pos5) {
    case 'J': return "Jeep";
    case 'D': return "Dodge";
    case 'C': return "Chrysler";
    case 'R': return "Ram";
    default: return {};
  }
}

std::string_view country_of(char c) {
  if (c >= '1' && c <= '5') return c == '2' ? "Canada" : c == '3' ? "Mexico" : "United States";
  if (c == '7') return "United States";
  if (c == '9') return "Brazil";
  if (c == 'J') return "Japan";
  if (c == 'K') return "South Korea";
  if (c == 'L') return "China";
  if (c == 'M') return "India";
  if (c == 'S') return "United Kingdom";
  if (c == 'V') return "France or Spain";
  if (c == 'W') return "Germany";
  if (c == 'Y') return "Sweden or Finland";
  if (c == 'Z') return "Italy";
  return "unknown";
}

const wmi_entry* find_wmi(std::string_view vin) {
  const wmi_entry* best = nullptr;
  for (const auto& e : wmi_table)
    if (vin.substr(0, e.prefix.size()) == e.prefix && (!best || e.prefix.size() > best->prefix.size()))
      best = &e;
  return best;
}

int this_year() {
  auto now = std::chrono::system_clock::now();
  return static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)}.year());
}

} // namespace

std::string normalize_vin(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

char vin_check_digit(std::string_view vin) {
  if (vin.size() != 17) return '?';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (i == 8) continue;
    int v = vin_value(vin[i]);
    if (v < 0) return '?';
    sum += v * weights[i];
  }
  int r = sum % 11;
  return r == 10 ? 'X' : static_cast<char>('0' + r);
}

result<std::string> validate_vin(std::string_view raw) {
  auto vin = normalize_vin(raw);
  if (vin.empty()) return make_error(store_errc::invalid, "the VIN is empty");
  if (vin.size() != 17)
    return make_error(store_errc::invalid,
                      "a VIN has 17 characters, this one has " + std::to_string(vin.size()));
  for (std::size_t i = 0; i < vin.size(); ++i) {
    char c = vin[i];
    if (c == 'I' || c == 'O' || c == 'Q')
      return make_error(store_errc::invalid, std::string{"a VIN never contains the letter "} + c +
                                               " (position " + std::to_string(i + 1) + ")");
    if (!is_vin_char(c))
      return make_error(store_errc::invalid, "position " + std::to_string(i + 1) +
                                               " of the VIN is not a letter or a digit");
  }
  char expected = vin_check_digit(vin);
  if (vin[8] != expected)
    return make_error(store_errc::invalid, std::string{"the VIN's check digit (position 9) is "} + vin[8] +
                                             " but should be " + expected + ": a character is wrong");
  return vin;
}

int model_year_from_code(char code, bool letter_at_7, int current_year) {
  auto at = year_codes.find(code);
  if (at == std::string_view::npos) return 0;
  int early = 1980 + static_cast<int>(at);
  int late = early + 30;
  int year = letter_at_7 ? late : early;
  // Model years run at most one ahead of the calendar; a later reading is the earlier cycle.
  if (year > current_year + 1) year -= 30;
  if (year < 1980) year += 30;
  return year;
}

char model_year_code(int year) {
  if (year < 1980 || year > 2039) return '?';
  return year_codes[static_cast<std::size_t>((year - 1980) % 30)];
}

result<vin_info> decode_vin(std::string_view raw, int current_year) {
  auto valid = validate_vin(raw);
  if (!valid) return valid.error();
  vin_info info;
  info.vin = std::move(*valid);
  const auto& v = info.vin;
  info.wmi = v.substr(0, 3);
  bool letter7 = std::isalpha(static_cast<unsigned char>(v[6])) != 0;
  info.model_year = model_year_from_code(v[9], letter7, current_year);
  if (info.model_year == 0)
    return make_error(store_errc::invalid, std::string{"position 10 of the VIN ("} + v[9] +
                                             ") is not a model-year code");
  info.plant = v[10];
  info.serial = v.substr(11);
  info.country = std::string{country_of(v[0])};
  if (const auto* e = find_wmi(v)) {
    info.make = std::string{e->make};
    info.manufacturer = std::string{e->manufacturer};
    if (auto brand = fca_brand(info.wmi, v[4]); !brand.empty()) info.make = std::string{brand};
  } else {
    info.manufacturer = "unknown manufacturer";
  }
  return info;
}

result<vin_info> decode_vin(std::string_view raw) { return decode_vin(raw, this_year()); }

std::string make_vin(std::string_view wmi, std::string_view vds, int model_year, char plant, int serial) {
  if (wmi.size() != 3 || vds.size() != 5 || serial < 0 || serial > 999999) return {};
  char year = model_year_code(model_year);
  if (year == '?' || !is_vin_char(plant)) return {};
  std::string vin;
  vin.reserve(17);
  vin.append(wmi).append(vds);
  vin.push_back('0');
  vin.push_back(year);
  vin.push_back(plant);
  char serial_text[8];
  std::snprintf(serial_text, sizeof serial_text, "%06d", serial);
  vin.append(serial_text);
  for (char c : vin)
    if (!is_vin_char(c)) return {};
  // Position 7 settles the model-year cycle: a letter from 2010, a digit before.
  char& p7 = vin[6];
  bool letter = std::isalpha(static_cast<unsigned char>(p7)) != 0;
  if (model_year >= 2010 && !letter) p7 = "ABCDEFGHJK"[p7 - '0'];
  if (model_year < 2010 && letter) p7 = static_cast<char>('0' + vin_value(p7));
  vin[8] = vin_check_digit(vin);
  return vin;
}

} // namespace ce::store
