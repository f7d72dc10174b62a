#include "mocks/calendar_store.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace ce::mocks {
namespace {

using nlohmann::json;

api_result error(unsigned status, std::string_view reason, std::string_view message, std::string_view domain = "global",
                 std::string_view location_type = {}, std::string_view location = {}) {
  return {status, google_error_body(status, reason, message, domain, location_type, location)};
}

api_result not_found() { return error(404, "notFound", "Not Found"); }

bool is_string_map(const json& j) {
  if (!j.is_object()) return false;
  return std::all_of(j.begin(), j.end(), [](const json& v) { return v.is_string(); });
}

std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Checks the writable fields Google validates strictly; an error result or nullopt.
std::optional<api_result> check_fields(const json& e) {
  if (e.contains("status")) {
    static const std::set<std::string> ok{"confirmed", "tentative", "cancelled"};
    if (!e["status"].is_string() || !ok.count(e["status"].get<std::string>()))
      return error(400, "invalid", "Invalid value for: status");
  }
  if (e.contains("transparency")) {
    if (!e["transparency"].is_string() ||
        (e["transparency"] != "opaque" && e["transparency"] != "transparent"))
      return error(400, "invalid", "Invalid value for: transparency");
  }
  if (e.contains("attendees")) {
    if (!e["attendees"].is_array()) return error(400, "invalid", "Invalid value for: attendees");
    for (const auto& a : e["attendees"])
      if (!a.is_object() || !a.contains("email") || !a["email"].is_string() || a["email"].get_ref<const std::string&>().empty())
        return error(400, "required", "Missing attendee email.");
  }
  if (e.contains("reminders") && e["reminders"].is_object() && e["reminders"].contains("overrides")) {
    const auto& o = e["reminders"]["overrides"];
    if (!o.is_array()) return error(400, "invalid", "Invalid value for: reminders.overrides");
    if (o.size() > 5) return error(400, "cannotUseMoreThanFiveReminders", "Cannot specify more than 5 reminders.");
    for (const auto& r : o) {
      const int minutes = r.is_object() && r.contains("minutes") && r["minutes"].is_number_integer() ? r["minutes"].get<int>() : -1;
      const std::string method = r.is_object() ? r.value("method", "") : "";
      if (minutes < 0 || minutes > 40320 || (method != "email" && method != "popup"))
        return error(400, "invalid", "Invalid reminder override.");
    }
  }
  if (e.contains("extendedProperties")) {
    const auto& x = e["extendedProperties"];
    if (!x.is_object()) return error(400, "invalid", "Invalid value for: extendedProperties");
    for (const char* k : {"private", "shared"})
      if (x.contains(k) && !x[k].is_null() && !is_string_map(x[k]))
        return error(400, "invalid", std::string("Invalid value for: extendedProperties.") + k);
  }
  return std::nullopt;
}

bool matches_property_filter(const json& resource, const char* kind, const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    const auto eq = f.find('=');
    if (eq == std::string::npos) return false;
    const std::string key = f.substr(0, eq);
    const std::string value = f.substr(eq + 1);
    if (!resource.contains("extendedProperties")) return false;
    const auto& x = resource["extendedProperties"];
    if (!x.is_object() || !x.contains(kind) || !x[kind].is_object() || !x[kind].contains(key)) return false;
    if (x[kind][key] != value) return false;
  }
  return true;
}

std::optional<std::string> first_value(const query_pairs& q, std::string_view key) {
  for (const auto& [k, v] : q)
    if (k == key) return v;
  return std::nullopt;
}

std::vector<std::string> all_values(const query_pairs& q, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : q)
    if (k == key) out.push_back(v);
  return out;
}

const std::set<std::string>& read_only_fields() {
  static const std::set<std::string> f{"kind", "etag", "id", "htmlLink", "created", "updated",
                                       "iCalUID", "creator", "organizer"};
  return f;
}

} // namespace

nlohmann::json google_error_body(unsigned status, std::string_view reason, std::string_view message,
                                 std::string_view domain, std::string_view location_type, std::string_view location) {
  json entry{{"domain", domain}, {"reason", reason}, {"message", message}};
  if (!location_type.empty()) entry["locationType"] = location_type;
  if (!location.empty()) entry["location"] = location;
  return json{{"error", {{"errors", json::array({entry})}, {"code", status}, {"message", message}}}};
}

bool valid_event_id(std::string_view id) {
  if (id.size() < 5 || id.size() > 1024) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'v') || (c >= '0' && c <= '9'); });
}

calendar_store::calendar_store(zone_db& zones) : zones_(zones) {}

std::string calendar_store::reset(const nlohmann::json& calendars, const std::string& time_zone) {
  {
    std::lock_guard lock(mutex_);
    calendars_.clear();
    time_zone_ = zones_.valid(time_zone) ? time_zone : "UTC";
    if (calendars.is_object())
      for (auto it = calendars.begin(); it != calendars.end(); ++it) calendars_[it.key()];
  }
  if (!calendars.is_object()) return {};
  for (auto it = calendars.begin(); it != calendars.end(); ++it) {
    for (const auto& e : *it) {
      auto r = insert(it.key(), e);
      if (r.status != 200) return "seed event of calendar " + it.key() + ": " + r.body.dump();
    }
  }
  return {};
}

bool calendar_store::has_calendar(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return calendars_.count(id) > 0;
}

std::string calendar_store::new_id() {
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
  std::uint64_t h = ++counter_ * 0x9E3779B97F4A7C15ull;
  std::string id;
  for (int i = 0; i < 26; ++i) {
    if (i == 12) h = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull + counter_;
    id.push_back(alphabet[h & 31]);
    h >>= 5;
  }
  return id;
}

std::string calendar_store::etag() { return "\"" + std::to_string(3180000000000000ull + (++counter_) * 1000) + "\""; }

std::optional<std::int64_t> calendar_store::read_event_time(const nlohmann::json& t, const char* which,
                                                            std::string& err) const {
  const std::string w(which);
  if (!t.is_object()) {
    err = "Missing " + w + " time.";
    return std::nullopt;
  }
  std::string zone;
  if (t.contains("timeZone") && !t["timeZone"].is_null()) {
    if (!t["timeZone"].is_string() || !zones_.valid(t["timeZone"].get<std::string>())) {
      err = "Invalid time zone definition for " + w + " time.";
      return std::nullopt;
    }
    zone = t["timeZone"].get<std::string>();
  }
  if (t.contains("date") && t["date"].is_string()) {
    auto d = parse_date(t["date"].get<std::string>());
    if (!d) {
      err = "Invalid " + w + " date.";
      return std::nullopt;
    }
    return zones_.local_to_utc(time_zone_, civil_to_ms(*d));
  }
  if (!t.contains("dateTime") || !t["dateTime"].is_string()) {
    err = "Missing " + w + " time.";
    return std::nullopt;
  }
  auto dt = parse_date_time(t["dateTime"].get<std::string>());
  if (!dt) {
    err = "Invalid " + w + " time.";
    return std::nullopt;
  }
  if (dt->offset_s) return civil_to_ms(*dt) - static_cast<std::int64_t>(*dt->offset_s) * 1000;
  if (zone.empty()) {
    err = "Missing time zone definition for " + w + " time.";
    return std::nullopt;
  }
  return zones_.local_to_utc(zone, civil_to_ms(*dt));
}

std::optional<api_result> calendar_store::read_times(const nlohmann::json& event, std::int64_t& start,
                                                     std::int64_t& end) const {
  std::string err;
  if (!event.contains("start")) return error(400, "required", "Missing start time.");
  if (!event.contains("end")) return error(400, "required", "Missing end time.");
  auto s = read_event_time(event["start"], "start", err);
  if (!s) return error(400, err.find("zone") != std::string::npos && err.find("Missing") == std::string::npos ? "invalid" : "required", err);
  auto e = read_event_time(event["end"], "end", err);
  if (!e) return error(400, err.find("zone") != std::string::npos && err.find("Missing") == std::string::npos ? "invalid" : "required", err);
  if (*e <= *s) return error(400, "timeRangeEmpty", "The specified time range is empty.", "calendar", "parameter", "end");
  start = *s;
  end = *e;
  return std::nullopt;
}

void calendar_store::stamp(nlohmann::json& r, const std::string& calendar_id, bool created) {
  const std::string now = format_utc(wall_clock_ms(), true);
  const std::string owner = calendar_id == "primary" ? "mock-calendar@example.com" : calendar_id;
  r["kind"] = "calendar#event";
  r["etag"] = etag();
  r["htmlLink"] = "https://www.google.com/calendar/event?eid=" + r["id"].get<std::string>();
  if (created || !r.contains("created")) r["created"] = now;
  r["updated"] = now;
  r["iCalUID"] = r["id"].get<std::string>() + "@google.com";
  r["creator"] = {{"email", owner}, {"self", true}};
  r["organizer"] = {{"email", owner}, {"self", true}};
  if (!r.contains("status")) r["status"] = "confirmed";
  if (!r.contains("sequence")) r["sequence"] = 0;
  if (!r.contains("reminders")) r["reminders"] = {{"useDefault", true}};
  if (!r.contains("eventType")) r["eventType"] = "default";
}

api_result calendar_store::insert(const std::string& cal, nlohmann::json event) {
  if (!event.is_object()) return error(400, "badRequest", "Bad Request");
  std::lock_guard lock(mutex_);
  auto c = calendars_.find(cal);
  if (c == calendars_.end()) return not_found();
  std::string id;
  if (event.contains("id")) {
    if (!event["id"].is_string() || !valid_event_id(event["id"].get<std::string>()))
      return error(400, "invalid", "Invalid resource id value.");
    id = event["id"].get<std::string>();
    if (c->second.events.count(id)) return error(409, "duplicate", "The requested identifier already exists.");
  }
  std::int64_t start = 0, end = 0;
  if (auto err = read_times(event, start, end)) return *err;
  if (auto err = check_fields(event)) return *err;
  for (const auto& f : read_only_fields())
    if (f != "id") event.erase(f);
  if (id.empty()) {
    do id = new_id();
    while (c->second.events.count(id));
  }
  event["id"] = id;
  event.erase("sequence");
  stamp(event, cal, true);
  stored s{event, start, end, ++counter_};
  c->second.events[id] = s;
  return {200, event};
}

api_result calendar_store::patch(const std::string& cal, const std::string& id, const nlohmann::json& changes) {
  if (!changes.is_object()) return error(400, "badRequest", "Bad Request");
  std::lock_guard lock(mutex_);
  auto c = calendars_.find(cal);
  if (c == calendars_.end()) return not_found();
  auto it = c->second.events.find(id);
  if (it == c->second.events.end()) return not_found();
  json next = it->second.resource;
  json clean = changes;
  for (const auto& f : read_only_fields()) clean.erase(f);
  next.merge_patch(clean);
  std::int64_t start = 0, end = 0;
  if (auto err = read_times(next, start, end)) return *err;
  if (auto err = check_fields(next)) return *err;
  if (start != it->second.start_ms || end != it->second.end_ms) next["sequence"] = next.value("sequence", 0) + 1;
  stamp(next, cal, false);
  it->second.resource = next;
  it->second.start_ms = start;
  it->second.end_ms = end;
  return {200, next};
}

api_result calendar_store::update(const std::string& cal, const std::string& id, nlohmann::json event) {
  if (!event.is_object()) return error(400, "badRequest", "Bad Request");
  std::lock_guard lock(mutex_);
  auto c = calendars_.find(cal);
  if (c == calendars_.end()) return not_found();
  auto it = c->second.events.find(id);
  if (it == c->second.events.end()) return not_found();
  std::int64_t start = 0, end = 0;
  if (auto err = read_times(event, start, end)) return *err;
  if (auto err = check_fields(event)) return *err;
  for (const auto& f : read_only_fields()) event.erase(f);
  event["id"] = id;
  event["created"] = it->second.resource["created"];
  event["sequence"] = it->second.resource.value("sequence", 0) + 1;
  stamp(event, cal, false);
  it->second.resource = event;
  it->second.start_ms = start;
  it->second.end_ms = end;
  return {200, event};
}

api_result calendar_store::remove(const std::string& cal, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto c = calendars_.find(cal);
  if (c == calendars_.end()) return not_found();
  auto it = c->second.events.find(id);
  if (it == c->second.events.end()) return not_found();
  if (it->second.resource.value("status", "") == "cancelled") return error(410, "deleted", "Resource has been deleted");
  it->second.resource["status"] = "cancelled";
  stamp(it->second.resource, cal, false);
  return {204, json()};
}

api_result calendar_store::get(const std::string& cal, const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto c = calendars_.find(cal);
  if (c == calendars_.end()) return not_found();
  auto it = c->second.events.find(id);
  if (it == c->second.events.end()) return not_found();
  return {200, it->second.resource};
}

api_result calendar_store::list(const std::string& cal, const query_pairs& q) const {
  std::optional<std::int64_t> time_min, time_max;
  if (auto v = first_value(q, "timeMin")) {
    time_min = parse_rfc3339_ms(*v);
    if (!time_min) return error(400, "badRequest", "Bad Request", "global", "parameter", "timeMin");
  }
  if (auto v = first_value(q, "timeMax")) {
    time_max = parse_rfc3339_ms(*v);
    if (!time_max) return error(400, "badRequest", "Bad Request", "global", "parameter", "timeMax");
  }
  if (time_min && time_max && *time_max <= *time_min)
    return error(400, "timeRangeEmpty", "The specified time range is empty.", "calendar", "parameter", "timeMax");
  const bool single = first_value(q, "singleEvents").value_or("false") == "true";
  const bool show_deleted = first_value(q, "showDeleted").value_or("false") == "true";
  const std::string order_by = first_value(q, "orderBy").value_or("");
  if (!order_by.empty() && order_by != "startTime" && order_by != "updated")
    return error(400, "invalid", "Invalid value for: orderBy", "global", "parameter", "orderBy");
  if (order_by == "startTime" && !single)
    return error(400, "badRequest", "The requested ordering is not available for the particular query.");
  std::size_t max_results = 250;
  if (auto v = first_value(q, "maxResults")) {
    try {
      const long n = std::stol(*v);
      if (n < 1) return error(400, "invalid", "Invalid value for: maxResults");
      max_results = std::min<std::size_t>(static_cast<std::size_t>(n), 2500);
    } catch (const std::exception&) {
      return error(400, "invalid", "Invalid value for: maxResults");
    }
  }
  std::size_t offset = 0;
  if (auto v = first_value(q, "pageToken")) {
    if (v->size() < 2 || (*v)[0] != 'p') return error(400, "invalid", "Invalid page token value.");
    try {
      offset = static_cast<std::size_t>(std::stoul(v->substr(1)));
    } catch (const std::exception&) {
      return error(400, "invalid", "Invalid page token value.");
    }
  }
  const auto private_filters = all_values(q, "privateExtendedProperty");
  const auto shared_filters = all_values(q, "sharedExtendedProperty");
  const std::string text = lower_copy(first_value(q, "q").value_or(""));

  std::lock_guard lock(mutex_);
  auto c = calendars_.find(cal);
  if (c == calendars_.end()) return not_found();
  std::vector<const stored*> hits;
  for (const auto& [id, s] : c->second.events) {
    const auto& r = s.resource;
    if (!show_deleted && r.value("status", "") == "cancelled") continue;
    if (time_min && s.end_ms <= *time_min) continue;
    if (time_max && s.start_ms >= *time_max) continue;
    if (!matches_property_filter(r, "private", private_filters)) continue;
    if (!matches_property_filter(r, "shared", shared_filters)) continue;
    if (!text.empty()) {
      std::string hay;
      for (const char* k : {"summary", "description", "location"})
        if (r.contains(k) && r[k].is_string()) hay += lower_copy(r[k].get<std::string>()) + "\n";
      if (r.contains("attendees") && r["attendees"].is_array())
        for (const auto& a : r["attendees"]) hay += lower_copy(a.value("email", "")) + "\n";
      if (hay.find(text) == std::string::npos) continue;
    }
    hits.push_back(&s);
  }
  if (order_by == "startTime") {
    std::sort(hits.begin(), hits.end(), [](const stored* a, const stored* b) {
      return a->start_ms != b->start_ms ? a->start_ms < b->start_ms : a->order < b->order;
    });
  } else if (order_by == "updated") {
    std::sort(hits.begin(), hits.end(), [](const stored* a, const stored* b) {
      return a->resource["updated"].get<std::string>() < b->resource["updated"].get<std::string>();
    });
  } else {
    std::sort(hits.begin(), hits.end(), [](const stored* a, const stored* b) { return a->order < b->order; });
  }
  json items = json::array();
  for (std::size_t i = offset; i < hits.size() && items.size() < max_results; ++i) items.push_back(hits[i]->resource);
  json out{{"kind", "calendar#events"},
           {"etag", "\"p3" + std::to_string(counter_) + "\""},
           {"summary", cal},
           {"description", ""},
           {"updated", format_utc(wall_clock_ms(), true)},
           {"timeZone", time_zone_},
           {"accessRole", "owner"},
           {"defaultReminders", json::array({{{"method", "popup"}, {"minutes", 10}}})},
           {"items", std::move(items)}};
  if (offset + max_results < hits.size()) out["nextPageToken"] = "p" + std::to_string(offset + max_results);
  else out["nextSyncToken"] = "sync" + std::to_string(counter_);
  return {200, out};
}

api_result calendar_store::free_busy(const nlohmann::json& req) {
  if (!req.is_object()) return error(400, "badRequest", "Bad Request");
  for (const char* k : {"timeMin", "timeMax"})
    if (!req.contains(k) || !req[k].is_string()) return error(400, "required", "Required", "global", "parameter", k);
  const auto tmin = parse_rfc3339_ms(req["timeMin"].get<std::string>());
  if (!tmin) return error(400, "invalid", "Invalid value for: timeMin", "global", "parameter", "timeMin");
  const auto tmax = parse_rfc3339_ms(req["timeMax"].get<std::string>());
  if (!tmax) return error(400, "invalid", "Invalid value for: timeMax", "global", "parameter", "timeMax");
  if (*tmax <= *tmin)
    return error(400, "timeRangeEmpty", "The specified time range is empty.", "calendar", "parameter", "timeMax");
  std::string zone = req.contains("timeZone") && req["timeZone"].is_string() ? req["timeZone"].get<std::string>() : "UTC";
  if (!zones_.valid(zone)) zone = "UTC";
  auto format = [&](std::int64_t ms) {
    if (zone == "UTC") return format_utc(ms, false);
    return format_with_offset(ms, zones_.offset_at(zone, ms).value_or(0));
  };
  json calendars = json::object();
  if (req.contains("items") && req["items"].is_array()) {
    std::lock_guard lock(mutex_);
    for (const auto& item : req["items"]) {
      const std::string id = item.is_object() ? item.value("id", "") : "";
      auto c = calendars_.find(id);
      if (c == calendars_.end()) {
        calendars[id] = {{"errors", json::array({{{"domain", "global"}, {"reason", "notFound"}}})},
                         {"busy", json::array()}};
        continue;
      }
      std::vector<std::pair<std::int64_t, std::int64_t>> spans;
      for (const auto& [eid, s] : c->second.events) {
        if (s.resource.value("status", "") == "cancelled") continue;
        if (s.resource.value("transparency", "opaque") == "transparent") continue;
        if (s.end_ms <= *tmin || s.start_ms >= *tmax) continue;
        spans.emplace_back(std::max(s.start_ms, *tmin), std::min(s.end_ms, *tmax));
      }
      std::sort(spans.begin(), spans.end());
      json busy = json::array();
      std::optional<std::pair<std::int64_t, std::int64_t>> cur;
      for (const auto& sp : spans) {
        if (cur && sp.first <= cur->second) {
          cur->second = std::max(cur->second, sp.second);
          continue;
        }
        if (cur) busy.push_back({{"start", format(cur->first)}, {"end", format(cur->second)}});
        cur = sp;
      }
      if (cur) busy.push_back({{"start", format(cur->first)}, {"end", format(cur->second)}});
      calendars[id] = {{"busy", std::move(busy)}};
    }
  }
  return {200, json{{"kind", "calendar#freeBusy"},
                    {"timeMin", format_utc(*tmin, true)},
                    {"timeMax", format_utc(*tmax, true)},
                    {"calendars", std::move(calendars)}}};
}

std::vector<nlohmann::json> calendar_store::events(const std::string& calendar_id) const {
  std::vector<std::pair<std::uint64_t, nlohmann::json>> all;
  std::lock_guard lock(mutex_);
  auto c = calendars_.find(calendar_id);
  if (c == calendars_.end()) return {};
  for (const auto& [id, s] : c->second.events) all.emplace_back(s.order, s.resource);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<nlohmann::json> out;
  for (auto& [o, r] : all) out.push_back(std::move(r));
  return out;
}

} // namespace ce::mocks
