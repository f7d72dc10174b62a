#include "mocks/deepgram_common.hpp"

#include "mocks/deepgram_stt.hpp"
#include "mocks/deepgram_tts.hpp"

namespace ce::mocks {

http_response deepgram_error(const http_request& req, unsigned status, std::string_view err_code,
                             std::string_view err_msg, const std::string& request_id) {
  auto res = json_response(req, status,
                           nlohmann::json{{"err_code", err_code}, {"err_msg", err_msg}, {"request_id", request_id}});
  res.set("dg-request-id", request_id);
  res.set("dg-error", beast::string_view(err_msg.data(), err_msg.size()));
  res.keep_alive(false);
  return res;
}

deepgram_auth check_deepgram_auth(const http_request& req, const std::string& api_key) {
  deepgram_auth out;
  auto [scheme, cred] = authorization(req);
  if (scheme.empty()) {
    // Browser-style clients: `Sec-WebSocket-Protocol: token, <key>`.
    const std::string proto = header(req, "Sec-WebSocket-Protocol");
    const auto comma = proto.find(',');
    if (comma != std::string::npos && iequals(proto.substr(0, comma), "token")) {
      std::string key = proto.substr(comma + 1);
      while (!key.empty() && key.front() == ' ') key.erase(key.begin());
      scheme = "token";
      cred = key;
      out.via_subprotocol = true;
    }
  }
  out.scheme = scheme;
  if (cred.empty()) return out;
  if (scheme == "token") out.ok = api_key.empty() || cred == api_key;
  else if (scheme == "bearer") out.ok = true;
  return out;
}

http_response deepgram_fault_response(const http_request& req, const fault_rule& f,
                                      const std::string& request_id) {
  std::string code = f.error_code;
  std::string msg = f.message;
  if (code.empty()) {
    code = f.status == 429   ? "TOO_MANY_REQUESTS"
           : f.status == 402 ? "ASR_PAYMENT_REQUIRED"
           : f.status == 403 ? "INSUFFICIENT_PERMISSIONS"
           : f.status == 503 ? "SERVICE_UNAVAILABLE"
                             : "INTERNAL_SERVER_ERROR";
  }
  if (msg.empty()) {
    msg = f.status == 429 ? "Too many requests. Please try again later." : "The mock was told to fail this request.";
  }
  auto res = deepgram_error(req, static_cast<unsigned>(f.status), code, msg, request_id);
  if (f.retry_after) res.set(http::field::retry_after, *f.retry_after);
  return res;
}

void deepgram_handler::handle(http_request&& req, const connection_ptr& conn) {
  const auto parts = split_target(req.target());
  if (parts.path == "/v1/listen") {
    if (websocket::is_upgrade(req)) return stt_.accept(std::move(req), conn);
    return conn->reply(deepgram_error(req, 405, "METHOD_NOT_ALLOWED",
                                      "The mock serves live transcription over WebSocket only.", ""));
  }
  if (parts.path == "/v1/speak") {
    if (websocket::is_upgrade(req)) return tts_.accept(std::move(req), conn);
    if (req.method() == http::verb::post) return tts_.speak_rest(std::move(req), conn);
    return conn->reply(deepgram_error(req, 405, "METHOD_NOT_ALLOWED", "Use POST or a WebSocket.", ""));
  }
  conn->reply(deepgram_error(req, 404, "NOT_FOUND", "No such Deepgram endpoint in the mock.", ""));
}

} // namespace ce::mocks
