// Private to the store: the column lists it selects and how a row becomes a record. Kept
// in one place so every query returns records the same way.
#pragma once

#include "store/pg.hpp"
#include "store/records.hpp"

#include <string>

namespace ce::store::rows {

inline constexpr const char* customer_columns =
  "c.id, c.first_name, c.last_name, coalesce(c.phone, ''), coalesce(c.email, ''),"
  " coalesce(c.date_of_birth::text, ''), coalesce(c.zip, ''), coalesce(c.address, ''),"
  " c.preferred_contact, c.consent_sms, c.consent_calls, c.consent_email";

inline customer read_customer(const pg_row& r) {
  customer c;
  c.id = r.int64(0);
  c.first_name = r.text(1);
  c.last_name = r.text(2);
  c.phone = r.text(3);
  c.email = r.text(4);
  c.date_of_birth = r.text(5);
  c.zip = r.text(6);
  c.address = r.text(7);
  c.preferred_contact = r.text(8);
  c.consent_sms = r.boolean(9);
  c.consent_calls = r.boolean(10);
  c.consent_email = r.boolean(11);
  return c;
}

inline constexpr const char* vehicle_columns =
  "v.id, v.customer_id, coalesce(v.vin, ''), v.make, v.model, v.year, v.mileage, coalesce(v.last_service_date::text, '')";

inline vehicle read_vehicle(const pg_row& r) {
  vehicle v;
  v.id = r.int64(0);
  v.customer_id = r.int64(1);
  v.vin = r.text(2);
  v.make = r.text(3);
  v.model = r.text(4);
  v.year = r.int32(5);
  if (!r.is_null(6)) v.mileage = r.int32(6);
  v.last_service_date = r.text(7);
  return v;
}

/// The appointment columns of table alias `a`, local times in the zone of parameter `$tz`.
inline std::string appointment_columns(int tz_param) {
  auto tz = "$" + std::to_string(tz_param);
  return "a.id, a.customer_id, a.vehicle_id, a.service_type,"
         " to_char(a.starts_at AT TIME ZONE " + tz + ", 'YYYY-MM-DD HH24:MI'),"
         " to_char(a.ends_at AT TIME ZONE " + tz + ", 'YYYY-MM-DD HH24:MI'),"
         " extract(epoch FROM a.starts_at)::bigint, extract(epoch FROM a.ends_at)::bigint,"
         " a.bay, a.status, a.confirmation_code, a.reminder_state, coalesce(a.calendar_event_id, ''),"
         " coalesce(a.created_by_call_sid, ''), coalesce(a.updated_by_call_sid, ''),"
         " coalesce(a.idempotency_key, '')";
}

inline appointment read_appointment(const pg_row& r) {
  appointment a;
  a.id = r.int64(0);
  a.customer_id = r.int64(1);
  a.vehicle_id = r.opt_int64(2);
  a.service_type = r.text(3);
  a.starts_local = r.text(4);
  a.ends_local = r.text(5);
  a.starts_unix = r.int64(6);
  a.ends_unix = r.int64(7);
  a.bay = r.int32(8);
  a.status = r.text(9);
  a.confirmation_code = r.text(10);
  a.reminder_state = r.text(11);
  a.calendar_event_id = r.text(12);
  a.created_by_call_sid = r.text(13);
  a.updated_by_call_sid = r.text(14);
  a.idempotency_key = r.text(15);
  return a;
}

} // namespace ce::store::rows
