#include "providers/http/url.hpp"

#include <cctype>
#include <charconv>

namespace ce::http {
namespace {

std::uint16_t default_port(std::string_view scheme) {
  return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::string url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme)) h += ":" + std::to_string(port);
  return h;
}

std::string url::target(std::string_view suffix) const {
  std::string t = path;
  t += suffix;
  if (t.empty()) t = "/";
  if (!query.empty()) {
    t += (t.find('?') == std::string::npos) ? '?' : '&';
    t += query;
  }
  return t;
}

std::string url::to_string() const { return scheme + "://" + authority() + (path.empty() ? "/" : path); }

std::optional<url> parse_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https" && u.scheme != "ws" && u.scheme != "wss") return std::nullopt;
  std::string_view rest = text.substr(sep + 3);
  const auto path_at = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, path_at);
  rest = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);
  if (auth.empty() || auth.find('@') != std::string_view::npos) return std::nullopt;

  std::string_view port_text;
  if (auth.front() == '[') {
    const auto close = auth.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(auth.substr(1, close - 1));
    auto after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = auth.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = auth.substr(colon + 1);
      auth = auth.substr(0, colon);
    }
    u.host = lower(auth);
  }
  if (u.host.empty()) return std::nullopt;
  u.port = default_port(u.scheme);
  if (!port_text.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535) return std::nullopt;
    u.port = static_cast<std::uint16_t>(p);
  }
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto q = rest.find('?');
  u.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) u.query = std::string(rest.substr(q + 1));
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  return u;
}

url websocket_url(url base) {
  if (base.scheme == "https") base.scheme = "wss";
  else if (base.scheme == "http") base.scheme = "ws";
  return base;
}

std::string percent_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

std::string encode_query(const query_params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += percent_encode(k);
    out += '=';
    out += percent_encode(v);
  }
  return out;
}

} // namespace ce::http
