// What the Deepgram mocks share: the handshake/REST authentication check, error bodies in
// Deepgram's shape (protocols.md §5.6: err_code / err_msg / request_id, plus the dg-error
// and dg-request-id headers), and the request handler that routes `/v1/listen` and
// `/v1/speak` to the STT and TTS services.
#pragma once

#include "mocks/http_core.hpp"

#include <optional>
#include <string>

namespace ce::mocks {

class stt_service;
class tts_service;

/// An HTTP error response as Deepgram sends it.
http_response deepgram_error(const http_request& req, unsigned status, std::string_view err_code,
                             std::string_view err_msg, const std::string& request_id);

struct deepgram_auth {
  bool ok = false;
  bool via_subprotocol = false;  ///< `Sec-WebSocket-Protocol: token, <key>`
  std::string scheme;            ///< "token" or "bearer"
};

/// Accepts `Authorization: Token|Bearer <key>` (scheme case-insensitive) or, on WebSocket
/// handshakes, `Sec-WebSocket-Protocol: token, <key>`. When `api_key` is set, the key must
/// equal it (a Bearer token is accepted as any non-empty value).
deepgram_auth check_deepgram_auth(const http_request& req, const std::string& api_key);

/// The response for a fired `status` fault at a Deepgram endpoint.
http_response deepgram_fault_response(const http_request& req, const fault_rule& f,
                                      const std::string& request_id);

class deepgram_handler : public request_handler {
public:
  deepgram_handler(stt_service& stt, tts_service& tts) : stt_(stt), tts_(tts) {}
  void handle(http_request&& req, const connection_ptr& conn) override;

private:
  stt_service& stt_;
  tts_service& tts_;
};

} // namespace ce::mocks
