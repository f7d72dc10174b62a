// The dealership's data operations over one PostgreSQL connection: customers, vehicles,
// verification, service history, availability, booking, rescheduling, cancelling, call
// logs. Every operation returns a value or a store_error (never throws); arguments that a
// caller or an LLM supplies are validated with errors that say what is wrong.
//
// Ownership rules are enforced here, not only in the tools: reschedule/cancel/history take
// the verified customer's id and refuse (`forbidden`) records of anyone else.
// Double-booking is impossible in the database (exclusion constraint per bay and time
// range); book() picks a free bay and moves to the next one when the constraint says
// another transaction took it.
//
// Blocking: meant for a detached actor that owns the store (one connection per actor).
#pragma once

#include "callengine/call.hpp"
#include "callengine/config.hpp"
#include "store/pg.hpp"
#include "store/records.hpp"
#include "store/shop_calendar.hpp"

#include <random>
#include <vector>

namespace ce::store {

class dealership_store {
public:
  dealership_store(pg_connection conn, shop_calendar calendar);
  /// `invalid` when the facts cannot describe a week (see make_shop_calendar).
  static result<dealership_store> create(pg_options options, const dealership_facts& facts);

  // Customers and vehicles.
  result<customer> find_customer_by_phone(std::string_view phone);  ///< not_found when nobody has it
  result<customer> find_customer(std::int64_t customer_id);
  result<customer> create_customer(const customer& c);  ///< conflict when the phone is taken
  /// true when the answer matches: date of birth (YYYY-MM-DD or MM/DD/YYYY), ZIP (first 5
  /// digits), or the last 6 characters of the VIN of one of the customer's vehicles.
  result<bool> verify_customer(std::int64_t customer_id, verify_method method, std::string_view answer);
  result<std::vector<vehicle>> vehicles_of(std::int64_t customer_id);
  /// Validates the VIN (check digit); make and year default to what the VIN says. Adding a
  /// VIN already on this customer returns that vehicle; on someone else's: conflict.
  result<vehicle> add_vehicle(std::int64_t customer_id, const new_vehicle& v);
  /// Newest first; `vehicle_id` narrows to one of the customer's vehicles (forbidden otherwise).
  result<std::vector<service_record>> service_history(std::int64_t customer_id,
                                                      std::optional<std::int64_t> vehicle_id, int limit = 10);

  // Appointments.
  result<std::vector<appointment>> upcoming_appointments(std::int64_t customer_id, int limit = 10);
  /// The customer's appointment with this confirmation code (forbidden: someone else's).
  result<appointment> find_appointment(std::int64_t customer_id, std::string_view confirmation_code);
  /// Free start times (one round trip; the set arithmetic runs in PostgreSQL).
  result<std::vector<slot>> available_slots(const slot_query& q);
  /// conflict when no bay is free for the whole service; a repeated idempotency key returns
  /// the appointment booked the first time.
  result<appointment> book(const booking_request& r);
  result<appointment> reschedule(std::int64_t customer_id, std::int64_t appointment_id,
                                 std::string_view new_start_local, std::string_view call_sid);
  /// Cancelling a cancelled appointment returns it unchanged (retries are harmless).
  result<appointment> cancel(std::int64_t customer_id, std::int64_t appointment_id, std::string_view call_sid);

  // Calls.
  /// Upserts the call and every turn (a retry rewrites the same rows, never duplicates).
  status write_call_log(const call_record& call, std::optional<std::int64_t> customer_id = {});

  const shop_calendar& calendar() const { return calendar_; }
  pg_connection& connection() { return conn_; }

private:
  result<vehicle> add_vehicle_without_vin(std::int64_t customer_id, const new_vehicle& in);
  struct window {
    std::int64_t starts_unix = 0;
    std::int64_t ends_unix = 0;
    std::vector<int> free_bays;
  };
  result<window> window_for(const local_time& start, int minutes, std::int64_t ignore_appointment);
  result<appointment> appointment_by_key(std::string_view key);
  result<appointment> insert_on_free_bay(const booking_request& r, const window& w);
  result<appointment> diagnose_cancel(std::int64_t customer_id, std::int64_t appointment_id);
  std::string new_confirmation_code();

  pg_connection conn_;
  shop_calendar calendar_;
  std::mt19937_64 rng_;
};

/// Six characters from an alphabet without look-alikes, drawn from 64 random bits.
std::string confirmation_code_from_bits(std::uint64_t bits);
std::string make_confirmation_code(std::mt19937_64& rng);
std::string_view to_string(verify_method m);

} // namespace ce::store
