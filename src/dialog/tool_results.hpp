// tool_results: reading the JSON results of the dealership tools (docs/tools.md) into
// plain records. A result is input like any other: every field is optional to the reader,
// records with a missing id or an unreadable time are skipped, and text that is not JSON
// reads as a failure with error "malformed". Nothing here throws.
#pragma once

#include "dialog/calendar.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::dialog {

struct vehicle_record {
  long long id = 0;
  int year = 0;
  std::string make;
  std::string model;
  std::string vin_last6;
};

struct appointment_record {
  long long id = 0;
  std::string confirmation_code;
  std::string service_type;  ///< "oil_change"
  std::string service_name;  ///< as the tools name it; the facts' name is preferred
  local_time start;
  long long vehicle_id = 0;
  std::string status;
};

struct tool_result {
  bool ok = false;
  std::string error;    ///< "unavailable", "conflict", ... ("malformed" when not JSON)
  std::string message;
  bool verification_required = false;

  // lookup_customer / verify_customer / create_customer
  bool found = false;
  bool verified = false;
  std::optional<int> attempts_left;
  std::string first_name;
  std::string last_name;
  std::vector<std::string> verification_methods;

  std::vector<vehicle_record> vehicles;          ///< get_vehicles
  std::optional<vehicle_record> vehicle;         ///< add_vehicle
  std::vector<appointment_record> appointments;  ///< get_appointments
  std::optional<appointment_record> appointment; ///< book / reschedule / cancel
  std::vector<local_time> slots;                 ///< get_available_slots, in time order
};

tool_result read_tool_result(std::string_view json);

} // namespace ce::dialog
