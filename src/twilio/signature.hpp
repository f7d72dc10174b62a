// Twilio webhook request validation (`X-Twilio-Signature`, protocols.md §3) and the
// application/x-www-form-urlencoded codec the webhooks use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::twilio {

/// Decoded form fields in wire order; a name may repeat.
using form_params = std::vector<std::pair<std::string, std::string>>;

/// base64(HMAC-SHA1(auth_token, url + sorted name/value pairs)) exactly as §3.1: names in
/// byte order, each name's distinct values in byte order, exact duplicate pairs counted once.
std::string compute_signature(std::string_view auth_token, std::string_view url,
                              const form_params& params);

/// Every form of `url` Twilio may have signed (§3.2): as given, port stripped, default
/// port added (https/wss 443, http/ws 80), each for the URL's scheme and its
/// WebSocket/HTTP counterpart (wss <-> https, ws <-> http). Duplicates removed; a URL
/// that does not parse as scheme://authority yields only itself.
std::vector<std::string> signature_url_variants(std::string_view url);

/// True when `header_signature` matches the signature of any URL variant. Comparison is
/// constant-time. An empty token or empty header never validates.
bool validate_signature(std::string_view auth_token, std::string_view url,
                        const form_params& params, std::string_view header_signature);

/// JSON-body webhooks (§3.3): `url` carries `bodySHA256=<hex>`; both the body hash and
/// the signature over the full URL (no params) must match. False if the query has no
/// bodySHA256.
bool validate_json_body(std::string_view auth_token, std::string_view url, std::string_view body,
                        std::string_view header_signature);

/// Lowercase hex SHA-256 of `data` (the bodySHA256 value).
std::string body_sha256_hex(std::string_view data);

/// Parses an application/x-www-form-urlencoded body: `&`-separated `name=value` pairs,
/// `+` is a space, `%XX` a byte; a pair without `=` has an empty value, empty pairs are
/// skipped. A malformed `%` escape yields nullopt.
std::optional<form_params> parse_form_urlencoded(std::string_view body);

/// The inverse: ASCII letters, digits and `-._~` kept, space as `+`, every other byte as
/// `%XX` (uppercase hex).
std::string form_urlencode(const form_params& params);

} // namespace ce::twilio
