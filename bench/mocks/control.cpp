#include "mocks/control.hpp"

#include <charconv>

namespace ce::mocks {
namespace {

using nlohmann::json;

std::uint64_t to_u64(const std::optional<std::string>& v, std::uint64_t fallback) {
  if (!v) return fallback;
  std::uint64_t out = fallback;
  std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

} // namespace

void control_service::handle(http_request&& req, const connection_ptr& conn) {
  auto& ctx = target_.context();
  const auto parts = split_target(req.target());
  const std::string path = parts.path.substr(std::string_view("/__mock").size());
  const auto method = req.method();
  auto ok = [&](const json& body) { conn->reply(json_response(req, 200, body)); };
  auto bad = [&](unsigned status, const std::string& msg) { conn->reply(json_response(req, status, json{{"error", msg}})); };
  auto body_json = [&]() -> std::optional<json> {
    if (req.body().empty()) return json::object();
    auto j = json::parse(req.body(), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  };

  if (path == "/health") return ok({{"ok", true}});
  if (path == "/config") {
    if (method == http::verb::get) return ok(ctx.config.document());
    auto j = body_json();
    if (!j) return bad(400, "body is not JSON");
    std::optional<config_error> err;
    if (method == http::verb::post || method == http::verb::patch) err = ctx.config.patch(*j);
    else if (method == http::verb::put) err = ctx.config.replace(*j);
    else return bad(405, "use GET, POST (merge patch) or PUT");
    if (err) return bad(400, err->message);
    target_.config_changed();
    ctx.log.add(service::control, "control.config", {{"method", std::string(req.method_string())}, {"body", *j}});
    return ok(ctx.config.document());
  }
  if (path == "/log") {
    if (method == http::verb::delete_) {
      ctx.log.clear();
      return ok({{"cleared", true}});
    }
    std::optional<service> svc;
    if (auto s = query_value(parts.query, "service"); s && !s->empty()) {
      service parsed;
      if (!parse_service(*s, parsed)) return bad(400, "unknown service " + *s);
      svc = parsed;
    }
    const auto since = to_u64(query_value(parts.query, "since"), 0);
    const auto limit = to_u64(query_value(parts.query, "limit"), SIZE_MAX);
    const std::string event = query_value(parts.query, "event").value_or("");
    auto entries = ctx.log.entries(svc, since, event, static_cast<std::size_t>(limit));
    return ok({{"entries", entries}, {"last_seq", ctx.log.last_seq()}});
  }
  if (path == "/stats") return ok(ctx.log.stats());
  if (path == "/reset" && method == http::verb::post) {
    if (auto err = target_.reset_state()) return bad(500, *err);
    return ok({{"reset", true}});
  }
  if (path == "/disconnect" && method == http::verb::post) {
    auto j = body_json();
    if (!j || !j->is_object()) return bad(400, "body must be {\"service\": \"stt|tts|openai|all\"}");
    const std::string s = j->value("service", "all");
    if (s != "stt" && s != "tts" && s != "openai" && s != "all") return bad(400, "unknown service " + s);
    return ok({{"dropped", target_.disconnect(s)}});
  }
  if (path == "/google/expire_tokens" && method == http::verb::post) {
    target_.expire_google_tokens();
    return ok({{"expired", true}});
  }
  if (path == "/google/events" && method == http::verb::get) {
    return ok({{"items", target_.calendar_events(query_value(parts.query, "calendar").value_or("primary"))}});
  }
  if (path == "/twilio/calls" && method == http::verb::get) return ok({{"calls", target_.twilio_calls()}});
  if (path == "/twilio/hangup" && method == http::verb::post) {
    auto j = body_json();
    if (!j || !j->is_object() || !j->contains("call_sid")) return bad(400, "body must be {\"call_sid\": \"CA...\"}");
    if (!target_.twilio_hang_up(j->value("call_sid", ""))) return bad(404, "no such active call");
    return ok({{"hung_up", true}});
  }
  bad(404, "no such control endpoint: " + std::string(req.method_string()) + " " + parts.path);
}

} // namespace ce::mocks
