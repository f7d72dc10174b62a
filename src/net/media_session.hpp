// Private to src/net: one Twilio Media Streams WebSocket, on the call's shard.
//
// The WebSocket is the engine's own (websocket/frames.hpp): every read takes all the frames
// the socket has, and every write sends all the queued messages at once.
//
// Inbound: parses every text frame at the edge into engine events; caller audio goes
// through the call's caller_audio (voice detection, then the recogniser's connection or
// the stt actor), everything else to the call's inbox (actor side); malformed or
// out-of-order frames are counted and logged with the call_sid, never fatal. Outbound:
// agent audio (agent_speech: marks) waits in a bounded queue and is paced so that Twilio
// holds at most `playback_lead_ms` of unplayed audio; `clear` drops what is queued here and
// tells Twilio to drop its buffer.
#pragma once

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"

#include <memory>

namespace ce::net {

/// Answers the WebSocket upgrade `upgrade` (101, or 400 / 426 when it is not a valid
/// RFC 6455 request) and runs the session. `leftover`: bytes read after the request.
void start_media_session(socket_type socket, request upgrade, std::string leftover, runtime::shard& shard,
                         std::shared_ptr<edge_context> edge);

} // namespace ce::net
