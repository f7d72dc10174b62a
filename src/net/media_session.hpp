// Private to src/net: one Twilio Media Streams WebSocket.
//
// Inbound: parses every text frame at the edge into engine events and hands them to the
// call's inbox (actor side); malformed or out-of-order frames are counted and logged with
// the call_sid, never fatal. Outbound: agent audio and marks wait in a bounded queue and
// are paced so that Twilio holds at most `playback_lead_ms` of unplayed audio; `clear`
// drops what is queued here and tells Twilio to drop its buffer.
#pragma once

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"

#include <memory>

namespace ce::net {

void start_media_session(tcp::socket socket, request upgrade, std::shared_ptr<edge_context> edge);

} // namespace ce::net
