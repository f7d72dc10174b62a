#include "providers/google/calendar_json.hpp"

#include "providers/http/backoff.hpp"

#include <openssl/sha.h>

namespace ce::google {
namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

const json* obj(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return (it != j.end() && it->is_object()) ? &*it : nullptr;
}

const json* arr(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return (it != j.end() && it->is_array()) ? &*it : nullptr;
}

json time_to_json(const event_time& t) {
  json j = json::object();
  if (!t.date.empty()) j["date"] = t.date;
  if (!t.date_time.empty()) j["dateTime"] = t.date_time;
  if (!t.time_zone.empty()) j["timeZone"] = t.time_zone;
  return j;
}

event_time time_from_json(const json& j) { return event_time{str(j, "dateTime"), str(j, "timeZone"), str(j, "date")}; }

std::map<std::string, std::string> string_map(const json* j) {
  std::map<std::string, std::string> out;
  if (!j) return out;
  for (auto it = j->begin(); it != j->end(); ++it)
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  return out;
}

} // namespace

std::string make_event_id(std::string_view booking_key) {
  static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(booking_key.data()), booking_key.size(), digest);
  std::string out;
  out.reserve(32);
  std::uint64_t acc = 0;
  int bits = 0;
  for (int i = 0; i < 20; ++i) {
    acc = (acc << 8) | digest[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(alphabet[(acc >> (bits - 5)) & 0x1F]);
      bits -= 5;
    }
  }
  return out;
}

bool valid_event_id(std::string_view id) {
  if (id.size() < 5 || id.size() > 1024) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v'))) return false;
  return true;
}

json event_to_json(const calendar_event& e) {
  json j = json::object();
  if (!e.id.empty()) j["id"] = e.id;
  if (!e.summary.empty()) j["summary"] = e.summary;
  if (!e.description.empty()) j["description"] = e.description;
  if (!e.location.empty()) j["location"] = e.location;
  j["start"] = time_to_json(e.start);
  j["end"] = time_to_json(e.end);
  if (!e.status.empty()) j["status"] = e.status;
  if (!e.transparency.empty()) j["transparency"] = e.transparency;
  if (!e.attendees.empty()) {
    json a = json::array();
    for (const auto& at : e.attendees) {
      json x{{"email", at.email}};
      if (!at.display_name.empty()) x["displayName"] = at.display_name;
      if (at.optional) x["optional"] = true;
      if (!at.response_status.empty()) x["responseStatus"] = at.response_status;
      a.push_back(std::move(x));
    }
    j["attendees"] = std::move(a);
  }
  if (!e.private_properties.empty() || !e.shared_properties.empty()) {
    json ext = json::object();
    if (!e.private_properties.empty()) ext["private"] = e.private_properties;
    if (!e.shared_properties.empty()) ext["shared"] = e.shared_properties;
    j["extendedProperties"] = std::move(ext);
  }
  if (e.reminders_use_default) j["reminders"] = {{"useDefault", *e.reminders_use_default}};
  return j;
}

json patch_to_json(const event_patch& p) {
  json j = json::object();
  if (p.summary) j["summary"] = *p.summary;
  if (p.description) j["description"] = *p.description;
  if (p.location) j["location"] = *p.location;
  if (p.start) j["start"] = time_to_json(*p.start);
  if (p.end) j["end"] = time_to_json(*p.end);
  if (p.status) j["status"] = *p.status;
  if (p.transparency) j["transparency"] = *p.transparency;
  if (p.private_properties) j["extendedProperties"] = {{"private", *p.private_properties}};
  return j;
}

calendar_event event_from_json(const json& j) {
  calendar_event e;
  e.id = str(j, "id");
  e.summary = str(j, "summary");
  e.description = str(j, "description");
  e.location = str(j, "location");
  if (const json* s = obj(j, "start")) e.start = time_from_json(*s);
  if (const json* s = obj(j, "end")) e.end = time_from_json(*s);
  e.status = str(j, "status");
  e.transparency = str(j, "transparency");
  if (const json* a = arr(j, "attendees")) {
    for (const auto& x : *a) {
      event_attendee at;
      at.email = str(x, "email");
      at.display_name = str(x, "displayName");
      at.optional = x.is_object() && x.contains("optional") && x["optional"].is_boolean() && x["optional"].get<bool>();
      at.response_status = str(x, "responseStatus");
      e.attendees.push_back(std::move(at));
    }
  }
  if (const json* ext = obj(j, "extendedProperties")) {
    e.private_properties = string_map(obj(*ext, "private"));
    e.shared_properties = string_map(obj(*ext, "shared"));
  }
  if (const json* r = obj(j, "reminders"); r && r->contains("useDefault") && (*r)["useDefault"].is_boolean())
    e.reminders_use_default = (*r)["useDefault"].get<bool>();
  e.html_link = str(j, "htmlLink");
  e.etag = str(j, "etag");
  e.created = str(j, "created");
  e.updated = str(j, "updated");
  e.ical_uid = str(j, "iCalUID");
  return e;
}

json free_busy_to_json(const free_busy_query& q) {
  json items = json::array();
  for (const auto& id : q.calendars) items.push_back({{"id", id}});
  json j{{"timeMin", q.time_min}, {"timeMax", q.time_max}, {"items", std::move(items)}};
  if (!q.time_zone.empty()) j["timeZone"] = q.time_zone;
  return j;
}

free_busy_result free_busy_from_json(const json& j) {
  free_busy_result r;
  r.time_min = str(j, "timeMin");
  r.time_max = str(j, "timeMax");
  if (const json* cals = obj(j, "calendars")) {
    for (auto it = cals->begin(); it != cals->end(); ++it) {
      calendar_busy cb;
      if (const json* busy = arr(it.value(), "busy"))
        for (const auto& p : *busy) cb.busy.push_back({str(p, "start"), str(p, "end")});
      if (const json* errs = arr(it.value(), "errors"))
        for (const auto& e : *errs) cb.errors.push_back(str(e, "reason"));
      r.calendars[it.key()] = std::move(cb);
    }
  }
  return r;
}

http::provider_error calendar_http_error(int status, std::string_view body, std::string_view retry_after) {
  std::string reason, message, grpc_status;
  auto j = json::parse(body, nullptr, false);
  if (const json* err = obj(j, "error")) {
    message = str(*err, "message");
    grpc_status = str(*err, "status");
    if (const json* errs = arr(*err, "errors"); errs && !errs->empty()) reason = str((*errs)[0], "reason");
  }
  if (message.empty()) message = "HTTP " + std::to_string(status);
  auto e = http::classify_http(status, {reason, grpc_status}, std::move(message));
  http::apply_retry_hints(e, "", retry_after, "");
  return e;
}

http::provider_error oauth_http_error(int status, std::string_view body, std::string_view retry_after) {
  std::string error, description;
  auto j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    error = str(j, "error");
    description = str(j, "error_description");
  }
  if (description.empty()) description = error.empty() ? "token endpoint answered " + std::to_string(status) : error;
  auto e = http::classify_http(status, error, std::move(description));
  http::apply_retry_hints(e, "", retry_after, "");
  return e;
}

} // namespace ce::google
