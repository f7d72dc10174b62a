#include "net/webhooks.hpp"

#include "twilio/signature.hpp"
#include "twilio/stream_token.hpp"
#include "twilio/twiml.hpp"

#include <chrono>
#include <map>

namespace ce::net {
namespace {

using form = std::vector<std::pair<std::string, std::string>>;

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

std::string param(const form& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}

/// A parameter of the request URL's query ("" when absent or malformed).
std::string query_param(const request& req, std::string_view name) {
  std::string_view target{req.target().data(), req.target().size()};
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  auto params = twilio::parse_form_urlencoded(target.substr(q + 1));
  return params ? param(*params, name) : std::string{};
}

std::string public_url(const edge_context& edge, const request& req) {
  auto base = edge.cfg.server.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string{req.target()};
}

response twiml_response(const request& req, std::string body) {
  return make_response(req, http::status::ok, "text/xml; charset=utf-8", std::move(body));
}

/// Parses and authenticates a Twilio form webhook. On failure it answers the request
/// itself and returns nullopt.
std::optional<form> authenticate(edge_context& edge, const request& req, responder& respond) {
  auto content_type = std::string{req[http::field::content_type]};
  if (content_type.find("application/x-www-form-urlencoded") == std::string::npos) {
    edge.m.webhooks_bad_request.inc();
    respond(make_response(req, http::status::unsupported_media_type, "text/plain",
                          "expected application/x-www-form-urlencoded\n"));
    return std::nullopt;
  }
  auto params = twilio::parse_form_urlencoded(req.body());
  if (!params) {
    edge.m.webhooks_bad_request.inc();
    respond(make_response(req, http::status::bad_request, "text/plain", "malformed form body\n"));
    return std::nullopt;
  }
  if (edge.dev_mode()) {
    edge.log->debug("call_sid={} webhook {} accepted without signature check (development mode)",
                    param(*params, "CallSid"), std::string{req.target()});
    return params;
  }
  auto signature = std::string{req["X-Twilio-Signature"]};
  if (signature.empty() ||
      !twilio::validate_signature(edge.cfg.twilio.auth_token, public_url(edge, req), *params, signature)) {
    edge.m.webhooks_forged.inc();
    edge.log->warn("call_sid={} webhook {} refused: {} X-Twilio-Signature", param(*params, "CallSid"),
                   std::string{req.target()}, signature.empty() ? "missing" : "invalid");
    respond(make_response(req, http::status::forbidden, "text/plain", "invalid Twilio signature\n"));
    return std::nullopt;
  }
  return params;
}

std::string busy_twiml(const edge_context& edge, end_reason why) {
  const auto& name = edge.cfg.dealership.name;
  if (why == end_reason::refused_draining)
    return twilio::say_and_hangup("Thanks for calling " + name +
                                  ". Our phone assistant is restarting. Please call again in a "
                                  "minute. Goodbye.");
  return twilio::say_and_hangup("Thanks for calling " + name +
                                ". All of our lines are busy right now. Please call again in a few "
                                "minutes. Goodbye.");
}

} // namespace

void handle_voice_webhook(edge_context& edge, const request& req, responder respond) {
  auto params = authenticate(edge, req, respond);
  if (!params) return;
  admission_request ask;
  ask.call_sid = param(*params, "CallSid");
  ask.from = param(*params, "From");
  ask.to = param(*params, "To");
  auto direction = param(*params, "Direction");
  ask.direction = direction.rfind("outbound", 0) == 0 ? call_direction::outbound : call_direction::inbound;
  if (ask.call_sid.empty()) {
    edge.m.webhooks_bad_request.inc();
    return respond(make_response(req, http::status::bad_request, "text/plain", "CallSid missing\n"));
  }
  edge.m.webhooks_accepted.inc();
  if (edge.draining.load()) {
    edge.log->info("call_sid={} refused: draining", ask.call_sid);
    return respond(twiml_response(req, busy_twiml(edge, end_reason::refused_draining)));
  }
  auto stream_url = twilio::stream_url_from_base(edge.cfg.server.public_base_url, "/twilio/media");
  auto action_url = edge.cfg.server.public_base_url + "/twilio/after-stream";
  twilio::stream_claims claims;
  claims.call_sid = ask.call_sid;
  claims.from = ask.from;
  claims.to = ask.to;
  claims.direction = std::string{to_string(ask.direction)};
  if (ask.direction == call_direction::outbound) {
    // a call the reminder scheduler placed: its job rides in the signed stream token
    if (auto job = parse_outbound_job(query_param(req, "job"))) claims.job = format_outbound_job(*job);
  }
  claims.expires_unix_s = unix_now_s() + edge.cfg.twilio.stream_token_ttl_s;
  auto token = twilio::mint_stream_token(edge.token_secret, claims, unix_now_s());
  auto* e = &edge;
  edge.gateway.admit(ask, [e, meta = meta_of(req), sid = ask.call_sid,
                           direction = claims.direction, token, stream_url, action_url,
                           respond](admission_decision d) {
    if (!d.admitted) {
      e->log->info("call_sid={} refused at admission: {}", sid, to_string(d.refusal));
      return respond(twiml_response(meta, busy_twiml(*e, d.refusal)));
    }
    std::vector<std::pair<std::string, std::string>> stream_params{{"direction", direction},
                                                                   {"token", token}};
    respond(twiml_response(meta, twilio::connect_stream(stream_url, action_url, stream_params)));
  });
}

void handle_after_stream(edge_context& edge, const request& req, responder respond) {
  auto params = authenticate(edge, req, respond);
  if (!params) return;
  auto sid = param(*params, "CallSid");
  auto* e = &edge;
  edge.gateway.after_stream(sid, [e, sid, meta = meta_of(req), respond](std::optional<end_reason> why) {
    std::string body;
    if (why == end_reason::transfer)
      body = twilio::dial(e->cfg.twilio.transfer_number, "");
    else if (why == end_reason::child_failure)
      body = twilio::say_and_hangup("We're sorry, we're having technical trouble. Please call us "
                                    "back in a few minutes. Goodbye.");
    else
      body = twilio::hangup();
    e->log->info("call_sid={} after-stream: {}", sid, why ? to_string(*why) : "unknown call");
    respond(twiml_response(meta, std::move(body)));
  });
}

void handle_outbound_callback(edge_context& edge, const request& req, bool amd, responder respond) {
  auto params = authenticate(edge, req, respond);
  if (!params) return;
  outbound_call_event ev;
  ev.call_sid = param(*params, "CallSid");
  if (amd) ev.answered_by = param(*params, "AnsweredBy");
  else ev.call_status = param(*params, "CallStatus");
  ev.job = parse_outbound_job(query_param(req, "job"));
  if (ev.call_sid.empty() || (amd ? ev.answered_by.empty() : ev.call_status.empty())) {
    edge.m.webhooks_bad_request.inc();
    return respond(make_response(req, http::status::bad_request, "text/plain",
                                 amd ? "CallSid and AnsweredBy required\n" : "CallSid and CallStatus required\n"));
  }
  edge.m.webhooks_accepted.inc();
  edge.log->debug("call_sid={} {} {}", ev.call_sid, amd ? "answered by" : "call status",
                  amd ? ev.answered_by : ev.call_status);
  edge.gateway.outbound_event(std::move(ev));
  auto res = make_response(req, http::status::no_content, "text/plain", "");
  respond(std::move(res));
}

void handle_admin_kill(edge_context& edge, const request& req, std::string_view path,
                       responder respond) {
  if (!edge.cfg.calls.allow_fault_injection)
    return respond(make_response(req, http::status::forbidden, "application/json",
                                 R"j({"error":"fault injection is disabled (calls.allow_fault_injection)"})j"));
  // /admin/calls/{sid}/kill/{role}
  auto rest = path.substr(std::string_view{"/admin/calls/"}.size());
  auto slash = rest.find("/kill/");
  if (slash == std::string_view::npos)
    return respond(make_response(req, http::status::not_found, "application/json", R"({"error":"not found"})"));
  std::string sid{rest.substr(0, slash)};
  std::string role{rest.substr(slash + 6)};
  edge.log->warn("call_sid={} role={} operator fault injection: kill", sid, role);
  edge.gateway.kill_child(sid, role, [meta = meta_of(req), respond](bool ok) {
    respond(make_response(meta, ok ? http::status::ok : http::status::not_found, "application/json",
                          ok ? R"({"killed":true})" : R"({"error":"unknown call or role"})"));
  });
}

} // namespace ce::net
