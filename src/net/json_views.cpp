#include "net/json_views.hpp"

#include <nlohmann/json.hpp>

namespace ce::net {
namespace {

nlohmann::json turn_json(const turn_record& t) {
  nlohmann::json j{{"index", t.index}, {"speaker", t.speaker}, {"text", t.text}, {"at_ms", t.at_ms}};
  if (t.speaker == "agent") {
    j["interrupted"] = t.interrupted;
    j["heard"] = t.heard;
    if (t.latency_ms >= 0) j["latency_ms"] = t.latency_ms;
  }
  return j;
}

} // namespace

std::string to_json(const call_record& c, bool with_turns) {
  nlohmann::json j{{"call_sid", c.call_sid},
                   {"stream_sid", c.stream_sid},
                   {"direction", std::string{to_string(c.direction)}},
                   {"from", log::redact_phone(c.from)},
                   {"state", c.state},
                   {"started_unix_ms", c.started_unix_ms},
                   {"duration_ms", c.duration_ms},
                   {"barge_ins", c.barge_ins},
                   {"child_restarts", c.child_restarts},
                   {"turn_count", c.turns.size()}};
  j["end_reason"] = c.ended_by ? nlohmann::json(std::string{to_string(*c.ended_by)}) : nlohmann::json(nullptr);
  if (with_turns) {
    auto turns = nlohmann::json::array();
    for (const auto& t : c.turns) turns.push_back(turn_json(t));
    j["turns"] = std::move(turns);
  }
  return j.dump();
}

void serve_call_list(edge_context& edge, const request& req, responder respond) {
  edge.gateway.list_calls([req = meta_of(req), respond = std::move(respond)](std::vector<call_record> calls) {
    std::string body = "[";
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (i) body += ',';
      body += to_json(calls[i], false);
    }
    body += "]";
    respond(make_response(req, http::status::ok, "application/json", std::move(body)));
  });
}

void serve_call(edge_context& edge, const request& req, std::string call_sid, responder respond) {
  edge.gateway.find_call(call_sid, [req = meta_of(req), respond = std::move(respond)](std::optional<call_record> c) {
    if (!c) return respond(make_response(req, http::status::not_found, "application/json",
                                         R"({"error":"unknown call"})"));
    respond(make_response(req, http::status::ok, "application/json", to_json(*c, true)));
  });
}

} // namespace ce::net
