// Customers, vehicles, verification and service history. Booking is in booking.cpp, call
// logs in call_log.cpp.
#include "store/dealership_store.hpp"

#include "store/phone.hpp"
#include "store/store_rows.hpp"
#include "store/vin.hpp"

#include <cctype>

namespace ce::store {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string{s};
}

std::string digits_of(std::string_view s) {
  std::string d;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c))) d.push_back(c);
  return d;
}

// "1984-07-02" or "07/02/1984" -> "1984-07-02".
result<std::string> parse_birth_date(std::string_view text) {
  auto t = trim(text);
  if (t.size() == 10 && t[2] == '/' && t[5] == '/') t = t.substr(6, 4) + "-" + t.substr(0, 2) + "-" + t.substr(3, 2);
  auto date = parse_local_date(t);
  if (!date) return make_error(store_errc::invalid, "a date of birth is written YYYY-MM-DD or MM/DD/YYYY");
  return format_date(*date);
}

status check_customer_fields(const customer& c) {
  if (trim(c.first_name).empty() || trim(c.last_name).empty())
    return make_error(store_errc::invalid, "a customer needs a first and a last name");
  if (c.first_name.size() > 100 || c.last_name.size() > 100)
    return make_error(store_errc::invalid, "names are limited to 100 characters");
  if (!c.email.empty() && (c.email.find('@') == std::string::npos || c.email.find('@') == 0))
    return make_error(store_errc::invalid, "'" + c.email + "' is not an email address");
  if (!c.zip.empty() && (digits_of(c.zip).size() != 5 || c.zip.size() != 5))
    return make_error(store_errc::invalid, "a ZIP code has 5 digits");
  if (c.preferred_contact != "phone" && c.preferred_contact != "sms" && c.preferred_contact != "email")
    return make_error(store_errc::invalid, "preferred contact is phone, sms or email");
  return done{};
}

std::optional<std::string> non_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

} // namespace

std::string_view to_string(verify_method m) {
  switch (m) {
    case verify_method::date_of_birth: return "date_of_birth";
    case verify_method::zip: return "zip";
    case verify_method::vin_last6: return "vin_last6";
  }
  return "unknown";
}

dealership_store::dealership_store(pg_connection conn, shop_calendar calendar)
    : conn_(std::move(conn)), calendar_(std::move(calendar)), rng_(std::random_device{}()) {}

result<dealership_store> dealership_store::create(pg_options options, const dealership_facts& facts) {
  auto cal = make_shop_calendar(facts);
  if (!cal) return cal.error();
  return dealership_store{pg_connection{std::move(options)}, std::move(*cal)};
}

result<customer> dealership_store::find_customer_by_phone(std::string_view phone) {
  auto e164 = normalize_phone(phone);
  if (!e164) return e164.error();
  auto r = conn_.exec(std::string{"SELECT "} + rows::customer_columns + " FROM customers c WHERE c.phone = $1",
                      pg_params{}.add(*e164));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no customer with that phone number");
  return rows::read_customer((*r)[0]);
}

result<customer> dealership_store::find_customer(std::int64_t customer_id) {
  auto r = conn_.exec(std::string{"SELECT "} + rows::customer_columns + " FROM customers c WHERE c.id = $1",
                      pg_params{}.add(customer_id));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no such customer");
  return rows::read_customer((*r)[0]);
}

result<customer> dealership_store::create_customer(const customer& in) {
  customer c = in;
  c.first_name = trim(c.first_name);
  c.last_name = trim(c.last_name);
  c.email = trim(c.email);
  c.zip = trim(c.zip);
  if (c.preferred_contact.empty()) c.preferred_contact = "phone";
  if (auto ok = check_customer_fields(c); !ok) return ok.error();
  auto phone = normalize_phone(c.phone);
  if (!phone) return phone.error();
  std::optional<std::string> dob;
  if (!c.date_of_birth.empty()) {
    auto d = parse_birth_date(c.date_of_birth);
    if (!d) return d.error();
    dob = *d;
  }
  auto r = conn_.exec(
    std::string{"INSERT INTO customers AS c (first_name, last_name, phone, email, date_of_birth, zip, address,"
                " preferred_contact, consent_sms, consent_calls, consent_email)"
                " VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11) RETURNING "} +
      rows::customer_columns,
    pg_params{}
      .add(c.first_name).add(c.last_name).add(*phone).add(non_empty(c.email)).add(dob)
      .add(non_empty(c.zip)).add(non_empty(c.address)).add(c.preferred_contact)
      .add(c.consent_sms).add(c.consent_calls).add(c.consent_email));
  if (!r) {
    auto e = r.error();
    if (e.code == store_errc::conflict) e.message = "a customer with this phone number already exists";
    return e;
  }
  return rows::read_customer((*r)[0]);
}

result<bool> dealership_store::verify_customer(std::int64_t customer_id, verify_method method,
                                               std::string_view answer) {
  std::string sql;
  std::string value;
  switch (method) {
    case verify_method::date_of_birth: {
      auto d = parse_birth_date(answer);
      if (!d) return d.error();
      value = *d;
      sql = "SELECT c.date_of_birth IS NOT NULL AND c.date_of_birth = $2::date FROM customers c WHERE c.id = $1";
      break;
    }
    case verify_method::zip: {
      value = digits_of(answer);
      if (value.size() != 5 && value.size() != 9) return make_error(store_errc::invalid, "a ZIP code has 5 digits");
      value.resize(5);
      sql = "SELECT coalesce(left(c.zip, 5) = $2, false) FROM customers c WHERE c.id = $1";
      break;
    }
    case verify_method::vin_last6: {
      value = normalize_vin(answer);
      if (value.size() != 6) return make_error(store_errc::invalid, "the last 6 characters of the VIN are needed");
      sql = "SELECT EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = c.id AND right(v.vin, 6) = $2)"
            " FROM customers c WHERE c.id = $1";
      break;
    }
  }
  auto r = conn_.exec(sql, pg_params{}.add(customer_id).add(value));
  if (!r) return r.error();
  if (r->empty()) return make_error(store_errc::not_found, "no such customer");
  return (*r)[0].boolean(0);
}

result<std::vector<vehicle>> dealership_store::vehicles_of(std::int64_t customer_id) {
  auto r = conn_.exec(std::string{"SELECT "} + rows::vehicle_columns +
                        " FROM vehicles v WHERE v.customer_id = $1 ORDER BY v.year DESC, v.id",
                      pg_params{}.add(customer_id));
  if (!r) return r.error();
  std::vector<vehicle> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(rows::read_vehicle((*r)[i]));
  return out;
}

result<vehicle> dealership_store::add_vehicle_without_vin(std::int64_t customer_id, const new_vehicle& in) {
  vehicle v;
  v.customer_id = customer_id;
  v.make = trim(in.make);
  v.model = trim(in.model);
  v.year = in.year;
  v.mileage = in.mileage;
  if (v.make.empty() || v.model.empty() || v.year == 0)
    return make_error(store_errc::invalid, "without a VIN, the make, model and year are needed");
  if (v.year < 1980 || v.year > 2100) return make_error(store_errc::invalid, "the model year must be 1980 or later");
  if (v.mileage && (*v.mileage < 0 || *v.mileage > 2'000'000))
    return make_error(store_errc::invalid, "mileage must be between 0 and 2,000,000");
  auto exists = conn_.exec("SELECT count(*) FROM customers WHERE id = $1", pg_params{}.add(customer_id));
  if (!exists) return exists.error();
  if ((*exists)[0].int64(0) == 0) return make_error(store_errc::not_found, "no such customer");
  // ON CONFLICT on the partial index: asking twice returns the same vehicle
  auto r = conn_.exec(std::string{"INSERT INTO vehicles AS v (customer_id, vin, make, model, year, mileage)"
                                  " VALUES ($1, NULL, $2, $3, $4, $5)"
                                  " ON CONFLICT (customer_id, lower(make), lower(model), year) WHERE vin IS NULL"
                                  " DO UPDATE SET mileage = coalesce(EXCLUDED.mileage, v.mileage) RETURNING "} +
                        rows::vehicle_columns,
                      pg_params{}.add(customer_id).add(v.make).add(v.model).add(v.year).add(v.mileage));
  if (!r) return r.error();
  return rows::read_vehicle((*r)[0]);
}

result<vehicle> dealership_store::add_vehicle(std::int64_t customer_id, const new_vehicle& in) {
  if (trim(in.vin).empty()) return add_vehicle_without_vin(customer_id, in);
  auto decoded = decode_vin(in.vin);
  if (!decoded) return decoded.error();
  vehicle v;
  v.customer_id = customer_id;
  v.vin = decoded->vin;
  v.make = decoded->make.empty() ? trim(in.make) : decoded->make;
  v.model = trim(in.model);
  v.year = decoded->model_year;
  v.mileage = in.mileage;
  if (v.make.empty()) return make_error(store_errc::invalid, "the VIN does not name a make we know: give the make");
  if (v.model.empty()) return make_error(store_errc::invalid, "the vehicle's model is needed");
  if (in.year != 0 && in.year != v.year)
    return make_error(store_errc::invalid, "the VIN says model year " + std::to_string(v.year) + ", not " +
                                             std::to_string(in.year));
  if (v.mileage && (*v.mileage < 0 || *v.mileage > 2'000'000))
    return make_error(store_errc::invalid, "mileage must be between 0 and 2,000,000");
  auto owner = conn_.exec("SELECT (SELECT count(*) FROM customers WHERE id = $1),"
                          " (SELECT customer_id FROM vehicles WHERE vin = $2)",
                          pg_params{}.add(customer_id).add(v.vin));
  if (!owner) return owner.error();
  if ((*owner)[0].int64(0) == 0) return make_error(store_errc::not_found, "no such customer");
  if (auto existing = (*owner)[0].opt_int64(1)) {
    if (*existing != customer_id)
      return make_error(store_errc::conflict, "this VIN is registered to another customer");
    auto r = conn_.exec(std::string{"SELECT "} + rows::vehicle_columns + " FROM vehicles v WHERE v.vin = $1",
                        pg_params{}.add(v.vin));
    if (!r) return r.error();
    return rows::read_vehicle((*r)[0]);
  }
  auto r = conn_.exec(std::string{"INSERT INTO vehicles AS v (customer_id, vin, make, model, year, mileage)"
                                  " VALUES ($1, $2, $3, $4, $5, $6) RETURNING "} +
                        rows::vehicle_columns,
                      pg_params{}.add(customer_id).add(v.vin).add(v.make).add(v.model).add(v.year).add(v.mileage));
  if (!r) {
    auto e = r.error();
    if (e.code == store_errc::conflict) e.message = "this VIN is already registered";
    return e;
  }
  return rows::read_vehicle((*r)[0]);
}

result<std::vector<service_record>> dealership_store::service_history(std::int64_t customer_id,
                                                                     std::optional<std::int64_t> vehicle_id,
                                                                     int limit) {
  if (limit < 1 || limit > 500) return make_error(store_errc::invalid, "limit must be between 1 and 500");
  if (vehicle_id) {
    auto owner = conn_.exec("SELECT customer_id FROM vehicles WHERE id = $1", pg_params{}.add(*vehicle_id));
    if (!owner) return owner.error();
    if (owner->empty()) return make_error(store_errc::not_found, "no such vehicle");
    if ((*owner)[0].int64(0) != customer_id)
      return make_error(store_errc::forbidden, "that vehicle is not this customer's");
  }
  auto r = conn_.exec(
    "SELECT sh.id, sh.vehicle_id, v.vin, v.make, v.model, v.year, sh.service_type, sh.performed_on::text,"
    " sh.mileage, sh.description, sh.cost_cents"
    " FROM service_history sh JOIN vehicles v ON v.id = sh.vehicle_id"
    " WHERE v.customer_id = $1 AND ($2::bigint IS NULL OR v.id = $2::bigint)"
    " ORDER BY sh.performed_on DESC, sh.id DESC LIMIT $3",
    pg_params{}.add(customer_id).add(vehicle_id).add(limit));
  if (!r) return r.error();
  std::vector<service_record> out;
  for (int i = 0; i < r->size(); ++i) {
    auto row = (*r)[i];
    service_record s;
    s.id = row.int64(0);
    s.vehicle_id = row.int64(1);
    s.vin = row.text(2);
    s.make = row.text(3);
    s.model = row.text(4);
    s.year = row.int32(5);
    s.service_type = row.text(6);
    s.performed_on = row.text(7);
    if (!row.is_null(8)) s.mileage = row.int32(8);
    s.description = row.text(9);
    if (!row.is_null(10)) s.cost_cents = row.int32(10);
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace ce::store
