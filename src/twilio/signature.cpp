#include "twilio/signature.hpp"

#include "common/base64.hpp"
#include "twilio/crypto.hpp"

#include <algorithm>
#include <cctype>

namespace ce::twilio {
namespace {

// ---- URL variants (§3.2) --------------------------------------------------------------

struct url_parts {
  std::string scheme;          // lowercased
  std::string_view userinfo;   // including the trailing '@', or empty
  std::string_view host;       // including brackets for IPv6 literals
  std::string_view port;       // digits only, or empty
  std::string_view rest;       // path, query and fragment, from the first '/', '?' or '#'
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lowercase(std::string_view s) {
  std::string out{s};
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Splits host[:port] (host may be a bracketed IPv6 literal). False if malformed.
bool split_host_port(std::string_view hostport, url_parts& parts) {
  auto colon = std::string_view::npos;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return false;
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') return false;
      colon = close + 1;
    }
  } else {
    colon = hostport.rfind(':');
  }
  if (colon == std::string_view::npos) {
    parts.host = hostport;
    return !hostport.empty();
  }
  parts.host = hostport.substr(0, colon);
  parts.port = hostport.substr(colon + 1);
  return !parts.host.empty() && all_digits(parts.port);
}

std::optional<url_parts> split_url(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  url_parts parts;
  parts.scheme = lowercase(url.substr(0, sep));
  auto after = url.substr(sep + 3);
  auto end = std::min(after.find_first_of("/?#"), after.size());
  auto authority = after.substr(0, end);
  parts.rest = after.substr(end);
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) {
    parts.userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  if (!split_host_port(authority, parts)) return std::nullopt;
  return parts;
}

std::string_view default_port(std::string_view scheme) {
  if (scheme == "https" || scheme == "wss") return "443";
  if (scheme == "http" || scheme == "ws") return "80";
  return {};
}

std::string_view counterpart_scheme(std::string_view scheme) {
  if (scheme == "https") return "wss";
  if (scheme == "wss") return "https";
  if (scheme == "http") return "ws";
  if (scheme == "ws") return "http";
  return {};
}

std::string assemble(std::string_view scheme, const url_parts& p, std::string_view port) {
  std::string out;
  out.reserve(scheme.size() + p.userinfo.size() + p.host.size() + port.size() + p.rest.size() + 4);
  out.append(scheme).append("://").append(p.userinfo).append(p.host);
  if (!port.empty()) out.append(":").append(port);
  out.append(p.rest);
  return out;
}

void add_unique(std::vector<std::string>& out, std::string s) {
  if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
}

void add_scheme_variants(std::vector<std::string>& out, std::string_view scheme, const url_parts& p) {
  add_unique(out, assemble(scheme, p, p.port));
  add_unique(out, assemble(scheme, p, {}));
  if (p.port.empty() && !default_port(scheme).empty())
    add_unique(out, assemble(scheme, p, default_port(scheme)));
}

// ---- signing ------------------------------------------------------------------------------

std::string string_to_sign(std::string_view url, const form_params& params) {
  std::vector<std::pair<std::string_view, std::string_view>> sorted;
  sorted.reserve(params.size());
  std::size_t total = url.size();
  for (const auto& [name, value] : params) {
    sorted.emplace_back(name, value);
    total += name.size() + value.size();
  }
  // Lexicographic order of (name, value) pairs is names in byte order, then each name's
  // values in byte order; removing equal neighbours dedupes repeated values.
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string data;
  data.reserve(total);
  data.append(url);
  for (const auto& [name, value] : sorted) data.append(name).append(value);
  return data;
}

bool matches_any_variant(std::string_view auth_token, std::string_view url,
                         const form_params& params, std::string_view header_signature) {
  if (auth_token.empty() || header_signature.empty()) return false;
  bool ok = false;
  for (const auto& variant : signature_url_variants(url))
    ok |= crypto::constant_time_equal(compute_signature(auth_token, variant, params),
                                      header_signature);
  return ok;
}

std::optional<std::string> query_value(std::string_view url, std::string_view name) {
  auto q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto query = url.substr(q + 1);
  query = query.substr(0, std::min(query.find('#'), query.size()));
  auto fields = parse_form_urlencoded(query);
  if (!fields) return std::nullopt;
  for (auto& [n, v] : *fields)
    if (n == name) return std::move(v);
  return std::nullopt;
}

// ---- form codec ---------------------------------------------------------------------------

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void form_encode_into(std::string& out, std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(digits[u >> 4]);
      out.push_back(digits[u & 0x0F]);
    }
  }
}

} // namespace

std::string compute_signature(std::string_view auth_token, std::string_view url,
                              const form_params& params) {
  auto mac = crypto::hmac_sha1(auth_token, string_to_sign(url, params));
  return base64_encode(mac);
}

std::vector<std::string> signature_url_variants(std::string_view url) {
  std::vector<std::string> out;
  auto parts = split_url(url);
  if (!parts) {
    out.emplace_back(url);
    return out;
  }
  add_unique(out, std::string{url});
  add_scheme_variants(out, parts->scheme, *parts);
  auto other = counterpart_scheme(parts->scheme);
  if (!other.empty()) add_scheme_variants(out, other, *parts);
  return out;
}

bool validate_signature(std::string_view auth_token, std::string_view url,
                        const form_params& params, std::string_view header_signature) {
  return matches_any_variant(auth_token, url, params, header_signature);
}

bool validate_json_body(std::string_view auth_token, std::string_view url, std::string_view body,
                        std::string_view header_signature) {
  auto expected_hash = query_value(url, "bodySHA256");
  if (!expected_hash) return false;
  bool hash_ok = crypto::constant_time_equal(body_sha256_hex(body), *expected_hash);
  bool signature_ok = matches_any_variant(auth_token, url, {}, header_signature);
  return hash_ok && signature_ok;
}

std::string body_sha256_hex(std::string_view data) {
  auto digest = crypto::sha256(data);
  return crypto::to_hex(digest.data(), digest.size());
}

std::optional<form_params> parse_form_urlencoded(std::string_view body) {
  form_params out;
  while (!body.empty()) {
    auto amp = std::min(body.find('&'), body.size());
    auto pair = body.substr(0, amp);
    body = amp < body.size() ? body.substr(amp + 1) : std::string_view{};
    if (pair.empty()) continue;
    auto eq = std::min(pair.find('='), pair.size());
    auto name = form_decode(pair.substr(0, eq));
    auto value = form_decode(eq < pair.size() ? pair.substr(eq + 1) : std::string_view{});
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::string form_urlencode(const form_params& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    form_encode_into(out, name);
    out.push_back('=');
    form_encode_into(out, value);
  }
  return out;
}

} // namespace ce::twilio
