#include "net/routes.hpp"

#include "net/json_views.hpp"
#include "net/webhooks.hpp"

#include <string_view>

namespace ce::net {

response make_response(const request& req, http::status status, std::string content_type,
                       std::string body) {
  response res{status, req.version()};
  res.set(http::field::server, "callengine");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

request meta_of(const request& req) {
  request meta;
  meta.version(req.version());
  meta.keep_alive(req.keep_alive());
  return meta;
}

namespace {

constexpr std::string_view prometheus_type = "text/plain; version=0.0.4; charset=utf-8";

std::string_view path_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

void route_get(edge_context& edge, const request& req, std::string_view path, responder& respond) {
  if (path == "/healthz") return respond(make_response(req, http::status::ok, "text/plain", "ok\n"));
  if (path == "/readyz") {
    bool draining = edge.draining.load();
    return respond(make_response(req, draining ? http::status::service_unavailable : http::status::ok,
                                 "text/plain", draining ? "draining\n" : "ready\n"));
  }
  if (path == "/metrics")
    return respond(make_response(req, http::status::ok, std::string{prometheus_type},
                                 edge.m.registry.render_prometheus()));
  if (path == "/metrics.json")
    return respond(make_response(req, http::status::ok, "application/json",
                                 edge.m.registry.render_json()));
  if (path == "/calls") return serve_call_list(edge, req, std::move(respond));
  if (starts_with(path, "/calls/"))
    return serve_call(edge, req, std::string{path.substr(7)}, std::move(respond));
  if (path == "/")
    return respond(make_response(req, http::status::ok, "text/plain",
                                 "callengine: GET /healthz /readyz /metrics /metrics.json /calls "
                                 "/calls/{sid}; POST /twilio/voice /twilio/call-status /twilio/amd-status; WS /twilio/media\n"));
  respond(make_response(req, http::status::not_found, "text/plain", "not found\n"));
}

void route_post(edge_context& edge, const request& req, std::string_view path, responder& respond) {
  if (path == "/twilio/voice") return handle_voice_webhook(edge, req, std::move(respond));
  if (path == "/twilio/after-stream") return handle_after_stream(edge, req, std::move(respond));
  if (path == "/twilio/call-status") return handle_outbound_callback(edge, req, false, std::move(respond));
  if (path == "/twilio/amd-status") return handle_outbound_callback(edge, req, true, std::move(respond));
  if (starts_with(path, "/admin/calls/")) return handle_admin_kill(edge, req, path, std::move(respond));
  respond(make_response(req, http::status::not_found, "text/plain", "not found\n"));
}

} // namespace

void route_request(edge_context& edge, const request& req, responder respond) {
  auto path = path_of(std::string_view{req.target().data(), req.target().size()});
  switch (req.method()) {
    case http::verb::get:
    case http::verb::head: return route_get(edge, req, path, respond);
    case http::verb::post: return route_post(edge, req, path, respond);
    default:
      respond(make_response(req, http::status::method_not_allowed, "text/plain", "method not allowed\n"));
  }
}

} // namespace ce::net
