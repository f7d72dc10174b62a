// Availability, booking, rescheduling and cancelling. Correctness against double-booking
// rests on the exclusion constraint `appointments_no_overlap`; the code only chooses bays
// and turns the constraint's verdict (23P01) into "try the next bay".
#include "store/dealership_store.hpp"

#include "store/store_rows.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ce::store {

namespace {

constexpr std::string_view code_alphabet = "ACDEFGHJKMNPQRTUVWXY34679";
constexpr int max_range_days = 62;
constexpr int max_code_attempts = 5;

// "{1,3,4}" -> {1, 3, 4}
std::vector<int> parse_int_array(std::string_view text) {
  std::vector<int> out;
  int value = 0;
  bool in_number = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      out.push_back(value);
      value = 0;
      in_number = false;
    }
  }
  return out;
}

std::string int_array(const std::vector<int>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "}";
}

} // namespace

std::string confirmation_code_from_bits(std::uint64_t bits) {
  std::string code(6, ' ');
  for (auto& c : code) {
    c = code_alphabet[bits % code_alphabet.size()];
    bits /= code_alphabet.size();
  }
  return code;
}

std::string make_confirmation_code(std::mt19937_64& rng) { return confirmation_code_from_bits(rng()); }

std::string dealership_store::new_confirmation_code() { return make_confirmation_code(rng_); }

result<std::vector<slot>> dealership_store::available_slots(const slot_query& q) {
  auto minutes = calendar_.duration_of(q.service_type);
  if (!minutes) return minutes.error();
  auto from = parse_local_date(q.from_date);
  if (!from) return from.error();
  auto to = parse_local_date(q.to_date);
  if (!to) return to.error();
  auto days = (std::chrono::sys_days{*to} - std::chrono::sys_days{*from}).count();
  if (days < 0) return make_error(store_errc::invalid, "the date range ends before it starts");
  if (days > max_range_days)
    return make_error(store_errc::invalid, "ask for at most " + std::to_string(max_range_days) + " days at a time");
  if (q.max_slots < 1 || q.max_slots > 200) return make_error(store_errc::invalid, "max_slots must be 1..200");

  std::vector<int> dows, opens, closes;
  for (int i = 0; i < 7; ++i) {
    const auto& h = calendar_.week[static_cast<std::size_t>(i)];
    if (!h.open) continue;
    dows.push_back(i + 1);
    opens.push_back(h.open_min);
    closes.push_back(h.close_min);
  }
  // Candidate starts: every slot_minutes from opening while the service fits before closing
  // and clear of lunch; minus the windows where every bay has an overlapping active booking.
  auto r = conn_.exec(
    "WITH hours AS ("
    "  SELECT * FROM unnest($7::int[], $8::int[], $9::int[]) AS h(dow, open_min, close_min)"
    "), candidates AS ("
    "  SELECT d::date + make_interval(mins => m) AS local_start"
    "  FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS d"
    "  JOIN hours ON hours.dow = extract(isodow FROM d)::int"
    "  CROSS JOIN LATERAL generate_series(hours.open_min, hours.close_min - $3::int, $4::int) AS m"
    "  WHERE $10::int < 0 OR m >= $11::int OR m + $3::int <= $10::int"
    "), windows AS ("
    "  SELECT local_start, local_start AT TIME ZONE $6 AS starts_at,"
    "         (local_start + make_interval(mins => $3::int)) AT TIME ZONE $6 AS ends_at"
    "  FROM candidates"
    ")"
    " SELECT to_char(w.local_start, 'YYYY-MM-DD HH24:MI'),"
    "        to_char(w.local_start + make_interval(mins => $3::int), 'YYYY-MM-DD HH24:MI'),"
    "        extract(epoch FROM w.starts_at)::bigint,"
    "        $5::int - count(DISTINCT a.bay)"
    " FROM windows w"
    " LEFT JOIN appointments a ON a.status IN ('booked', 'confirmed') AND a.bay <= $5::int"
    "   AND tstzrange(a.starts_at, a.ends_at) && tstzrange(w.starts_at, w.ends_at)"
    " WHERE w.starts_at > coalesce(to_timestamp($13::double precision), now())"
    " GROUP BY w.local_start, w.starts_at"
    " HAVING count(DISTINCT a.bay) < $5::int"
    " ORDER BY w.starts_at"
    " LIMIT $12::int",
    pg_params{}
      .add(q.from_date).add(q.to_date).add(*minutes).add(calendar_.slot_minutes).add(calendar_.bays)
      .add(calendar_.time_zone).add(int_array(dows)).add(int_array(opens)).add(int_array(closes))
      .add(calendar_.lunch_start_min).add(calendar_.lunch_end_min).add(q.max_slots)
      .add(q.not_before_unix));
  if (!r) return r.error();
  std::vector<slot> out;
  out.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) {
    auto row = (*r)[i];
    out.push_back(slot{std::string{row.text(0)}, std::string{row.text(1)}, row.int64(2), row.int32(3)});
  }
  return out;
}

result<dealership_store::window> dealership_store::window_for(const local_time& start, int minutes,
                                                              std::int64_t ignore_appointment) {
  auto r = conn_.exec(
    "SELECT extract(epoch FROM r.ts)::bigint, extract(epoch FROM r.te)::bigint, r.ts <= now(),"
    "  ARRAY(SELECT b FROM generate_series(1, $4::int) AS b WHERE NOT EXISTS ("
    "    SELECT 1 FROM appointments a WHERE a.bay = b AND a.status IN ('booked', 'confirmed')"
    "      AND a.id <> $5 AND tstzrange(a.starts_at, a.ends_at) && tstzrange(r.ts, r.te)) ORDER BY b)::text"
    " FROM (SELECT $1::timestamp AT TIME ZONE $3 AS ts,"
    "              ($1::timestamp + make_interval(mins => $2::int)) AT TIME ZONE $3 AS te) AS r",
    pg_params{}.add(format_local(start)).add(minutes).add(calendar_.time_zone).add(calendar_.bays)
      .add(ignore_appointment));
  if (!r) return r.error();
  auto row = (*r)[0];
  if (row.boolean(2)) return make_error(store_errc::invalid, format_local(start) + " is in the past");
  return window{row.int64(0), row.int64(1), parse_int_array(row.text(3))};
}

result<appointment> dealership_store::appointment_by_key(std::string_view key) {
  auto r = conn_.exec("SELECT " + rows::appointment_columns(2) + " FROM appointments a WHERE a.idempotency_key = $1",
                      pg_params{}.add(key).add(calendar_.time_zone));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no appointment with that idempotency key");
  return rows::read_appointment((*r)[0]);
}

// In one transaction: for each bay that looked free, try the insert under a savepoint. The
// exclusion constraint decides; 23P01 means a concurrent booking took the bay first.
result<appointment> dealership_store::insert_on_free_bay(const booking_request& r, const window& w) {
  pg_transaction tx{conn_};
  if (auto b = tx.begin(); !b) return b.error();
  const std::string sql =
    "INSERT INTO appointments AS a (customer_id, vehicle_id, service_type, starts_at, ends_at, bay, status,"
    " confirmation_code, created_by_call_sid, updated_by_call_sid, idempotency_key, notes)"
    " VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5), $6, 'booked', $7, $8, $8, $9, $10)"
    " RETURNING " + rows::appointment_columns(11);
  for (int bay : w.free_bays) {
    for (int attempt = 0; attempt < max_code_attempts; ++attempt) {
      if (auto s = conn_.exec("SAVEPOINT try_bay"); !s) return s.error();
      auto ins = conn_.exec(sql, pg_params{}
                                   .add(r.customer_id).add(r.vehicle_id).add(r.service_type)
                                   .add(w.starts_unix).add(w.ends_unix).add(bay).add(new_confirmation_code())
                                   .add(r.call_sid.empty() ? std::optional<std::string>{} : r.call_sid)
                                   .add(r.idempotency_key.empty() ? std::optional<std::string>{} : r.idempotency_key)
                                   .add(r.notes.empty() ? std::optional<std::string>{} : r.notes)
                                   .add(calendar_.time_zone));
      if (ins) {
        auto a = rows::read_appointment((*ins)[0]);
        if (auto c = tx.commit(); !c) return c.error();
        return a;
      }
      const auto& e = ins.error();
      if (e.code != store_errc::conflict) return e;
      if (auto s = conn_.exec("ROLLBACK TO SAVEPOINT try_bay"); !s) return s.error();
      if (e.constraint == "appointments_confirmation_code_key") continue;  // new code, same bay
      if (e.constraint == "appointments_idempotency_key_key") return e;     // a concurrent retry won
      break;  // 23P01: bay taken meanwhile, next bay
    }
  }
  return make_error(store_errc::conflict, "no bay is free at that time any more");
}

result<appointment> dealership_store::book(const booking_request& r) {
  if (!r.idempotency_key.empty()) {
    auto existing = appointment_by_key(r.idempotency_key);
    if (existing) {
      if (existing->customer_id != r.customer_id)
        return make_error(store_errc::conflict, "that idempotency key belongs to another booking");
      return existing;
    }
    if (existing.code() != store_errc::not_found) return existing.error();
  }
  auto minutes = calendar_.duration_of(r.service_type);
  if (!minutes) return minutes.error();
  auto start = parse_local_time(r.start_local);
  if (!start) return start.error();
  if (auto ok = calendar_.check_bookable(*start, *minutes); !ok) return ok.error();

  auto owner = conn_.exec("SELECT (SELECT count(*) FROM customers WHERE id = $1),"
                          " (SELECT customer_id FROM vehicles WHERE id = $2)",
                          pg_params{}.add(r.customer_id).add(r.vehicle_id));
  if (!owner) return owner.error();
  if ((*owner)[0].int64(0) == 0) return make_error(store_errc::not_found, "no such customer");
  if (r.vehicle_id) {
    auto vehicle_owner = (*owner)[0].opt_int64(1);
    if (!vehicle_owner) return make_error(store_errc::not_found, "no such vehicle");
    if (*vehicle_owner != r.customer_id) return make_error(store_errc::forbidden, "that vehicle is not this customer's");
  }

  auto w = window_for(*start, *minutes, 0);
  if (!w) return w.error();
  if (w->free_bays.empty()) return make_error(store_errc::conflict, "every bay is taken at " + format_local(*start));
  auto booked = insert_on_free_bay(r, *w);
  if (!booked && booked.error().constraint == "appointments_idempotency_key_key") {
    auto existing = appointment_by_key(r.idempotency_key);
    if (existing && existing->customer_id != r.customer_id)
      return make_error(store_errc::conflict, "that idempotency key belongs to another booking");
    return existing;
  }
  return booked;
}

result<appointment> dealership_store::reschedule(std::int64_t customer_id, std::int64_t appointment_id,
                                                 std::string_view new_start_local, std::string_view call_sid) {
  auto start = parse_local_time(new_start_local);
  if (!start) return start.error();
  pg_transaction tx{conn_};
  if (auto b = tx.begin(); !b) return b.error();
  auto cur = conn_.exec("SELECT customer_id, status, starts_at <= now(), bay, service_type,"
                        " (extract(epoch FROM ends_at - starts_at) / 60)::int"
                        " FROM appointments WHERE id = $1 FOR UPDATE",
                        pg_params{}.add(appointment_id));
  if (!cur) return cur.error();
  if (cur->empty()) return make_error(store_errc::not_found, "no such appointment");
  auto row = (*cur)[0];
  if (row.int64(0) != customer_id) return make_error(store_errc::forbidden, "that appointment is not this customer's");
  std::string state{row.text(1)};
  if (state != "booked" && state != "confirmed")
    return make_error(store_errc::invalid, "the appointment is " + state + " and cannot be moved");
  if (row.boolean(2)) return make_error(store_errc::invalid, "the appointment has already started");
  int current_bay = row.int32(3);
  auto minutes = calendar_.duration_of(row.text(4));
  int duration = minutes ? *minutes : row.int32(5);
  if (auto ok = calendar_.check_bookable(*start, duration); !ok) return ok.error();

  auto w = window_for(*start, duration, appointment_id);
  if (!w) return w.error();
  auto bays = w->free_bays;
  std::stable_partition(bays.begin(), bays.end(), [&](int b) { return b == current_bay; });
  const std::string sql = "UPDATE appointments AS a SET starts_at = to_timestamp($2), ends_at = to_timestamp($3),"
                          " bay = $4, updated_by_call_sid = $5, updated_at = now() WHERE a.id = $1 RETURNING " +
                          rows::appointment_columns(6);
  for (int bay : bays) {
    if (auto s = conn_.exec("SAVEPOINT try_bay"); !s) return s.error();
    auto up = conn_.exec(sql, pg_params{}.add(appointment_id).add(w->starts_unix).add(w->ends_unix).add(bay)
                                .add(call_sid.empty() ? std::optional<std::string>{} : std::string{call_sid})
                                .add(calendar_.time_zone));
    if (up) {
      auto a = rows::read_appointment((*up)[0]);
      if (auto c = tx.commit(); !c) return c.error();
      return a;
    }
    if (up.code() != store_errc::conflict) return up.error();
    if (auto s = conn_.exec("ROLLBACK TO SAVEPOINT try_bay"); !s) return s.error();
  }
  return make_error(store_errc::conflict, "every bay is taken at " + format_local(*start));
}

result<appointment> dealership_store::cancel(std::int64_t customer_id, std::int64_t appointment_id,
                                             std::string_view call_sid) {
  auto r = conn_.exec(
    "WITH cancelled AS ("
    "  UPDATE appointments SET status = 'cancelled', updated_by_call_sid = $3, updated_at = now()"
    "  WHERE id = $1 AND customer_id = $2 AND status IN ('booked', 'confirmed') AND starts_at > now()"
    "  RETURNING *"
    "), jobs AS ("
    "  UPDATE reminder_jobs SET state = 'cancelled', updated_at = now()"
    "  WHERE appointment_id IN (SELECT id FROM cancelled) AND state = 'pending'"
    ")"
    " SELECT " + rows::appointment_columns(4) + " FROM cancelled a",
    pg_params{}.add(appointment_id).add(customer_id)
      .add(call_sid.empty() ? std::optional<std::string>{} : std::string{call_sid}).add(calendar_.time_zone));
  if (!r) return r.error();
  if (!r->empty()) return rows::read_appointment((*r)[0]);
  return diagnose_cancel(customer_id, appointment_id);
}

// Nothing was cancelled: say why (or return the already-cancelled appointment).
result<appointment> dealership_store::diagnose_cancel(std::int64_t customer_id, std::int64_t appointment_id) {
  auto r = conn_.exec("SELECT " + rows::appointment_columns(2) + ", a.starts_at <= now() FROM appointments a WHERE a.id = $1",
                      pg_params{}.add(appointment_id).add(calendar_.time_zone));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no such appointment");
  auto a = rows::read_appointment((*r)[0]);
  if (a.customer_id != customer_id) return make_error(store_errc::forbidden, "that appointment is not this customer's");
  if (a.status == "cancelled") return a;
  if ((*r)[0].boolean(16)) return make_error(store_errc::invalid, "the appointment is in the past");
  return make_error(store_errc::invalid, "the appointment is " + a.status + " and cannot be cancelled");
}

result<std::vector<appointment>> dealership_store::upcoming_appointments(std::int64_t customer_id, int limit) {
  if (limit < 1 || limit > 100) return make_error(store_errc::invalid, "limit must be between 1 and 100");
  auto r = conn_.exec("SELECT " + rows::appointment_columns(3) +
                        " FROM appointments a WHERE a.customer_id = $1 AND a.status IN ('booked', 'confirmed')"
                        " AND a.ends_at > now() ORDER BY a.starts_at LIMIT $2",
                      pg_params{}.add(customer_id).add(limit).add(calendar_.time_zone));
  if (!r) return r.error();
  std::vector<appointment> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(rows::read_appointment((*r)[i]));
  return out;
}

result<appointment> dealership_store::find_appointment(std::int64_t customer_id, std::string_view confirmation_code) {
  std::string code;
  for (char c : confirmation_code)
    if (c != ' ' && c != '-') code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (code.size() != 6) return make_error(store_errc::invalid, "a confirmation code has 6 characters");
  auto r = conn_.exec("SELECT " + rows::appointment_columns(2) + " FROM appointments a WHERE a.confirmation_code = $1",
                      pg_params{}.add(code).add(calendar_.time_zone));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no appointment with that confirmation code");
  auto a = rows::read_appointment((*r)[0]);
  if (a.customer_id != customer_id) return make_error(store_errc::forbidden, "that appointment is not this customer's");
  return a;
}

} // namespace ce::store
