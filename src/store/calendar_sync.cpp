#include "store/calendar_sync.hpp"

namespace ce::store {

namespace {

std::optional<std::string> non_empty(const std::string& s) {
  return s.empty() ? std::optional<std::string>{} : std::optional<std::string>{s};
}

} // namespace

result<mirror_row> load_mirror_row(pg_connection& conn, std::int64_t appointment_id, const std::string& time_zone) {
  auto r = conn.exec(
    "SELECT a.id, a.status, a.confirmation_code, a.service_type,"
    " to_char(a.starts_at AT TIME ZONE $2, 'YYYY-MM-DD\"T\"HH24:MI:SS'),"
    " to_char(a.ends_at AT TIME ZONE $2, 'YYYY-MM-DD\"T\"HH24:MI:SS'),"
    " coalesce(a.calendar_event_id, ''), coalesce(a.updated_by_call_sid, a.created_by_call_sid, ''),"
    " a.updated_at::text, coalesce(a.calendar_synced_at >= a.updated_at, false),"
    " c.first_name, c.last_name, coalesce(c.phone, ''),"
    " coalesce(v.year::text || ' ' || v.make || ' ' || v.model, ''), a.bay, coalesce(a.notes, '')"
    " FROM appointments a JOIN customers c ON c.id = a.customer_id"
    " LEFT JOIN vehicles v ON v.id = a.vehicle_id WHERE a.id = $1",
    pg_params{}.add(appointment_id).add(time_zone));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no such appointment");
  auto row = (*r)[0];
  mirror_row m;
  m.id = row.int64(0);
  m.status = row.text(1);
  m.confirmation_code = row.text(2);
  m.service_type = row.text(3);
  m.starts_local = row.text(4);
  m.ends_local = row.text(5);
  m.calendar_event_id = row.text(6);
  m.call_sid = row.text(7);
  m.version = row.text(8);
  m.synced = row.boolean(9);
  m.first_name = row.text(10);
  m.last_name = row.text(11);
  m.phone = row.text(12);
  m.vehicle = row.text(13);
  m.bay = row.int32(14);
  m.notes = row.text(15);
  return m;
}

result<std::vector<pending_mirror>> pending_mirrors(pg_connection& conn, int horizon_days, int limit) {
  auto r = conn.exec(
    "SELECT a.id, coalesce(a.updated_by_call_sid, a.created_by_call_sid, '') FROM appointments a"
    " WHERE (a.calendar_synced_at IS NULL OR a.calendar_synced_at < a.updated_at)"
    "   AND a.starts_at > now() - interval '1 day' AND a.starts_at < now() + make_interval(days => $1::int)"
    "   AND (a.status IN ('booked', 'confirmed') OR a.calendar_event_id IS NOT NULL"
    "        OR a.created_by_call_sid IS NOT NULL)"
    " ORDER BY a.updated_at, a.id LIMIT $2",
    pg_params{}.add(horizon_days).add(limit));
  if (!r) return r.error();
  std::vector<pending_mirror> out;
  out.reserve(static_cast<std::size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) out.push_back(pending_mirror{(*r)[i].int64(0), std::string{(*r)[i].text(1)}});
  return out;
}

status mark_mirrored(pg_connection& conn, std::int64_t appointment_id, const std::string& event_id,
                     const std::string& version) {
  auto r = conn.exec("UPDATE appointments SET calendar_event_id = $2, calendar_synced_at = $3::timestamptz"
                     " WHERE id = $1",
                     pg_params{}.add(appointment_id).add(non_empty(event_id)).add(version));
  if (!r) return r.error();
  return done{};
}

} // namespace ce::store
