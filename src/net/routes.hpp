// Private to src/net: HTTP request routing. A handler answers through `respond`, at once
// or later from another thread (it posts back to the connection's strand).
#pragma once

#include "net/beast_fwd.hpp"
#include "net/edge.hpp"

#include <functional>

namespace ce::net {

using responder = std::function<void(response)>;

void route_request(edge_context& edge, const request& req, responder respond);

/// A body-less copy of the request's version and keep-alive, for answering later.
request meta_of(const request& req);

/// A response with the given status, content type and body, matching the request's
/// HTTP version and keep-alive.
response make_response(const request& req, http::status status, std::string content_type,
                       std::string body);

} // namespace ce::net
