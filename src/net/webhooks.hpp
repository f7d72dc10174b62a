// Private to src/net: Twilio webhooks (signature-checked) and operator actions.
#pragma once

#include "net/routes.hpp"

#include <string_view>

namespace ce::net {

/// POST /twilio/voice: validate, admit (or refuse politely), answer <Connect><Stream>.
void handle_voice_webhook(edge_context& edge, const request& req, responder respond);
/// POST /twilio/after-stream (<Connect action>): <Dial> after a transfer, an apology after a
/// failure, <Hangup/> otherwise.
void handle_after_stream(edge_context& edge, const request& req, responder respond);
/// POST /twilio/call-status and /twilio/amd-status (`amd`): an outbound call's progress or
/// answering-machine verdict, recorded on its job (204; duplicates are harmless).
void handle_outbound_callback(edge_context& edge, const request& req, bool amd, responder respond);
/// POST /admin/calls/{sid}/kill/{role}: fault injection, when enabled in config.
void handle_admin_kill(edge_context& edge, const request& req, std::string_view path,
                       responder respond);

} // namespace ce::net
