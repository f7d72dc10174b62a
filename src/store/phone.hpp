// Phone numbers in E.164 (+15555550123): what the database stores and the cache keys use.
#pragma once

#include "store/store_error.hpp"

#include <string>
#include <string_view>

namespace ce::store {

/// Normalises a number as a caller ID or a caller says it: "(217) 555-0134", "217.555.0134",
/// "1 217 555 0134", "+1 217 555 0134" -> "+12175550134". Numbers without a country code are
/// North American (10 digits, or 11 starting with 1); North American numbers must have a
/// valid area code and exchange (first digit 2-9). Other "+" numbers need 8-15 digits.
/// Anything else is `invalid` with a sentence saying why.
result<std::string> normalize_phone(std::string_view raw);

} // namespace ce::store
