#include "store/phone.hpp"

#include <cctype>

namespace ce::store {

namespace {

result<std::string> north_american(std::string_view ten) {
  if (ten[0] < '2')
    return make_error(store_errc::invalid, "the area code of a US number cannot start with 0 or 1");
  if (ten[3] < '2')
    return make_error(store_errc::invalid, "the exchange of a US number cannot start with 0 or 1");
  return "+1" + std::string{ten};
}

} // namespace

result<std::string> normalize_phone(std::string_view raw) {
  std::string digits;
  bool plus = false;
  for (char c : raw) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t') {
      continue;
    } else {
      return make_error(store_errc::invalid, "a phone number may only contain digits, spaces, dashes, "
                                             "dots, parentheses and a leading +");
    }
  }
  if (digits.empty()) return make_error(store_errc::invalid, "the phone number is empty");
  if (plus) {
    if (digits[0] == '1') {
      if (digits.size() != 11)
        return make_error(store_errc::invalid, "a +1 number has 10 digits after the country code");
      return north_american(std::string_view{digits}.substr(1));
    }
    if (digits[0] == '0') return make_error(store_errc::invalid, "a country code never starts with 0");
    if (digits.size() < 8 || digits.size() > 15)
      return make_error(store_errc::invalid, "an international number has 8 to 15 digits");
    return "+" + digits;
  }
  if (digits.size() == 10) return north_american(digits);
  if (digits.size() == 11 && digits[0] == '1') return north_american(std::string_view{digits}.substr(1));
  return make_error(store_errc::invalid, "a US phone number has 10 digits (the number given has " +
                                           std::to_string(digits.size()) + ")");
}

} // namespace ce::store
