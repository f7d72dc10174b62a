// Private to src/net: one accepted TCP connection speaking HTTP/1.1, upgraded to a
// Media Streams WebSocket on /twilio/media.
#pragma once

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"

#include <memory>

namespace ce::net {

void run_http_session(tcp::socket socket, std::shared_ptr<edge_context> edge);

} // namespace ce::net
