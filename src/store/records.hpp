// The dealership's records as the store returns them. Plain values (no libpq), so the tools
// actor and the cache can pass them around. Dates are "YYYY-MM-DD"; local times are
// "YYYY-MM-DD HH:MM" in the dealership's time zone; *_unix are seconds since the epoch.
// (Candidates for include/callengine/ once the tools use them.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ce::store {

struct customer {
  std::int64_t id = 0;
  std::string first_name;
  std::string last_name;
  std::string phone;          ///< E.164
  std::string email;          ///< "" when unknown
  std::string date_of_birth;  ///< YYYY-MM-DD, "" when unknown
  std::string zip;
  std::string address;
  std::string preferred_contact = "phone";  ///< phone, sms or email
  bool consent_sms = false;
  bool consent_calls = false;
  bool consent_email = false;
};

struct vehicle {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::string vin;
  std::string make;
  std::string model;
  int year = 0;
  std::optional<int> mileage;
  std::string last_service_date;  ///< YYYY-MM-DD, "" when never serviced here
};

/// What add_vehicle needs: make and year may be left empty/0 (taken from the VIN).
struct new_vehicle {
  std::string vin;
  std::string make;
  std::string model;
  int year = 0;
  std::optional<int> mileage;
};

struct service_record {
  std::int64_t id = 0;
  std::int64_t vehicle_id = 0;
  std::string vin;
  std::string make;
  std::string model;
  int year = 0;
  std::string service_type;
  std::string performed_on;  ///< YYYY-MM-DD
  std::optional<int> mileage;
  std::string description;
  std::optional<int> cost_cents;
};

struct appointment {
  std::int64_t id = 0;
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> vehicle_id;
  std::string service_type;
  std::string starts_local;  ///< YYYY-MM-DD HH:MM, dealership time
  std::string ends_local;
  std::int64_t starts_unix = 0;
  std::int64_t ends_unix = 0;
  int bay = 0;
  std::string status;             ///< booked, confirmed, completed, cancelled, no_show
  std::string confirmation_code;  ///< 6 characters, no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)
  std::string reminder_state;
  std::string calendar_event_id;
  std::string created_by_call_sid;
  std::string updated_by_call_sid;
  std::string idempotency_key;
};

/// A start time with at least one free bay for the whole service.
struct slot {
  std::string starts_local;  ///< YYYY-MM-DD HH:MM
  std::string ends_local;
  std::int64_t starts_unix = 0;
  int free_bays = 0;
};

struct slot_query {
  std::string from_date;     ///< YYYY-MM-DD (dealership-local), inclusive
  std::string to_date;       ///< inclusive; at most 62 days after from_date
  std::string service_type;  ///< a dealership_facts.services[].id
  int max_slots = 10;        ///< 1..200, earliest first
  std::optional<std::int64_t> not_before_unix;  ///< default: now (only future slots)
};

struct booking_request {
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> vehicle_id;
  std::string service_type;
  std::string start_local;      ///< YYYY-MM-DDTHH:MM (or with a space), dealership time
  std::string call_sid;         ///< the call that books (recorded)
  std::string idempotency_key;  ///< same key -> same appointment, never a second booking
  std::string notes;
};

enum class verify_method { date_of_birth, zip, vin_last6 };

} // namespace ce::store
