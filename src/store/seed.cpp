#include "store/seed.hpp"

#include "store/dealership_store.hpp"
#include "store/migrations.hpp"
#include "store/seed_data.hpp"
#include "store/shop_calendar.hpp"
#include "store/vin.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unordered_set>

namespace ce::store {

namespace {

namespace sd = seed_data;
using sys_days = std::chrono::sys_days;

// splitmix64: the same numbers on every platform (std distributions are not portable).
struct seed_rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }  // inclusive
  bool chance(int percent) { return below(100) < percent; }
  template <class T, std::size_t N>
  const T& pick(const T (&items)[N]) { return items[below(static_cast<int>(N))]; }
};

// COPY text format: backslash, tab and newlines escaped; NULL is \N (generated text never
// is exactly that, so the marker passes through unescaped).
constexpr std::string_view null_field = "\\N";
void field(std::string& out, std::string_view text) {
  if (text == null_field) {
    out += text;
    return;
  }
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out.push_back(c);
  }
}
void col(std::string& out, std::string_view text) { field(out, text); out.push_back('\t'); }
void col(std::string& out, long long n) { out += std::to_string(n); out.push_back('\t'); }
void last(std::string& out, std::string_view text) { field(out, text); out.push_back('\n'); }

struct gen_vehicle {
  int customer = 0;
  std::string vin;
  std::string_view make, model;
  int year = 0;
  int mileage_per_year = 0;
  std::string last_service;  ///< YYYY-MM-DD, "" = never
};

struct service_price {
  std::string id;
  int minutes = 30;
  int cents = 0;
};

// "$49.95" -> 4995, "from $189" -> 18900, "free" -> 0.
int price_cents(std::string_view price) {
  auto dollar = price.find('$');
  if (dollar == std::string_view::npos) return 0;
  double v = std::strtod(std::string{price.substr(dollar + 1)}.c_str(), nullptr);
  return static_cast<int>(v * 100 + 0.5);
}

struct generated {
  std::string customers, vehicles, appointments, history;
  int n_customers = 0, n_vehicles = 0, n_appointments = 0, n_history = 0;
};

struct seed_context {
  const seed_options& o;
  const shop_calendar& cal;
  std::vector<service_price> services;
  sys_days today;
  int current_year = 0;
  seed_rng rng;
  generated g;
  std::vector<gen_vehicle> vehicles;
};

void gen_customers(seed_context& c) {
  std::unordered_set<std::string> phones;
  auto& rng = c.rng;
  for (int id = 1; id <= c.o.customers; ++id) {
    std::string phone;
    do {
      char buf[16];
      std::snprintf(buf, sizeof buf, "+1%03d55501%02d", rng.pick(sd::area_codes), rng.below(100));
      phone = buf;
    } while (!phones.insert(phone).second);
    auto first = rng.pick(sd::first_names);
    auto last_name = rng.pick(sd::last_names);
    const auto& t = rng.pick(sd::towns);
    char dob[40];
    std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", rng.between(c.current_year - 85, c.current_year - 18),
                  rng.between(1, 12), rng.between(1, 28));
    std::string email;
    for (char ch : first) email.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    email += '.';
    for (char ch : last_name)
      if (ch != '\'') email.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    email += std::to_string(id) + "@example.com";
    std::string address = std::to_string(rng.between(100, 9899)) + " " + std::string{rng.pick(sd::streets)} +
                          ", " + std::string{t.city} + " " + std::string{t.zip};
    const char* contact = rng.chance(60) ? "phone" : rng.chance(70) ? "sms" : "email";
    auto& out = c.g.customers;
    col(out, id);
    col(out, first);
    col(out, last_name);
    col(out, phone);
    col(out, rng.chance(85) ? std::string_view{email} : null_field);
    col(out, dob);
    col(out, t.zip);
    col(out, address);
    col(out, contact);
    col(out, rng.chance(55) ? "t" : "f");
    col(out, rng.chance(80) ? "t" : "f");
    last(out, rng.chance(45) ? "t" : "f");
  }
  c.g.n_customers = c.o.customers;
}

void gen_vehicles(seed_context& c) {
  auto& rng = c.rng;
  int total_weight = 0;
  for (const auto& m : sd::models) total_weight += m.weight;
  c.vehicles.reserve(static_cast<std::size_t>(c.o.vehicles));
  for (int id = 1; id <= c.o.vehicles; ++id) {
    // Every customer has one vehicle; the rest go to random customers (households).
    int customer = id <= c.o.customers ? id : rng.between(1, c.o.customers);
    int roll = rng.below(total_weight);
    const sd::model_spec* m = &sd::models[0];
    for (const auto& candidate : sd::models) {
      if (roll < candidate.weight) { m = &candidate; break; }
      roll -= candidate.weight;
    }
    int newest = m->last_year ? std::min(m->last_year, c.current_year) : c.current_year;
    // Younger cars are more common at a dealership's service desk.
    int year = std::max(m->first_year, newest - std::min(rng.below(12), rng.below(18)));
    char plant = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"[rng.below(33)];
    c.vehicles.push_back(gen_vehicle{customer, make_vin(m->wmi, m->vds, year, plant, 100000 + id), m->make,
                                     m->model, year, rng.between(7000, 16000), {}});
  }
}

void add_history(seed_context& c, int vehicle, std::optional<int> appointment, const service_price& svc,
                 sys_days day) {
  auto& v = c.vehicles[static_cast<std::size_t>(vehicle - 1)];
  auto date = format_date(std::chrono::year_month_day{day});
  int cents = svc.cents ? svc.cents + (svc.cents > 10000 ? c.rng.below(16) * 1000 : 0) : 0;
  int age_days = static_cast<int>((day - sys_days{std::chrono::year{v.year} / 1 / 1}).count());
  auto& h = c.g.history;
  col(h, ++c.g.n_history);
  col(h, vehicle);
  col(h, appointment ? std::to_string(*appointment) : std::string{null_field});
  col(h, svc.id);
  col(h, date);
  col(h, std::max(10, age_days) * v.mileage_per_year / 365);
  col(h, "Completed " + svc.id);
  last(h, std::to_string(cents));
  v.last_service = std::max(v.last_service, date);
}

// Lays out one day: each bay runs services back to back with occasional gaps, inside the
// opening hours and never across lunch. Returns how many were placed (<= wanted).
int lay_out_day(seed_context& c, sys_days day, int wanted, bool past, std::unordered_set<std::string>& codes) {
  auto& rng = c.rng;
  std::chrono::year_month_day ymd{day};
  const auto& h = c.cal.hours_on(ymd);
  std::vector<int> cursor(static_cast<std::size_t>(c.cal.bays), h.open_min);
  auto date = format_date(ymd);
  int placed = 0;
  auto all_full = [&] {
    return std::all_of(cursor.begin(), cursor.end(), [&](int t) { return t >= h.close_min; });
  };
  for (int bay = 0; placed < wanted && !all_full(); bay = (bay + 1) % c.cal.bays) {
    int& t = cursor[static_cast<std::size_t>(bay)];
    if (t >= h.close_min) continue;
    if (rng.chance(30)) t += c.cal.slot_minutes;
    const auto& svc = c.services[static_cast<std::size_t>(rng.below(static_cast<int>(c.services.size())))];
    if (c.cal.lunch_start_min >= 0 && t < c.cal.lunch_end_min && t + svc.minutes > c.cal.lunch_start_min)
      t = c.cal.lunch_end_min;
    if (t + svc.minutes > h.close_min) {
      t = h.close_min;
      continue;
    }
    int start = t;
    t += (svc.minutes + c.cal.slot_minutes - 1) / c.cal.slot_minutes * c.cal.slot_minutes;
    ++placed;
    int id = ++c.g.n_appointments;
    int vehicle = rng.between(1, static_cast<int>(c.vehicles.size()));
    std::string code;
    do code = confirmation_code_from_bits(rng.next());
    while (!codes.insert(code).second);
    std::string status = past ? (rng.chance(88) ? "completed" : rng.chance(60) ? "cancelled" : "no_show")
                              : (rng.chance(92) ? (rng.chance(75) ? "booked" : "confirmed") : "cancelled");
    auto& s = c.g.appointments;
    col(s, id);
    col(s, c.vehicles[static_cast<std::size_t>(vehicle - 1)].customer);
    col(s, vehicle);
    col(s, svc.id);
    col(s, date + " " + format_clock(start) + ":00");
    col(s, date + " " + format_clock(start + svc.minutes) + ":00");
    col(s, bay + 1);
    col(s, status);
    col(s, code);
    last(s, past ? (status == "completed" ? "called" : "skipped") : "pending");
    if (status == "completed") add_history(c, vehicle, id, svc, day);
  }
  return placed;
}

// Past days absorb what the future days do not, so the total is exact as long as the
// window can hold it.
void gen_appointments(seed_context& c) {
  std::vector<sys_days> past_days, future_days;
  for (int d = c.o.past_days; d >= 1; --d)
    if (c.cal.hours_on(std::chrono::year_month_day{c.today - std::chrono::days{d}}).open)
      past_days.push_back(c.today - std::chrono::days{d});
  for (int d = 1; d <= c.o.future_days; ++d)
    if (c.cal.hours_on(std::chrono::year_month_day{c.today + std::chrono::days{d}}).open)
      future_days.push_back(c.today + std::chrono::days{d});
  int planned_future = std::min(c.o.appointments, static_cast<int>(future_days.size()) * c.o.future_per_day);
  int past_total = c.o.appointments - planned_future;
  std::unordered_set<std::string> codes;
  for (std::size_t i = 0; i < past_days.size(); ++i) {
    int left_days = static_cast<int>(past_days.size() - i);
    past_total -= lay_out_day(c, past_days[i], (past_total + left_days - 1) / left_days, true, codes);
  }
  // Whatever the past days could not hold goes to the (lightly booked) future.
  int future_total = c.o.appointments - c.g.n_appointments;
  for (std::size_t i = 0; i < future_days.size(); ++i) {
    int left_days = static_cast<int>(future_days.size() - i);
    future_total -= lay_out_day(c, future_days[i], (future_total + left_days - 1) / left_days, false, codes);
  }
}

// Older visits (before the appointment window), without an appointment row.
void gen_older_history(seed_context& c) {
  auto window_start = c.today - std::chrono::days{c.o.past_days};
  for (int vehicle = 1; vehicle <= static_cast<int>(c.vehicles.size()); ++vehicle) {
    int n = c.rng.below(3);
    auto first_day = sys_days{std::chrono::year{c.vehicles[static_cast<std::size_t>(vehicle - 1)].year} / 3 / 1};
    auto span = (window_start - first_day).count();
    for (int k = 0; k < n && span > 30; ++k) {
      auto day = first_day + std::chrono::days{c.rng.below(static_cast<int>(span))};
      const auto& svc = c.services[static_cast<std::size_t>(c.rng.below(static_cast<int>(c.services.size())))];
      add_history(c, vehicle, std::nullopt, svc, day);
    }
  }
}

void serialize_vehicles(seed_context& c) {
  auto& s = c.g.vehicles;
  for (std::size_t i = 0; i < c.vehicles.size(); ++i) {
    const auto& v = c.vehicles[i];
    int age = std::max(0, c.current_year - v.year);
    col(s, static_cast<long long>(i + 1));
    col(s, v.customer);
    col(s, v.vin);
    col(s, v.make);
    col(s, v.model);
    col(s, v.year);
    col(s, v.mileage_per_year * age + v.mileage_per_year / 3);
    last(s, v.last_service.empty() ? null_field : std::string_view{v.last_service});
  }
  c.g.n_vehicles = static_cast<int>(c.vehicles.size());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

status load(pg_connection& conn, std::string_view table, std::string_view columns, const std::string& data,
            int rows, std::chrono::steady_clock::time_point t0, std::ostream& progress) {
  auto n = conn.copy_in("COPY " + std::string{table} + " (" + std::string{columns} + ") FROM STDIN", data);
  if (!n) {
    auto e = n.error();
    e.message = std::string{table} + ": " + e.message;
    return e;
  }
  char line[128];
  std::snprintf(line, sizeof line, "  %-16s %7d rows  (%.2f s)\n", std::string{table}.c_str(), rows, seconds_since(t0));
  progress << line << std::flush;
  return done{};
}

result<int> count_rows(pg_connection& conn) {
  auto r = conn.exec("SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM vehicles)"
                     " + (SELECT count(*) FROM appointments) + (SELECT count(*) FROM service_history)");
  if (!r) return r.error();
  return static_cast<int>((*r)[0].int64(0));
}

status load_all(pg_connection& conn, const seed_context& c, std::chrono::steady_clock::time_point t0,
                std::ostream& progress) {
  const auto& g = c.g;
  if (auto s = load(conn, "customers", "id, first_name, last_name, phone, email, date_of_birth, zip, address,"
                    " preferred_contact, consent_sms, consent_calls, consent_email", g.customers, g.n_customers, t0,
                    progress); !s)
    return s;
  if (auto s = load(conn, "vehicles", "id, customer_id, vin, make, model, year, mileage, last_service_date",
                    g.vehicles, g.n_vehicles, t0, progress); !s)
    return s;
  if (auto s = load(conn, "appointments", "id, customer_id, vehicle_id, service_type, starts_at, ends_at, bay,"
                    " status, confirmation_code, reminder_state", g.appointments, g.n_appointments, t0, progress); !s)
    return s;
  if (auto s = load(conn, "service_history", "id, vehicle_id, appointment_id, service_type, performed_on, mileage,"
                    " description, cost_cents", g.history, g.n_history, t0, progress); !s)
    return s;
  for (const char* table : {"customers", "vehicles", "appointments", "service_history"}) {
    auto r = conn.exec(std::string{"SELECT setval(pg_get_serial_sequence('"} + table + "', 'id'), "
                       "(SELECT coalesce(max(id), 0) + 1 FROM " + table + "), false)");
    if (!r) return r.error();
  }
  return done{};
}

} // namespace

result<seed_report> seed_database(pg_connection& conn, const dealership_facts& facts, const seed_options& o,
                                  std::ostream& progress) {
  auto t0 = std::chrono::steady_clock::now();
  if (o.customers < 1 || o.vehicles < o.customers || o.appointments < 0)
    return make_error(store_errc::invalid, "seed: need customers >= 1 and vehicles >= customers");
  auto cal = make_shop_calendar(facts);
  if (!cal) return cal.error();
  if (facts.services.empty()) return make_error(store_errc::invalid, "seed: the dealership offers no services");
  auto today = conn.exec("SELECT (now() AT TIME ZONE $1)::date::text", pg_params{}.add(facts.timezone));
  if (!today) return today.error();
  auto today_date = parse_local_date((*today)[0].text(0));
  if (!today_date) return today_date.error();

  seed_report report;
  if (!o.reset) {
    auto n = count_rows(conn);
    if (!n) return n.error();
    if (*n > 0) {
      progress << "seed: the database already has data; nothing done (use --reset to reload)\n";
      report.skipped = true;
      return report;
    }
  }
  seed_context c{o, *cal, {}, sys_days{*today_date}, static_cast<int>(today_date->year()), seed_rng{o.seed}, {}, {}};
  for (const auto& s : facts.services) c.services.push_back({s.id, s.duration_min, price_cents(s.price)});
  gen_customers(c);
  gen_vehicles(c);
  gen_appointments(c);
  gen_older_history(c);
  serialize_vehicles(c);
  char line[96];
  std::snprintf(line, sizeof line, "  generated        %7d rows  (%.2f s)\n",
                c.g.n_customers + c.g.n_vehicles + c.g.n_appointments + c.g.n_history, seconds_since(t0));
  progress << line << std::flush;

  pg_transaction tx{conn};
  if (auto b = tx.begin(); !b) return b.error();
  // Local wall-clock times in the COPY data are the dealership's.
  if (auto z = conn.exec("SELECT set_config('TimeZone', $1, true)", pg_params{}.add(facts.timezone)); !z)
    return z.error();
  if (o.reset) {
    auto t = conn.exec("TRUNCATE reminder_jobs, service_history, appointments, vehicles, customers RESTART IDENTITY CASCADE");
    if (!t) return t.error();
  }
  if (auto l = load_all(conn, c, t0, progress); !l) return l.error();
  if (auto cm = tx.commit(); !cm) return cm.error();
  if (auto a = conn.exec_script("ANALYZE customers; ANALYZE vehicles; ANALYZE appointments; ANALYZE service_history");
      !a)
    return a.error();
  report.customers = c.g.n_customers;
  report.vehicles = c.g.n_vehicles;
  report.appointments = c.g.n_appointments;
  report.service_history = c.g.n_history;
  report.seconds = seconds_since(t0);
  return report;
}

} // namespace ce::store
