// Private to src/net: one accepted TCP connection speaking HTTP/1.1, upgraded to a
// Media Streams WebSocket on /twilio/media. It runs on the shard its socket was accepted
// onto, and so does the media session it becomes.
#pragma once

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"

#include <memory>

namespace ce::net {

void run_http_session(socket_type socket, runtime::shard& shard, std::shared_ptr<edge_context> edge);

} // namespace ce::net
