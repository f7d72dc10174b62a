#include "store/cache.hpp"

#include <nlohmann/json.hpp>

namespace ce::store {

std::string customer_to_json(const customer& c) {
  nlohmann::json j{{"id", c.id},
                   {"first_name", c.first_name},
                   {"last_name", c.last_name},
                   {"phone", c.phone},
                   {"email", c.email},
                   {"date_of_birth", c.date_of_birth},
                   {"zip", c.zip},
                   {"address", c.address},
                   {"preferred_contact", c.preferred_contact},
                   {"consent_sms", c.consent_sms},
                   {"consent_calls", c.consent_calls},
                   {"consent_email", c.consent_email}};
  return j.dump();
}

result<customer> customer_from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(store_errc::invalid, "cached customer is not JSON");
  customer c;
  auto str = [&](const char* k, std::string& out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto flag = [&](const char* k, bool& out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_boolean()) return false;
    out = it->get<bool>();
    return true;
  };
  auto id = j.find("id");
  bool ok = id != j.end() && id->is_number_integer() && str("first_name", c.first_name) &&
            str("last_name", c.last_name) && str("phone", c.phone) && str("email", c.email) &&
            str("date_of_birth", c.date_of_birth) && str("zip", c.zip) && str("address", c.address) &&
            str("preferred_contact", c.preferred_contact) && flag("consent_sms", c.consent_sms) &&
            flag("consent_calls", c.consent_calls) && flag("consent_email", c.consent_email);
  if (!ok) return make_error(store_errc::invalid, "cached customer lacks fields");
  c.id = id->get<std::int64_t>();
  return c;
}

result<std::optional<customer>> customer_cache::get(std::string_view e164_phone) {
  auto k = key(e164_phone);
  auto raw = redis_.get(k);
  if (!raw) return raw.error();
  if (!*raw) {
    ++misses_;
    return std::optional<customer>{};
  }
  auto c = customer_from_json(**raw);
  if (!c) {
    ++misses_;
    (void) redis_.del(k);
    return std::optional<customer>{};
  }
  ++hits_;
  return std::optional<customer>{std::move(*c)};
}

status customer_cache::put(const customer& c) {
  if (c.phone.empty()) return make_error(store_errc::invalid, "a cached customer needs a phone number");
  return redis_.setex(key(c.phone), ttl_s_, customer_to_json(c));
}

status customer_cache::invalidate(std::string_view e164_phone) {
  auto r = redis_.del(key(e164_phone));
  if (!r) return r.error();
  return done{};
}

std::string session_key(std::string_view call_sid) { return "session:" + std::string{call_sid}; }

status put_session(redis_connection& redis, std::string_view call_sid, std::string_view snapshot_json, int ttl_s) {
  if (call_sid.empty()) return make_error(store_errc::invalid, "a session snapshot needs a call_sid");
  return redis.setex(session_key(call_sid), ttl_s, snapshot_json);
}

result<std::optional<std::string>> get_session(redis_connection& redis, std::string_view call_sid) {
  return redis.get(session_key(call_sid));
}

status delete_session(redis_connection& redis, std::string_view call_sid) {
  auto r = redis.del(session_key(call_sid));
  if (!r) return r.error();
  return done{};
}

} // namespace ce::store
