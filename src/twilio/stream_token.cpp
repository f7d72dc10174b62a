#include "twilio/stream_token.hpp"

#include "common/base64.hpp"
#include "twilio/crypto.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ce::twilio {
namespace {

constexpr int token_version = 1;
/// Tokens are a few hundred bytes; anything far larger is not one of ours.
constexpr std::size_t max_token_size = 4096;

std::string base64url_encode(std::span<const std::uint8_t> bytes) {
  auto s = base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text) {
  if (text.find_first_of("+/=") != std::string_view::npos || text.size() % 4 == 1) return std::nullopt;
  std::string s{text};
  std::replace(s.begin(), s.end(), '-', '+');
  std::replace(s.begin(), s.end(), '_', '/');
  s.append((4 - s.size() % 4) % 4, '=');
  return base64_decode(s);
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string mac_of(std::string_view secret, std::string_view signed_part) {
  auto mac = crypto::hmac_sha256(secret, signed_part);
  return base64url_encode(mac);
}

std::optional<stream_claims> refuse(std::string* why, std::string_view reason) {
  if (why != nullptr) *why = std::string{reason};
  return std::nullopt;
}

/// The claims in a payload JSON, or nullopt if any field is missing or mistyped.
std::optional<stream_claims> claims_from(std::string_view payload) {
  auto j = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto text = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto v = j.find("v");
  auto exp = j.find("exp");
  if (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() != token_version) return std::nullopt;
  if (exp == j.end() || !exp->is_number_integer()) return std::nullopt;
  stream_claims c;
  c.expires_unix_s = exp->get<std::int64_t>();
  if (!text("sid", c.call_sid) || !text("from", c.from) || !text("to", c.to) ||
      !text("dir", c.direction) || !text("appt", c.appointment))
    return std::nullopt;
  if (j.contains("job") && !text("job", c.job)) return std::nullopt;
  return c;
}

} // namespace

std::string mint_stream_token(std::string_view secret, const stream_claims& c,
                              std::int64_t now_unix_s) {
  nlohmann::json payload{{"v", token_version},  {"sid", c.call_sid},   {"from", c.from},
                         {"to", c.to},          {"dir", c.direction},  {"appt", c.appointment},
                         {"iat", now_unix_s},   {"exp", c.expires_unix_s}};
  if (!c.job.empty()) payload["job"] = c.job;
  // `replace` keeps the token valid JSON even if a claim holds invalid UTF-8.
  auto text = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto signed_part = base64url_encode(bytes_of(text));
  return signed_part + "." + mac_of(secret, signed_part);
}

std::optional<stream_claims> verify_stream_token(std::string_view secret, std::string_view token,
                                                 std::int64_t now_unix_s, std::string* why) {
  if (secret.empty()) return refuse(why, "empty secret");
  auto dot = token.find('.');
  if (token.size() > max_token_size || dot == std::string_view::npos || dot == 0 ||
      dot + 1 == token.size() ||
      token.find('.', dot + 1) != std::string_view::npos)
    return refuse(why, "malformed");
  auto signed_part = token.substr(0, dot);
  if (!crypto::constant_time_equal(mac_of(secret, signed_part), token.substr(dot + 1)))
    return refuse(why, "bad signature");
  auto payload = base64url_decode(signed_part);
  if (!payload) return refuse(why, "bad payload");
  auto claims = claims_from({reinterpret_cast<const char*>(payload->data()), payload->size()});
  if (!claims) return refuse(why, "bad payload");
  if (now_unix_s >= claims->expires_unix_s) return refuse(why, "expired");
  return claims;
}

std::optional<stream_claims> verify_stream_token_for_call(std::string_view secret,
                                                          std::string_view token,
                                                          std::string_view call_sid,
                                                          std::int64_t now_unix_s,
                                                          std::string* why) {
  auto claims = verify_stream_token(secret, token, now_unix_s, why);
  if (!claims) return std::nullopt;
  if (call_sid.empty() || claims->call_sid != call_sid) return refuse(why, "call_sid mismatch");
  return claims;
}

} // namespace ce::twilio
