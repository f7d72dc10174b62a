// slot_speech: dates, appointment times, offers, vehicles and confirmation codes in the
// words the agent says on the phone: "Tuesday, November twenty-fourth at nine a.m.",
// "your 2019 Honda Civic" (years as digits read well), "B, 7, K, 2, M, 9" (one pause per
// character so the caller can write it down).
#pragma once

#include "dialog/calendar.hpp"
#include "dialog/tool_results.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog {

/// 1 -> "first", 24 -> "twenty-fourth", 30 -> "thirtieth".
std::string say_ordinal(int n);

/// "Tuesday, November twenty-fourth".
std::string say_date(civil_date d);

/// "Tuesday, November twenty-fourth at nine a.m."
std::string say_when(const local_time& t);

/// Times grouped by day: "Tuesday, November twenty-fourth at nine a.m., or ten thirty a.m."
std::string say_offer(const std::vector<local_time>& slots);

/// "B7K-2M9" -> "B, 7, K, 2, M, 9".
std::string say_code(std::string_view code);

/// "2019 Honda Civic" (parts that are missing are left out; "vehicle" when all are).
std::string say_vehicle(const vehicle_record& v);

/// A service name without its article: "an oil change" -> "oil change".
std::string bare_service_name(const std::string& name);

} // namespace ce::dialog
