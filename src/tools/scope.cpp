// The caller scope: who the call is about, whether they are verified, and the customer
// cache in front of the lookup by phone.
#include "store/phone.hpp"
#include "tools/tool_impl.hpp"

namespace ce::tools {

std::optional<std::string> caller_id(const caller_context& ctx) {
  if (trim(ctx.caller_phone).empty()) return std::nullopt;
  auto e164 = store::normalize_phone(ctx.caller_phone);
  if (!e164) return std::nullopt;  // "anonymous", "restricted", ...
  return *e164;
}

std::optional<tool_error> require_verified(const caller_context& ctx) {
  if (ctx.verified && ctx.customer_id) return std::nullopt;
  auto e = fail(tool_errc::forbidden,
                ctx.customer_id
                  ? "The caller must be verified first: ask for their date of birth, ZIP code or the last 6 of "
                    "their VIN and call verify_customer"
                  : "The caller must be identified and verified first: look them up (lookup_customer) and verify "
                    "them (verify_customer), or create a record for a new customer (create_customer)");
  e.verification_required = true;
  return e;
}

void select_customer(caller_context& ctx, const store::customer& c) {
  if (ctx.customer_id != c.id) {
    ctx.verified = false;
    ctx.vehicle_ids.clear();
    ctx.appointment_ids.clear();
  }
  ctx.customer_id = c.id;
  ctx.first_name = c.first_name;
  ctx.last_name = c.last_name;
  ctx.customer_phone = c.phone;
  ctx.has_date_of_birth = !c.date_of_birth.empty();
  ctx.has_zip = !c.zip.empty();
}

void forget_customer(caller_context& ctx) {
  caller_context fresh;
  fresh.call_sid = std::move(ctx.call_sid);
  fresh.caller_phone = std::move(ctx.caller_phone);
  fresh.verify_attempts = ctx.verify_attempts;
  ctx = std::move(fresh);
}

checked<std::optional<store::customer>> customer_by_phone(tool_call& c, const std::string& e164) {
  auto* cache = c.env.cache;
  bool cache_usable = cache != nullptr;
  if (cache) {
    auto hits = cache->hits();
    auto misses = cache->misses();
    auto cached = cache->get(e164);
    c.outcome.cache.hits += cache->hits() - hits;
    c.outcome.cache.misses += cache->misses() - misses;
    if (!cached) {
      ++c.outcome.cache.errors;
      cache_usable = false;  // do not wait for an unreachable Redis twice in one call
    } else if (*cached) {
      return std::optional<store::customer>{std::move(**cached)};
    }
  }
  auto found = c.env.store.find_customer_by_phone(e164);
  if (!found) {
    if (found.code() == store::store_errc::not_found) return std::optional<store::customer>{};
    return from_store(found.error());
  }
  if (cache_usable && !cache->put(*found)) ++c.outcome.cache.errors;
  return std::optional<store::customer>{std::move(*found)};
}

void invalidate_customer(tool_call& c, const std::string& e164) {
  if (!c.env.cache || e164.empty()) return;
  if (!c.env.cache->invalidate(e164)) ++c.outcome.cache.errors;
}

} // namespace ce::tools
