// Private to src/net: JSON views of calls for operators (/calls, /calls/{sid}).
#pragma once

#include "net/routes.hpp"

#include <string>

namespace ce::net {

std::string to_json(const call_record& c, bool with_turns);
void serve_call_list(edge_context& edge, const request& req, responder respond);
void serve_call(edge_context& edge, const request& req, std::string call_sid, responder respond);

} // namespace ce::net
